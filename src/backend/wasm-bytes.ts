/**
 * Where the compiled kernels come from: build/wasmlp.wasm, written by
 * `npm run asbuild` (never committed). The browser build replaces this file
 * with one that embeds the bytes.
 */
import { readFile } from 'node:fs/promises';

export async function loadWasmBytes(): Promise<Uint8Array> {
  const url = new URL('../../build/wasmlp.wasm', import.meta.url);
  try {
    return await readFile(url);
  } catch (error) {
    throw new Error(`Cannot read ${url.pathname}: run \`npm run asbuild\` to compile the kernels (${(error as Error).message})`);
  }
}
