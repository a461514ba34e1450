/**
 * Seam: where the shared-memory kernels' bytes (build/wasmlp.threads.wasm,
 * for the threaded backend, src/backend/threads.ts) come from. This file is
 * what the source runs take; each bundle takes the variant that
 * scripts/bundles.ts's SEAMS table names for it:
 * - threaded-kernels.node.ts      read from build/ (source runs)
 * - threaded-kernels.embedded.ts  inside the bundle, deflated (the threads chunk)
 * - threaded-kernels.posted.ts    sent to the worker with its create message
 *                                 (the worker's threads add-on)
 */
import type { Variant } from './seam.js';

export interface ThreadedKernelsSeam {
  loadThreadedBytes(): Promise<Uint8Array>;
}

export * from './threaded-kernels.node.js';

// biome-ignore lint/correctness/noUnusedVariables: tsc checks each variant against the seam here
type Checked = [
  Variant<ThreadedKernelsSeam, typeof import('./threaded-kernels.node.js')>,
  Variant<ThreadedKernelsSeam, typeof import('./threaded-kernels.embedded.js')>,
  Variant<ThreadedKernelsSeam, typeof import('./threaded-kernels.posted.js')>,
];
