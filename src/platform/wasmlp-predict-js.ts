/**
 * The entry of dist/wasmlp-predict-js.js, the chunk that holds the js
 * backend's forward kernels for dist/wasmlp-predict.js, which imports it on
 * the first predictor on backend 'js' (predict-js-backend.lazy.ts).
 */
export { createJsForwardBackend } from './predict-js-backend.js';
