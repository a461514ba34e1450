/**
 * The forward kernels in plain TypeScript, over a plain ArrayBuffer standing
 * in for linear memory: the js backend's (js.ts adds the rest of the
 * contract) and the predictor's, which runs only these.
 */
import { Arena } from './arena.js';
import type { DType, ElementwiseActivation, FloatArray, ForwardKernelName, Kernels } from './backend.js';
import { type Heap, HeapBackend } from './heap.js';

const MAX_BYTES = 2 ** 32;

/** An ArrayBuffer standing in for linear memory: growing replaces it, as memory.grow detaches. */
class ArrayBufferHeap implements Heap {
  private bytes = new ArrayBuffer(1 << 16);
  readonly arena = new Arena(
    {
      byteLength: () => this.bytes.byteLength,
      grow: (needed) => {
        // Capped as wasm32's linear memory is (and typed arrays over more than 4 GiB fail in V8).
        if (needed > MAX_BYTES)
          throw new Error(`wasmlp: ${needed} bytes of memory needed, but it is capped at ${MAX_BYTES / 2 ** 20} MiB`);
        const next = allocateBuffer(Math.min(Math.max(needed, this.bytes.byteLength * 2), MAX_BYTES)) ?? allocateBuffer(needed);
        if (!next) throw new Error(`wasmlp: ${needed} bytes of memory needed, more than this JavaScript engine will allocate`);
        new Uint8Array(next).set(new Uint8Array(this.bytes));
        // Detach the old buffer, as memory.grow does, so a stale view fails
        // here exactly as it would on wasm (Node 20 lacks ArrayBuffer.transfer).
        structuredClone(this.bytes, { transfer: [this.bytes] });
        this.bytes = next;
      },
    },
    16, // keep offset 0 unused, as in wasm, so a zero offset is never a live block
  );
  buffer(): ArrayBuffer {
    return this.bytes;
  }
}

