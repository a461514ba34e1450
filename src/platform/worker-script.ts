/**
 * Seam: the text of a worker network's worker (src/worker/worker.ts bundled
 * into one classic script by scripts/bundles.ts), which script-worker.ts
 * starts. This file is what the source runs take; each bundle takes the
 * variant that scripts/bundles.ts's SEAMS table names for it:
 * - worker-script.source.ts    bundled from src/worker/ on first use (source runs)
 * - worker-script.chunk.ts     imported from dist/wasmlp-worker.js on first use (the library)
 * - worker-script.embedded.ts  a string in the bundle (dist/wasmlp-worker.js itself)
 */
import type { Variant } from './seam.js';

export interface WorkerScriptSeam {
  workerSource(): Promise<string>;
}

export * from './worker-script.source.js';

// biome-ignore lint/correctness/noUnusedVariables: tsc checks each variant against the seam here
type Checked = [
  Variant<WorkerScriptSeam, typeof import('./worker-script.source.js')>,
  Variant<WorkerScriptSeam, typeof import('./worker-script.chunk.js')>,
  Variant<WorkerScriptSeam, typeof import('./worker-script.embedded.js')>,
];
