/**
 * The WebAssembly backend: instantiates assembly/ once per process and
 * forwards each kernel of the contract to its typed export.
 */
import { Arena } from './arena.js';
import type { Backend, DType, ElementwiseActivation } from './backend.js';
import { HeapBackend, type Heap } from './heap.js';
import { instantiateKernels } from './instantiate.js';
import { loadWasmBytes } from '../platform/kernels.js';

type Ptr = number;

/** One dtype's kernels, as exported by assembly/index.ts (bools cross as i32). */
interface Kernels {
  gemm(transA: number, transB: number, m: number, n: number, k: number,
       alpha: number, a: Ptr, b: Ptr, beta: number, c: Ptr): void;
  denseForward(rows: number, inputs: number, units: number, x: Ptr, w: Ptr, bias: Ptr,
               activation: number, alpha: number, out: Ptr): void;
  denseBackwardInput(rows: number, inputs: number, units: number, delta: Ptr, w: Ptr,
                     activation: number, alpha: number, a: Ptr, out: Ptr): void;
  addBias(rows: number, cols: number, bias: Ptr, x: Ptr): void;
  sumColumns(rows: number, cols: number, x: Ptr, out: Ptr): void;
  sigmoid(n: number, x: Ptr, out: Ptr): void;
  sigmoidBackward(n: number, a: Ptr, grad: Ptr): void;
  tanh(n: number, x: Ptr, out: Ptr): void;
  tanhBackward(n: number, a: Ptr, grad: Ptr): void;
  relu(n: number, x: Ptr, out: Ptr): void;
  reluBackward(n: number, a: Ptr, grad: Ptr): void;
  leakyRelu(n: number, alpha: number, x: Ptr, out: Ptr): void;
  leakyReluBackward(n: number, alpha: number, a: Ptr, grad: Ptr): void;
  softmax(rows: number, cols: number, x: Ptr, out: Ptr): void;
  categoricalCrossentropy(rows: number, cols: number, a: Ptr, y: Ptr): number;
  categoricalCrossentropySoftmaxBackward(rows: number, cols: number, a: Ptr, y: Ptr, grad: Ptr): void;
  categoricalAccuracy(rows: number, cols: number, a: Ptr, y: Ptr): number;
  meanSquaredError(n: number, a: Ptr, y: Ptr): number;
  meanSquaredErrorBackward(n: number, a: Ptr, y: Ptr, grad: Ptr): void;
  binaryCrossentropy(n: number, a: Ptr, y: Ptr): number;
  binaryCrossentropySigmoidBackward(n: number, a: Ptr, y: Ptr, grad: Ptr): void;
  binaryAccuracy(n: number, a: Ptr, y: Ptr): number;
  sgd(n: number, lr: number, w: Ptr, g: Ptr): void;
  sgdMomentum(n: number, lr: number, momentum: number, nesterov: number, w: Ptr, g: Ptr, velocity: Ptr): void;
  adam(n: number, alpha: number, oneMinusBeta1: number, oneMinusBeta2: number, epsilon: number,
       w: Ptr, g: Ptr, m: Ptr, v: Ptr): void;
  gatherRows(rows: number, cols: number, src: Ptr, index: Ptr, dst: Ptr): void;
  firstNonFinite(n: number, x: Ptr): number;
}

const KERNEL_NAMES = [
  'gemm', 'denseForward', 'denseBackwardInput', 'addBias', 'sumColumns', 'sigmoid', 'sigmoidBackward', 'binaryCrossentropy',
  'tanh', 'tanhBackward', 'relu', 'reluBackward', 'leakyRelu', 'leakyReluBackward', 'softmax',
  'categoricalCrossentropy', 'categoricalCrossentropySoftmaxBackward', 'categoricalAccuracy',
  'meanSquaredError', 'meanSquaredErrorBackward',
  'binaryCrossentropySigmoidBackward', 'binaryAccuracy', 'sgd', 'sgdMomentum', 'adam', 'gatherRows', 'firstNonFinite',
] as const satisfies readonly (keyof Kernels)[];

/** assembly/dense.ts's numbers for the activations. */
export const ACTIVATION_CODES: Readonly<Record<ElementwiseActivation, number>> = {
  linear: 0, sigmoid: 1, tanh: 2, relu: 3, leakyRelu: 4,
};

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
  constructor(readonly memory: WebAssembly.Memory, heapBase: number, maximumPages = PAGE) {
    this.arena = new Arena(
      {
        byteLength: () => memory.buffer.byteLength,
        grow: (needed) => {
          const current = memory.buffer.byteLength;
          // Grow geometrically so a series of allocations grows (and detaches) rarely.
          const target = Math.max(needed, current * 2);
          const pages = Math.min(Math.ceil((target - current) / PAGE), maximumPages - current / PAGE);
          if (current + pages * PAGE < needed) {
            throw new Error(`wasmlp: ${needed} bytes of memory needed, but it is capped at ${maximumPages * PAGE / 2 ** 20} MiB`);
          }
          memory.grow(pages);
        },
      },
      heapBase,
    );
  }
  // Taken afresh each time: a grow detaches (or, shared, replaces) the buffer.
  buffer(): ArrayBuffer { return this.memory.buffer as ArrayBuffer; }
}

let shared: Promise<WasmModule> | undefined;

