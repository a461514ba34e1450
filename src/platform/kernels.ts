/**
 * Seam: where the single-threaded kernels' bytes (build/wasmlp.wasm) come
 * from. This file is what the source runs (tsx, vitest) take; each bundle
 * takes the variant that scripts/bundles.ts's SEAMS table names for it:
 * - kernels.node.ts      read from build/ (source runs)
 * - kernels.chunk.ts     imported from dist/wasmlp-kernels.js on first use (the library)
 * - kernels.embedded.ts  inside the bundle, deflated (dist/wasmlp-kernels.js itself)
 * - kernels.posted.ts    sent by the thread that starts the worker (the worker)
 * - kernels.none.ts      never needed (the threads chunk and add-on, which
 *                        extend wasm.ts's classes but instantiate only the
 *                        shared-memory kernels)
 */
import type { Variant } from './seam.js';

export interface KernelsSeam {
  loadWasmBytes(): Promise<Uint8Array>;
}

export * from './kernels.node.js';

// biome-ignore lint/correctness/noUnusedVariables: tsc checks each variant against the seam here
type Checked = [
  Variant<KernelsSeam, typeof import('./kernels.node.js')>,
  Variant<KernelsSeam, typeof import('./kernels.chunk.js')>,
  Variant<KernelsSeam, typeof import('./kernels.embedded.js')>,
  Variant<KernelsSeam, typeof import('./kernels.posted.js')>,
  Variant<KernelsSeam, typeof import('./kernels.none.js')>,
];
