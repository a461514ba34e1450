/**
 * The entry of dist/wasmlp-threads.js, the chunk that holds the threaded
 * backend and its shared-memory kernels for the library, which imports it
 * on first use (threaded-backend.lazy.ts).
 */
export { createThreadedWasmBackend, stopThreads, threadsAvailable, threadsForWorker } from '../backend/threads.js';
