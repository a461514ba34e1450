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
import { readFile } from 'node:fs/promises';

export async function loadThreadedBytes(): Promise<Uint8Array> {
  const url = new URL('../../build/wasmlp.threads.wasm', import.meta.url);
  try {
    return await readFile(url);
  } catch (error) {
    throw new Error(`Cannot read ${url.pathname}: run \`npm run asbuild\` to compile the kernels (${(error as Error).message})`);
  }
}
