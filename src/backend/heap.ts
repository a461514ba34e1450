import { Arena } from './arena.js';
import type { DType, FloatArray } from './backend.js';

/**
 * A process-wide linear memory and its allocator. Every network on a backend
 * shares one, so one network's allocation can grow (and detach) the memory
 * under another: views are always re-taken from the current buffer.
 */
export interface Heap {
  readonly arena: Arena;
  buffer(): ArrayBuffer;
}

/** alloc/free/view shared by both backends; subclasses add the kernels. */
export abstract class HeapBackend {
  readonly bytesPerElement: number;
  /** One, but for the threaded wasm backend (threads.ts). */
  get threads(): number {
    return 1;
  }
  /** Element shift: byte offset >> shift = index into a whole-heap float view. */
  protected readonly shift: number;

  constructor(readonly dtype: DType, protected readonly heap: Heap) {
    this.bytesPerElement = dtype === 'float32' ? 4 : 8;
    this.shift = dtype === 'float32' ? 2 : 3;
  }

  alloc(elements: number): number {
    return this.heap.arena.alloc(elements * this.bytesPerElement);
  }

  allocIndices(count: number): number {
    return this.heap.arena.alloc(count * 4);
  }

  free(offset: number): void {
    this.heap.arena.free(offset);
  }

  view(offset: number, elements: number): FloatArray {
    const Ctor = this.dtype === 'float32' ? Float32Array : Float64Array;
    return new Ctor(this.heap.buffer(), offset, elements);
  }

  indexView(offset: number, count: number): Int32Array {
    return new Int32Array(this.heap.buffer(), offset, count);
  }
}
