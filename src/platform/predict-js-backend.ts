/**
 * Seam: the js backend's forward kernels (src/backend/js-forward.ts), as
 * wasmlp/predict reaches them. This file is what the source runs take;
 * each bundle takes the variant that scripts/bundles.ts's SEAMS table
 * names for it:
 * - predict-js-backend.direct.ts  js-forward.ts itself (source runs, and the chunk)
 * - predict-js-backend.lazy.ts    the same function, importing the chunk
 *                                 dist/wasmlp-predict-js.js on first use
 *                                 (dist/wasmlp-predict.js)
 */
import type { Variant } from './seam.js';

export type PredictJsBackendSeam = Pick<typeof import('../backend/js-forward.js'), 'createJsForwardBackend'>;

export * from './predict-js-backend.direct.js';

// biome-ignore lint/correctness/noUnusedVariables: tsc checks each variant against the seam here
type Checked = [
  Variant<PredictJsBackendSeam, typeof import('./predict-js-backend.direct.js')>,
  Variant<PredictJsBackendSeam, typeof import('./predict-js-backend.lazy.js')>,
];
