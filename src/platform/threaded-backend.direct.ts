/** The threaded backend itself, imported as any module is: source runs, where nothing is bundled. */
export { createThreadedWasmBackend, stopThreads, threadsAvailable, threadsForWorker } from '../backend/threads.js';
