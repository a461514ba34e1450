/**
 * What every WebAssembly backend makes of a compiled kernels module (the
 * full one, the threaded one, the forward-only one of wasmlp/predict): its
 * linear memory as the arena's heap, and its exports as kernels of the
 * contract. No module is loaded here, so an entry that runs only some of
 * the kernels reaches none of the others.
 */
import { Arena } from './arena.js';
import type { ElementwiseActivation, KernelName, Kernels } from './backend.js';
import type { Heap } from './heap.js';

/** How a contract argument crosses into WebAssembly: a flag as an i32 0/1, an activation as its code. */
type Crossing<T> = T extends boolean ? number : T extends ElementwiseActivation ? number : T;
type Exported<F> = F extends (...args: infer A) => infer R ? (...args: { [I in keyof A]: Crossing<A[I]> }) => R : never;
/** One dtype's kernels as assembly/index.ts exports them (the F32 or F64 export of each): the contract's, crossed. */
export type WasmKernels = { readonly [K in KernelName]: Exported<Kernels[K]> };

/** A kernel made of its export, for one whose arguments change on the way in. */
export type Conversion<K extends KernelName> = (k: WasmKernels) => Kernels[K];

/** assembly/dense.ts's numbers for the activations. */
export const ACTIVATION_CODES: Readonly<Record<ElementwiseActivation, number>> = {
  linear: 0,
  sigmoid: 1,
  tanh: 2,
  relu: 3,
  leakyRelu: 4,
};

/** denseForward with its activation crossed as assembly/dense.ts's number. */
export const denseForwardConversion: Conversion<'denseForward'> =
  ({ denseForward }) =>
  (rows, inputs, units, x, weights, bias, activation, alpha, out) =>
    denseForward(rows, inputs, units, x, weights, bias, ACTIVATION_CODES[activation], alpha, out);

/**
 * The kernels `names` of a module's exports, one dtype's (`suffix` F32 or
 * F64): each export itself, or for a kernel in `converted`, its converting
 * closure (held in the closure: a property lookup per call would cost more
 * than the conversion).
 */
export function exportedKernels<K extends KernelName>(
  exports: Record<string, unknown>,
  suffix: 'F32' | 'F64',
  names: readonly K[],
  converted: { readonly [N in K]?: Conversion<N> },
): Pick<Kernels, K> {
  const raw: Record<string, unknown> = {};
  for (const name of names) {
    const fn = exports[name + suffix];
    if (typeof fn !== 'function') throw new Error(`the WebAssembly module is missing the export ${name}${suffix}`);
    raw[name] = fn;
  }
  const kernels = { ...raw };
  for (const [name, convert] of Object.entries(converted)) {
    kernels[name] = (convert as Conversion<K>)(raw as unknown as WasmKernels);
  }
  return kernels as unknown as Pick<Kernels, K>;
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
