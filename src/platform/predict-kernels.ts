/**
 * Seam: where the forward-only kernels' bytes (build/wasmlp.predict.f32.wasm
 * and .f64.wasm, for wasmlp/predict) come from, one module per dtype. This
 * file is what the source runs take; each bundle takes the variant that
 * scripts/bundles.ts's SEAMS table names for it:
 * - predict-kernels.node.ts      read from build/ (source runs)
 * - predict-kernels.embedded.ts  float32 inside the bundle, deflated; float64
 *                                imported from dist/wasmlp-predict-f64.js on
 *                                first use (dist/wasmlp-predict.js)
 * - predict-kernels.float64.ts   float64 inside the bundle, deflated (the
 *                                chunk dist/wasmlp-predict-f64.js itself)
 */
import type { DType } from '../backend/backend.js';
import type { Variant } from './seam.js';

export interface PredictKernelsSeam {
  loadPredictBytes(dtype: DType): Promise<Uint8Array>;
}

export * from './predict-kernels.node.js';

// biome-ignore lint/correctness/noUnusedVariables: tsc checks each variant against the seam here
type Checked = [
  Variant<PredictKernelsSeam, typeof import('./predict-kernels.node.js')>,
  Variant<PredictKernelsSeam, typeof import('./predict-kernels.embedded.js')>,
  Variant<PredictKernelsSeam, typeof import('./predict-kernels.float64.js')>,
];
