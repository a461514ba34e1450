/** The forward-only kernels when wasmlp runs from source: build/wasmlp.predict.f32.wasm or .f64.wasm, next to build/wasmlp.wasm. */
import type { DType } from '../backend/backend.js';
import { readBuildFile } from './kernels.node.js';

export async function loadPredictBytes(dtype: DType): Promise<Uint8Array> {
  return readBuildFile(`wasmlp.predict.${dtype === 'float32' ? 'f32' : 'f64'}.wasm`);
}
