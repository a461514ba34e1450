/**
 * The kernels when wasmlp runs from source (tsx, vitest): build/wasmlp.wasm,
 * written by `npm run asbuild` (never committed). No bundle takes this
 * variant: the built package reads no file.
 */
import { readFile } from 'node:fs/promises';

export async function loadWasmBytes(): Promise<Uint8Array> {
  return readBuildFile('wasmlp.wasm');
}

/** build/`name`, as `npm run asbuild` wrote it (threaded-kernels.node.ts reads the other one). */
export async function readBuildFile(name: string): Promise<Uint8Array> {
  const url = new URL(`../../build/${name}`, import.meta.url);
  try {
    return await readFile(url);
  } catch (error) {
    throw new Error(`Cannot read ${url.pathname}: run \`npm run asbuild\` to compile the kernels (${(error as Error).message})`);
  }
}