/** A new ArrayBuffer, or undefined where the engine refuses one so large (a RangeError). */
function allocateBuffer(bytes: number): ArrayBuffer | undefined {
  try {
    return new ArrayBuffer(bytes);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

let sharedHeap: ArrayBufferHeap | undefined;

/** The one heap every js backend object in the process allocates from. */
export function jsHeap(): Heap {
  sharedHeap ??= new ArrayBufferHeap();
  return sharedHeap;
}

/** The forward kernels, and the ones they are made of. */
export class JsForwardBackend extends HeapBackend implements Pick<Kernels, ForwardKernelName> {
  readonly name = 'js';
  private cachedBuffer: ArrayBuffer | undefined;
  private cachedFloats: FloatArray = new Float64Array(0);
  private cachedInts: Int32Array = new Int32Array(0);

  /** The whole heap as floats, re-taken only when the heap has been replaced. */
  protected floats(): FloatArray {
    this.refresh();
    return this.cachedFloats;
  }

  protected ints(): Int32Array {
    this.refresh();
    return this.cachedInts;
  }

  private refresh(): void {
    const buffer = this.heap.buffer();
    if (buffer === this.cachedBuffer) return;
    this.cachedBuffer = buffer;
    this.cachedFloats = this.dtype === 'float32' ? new Float32Array(buffer) : new Float64Array(buffer);
    this.cachedInts = new Int32Array(buffer);
  }

  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    b: number,
    beta: number,
    c: number,
  ): void {
    const h = this.floats();
    const s = this.shift;
    a >>= s;
    b >>= s;
    c >>= s;
    // op(A)[i, p] = h[a + i * aRow + p * aCol], likewise for B.
    const aRow = transA ? 1 : k,
      aCol = transA ? m : 1;
    const bRow = transB ? 1 : n,
      bCol = transB ? k : 1;
    for (let i = 0; i < m; i++) {
      const ci = c + i * n;
      if (transB) {
        // Rows of B^T are contiguous in p: one dot product per output.
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = 0; p < k; p++) sum += h[a + i * aRow + p * aCol] * h[b + p * bRow + j * bCol];
          h[ci + j] = alpha * sum + (beta === 0 ? 0 : beta * h[ci + j]);
        }
      } else {
        // Row i of C accumulates alpha * A[i, p] * row p of B: contiguous inner loop.
        for (let j = 0; j < n; j++) h[ci + j] = beta === 0 ? 0 : beta * h[ci + j];
        for (let p = 0; p < k; p++) {
          const aip = alpha * h[a + i * aRow + p * aCol];
          const bp = b + p * bRow;
          for (let j = 0; j < n; j++) h[ci + j] += aip * h[bp + j];
        }
      }
    }
  }

  denseForward(
    rows: number,
    inputs: number,
    units: number,
    x: number,
    weights: number,
    bias: number,
    activation: ElementwiseActivation,
    alpha: number,
    out: number,
  ): void {
    this.gemm(false, false, rows, units, inputs, 1, x, weights, 0, out);
    this.addBias(rows, units, bias, out);
    const n = rows * units;
    switch (activation) {
      case 'sigmoid':
        return this.sigmoid(n, out, out);
      case 'tanh':
        return this.tanh(n, out, out);
      case 'relu':
        return this.relu(n, out, out);
      case 'leakyRelu':
        return this.leakyRelu(n, alpha, out, out);
      case 'linear':
        return;
    }
  }

  addBias(rows: number, cols: number, bias: number, x: number): void {
    const h = this.floats();
    bias >>= this.shift;
    x >>= this.shift;
    for (let r = 0; r < rows; r++) {
      const row = x + r * cols;
      for (let j = 0; j < cols; j++) h[row + j] += h[bias + j];
    }
  }

  sigmoid(n: number, x: number, out: number): void {
    const h = this.floats();
    x >>= this.shift;
    out >>= this.shift;
    for (let i = 0; i < n; i++) {
      const z = h[x + i];
      // exp of a non-positive number only: never overflows.
      if (z >= 0) {
        h[out + i] = 1 / (1 + Math.exp(-z));
      } else {
        const e = Math.exp(z);
        h[out + i] = e / (1 + e);
      }
    }
  }

  tanh(n: number, x: number, out: number): void {
    const h = this.floats();
    x >>= this.shift;
    out >>= this.shift;
    for (let i = 0; i < n; i++) h[out + i] = Math.tanh(h[x + i]);
  }

  relu(n: number, x: number, out: number): void {
    const h = this.floats();
    x >>= this.shift;
    out >>= this.shift;
    for (let i = 0; i < n; i++) h[out + i] = Math.max(h[x + i], 0);
  }

  leakyRelu(n: number, alpha: number, x: number, out: number): void {
    const h = this.floats();
    x >>= this.shift;
    out >>= this.shift;
    alpha = this.asDtype(alpha);
    for (let i = 0; i < n; i++) {
      const z = h[x + i];
      h[out + i] = z > 0 ? z : alpha * z;
    }
  }

  /**
   * A scalar parameter as the wasm kernel receives it. For float32, alpha * x
   * of two float32 values is exact in a double, so the one rounding at the
   * store gives the float32 product, as wasm's.
   */
  protected asDtype(value: number): number {
    return this.dtype === 'float32' ? Math.fround(value) : value;
  }

  softmax(rows: number, cols: number, x: number, out: number): void {
    const h = this.floats();
    x >>= this.shift;
    out >>= this.shift;
    for (let r = 0; r < rows; r++) {
      const xr = x + r * cols,
        or = out + r * cols;
      let max = h[xr];
      for (let j = 1; j < cols; j++) if (h[xr + j] > max) max = h[xr + j];
      // exp of non-positive numbers only; the max's is 1, so sum >= 1.
      let sum = 0;
      for (let j = 0; j < cols; j++) {
        const e = Math.exp(h[xr + j] - max);
        h[or + j] = e;
        sum += e;
      }
      // Divide the stored exps (as wasm: in float32 they are rounded first).
      for (let j = 0; j < cols; j++) h[or + j] /= sum;
    }
  }

  firstNonFinite(n: number, x: number): number {
    const h = this.floats();
    x >>= this.shift;
    for (let i = 0; i < n; i++) if (!Number.isFinite(h[x + i])) return i;
    return -1;
  }
}

/** A js forward backend of its own for one predictor, over the process's one js heap. */
export async function createJsForwardBackend(dtype: DType): Promise<JsForwardBackend> {
  return new JsForwardBackend(dtype, jsHeap());
}
