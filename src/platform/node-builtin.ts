/**
 * Seam: how wasmlp reaches a Node built-in (node:worker_threads), with no
 * import of it that a browser bundler would try to resolve or stub. This
 * file is what the source runs take; each bundle takes the variant that
 * scripts/bundles.ts's SEAMS table names for it:
 * - node-builtin.import.ts   process.getBuiltinModule, else an import() bundlers ignore (the library, the threads chunk)
 * - node-builtin.require.ts  require(), which a worker's classic script has in Node (the threads add-on)
 */
import type { Variant } from './seam.js';

export interface NodeBuiltinSeam {
  nodeBuiltin<T>(id: string): Promise<T>;
}

export * from './node-builtin.import.js';

// biome-ignore lint/correctness/noUnusedVariables: tsc checks each variant against the seam here
type Checked = [
  Variant<NodeBuiltinSeam, typeof import('./node-builtin.import.js')>,
  Variant<NodeBuiltinSeam, typeof import('./node-builtin.require.js')>,
];
