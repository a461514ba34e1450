/**
 * Where the shared-memory kernels (threads.ts) come from when wasmlp runs
 * from source (tsx, vitest): build/wasmlp.threads.wasm, written by
 * `npm run asbuild` next to the single-threaded build/wasmlp.wasm.
 *
 * The built package swaps this whole file, as it does wasm-bytes.ts
 * (scripts/bundles.ts): dist/wasmlp-threads.js, the chunk the library loads
 * only when threads are asked for, gets the bytes embedded (deflated,
 * base64), so it too reads no file and fetches nothing.
 * Every variant exports exactly this function.
 */
import { readBuildFile } from './wasm-bytes.js';

export async function loadThreadedBytes(): Promise<Uint8Array> {
  return readBuildFile('wasmlp.threads.wasm');
}
