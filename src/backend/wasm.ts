/**
 * The WebAssembly backend: instantiates assembly/ once per process (the only
 * place that touches @assemblyscript/loader) and forwards each kernel of the
 * contract to its typed export.
 */
import { instantiate } from '@assemblyscript/loader';
import { Arena } from './arena.js';
import type { Backend, DType } from './backend.js';
import { HeapBackend, type Heap } from './heap.js';
import { loadWasmBytes } from './wasm-bytes.js';

type Ptr = number;

/** One dtype's kernels, as exported by assembly/index.ts (bools cross as i32). */
interface Kernels {
  gemm(transA: number, transB: number, m: number, n: number, k: number,
       alpha: number, a: Ptr, b: Ptr, beta: number, c: Ptr): void;
  addBias(rows: number, cols: number, bias: Ptr, x: Ptr): void;
  sumColumns(rows: number, cols: number, x: Ptr, out: Ptr): void;
  sigmoid(n: number, x: Ptr, out: Ptr): void;
  sigmoidBackward(n: number, a: Ptr, grad: Ptr): void;
  binaryCrossentropy(n: number, a: Ptr, y: Ptr): number;
  binaryCrossentropySigmoidBackward(n: number, a: Ptr, y: Ptr, grad: Ptr): void;
  binaryAccuracy(n: number, a: Ptr, y: Ptr): number;
  sgd(n: number, lr: number, w: Ptr, g: Ptr): void;
  gatherRows(rows: number, cols: number, src: Ptr, index: Ptr, dst: Ptr): void;
}

const KERNEL_NAMES = [
  'gemm', 'addBias', 'sumColumns', 'sigmoid', 'sigmoidBackward', 'binaryCrossentropy',
  'binaryCrossentropySigmoidBackward', 'binaryAccuracy', 'sgd', 'gatherRows',
] as const satisfies readonly (keyof Kernels)[];

interface WasmModule extends Heap {
  kernels: Record<DType, Kernels>;
}

class WasmHeap implements Heap {
  readonly arena: Arena;
  constructor(readonly memory: WebAssembly.Memory, heapBase: number) {
    this.arena = new Arena(
      {
        byteLength: () => memory.buffer.byteLength,
        grow: (needed) => {
          const current = memory.buffer.byteLength;
          // Grow geometrically so a series of allocations grows (and detaches) rarely.
          const target = Math.max(needed, current * 2);
          memory.grow(Math.ceil((target - current) / 65536));
        },
      },
      heapBase,
    );
  }
  buffer(): ArrayBuffer { return this.memory.buffer; }
}

let shared: Promise<WasmModule> | undefined;

async function loadModule(): Promise<WasmModule> {
  const { instance } = await instantiate(await loadWasmBytes(), {});
  // Raw exports, not the loader's demangled wrappers: those add a rest-args
  // call per kernel, which the seed network's tiny kernels would feel.
  const raw = instance.exports as Record<string, unknown>;
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
  addBias(rows: number, cols: number, bias: number, x: number): void { this.k.addBias(rows, cols, bias, x); }
  sumColumns(rows: number, cols: number, x: number, out: number): void { this.k.sumColumns(rows, cols, x, out); }
  sigmoid(n: number, x: number, out: number): void { this.k.sigmoid(n, x, out); }
  sigmoidBackward(n: number, a: number, grad: number): void { this.k.sigmoidBackward(n, a, grad); }
  binaryCrossentropy(n: number, a: number, y: number): number { return this.k.binaryCrossentropy(n, a, y); }
  binaryCrossentropySigmoidBackward(n: number, a: number, y: number, grad: number): void {
    this.k.binaryCrossentropySigmoidBackward(n, a, y, grad);
  }
  binaryAccuracy(n: number, a: number, y: number): number { return this.k.binaryAccuracy(n, a, y); }
  sgd(n: number, lr: number, w: number, g: number): void { this.k.sgd(n, lr, w, g); }
  gatherRows(rows: number, cols: number, src: number, index: number, dst: number): void {
    this.k.gatherRows(rows, cols, src, index, dst);
  }
}
