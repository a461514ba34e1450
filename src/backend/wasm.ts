/**
 * The WebAssembly backend: instantiates assembly/ once per process and
 * gives each kernel of the contract its export (backend.ts's KERNEL_NAMES,
 * plus F32 or F64).
 */

import { loadWasmBytes } from '../platform/kernels.js';
import { Arena } from './arena.js';
import { type Backend, type DType, type ElementwiseActivation, KERNEL_NAMES, type KernelName, type Kernels } from './backend.js';
import { type Heap, HeapBackend } from './heap.js';
import { instantiateKernels } from './instantiate.js';

/** How a contract argument crosses into WebAssembly: a flag as an i32 0/1, an activation as its code. */
type Crossing<T> = T extends boolean ? number : T extends ElementwiseActivation ? number : T;
type Exported<F> = F extends (...args: infer A) => infer R ? (...args: { [I in keyof A]: Crossing<A[I]> }) => R : never;
/** One dtype's kernels as assembly/index.ts exports them (the F32 or F64 export of each): the contract's, crossed. */
export type WasmKernels = { readonly [K in KernelName]: Exported<Kernels[K]> };

/** assembly/dense.ts's numbers for the activations. */
export const ACTIVATION_CODES: Readonly<Record<ElementwiseActivation, number>> = {
  linear: 0,
  sigmoid: 1,
  tanh: 2,
  relu: 3,
  leakyRelu: 4,
};

/**
 * The kernels whose arguments change on the way in, each a closure over its
 * export (held in the closure: a property lookup per call would cost more
 * than the conversion); every other kernel is its export itself.
 */
const CONVERTED: { readonly [K in KernelName]?: (k: WasmKernels) => Kernels[K] } = {
  // A boolean would cross by ToInt32 too, but only a number takes the engine's fast path into WebAssembly.
  gemm:
    ({ gemm }) =>
    (transA, transB, m, n, depth, alpha, a, b, beta, c) =>
      gemm(+transA, +transB, m, n, depth, alpha, a, b, beta, c),
  denseForward:
    ({ denseForward }) =>
    (rows, inputs, units, x, weights, bias, activation, alpha, out) =>
      denseForward(rows, inputs, units, x, weights, bias, ACTIVATION_CODES[activation], alpha, out),
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
  const raw: Record<string, unknown> = {};
  for (const name of KERNEL_NAMES) {
    const fn = exports[name + suffix];
    if (typeof fn !== 'function') throw new Error(`the WebAssembly module is missing the export ${name}${suffix}`);
    raw[name] = fn;
  }
  const kernels = { ...raw };
  for (const [name, convert] of Object.entries(CONVERTED)) kernels[name] = convert(raw as unknown as WasmKernels);
  return kernels as unknown as Kernels;
}

interface WasmModule extends Heap {
  kernels: Record<DType, Kernels>;
}

/** WebAssembly's page size: memory grows in these. */
const PAGE = 65536;

/**
 * A module's linear memory as the arena's heap. Also the threaded module's
 * (threads.ts), whose shared memory has a maximum size.
 */
export class WasmHeap implements Heap {
  readonly arena: Arena;
  constructor(
    readonly memory: WebAssembly.Memory,
    heapBase: number,
    maximumPages = PAGE,
  ) {
    this.arena = new Arena(
      {
        byteLength: () => memory.buffer.byteLength,
        grow: (needed) => {
          const current = memory.buffer.byteLength;
          // Grow geometrically so a series of allocations grows (and detaches) rarely.
          const target = Math.max(needed, current * 2);
          const pages = Math.min(Math.ceil((target - current) / PAGE), maximumPages - current / PAGE);
          if (current + pages * PAGE < needed) {
            throw new Error(
              `wasmlp: ${needed} bytes of memory needed, but it is capped at ${(maximumPages * PAGE) / 2 ** 20} MiB`,
            );
          }
          memory.grow(pages);
        },
      },
      heapBase,
    );
  }
  // Taken afresh each time: a grow detaches (or, shared, replaces) the buffer.
  buffer(): ArrayBuffer {
    return this.memory.buffer as ArrayBuffer;
  }
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
