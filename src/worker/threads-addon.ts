/**
 * The threaded backend inside a worker network's worker. scripts/bundles.ts
 * bundles this file and src/backend/threads.ts into one classic script (no
 * import, no export), which the threads chunk holds as a string
 * (threadsForWorker) and createWorkerNetwork, asked for threads where they
 * can run, puts at the head of the worker's script. It leaves the threaded
 * backend at globalThis.wasmlpThreads, where the worker's variant of the
 * threaded backend (src/platform/threaded-backend.worker.ts) finds it. Its
 * shared-memory kernels come in the create message, as the single-threaded
 * ones do (src/platform/threaded-kernels.posted.ts).
 *
 * The threads then are workers of the worker: nested worker_threads in
 * Node, nested dedicated workers in browsers, on memory shared as usual.
 */
import { createThreadedWasmBackend, threadsAvailable } from '../backend/threads.js';
import { receiveThreadedBytes } from '../platform/threaded-kernels.posted.js';

export interface ThreadsAddon {
  createThreadedWasmBackend: typeof createThreadedWasmBackend;
  threadsAvailable: typeof threadsAvailable;
  receiveThreadedBytes: typeof receiveThreadedBytes;
}

(globalThis as { wasmlpThreads?: ThreadsAddon }).wasmlpThreads = {
  createThreadedWasmBackend,
  threadsAvailable,
  receiveThreadedBytes,
};
