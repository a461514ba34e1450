/**
 * The float64 forward-only kernels inside dist/wasmlp-predict-f64.js,
 * deflated and in base64 (scripts/bundles.ts defines the constant). The
 * chunk is asked for float64 alone: wasmlp-predict.js holds float32's.
 */
import type { DType } from '../backend/backend.js';
import { unpackEmbeddedWasm } from './embedded-wasm.js';

declare const WASMLP_PREDICT_F64_KERNELS: string;

export function loadPredictBytes(dtype: DType): Promise<Uint8Array> {
  if (dtype !== 'float64') return Promise.reject(new Error(`dist/wasmlp-predict-f64.js holds float64 kernels, not ${dtype}`));
  return unpackEmbeddedWasm(WASMLP_PREDICT_F64_KERNELS);
}
