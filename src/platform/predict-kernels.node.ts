/** The forward-only kernels when wasmlp runs from source: build/wasmlp.predict.wasm, next to build/wasmlp.wasm. */
import { readBuildFile } from './kernels.node.js';

export async function loadPredictBytes(): Promise<Uint8Array> {
  return readBuildFile('wasmlp.predict.wasm');
}
