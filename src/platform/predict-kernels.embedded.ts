/**
 * The forward-only kernels in dist/wasmlp-predict.js: float32's embedded,
 * as the library's kernels chunk embeds the full ones (kernels.embedded.ts),
 * defined by scripts/bundles.ts, deflated and in base64, so that a page
 * predicting with a float32 network, as nearly all do, fetches no other
 * file. float64's are the chunk next to it, dist/wasmlp-predict-f64.js,
 * imported by its literal name on the first float64 predictor: embedded
 * too, they would add a third to what every page loads.
 */
import type { DType } from '../backend/backend.js';
import { unpackEmbeddedWasm } from './embedded-wasm.js';

declare const WASMLP_PREDICT_F32_KERNELS: string;

let float64: Promise<Uint8Array> | undefined;

export function loadPredictBytes(dtype: DType): Promise<Uint8Array> {
  if (dtype === 'float32') return unpackEmbeddedWasm(WASMLP_PREDICT_F32_KERNELS);
  if (!float64) {
    float64 = import('./wasmlp-predict-f64.js').then((chunk) => chunk.loadPredictBytes('float64'));
    // A failed fetch (a static folder without the chunk, a network error) may succeed on a later ask.
    float64.catch(() => {
      float64 = undefined;
    });
  }
  return float64;
}
