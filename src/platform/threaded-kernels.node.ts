/** The shared-memory kernels when wasmlp runs from source: build/wasmlp.threads.wasm, next to build/wasmlp.wasm. */
import { readBuildFile } from './kernels.node.js';

export async function loadThreadedBytes(): Promise<Uint8Array> {
  return readBuildFile('wasmlp.threads.wasm');
}
