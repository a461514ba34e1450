/**
 * Where the compiled kernels come from when wasmlp runs from source (tsx,
 * vitest): build/wasmlp.wasm, written by `npm run asbuild` (never committed).
 *
 * The built package (dist/, see scripts/bundles.ts) swaps this whole file:
 * the library gets the bytes embedded (deflated, base64), so it reads no
 * file and fetches nothing; the worker gets them posted by the thread that
 * starts it.
 * Every variant exports loadWasmBytes.
 */
import { readFile } from 'node:fs/promises';

export async function loadWasmBytes(): Promise<Uint8Array> {
  return readBuildFile('wasmlp.wasm');
}

/**
 * build/`name`, as `npm run asbuild` wrote it. Only the source variants of
 * this file and of threads-wasm-bytes.ts read files; the bundles swap both.
 */
export async function readBuildFile(name: string): Promise<Uint8Array> {
  const url = new URL(`../../build/${name}`, import.meta.url);
  try {
    return await readFile(url);
  } catch (error) {
    throw new Error(`Cannot read ${url.pathname}: run \`npm run asbuild\` to compile the kernels (${(error as Error).message})`);
  }
}
