/**
 * The kernels in plain TypeScript: the fallback where WebAssembly is missing,
 * the readable specification the wasm kernels are tested against, and the
 * baseline they are benchmarked against. Loops are simple on purpose, but in
 * a cache-friendly order, so the baseline is honest.
 */
import { Arena } from './arena.js';
import { BCE_EPSILON, type Backend, type DType, type FloatArray } from './backend.js';
import { HeapBackend, type Heap } from './heap.js';

/** An ArrayBuffer standing in for linear memory: growing replaces it, as memory.grow detaches. */
class ArrayBufferHeap implements Heap {
  private bytes = new ArrayBuffer(1 << 16);
  readonly arena = new Arena(
    {
      byteLength: () => this.bytes.byteLength,
      grow: (needed) => {
        const next = new ArrayBuffer(Math.max(needed, this.bytes.byteLength * 2));
        new Uint8Array(next).set(new Uint8Array(this.bytes));
        // Detach the old buffer, as memory.grow does, so a stale view fails
        // here exactly as it would on wasm (Node 20 lacks ArrayBuffer.transfer).
        structuredClone(this.bytes, { transfer: [this.bytes] });
        this.bytes = next;
      },
    },
    16, // keep offset 0 unused, as in wasm, so a zero offset is never a live block
  );
  buffer(): ArrayBuffer { return this.bytes; }
}

let sharedHeap: ArrayBufferHeap | undefined;

export function createJsBackend(dtype: DType): Backend {
  sharedHeap ??= new ArrayBufferHeap();
  return new JsBackend(dtype, sharedHeap);
}

export class JsBackend extends HeapBackend implements Backend {
  readonly name = 'js';
  private cachedBuffer: ArrayBuffer | undefined;
  private cachedFloats: FloatArray = new Float64Array(0);
  private cachedInts: Int32Array = new Int32Array(0);

  /** The whole heap as floats, re-taken only when the heap has been replaced. */
  private floats(): FloatArray {
    this.refresh();
    return this.cachedFloats;
  }

  private ints(): Int32Array {
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

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
       alpha: number, a: number, b: number, beta: number, c: number): void {
    const h = this.floats();
    const s = this.shift;
    a >>= s; b >>= s; c >>= s;
    // op(A)[i, p] = h[a + i * aRow + p * aCol], likewise for B.
    const aRow = transA ? 1 : k, aCol = transA ? m : 1;
    const bRow = transB ? 1 : n, bCol = transB ? k : 1;
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

  addBias(rows: number, cols: number, bias: number, x: number): void {
    const h = this.floats();
    bias >>= this.shift; x >>= this.shift;
    for (let r = 0; r < rows; r++) {
      const row = x + r * cols;
      for (let j = 0; j < cols; j++) h[row + j] += h[bias + j];
    }
  }

  sumColumns(rows: number, cols: number, x: number, out: number): void {
    const h = this.floats();
    x >>= this.shift; out >>= this.shift;
    for (let j = 0; j < cols; j++) h[out + j] = 0;
    for (let r = 0; r < rows; r++) {
      const row = x + r * cols;
      for (let j = 0; j < cols; j++) h[out + j] += h[row + j];
    }
  }

  sigmoid(n: number, x: number, out: number): void {
    const h = this.floats();
    x >>= this.shift; out >>= this.shift;
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

  sigmoidBackward(n: number, a: number, grad: number): void {
    const h = this.floats();
    a >>= this.shift; grad >>= this.shift;
    for (let i = 0; i < n; i++) {
      const ai = h[a + i];
      h[grad + i] *= ai * (1 - ai);
    }
  }

  binaryCrossentropy(n: number, a: number, y: number): number {
    const h = this.floats();
    a >>= this.shift; y >>= this.shift;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const ai = h[a + i], yi = h[y + i];
      sum += yi * Math.log(ai + BCE_EPSILON) + (1 - yi) * Math.log(1 - ai + BCE_EPSILON);
    }
    return -sum / n;
  }

  binaryCrossentropySigmoidBackward(n: number, a: number, y: number, grad: number): void {
    const h = this.floats();
    a >>= this.shift; y >>= this.shift; grad >>= this.shift;
    for (let i = 0; i < n; i++) h[grad + i] = (h[a + i] - h[y + i]) / n;
  }

  binaryAccuracy(n: number, a: number, y: number): number {
    const h = this.floats();
    a >>= this.shift; y >>= this.shift;
    let hits = 0;
    for (let i = 0; i < n; i++) if ((h[a + i] > 0.5 ? 1 : 0) === h[y + i]) hits++;
    return hits / n;
  }

  sgd(n: number, lr: number, w: number, g: number): void {
    const h = this.floats();
    w >>= this.shift; g >>= this.shift;
    for (let i = 0; i < n; i++) h[w + i] -= lr * h[g + i];
  }

  gatherRows(rows: number, cols: number, src: number, index: number, dst: number): void {
    const h = this.floats();
    const idx = this.ints();
    src >>= this.shift; dst >>= this.shift; index >>= 2;
    for (let r = 0; r < rows; r++) {
      const from = src + idx[index + r] * cols;
      const to = dst + r * cols;
      for (let j = 0; j < cols; j++) h[to + j] = h[from + j];
    }
  }
}
