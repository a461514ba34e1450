/**
 * The thread controls the package exports, declared apart from the
 * threaded backend's seam (platform/threaded-backend.ts) so that the
 * published types reach none of the backend's: its declarations name
 * WebAssembly's types, which a project compiled without the DOM library
 * (Node's usual setup) lacks.
 */
import { threadsAvailable as poolStarts, stopThreads as stopPools } from './platform/threaded-backend.js';

/**
 * Whether a network can run on `threads` threads here: shared memory,
 * workers and the threaded kernels all available (Node; a cross-origin
 * isolated page). Starts those threads, once per count, to find out; a
 * network asking for them where they cannot run runs on one thread.
 *
 * @param threads - The thread count to try: an integer from 1 to 64 (default 2).
 * @returns true if that many threads run here.
 * @throws Error (as a rejection) if `threads` is not an integer from 1 to 64.
 *
 * @example
 * ```ts
 * const threads = (await threadsAvailable(4)) ? 4 : 1;
 * const net = await createNetwork({
 *   inputs: 784,
 *   layers: [{ units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }],
 *   loss: 'categoricalCrossentropy',
 *   threads,
 * });
 * ```
 */
export function threadsAvailable(threads = 2): Promise<boolean> {
  return poolStarts(threads);
}

/**
 * Stops this thread's worker threads (in tests, or on a page done
 * training): the networks that used them go on on one thread, and later
 * networks asking for threads start new ones.
 *
 * @returns A promise that resolves once every worker has been told to stop.
 */
export function stopThreads(): Promise<void> {
  return stopPools();
}
