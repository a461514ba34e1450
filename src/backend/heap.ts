import type { Arena } from './arena.js';
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

/**
 * alloc/free/view over a shared heap, for one network's (or predictor's)
 * backend object, which keeps the list of blocks it holds, so that all of
 * them can be given back at once (releaseAll) when the network is disposed
 * or collected. HeapBackend adds the rest of the contract's memory calls; a
 * predictor, which runs the forward kernels only, needs none of them.
 */
export abstract class HeapMemory {
  readonly bytesPerElement: number;
  /** Blocks allocated through this backend object and not yet freed. */
  protected readonly blocks = new Set<number>();
  /** Element shift: byte offset >> shift = index into a whole-heap float view. */
  protected readonly shift: number;

  constructor(
    readonly dtype: DType,
    protected readonly heap: Heap,
  ) {
    this.bytesPerElement = dtype === 'float32' ? 4 : 8;
    this.shift = dtype === 'float32' ? 2 : 3;
  }

  alloc(elements: number): number {
    return this.track(this.heap.arena.alloc(elements * this.bytesPerElement));
  }

  protected track(offset: number): number {
    this.blocks.add(offset);
    return offset;
  }

  free(offset: number): void {
    if (!this.blocks.has(offset)) throw new Error(`free: ${offset} is not a block of this backend`);
    this.heap.arena.free(offset);
    this.blocks.delete(offset);
  }

  /** Frees every block still allocated through this backend object. */
  releaseAll(): void {
    for (const offset of this.blocks) this.heap.arena.free(offset);
    this.blocks.clear();
  }

  view(offset: number, elements: number): FloatArray {
    const Ctor = this.dtype === 'float32' ? Float32Array : Float64Array;
    return new Ctor(this.heap.buffer(), offset, elements);
  }
}

/**
 * The memory calls of the contract, shared by both backends; subclasses add
 * the kernels. Each network has a backend object of its own over the shared
 * heap (HeapMemory).
 */
export abstract class HeapBackend extends HeapMemory {
  /** The whole heap as bytes, for copy(); re-taken after a grow. */
  private bytes: Uint8Array | undefined;
  /** One, but for the threaded wasm backend (threads.ts). */
  get threads(): number {
    return 1;
  }

  allocIndices(count: number): number {
    return this.track(this.heap.arena.alloc(count * 4));
  }

  /** Blocks allocated through this backend object and not yet freed. */
  get blockCount(): number {
    return this.blocks.size;
  }

  /** dst[0..n) = src[0..n) (floats; the ranges must not overlap). */
  copy(n: number, src: number, dst: number): void {
    // One byte view of the whole heap, re-taken only after a grow: a copy creates no object.
    const buffer = this.heap.buffer();
    if (this.bytes?.buffer !== buffer) this.bytes = new Uint8Array(buffer);
    this.bytes.copyWithin(dst, src, src + n * this.bytesPerElement);
  }

  indexView(offset: number, count: number): Int32Array {
    return new Int32Array(this.heap.buffer(), offset, count);
  }
}
