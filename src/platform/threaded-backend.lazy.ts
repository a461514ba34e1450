/**
 * The threaded backend in the library (dist/wasmlp.js, dist/wasmlp.min.js):
 * the same functions, fetching the real ones, with the shared-memory
 * kernels they need, from dist/wasmlp-threads.js only once `threads` > 1 is
 * asked for somewhere it can run. Inlined, their kernels would add a third
 * to the library on every page, though most never ask for threads and a
 * page that is not cross-origin isolated cannot run them.
 *
 * The import() names the chunk literally and relative to the library
 * (src/platform/ stands where dist/ does): a page importing dist/ from a
 * static folder fetches it next to the library, and bundlers see it and
 * split it off (or inline it).
 */
import { type Backend, checkThreads, type DType } from '../backend/backend.js';
import { sharedMemoryPossible } from '../backend/shared-memory.js';
import type { WorkerThreads } from '../backend/threads.js';
import type { ThreadedBackendSeam as ThreadsModule } from './threaded-backend.js';

// Plain functions, no object made at the top: an application that uses none of them lets its bundler
// drop them, and the chunk with them.
let loaded: Promise<ThreadsModule> | undefined;

function threadsModule(): Promise<ThreadsModule> {
  if (!loaded) {
    loaded = import('./wasmlp-threads.js');
    // A failed fetch (a static folder without the chunk, a network error) may succeed on a later ask.
    loaded.catch(() => {
      loaded = undefined;
    });
  }
  return loaded;
}

export async function createThreadedWasmBackend(
  dtype: DType,
  threads: number,
  fallback: () => Promise<Backend>,
): Promise<Backend> {
  if (!sharedMemoryPossible()) return fallback();
  let threaded: ThreadsModule;
  try {
    threaded = await threadsModule();
  } catch {
    // As wherever threads cannot start: one thread, and threadsAvailable() says so.
    return fallback();
  }
  return threaded.createThreadedWasmBackend(dtype, threads, fallback);
}

export async function threadsAvailable(threads = 2): Promise<boolean> {
  checkThreads('threadsAvailable', threads);
  if (!sharedMemoryPossible()) return false;
  try {
    return await (await threadsModule()).threadsAvailable(threads);
  } catch {
    return false;
  }
}

export async function threadsForWorker(): Promise<WorkerThreads | undefined> {
  if (!sharedMemoryPossible()) return undefined;
  try {
    return await (await threadsModule()).threadsForWorker();
  } catch {
    return undefined; // the worker network runs on one thread, as createThreadedWasmBackend falls back
  }
}

export async function stopThreads(): Promise<void> {
  // Nothing to stop unless the chunk has loaded; and stopping must not fetch it.
  const threaded = await loaded?.catch(() => undefined);
  await threaded?.stopThreads();
}
