/**
 * Seam: the threaded backend (src/backend/threads.ts), as the rest of
 * wasmlp reaches it. This file is what the source runs take; each bundle
 * takes the variant that scripts/bundles.ts's SEAMS table names for it:
 * - threaded-backend.direct.ts  src/backend/threads.ts itself (source runs)
 * - threaded-backend.lazy.ts    the same functions, importing the threads
 *                               chunk, dist/wasmlp-threads.js, on first use (the library)
 * - threaded-backend.worker.ts  in a worker network's worker: the threads
 *                               add-on at the head of its script, if any
 */
import type { Variant } from './seam.js';

export type ThreadedBackendSeam = Pick<
  typeof import('../backend/threads.js'),
  'createThreadedWasmBackend' | 'threadsAvailable' | 'stopThreads' | 'threadsForWorker'
>;

export * from './threaded-backend.direct.js';

// biome-ignore lint/correctness/noUnusedVariables: tsc checks each variant against the seam here
type Checked = [
  Variant<ThreadedBackendSeam, typeof import('./threaded-backend.direct.js')>,
  Variant<ThreadedBackendSeam, typeof import('./threaded-backend.lazy.js')>,
  Variant<ThreadedBackendSeam, typeof import('./threaded-backend.worker.js')>,
];
