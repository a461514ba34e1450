/**
 * The module: every kernel of src/backend/backend.ts, once per dtype. Each
 * kernel is a generic function marked @kernel in its own file;
 * scripts/asc-kernel-exports.js (an asc transform) exports it as name + F32 and
 * name + F64, the names wasm.ts looks up. Pointers are byte offsets into
 * this module's memory; flags cross as i32 0/1.
 *
 * Nothing here allocates: the runtime is the stub, and TypeScript owns all
 * memory above heapBase(). The only static data are the GEMM's scratch
 * panel and tile (memory.data), below heapBase.
 */
import './gemm';
import './dense';
import './bias';
import './sigmoid';
import './tanh';
import './relu';
import './softmax';
import './categoricalCrossentropy';
import './meanSquaredError';
import './binaryCrossentropy';
import './sgd';
import './momentum';
import './adam';
import './rmsprop';
import './clip';
import './gather';
import './finite';
import './copy';

/** First byte the TypeScript side may allocate from. */
export function heapBase(): usize {
  return __heap_base;
}
