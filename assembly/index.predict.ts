/**
 * The forward-only module (build/wasmlp.predict.wasm), for wasmlp/predict:
 * a dense layer's fused forward kernel (the product, the bias and every
 * elementwise activation), softmax, and the finiteness check, once per
 * dtype. The same source as the full module (index.ts) compiled alone, so
 * a prediction is the same number in both; no backward step, loss or
 * optimiser is compiled in.
 */
import './dense';
import './softmax';
import './finite';

/**
 * The only kernels this module exports: scripts/asc-kernel-exports.js reads
 * (and removes) this list, where it would otherwise export every @kernel
 * the imported files hold, the backward ones among them.
 */
const EXPORTED_KERNELS = ['denseForward', 'softmax', 'firstNonFinite'];

/** First byte the TypeScript side may allocate from. */
export function heapBase(): usize {
  return __heap_base;
}