async function loadModule(): Promise<WasmModule> {
  const raw = await instantiateKernels(await loadWasmBytes());
  const pick = (suffix: 'F32' | 'F64'): Kernels => {
    const kernels = {} as Record<string, unknown>;
    for (const name of KERNEL_NAMES) {
      const fn = raw[name + suffix];
      if (typeof fn !== 'function') throw new Error(`wasmlp.wasm is missing the export ${name}${suffix}`);
      kernels[name] = fn;
    }
    return kernels as unknown as Kernels;
  };
  const heap = new WasmHeap(raw.memory as WebAssembly.Memory, (raw.heapBase as () => number)());
  return Object.assign(heap, { kernels: { float32: pick('F32'), float64: pick('F64') } });
}

export async function createWasmBackend(dtype: DType): Promise<Backend> {
  shared ??= loadModule();
  try {
    return new WasmBackend(dtype, await shared);
  } catch (error) {
    shared = undefined; // let a later call retry instead of caching the failure
    throw error;
  }
}

export class WasmBackend extends HeapBackend implements Backend {
  readonly name = 'wasm';
  private readonly k: Kernels;

  constructor(dtype: DType, module: WasmModule) {
    super(dtype, module);
    this.k = module.kernels[dtype];
  }

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
       alpha: number, a: number, b: number, beta: number, c: number): void {
    this.k.gemm(+transA, +transB, m, n, k, alpha, a, b, beta, c);
  }
  denseForward(rows: number, inputs: number, units: number, x: number, weights: number, bias: number,
               activation: ElementwiseActivation, alpha: number, out: number): void {
    this.k.denseForward(rows, inputs, units, x, weights, bias, ACTIVATION_CODES[activation], alpha, out);
  }
  denseBackwardInput(rows: number, inputs: number, units: number, delta: number, weights: number,
                     activation: ElementwiseActivation, alpha: number, a: number, out: number): void {
    this.k.denseBackwardInput(rows, inputs, units, delta, weights, ACTIVATION_CODES[activation], alpha, a, out);
  }
  addBias(rows: number, cols: number, bias: number, x: number): void { this.k.addBias(rows, cols, bias, x); }
  sumColumns(rows: number, cols: number, x: number, out: number): void { this.k.sumColumns(rows, cols, x, out); }
  sigmoid(n: number, x: number, out: number): void { this.k.sigmoid(n, x, out); }
  sigmoidBackward(n: number, a: number, grad: number): void { this.k.sigmoidBackward(n, a, grad); }
  tanh(n: number, x: number, out: number): void { this.k.tanh(n, x, out); }
  tanhBackward(n: number, a: number, grad: number): void { this.k.tanhBackward(n, a, grad); }
  relu(n: number, x: number, out: number): void { this.k.relu(n, x, out); }
  reluBackward(n: number, a: number, grad: number): void { this.k.reluBackward(n, a, grad); }
  leakyRelu(n: number, alpha: number, x: number, out: number): void { this.k.leakyRelu(n, alpha, x, out); }
  leakyReluBackward(n: number, alpha: number, a: number, grad: number): void { this.k.leakyReluBackward(n, alpha, a, grad); }
  softmax(rows: number, cols: number, x: number, out: number): void { this.k.softmax(rows, cols, x, out); }
  binaryCrossentropy(n: number, a: number, y: number): number { return this.k.binaryCrossentropy(n, a, y); }
  binaryCrossentropySigmoidBackward(n: number, a: number, y: number, grad: number): void {
    this.k.binaryCrossentropySigmoidBackward(n, a, y, grad);
  }
  binaryAccuracy(n: number, a: number, y: number): number { return this.k.binaryAccuracy(n, a, y); }
  categoricalCrossentropy(rows: number, cols: number, a: number, y: number): number {
    return this.k.categoricalCrossentropy(rows, cols, a, y);
  }
  categoricalCrossentropySoftmaxBackward(rows: number, cols: number, a: number, y: number, grad: number): void {
    this.k.categoricalCrossentropySoftmaxBackward(rows, cols, a, y, grad);
  }
  categoricalAccuracy(rows: number, cols: number, a: number, y: number): number {
    return this.k.categoricalAccuracy(rows, cols, a, y);
  }
  meanSquaredError(n: number, a: number, y: number): number { return this.k.meanSquaredError(n, a, y); }
  meanSquaredErrorBackward(n: number, a: number, y: number, grad: number): void {
    this.k.meanSquaredErrorBackward(n, a, y, grad);
  }
  sgd(n: number, lr: number, w: number, g: number): void { this.k.sgd(n, lr, w, g); }
  sgdMomentum(n: number, lr: number, momentum: number, nesterov: boolean, w: number, g: number, velocity: number): void {
    this.k.sgdMomentum(n, lr, momentum, +nesterov, w, g, velocity);
  }
  adam(n: number, alpha: number, beta1: number, beta2: number, epsilon: number,
       w: number, g: number, m: number, v: number): void {
    // 1 - beta in f64 here, rounded once to the dtype at the call, as Keras
    // casts its Python float (see assembly/adam.ts).
    this.k.adam(n, alpha, 1 - beta1, 1 - beta2, epsilon, w, g, m, v);
  }
  gatherRows(rows: number, cols: number, src: number, index: number, dst: number): void {
    this.k.gatherRows(rows, cols, src, index, dst);
  }
  firstNonFinite(n: number, x: number): number { return this.k.firstNonFinite(n, x); }
}
