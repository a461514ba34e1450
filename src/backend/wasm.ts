/**
 * The WebAssembly backend: instantiates assembly/ once per process and
 * gives each kernel of the contract its export (backend.ts's KERNEL_NAMES,
 * plus F32 or F64).
 */

import { loadWasmBytes } from '../platform/kernels.js';
import { type Backend, type DType, KERNEL_NAMES, type KernelName, type Kernels } from './backend.js';
import { type Heap, HeapBackend } from './heap.js';
import { instantiateKernels } from './instantiate.js';
import { ACTIVATION_CODES, type Conversion, denseForwardConversion, exportedKernels, WasmHeap } from './wasm-module.js';

/**
 * The kernels whose arguments change on the way in, each a closure over its
 * export; every other kernel is its export itself.
 */
const CONVERTED: { readonly [K in KernelName]?: Conversion<K> } = {
  // A boolean would cross by ToInt32 too, but only a number takes the engine's fast path into WebAssembly.
  gemm:
    ({ gemm }) =>
    (transA, transB, m, n, depth, alpha, a, b, beta, c) =>
      gemm(+transA, +transB, m, n, depth, alpha, a, b, beta, c),
  denseForward: denseForwardConversion,
  denseBackwardInput:
    ({ denseBackwardInput }) =>
    (rows, inputs, units, delta, weights, activation, alpha, a, out) =>
      denseBackwardInput(rows, inputs, units, delta, weights, ACTIVATION_CODES[activation], alpha, a, out),
  sgdMomentum:
    ({ sgdMomentum }) =>
    (n, lr, momentum, nesterov, w, g, velocity) =>
      sgdMomentum(n, lr, momentum, +nesterov, w, g, velocity),
  // 1 - beta in f64 here, rounded once to the dtype at the call, as Keras
  // casts its Python float (see assembly/adam.ts).
  adam:
    ({ adam }) =>
    (n, alpha, beta1, beta2, epsilon, w, g, m, v) =>
      adam(n, alpha, 1 - beta1, 1 - beta2, epsilon, w, g, m, v),
};

/** One dtype's kernels of a module's exports (`suffix` F32 or F64): each export, or its converting closure. */
export function moduleKernels(exports: Record<string, unknown>, suffix: 'F32' | 'F64'): Kernels {
  return exportedKernels(exports, suffix, KERNEL_NAMES, CONVERTED);
}

interface WasmModule extends Heap {
  kernels: Record<DType, Kernels>;
}

let shared: Promise<WasmModule> | undefined;

async function loadModule(): Promise<WasmModule> {
  const raw = await instantiateKernels(await loadWasmBytes());
  const heap = new WasmHeap(raw.memory as WebAssembly.Memory, (raw.heapBase as () => number)());
  return Object.assign(heap, { kernels: { float32: moduleKernels(raw, 'F32'), float64: moduleKernels(raw, 'F64') } });
}

export async function createWasmBackend(dtype: DType): Promise<Backend> {
  shared ??= loadModule();
  try {
    const module = await shared;
    return new WasmBackend(dtype, module, module.kernels[dtype]);
  } catch (error) {
    shared = undefined; // let a later call retry instead of caching the failure
    throw error;
  }
}

/** Each kernel of the contract, as an own property (see the constructor). */
export interface WasmBackend extends Kernels {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor assigns every kernel, which the interface declares
export class WasmBackend extends HeapBackend implements Backend {
  readonly name = 'wasm';

  /** `kernels`: this dtype's, moduleKernels() of the module whose memory `heap` is. */
  constructor(dtype: DType, heap: Heap, kernels: Kernels) {
    super(dtype, heap);
    // Own properties, not methods that forward: a call goes straight to the
    // export (or its converting closure), with no JavaScript frame between.
    Object.assign(this, kernels);
  }
}
