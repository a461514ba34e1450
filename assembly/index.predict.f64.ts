/**
 * The float64 forward-only module (build/wasmlp.predict.f64.wasm, the chunk
 * dist/wasmlp-predict-f64.js): index.predict.f32.ts's kernels for float64.
 */
import './dense';
import './softmax';
import './finite';

/** The only exports (see index.predict.f32.ts). */
const EXPORTED_KERNELS = ['denseForwardF64', 'softmaxF64', 'firstNonFiniteF64'];

/** First byte the TypeScript side may allocate from. */
export function heapBase(): usize {
  return __heap_base;
}
