/**
 * The entry of dist/wasmlp-predict-f64.js, the chunk that holds the float64
 * forward-only kernels for dist/wasmlp-predict.js, which imports it on the
 * first float64 predictor (predict-kernels.embedded.ts).
 */
export { loadPredictBytes } from './predict-kernels.js';
