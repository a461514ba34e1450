/**
 * The entry of dist/wasmlp-worker.js, the chunk that holds the worker's
 * text (worker-script.embedded.ts) for the library, which imports it on
 * first use (worker-script.chunk.ts).
 */
export { workerSource } from './worker-script.js';
