/**
 * The threaded backend in a worker network's worker, whose script holds no
 * threaded backend of its own: when a worker network asks for threads where
 * they can run, the worker's script begins with the threads add-on
 * (src/worker/threads-addon.ts), and these functions hand over to it.
 * Without it, `threads` > 1 gives the single-threaded backend, as
 * createNetwork does where threads cannot run.
 */
import type { Backend, DType } from '../backend/backend.js';
import type { WorkerThreads } from '../backend/threads.js';
import type { ThreadsAddon } from '../worker/threads-addon.js';

const addon = (): ThreadsAddon | undefined => (globalThis as { wasmlpThreads?: ThreadsAddon }).wasmlpThreads;

export function createThreadedWasmBackend(dtype: DType, threads: number, fallback: () => Promise<Backend>): Promise<Backend> {
  return addon()?.createThreadedWasmBackend(dtype, threads, fallback) ?? fallback();
}

export async function threadsAvailable(threads?: number): Promise<boolean> {
  return (await addon()?.threadsAvailable(threads)) ?? false;
}

/** The worker's threads end with the worker (WorkerNetwork.dispose terminates it). */
export async function stopThreads(): Promise<void> {}

/** A worker's network starts no worker network of its own. */
export async function threadsForWorker(): Promise<WorkerThreads | undefined> {
  return undefined;
}

/** The shared-memory kernels from the create message, for the add-on (sent only with it). */
export function receiveThreadedBytes(bytes: Uint8Array | undefined): void {
  if (bytes) addon()?.receiveThreadedBytes(bytes);
}
