/**
 * The predictor's backends: the forward kernels alone, of the dtype's
 * forward-only module (build/wasmlp.predict.f32.wasm or .f64.wasm) or of
 * the js backend, over the same
 * heaps and with the same wiring as a Network's backends, so that a
 * prediction is computed by the same kernels the same way.
 */
import { type BackendName, type DType, FORWARD_KERNEL_NAMES, type ForwardKernelName, type Kernels } from '../backend/backend.js';
import { type Heap, HeapMemory } from '../backend/heap.js';
import { instantiateKernels } from '../backend/instantiate.js';
import { denseForwardConversion, exportedKernels, WasmHeap } from '../backend/wasm-module.js';
import type { ForwardBackend } from '../forward.js';
import { createJsForwardBackend } from '../platform/predict-js-backend.js';
import { loadPredictBytes } from '../platform/predict-kernels.js';

interface ForwardModule extends Heap {
  kernels: Pick<Kernels, ForwardKernelName>;
}

/** Each dtype's module, instantiated on its first predictor; one heap per module, shared by its predictors. */
const shared: Partial<Record<DType, Promise<ForwardModule>>> = {};

async function loadModule(dtype: DType): Promise<ForwardModule> {
  const raw = await instantiateKernels(await loadPredictBytes(dtype));
  const heap = new WasmHeap(raw.memory as WebAssembly.Memory, (raw.heapBase as () => number)());
  const suffix = dtype === 'float32' ? 'F32' : 'F64';
  return Object.assign(heap, {
    kernels: exportedKernels(raw, suffix, FORWARD_KERNEL_NAMES, { denseForward: denseForwardConversion }),
  });
}

/** Memory over the module's heap; the kernels are each predictor's own properties (createForwardBackend). */
class ModuleBackend extends HeapMemory {}

/**
 * A backend object of its own for one predictor, over the process's one
 * heap of that backend; the module is instantiated on the first wasm one
 * (and in the bundle, the js kernels' chunk imported on the first js one).
 *
 * @throws Error if the WebAssembly module cannot be instantiated or the chunk fetched (a later call tries again).
 */
export async function createForwardBackend(name: BackendName, dtype: DType): Promise<ForwardBackend> {
  if (name === 'js') return createJsForwardBackend(dtype);
  const loading = (shared[dtype] ??= loadModule(dtype));
  try {
    const module = await loading;
    // Own properties, as WasmBackend's: a call goes straight to the export.
    return Object.assign(new ModuleBackend(dtype, module), module.kernels);
  } catch (error) {
    if (shared[dtype] === loading) delete shared[dtype];
    throw error;
  }
}
