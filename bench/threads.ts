/** Whether wasmlp's threaded wasm backend runs here (shared memory, workers, the threaded module). */
export { threadsAvailable } from '../src/backend/threads.js';
