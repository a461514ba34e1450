/**
 * The kernel contract: the only door to numbers.
 *
 * Every buffer lives in one linear memory owned by the backend and is named by
 * a byte offset into it. Kernels take offsets and sizes, never arrays, never
 * allocate, and are row-major throughout. The js backend is the readable
 * specification of each kernel; the wasm backend must agree with it.
 */

export type DType = 'float32' | 'float64';
export type BackendName = 'wasm' | 'js';
export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64'];
export const BACKENDS: readonly BackendName[] = ['wasm', 'js'];

export interface Backend {
  readonly name: BackendName;
  readonly dtype: DType;
  /** 4 for float32, 8 for float64. */
  readonly bytesPerElement: number;

  /** Reserves `elements` floats (16-byte aligned); returns a byte offset. */
  alloc(elements: number): number;
  /** Reserves `count` int32 values (row indices for gatherRows). */
  allocIndices(count: number): number;
  free(offset: number): void;
  /**
   * A view of `elements` floats at `offset`. Views go stale when memory grows
   * (any alloc may grow it): take one, use it, drop it.
   */
  view(offset: number, elements: number): FloatArray;
  indexView(offset: number, count: number): Int32Array;

  /** C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C; beta 0 ignores C's contents. */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
       alpha: number, a: number, b: number, beta: number, c: number): void;
  /** x[r, :] += bias for every row r. */
  addBias(rows: number, cols: number, bias: number, x: number): void;
  /** out[c] = sum over r of x[r, c]. */
  sumColumns(rows: number, cols: number, x: number, out: number): void;

  /** out = 1 / (1 + exp(-x)), stable for large |x|; out may equal x. */
  sigmoid(n: number, x: number, out: number): void;
  /** grad *= a * (1 - a), where a is the sigmoid's output. */
  sigmoidBackward(n: number, a: number, grad: number): void;

  /** mean of -(y log(a + eps) + (1 - y) log(1 - a + eps)), eps = 1e-9, over n elements. */
  binaryCrossentropy(n: number, a: number, y: number): number;
  /** Gradient w.r.t. the logits of a sigmoid output: grad = (a - y) / n. */
  binaryCrossentropySigmoidBackward(n: number, a: number, y: number, grad: number): void;
  /** Fraction of the n elements where (a > 0.5) equals y. */
  binaryAccuracy(n: number, a: number, y: number): number;

  /** w -= lr * g. */
  sgd(n: number, lr: number, w: number, g: number): void;

  /** dst[r, :] = src[index[r], :] for r < rows. */
  gatherRows(rows: number, cols: number, src: number, index: number, dst: number): void;
}

/** Binary cross-entropy's log guard, as the seed notebook. */
export const BCE_EPSILON = 1e-9;
