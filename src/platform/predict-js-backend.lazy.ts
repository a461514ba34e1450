/**
 * The js backend's forward kernels in dist/wasmlp-predict.js: fetched from
 * the chunk next to it, dist/wasmlp-predict-js.js, only when a predictor
 * asks for backend 'js'. The forward-only WebAssembly is inside
 * wasmlp-predict.js, and a page that predicts on it, as nearly all do,
 * needs no other file; the js kernels would add a tenth to what it loads.
 *
 * The import() names the chunk literally and relative to the bundle
 * (src/platform/ stands where dist/ does), as the library's chunks are named.
 */
import type { DType } from '../backend/backend.js';
import type { JsForwardBackend } from '../backend/js-forward.js';
import type { PredictJsBackendSeam } from './predict-js-backend.js';

let loaded: Promise<PredictJsBackendSeam> | undefined;

export function createJsForwardBackend(dtype: DType): Promise<JsForwardBackend> {
  if (!loaded) {
    loaded = import('./wasmlp-predict-js.js');
    // A failed fetch (a static folder without the chunk, a network error) may succeed on a later ask.
    loaded.catch(() => {
      loaded = undefined;
    });
  }
  return loaded.then((chunk) => chunk.createJsForwardBackend(dtype));
}
