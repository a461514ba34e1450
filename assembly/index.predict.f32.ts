/**
 * A forward-only module (build/wasmlp.predict.f32.wasm, embedded in
 * wasmlp/predict): a dense layer's fused forward kernel (the product, the
 * bias and every elementwise activation), softmax and the finiteness
 * check, for float32. The same source as the full module (index.ts)
 * compiled alone, so a prediction is the same number in both; no backward
 * step, loss or optimiser is compiled in. float64 is a module of its own
 * (index.predict.f64.ts), which a page fetches only for a float64 network.
 */
import './dense';
import './softmax';
import './finite';

/**
 * The only exports: scripts/asc-kernel-exports.js reads (and removes) this
 * list, where it would otherwise export every @kernel the imported files
 * hold, for both dtypes, the backward ones among them.
 */
const EXPORTED_KERNELS = ['denseForwardF32', 'softmaxF32', 'firstNonFiniteF32'];

/** First byte the TypeScript side may allocate from. */
export function heapBase(): usize {
  return __heap_base;
}
