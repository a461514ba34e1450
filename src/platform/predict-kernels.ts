/**
 * Seam: where the forward-only kernels' bytes (build/wasmlp.predict.wasm,
 * for wasmlp/predict) come from. This file is what the source runs take;
 * each bundle takes the variant that scripts/bundles.ts's SEAMS table names
 * for it:
 * - predict-kernels.node.ts      read from build/ (source runs)
 * - predict-kernels.embedded.ts  inside the bundle, deflated (dist/wasmlp-predict.js)
 */
import type { Variant } from './seam.js';

export interface PredictKernelsSeam {
  loadPredictBytes(): Promise<Uint8Array>;
}

export * from './predict-kernels.node.js';

// biome-ignore lint/correctness/noUnusedVariables: tsc checks each variant against the seam here
type Checked = [
  Variant<PredictKernelsSeam, typeof import('./predict-kernels.node.js')>,
  Variant<PredictKernelsSeam, typeof import('./predict-kernels.embedded.js')>,
];
