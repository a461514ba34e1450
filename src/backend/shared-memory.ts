/**
 * Whether this environment can share memory with workers at all: the test
 * both the threaded backend (threads.ts) and the built library's lazy loader
 * of it (threads-lazy.ts) make, the latter so that a page where threads
 * cannot run never downloads them only to learn so.
 */
export function sharedMemoryPossible(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  const process = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (process?.versions?.node) return true;
  // Browsers: SharedArrayBuffer reaches a worker only on a cross-origin isolated page.
  return typeof Worker === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}
