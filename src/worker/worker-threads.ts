/**
 * The worker's src/backend/threads.ts (swapped in by scripts/bundles.ts).
 * The worker's bundle has no threaded backend: when a worker network asks
 * for threads where they can run, its worker's script begins with the
 * threads add-on (threads-addon.ts), and these functions hand over to it.
 * Without it, `threads` > 1 gives the single-threaded backend, as
 * createNetwork does where threads cannot run.
 */
import type { Backend, DType } from '../backend/backend.js';
import type { ThreadsAddon } from './threads-addon.js';

const addon = (): ThreadsAddon | undefined => (globalThis as { wasmlpThreads?: ThreadsAddon }).wasmlpThreads;

export function createThreadedWasmBackend(dtype: DType, threads: number, fallback: () => Promise<Backend>): Promise<Backend> {
  return addon()?.createThreadedWasmBackend(dtype, threads, fallback) ?? fallback();
}

export async function threadsAvailable(threads?: number): Promise<boolean> {
  return (await addon()?.threadsAvailable(threads)) ?? false;
}

/** The shared-memory kernels from the create message, for the add-on (sent only with it). */
export function receiveThreadedBytes(bytes: Uint8Array | undefined): void {
  if (bytes) addon()?.receiveThreadedBytes(bytes);
}
