/**
 * Whether this environment can share memory with workers at all: the test
 * both the threaded backend (threads.ts) and the built library's lazy
 * loader of it (src/platform/threaded-backend.lazy.ts) make, the latter so
 * that a page where threads cannot run never downloads them only to learn so.
 */
import { inNode } from '../platform/runtime.js';

export function sharedMemoryPossible(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  if (inNode()) return true;
  // Browsers: SharedArrayBuffer reaches a worker only on a cross-origin isolated page.
  return typeof Worker === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}
