/**
 * The kernel contract: the only door to numbers.
 *
 * Every buffer lives in one linear memory owned by the backend and is named by
 * a byte offset into it. Kernels take offsets and sizes, never arrays, never
 * allocate, and are row-major throughout. The js backend is the readable
 * specification of each kernel; the wasm backend must agree with it.
 */

/**
 * The floating-point type a network computes and stores in: `'float32'` (the
 * default and the fast path) or `'float64'` (slower; it reproduces the NumPy
 * seed notebook's float64 loss at every epoch to 1e-9).
 */
export type DType = 'float32' | 'float64';

/**
 * The kernels a network runs on: `'wasm'` (the default: WebAssembly with
 * SIMD, optionally on several threads) or `'js'` (plain TypeScript, the
 * readable reference).
 */
export type BackendName = 'wasm' | 'js';

/** A typed array of a network's {@link DType}: what predict() returns. */
export type FloatArray = Float32Array | Float64Array;

/** The activations with an elementwise derivative: the ones a dense layer's kernels fuse. */
export type ElementwiseActivation = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu';

export const DTYPES: readonly DType[] = ['float32', 'float64'];

/** The most threads a wasm backend runs on (assembly/threads.ts's MAX_THREADS: its job block has room for so many). */
export const MAX_THREADS = 64;

/**
 * `threads` as createNetwork and threadsAvailable take it: an integer from 1
 * to MAX_THREADS. Self-contained, for the threads chunk, which carries
 * none of the library's other checks.
 */
export function checkThreads(where: string, threads: unknown): void {
  if (typeof threads !== 'number' || !Number.isSafeInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    // At most 100 characters of a string, as checks.ts's describeValue() (not imported: this file stays self-contained).
    const got =
      typeof threads === 'string'
        ? JSON.stringify(threads.slice(0, 100)) + (threads.length > 100 ? `… (${threads.length} characters)` : '')
        : typeof threads === 'number' || typeof threads === 'boolean' || threads == null
          ? String(threads)
          : typeof threads === 'object'
            ? 'an object'
            : `a ${typeof threads}`;
    throw new Error(`${where}: threads must be an integer from 1 to ${MAX_THREADS}, got ${got}`);
  }
}
export const BACKENDS: readonly BackendName[] = ['wasm', 'js'];

/** The contract: memory management, and the kernels. */
export interface Backend extends Kernels {
  readonly name: BackendName;
  readonly dtype: DType;
  /** 4 for float32, 8 for float64. */
  readonly bytesPerElement: number;
  /** Threads the kernels run on: more than 1 only for the threaded wasm backend. */
  readonly threads: number;

  /** Reserves `elements` floats (16-byte aligned); returns a byte offset. */
  alloc(elements: number): number;
  /** Reserves `count` int32 values (row indices for gatherRows). */
  allocIndices(count: number): number;
  free(offset: number): void;
  /** Frees every block still allocated through this backend object (each network has its own). */
  releaseAll(): void;
  /** Blocks allocated through this backend object and not yet freed. */
  readonly blockCount: number;
  /**
   * A view of `elements` floats at `offset`. Views go stale when memory grows
   * (any alloc may grow it): take one, use it, drop it.
   */
  view(offset: number, elements: number): FloatArray;
  indexView(offset: number, count: number): Int32Array;
}

/**
 * The kernels: each computes on buffers named by offsets. Every backend
 * implements each one; the wasm backend calls the module's export of the
 * same name (F32 or F64), so a kernel is wired by its method here, its name
 * in KERNEL_NAMES, its @kernel in assembly/ and its twin in js.ts
 * (docs/design.md, "Adding a kernel").
 */
export interface Kernels {
  /** C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C; beta 0 ignores C's contents. */
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
  ): void;
  /**
   * A dense layer's forward, fused: out = f(x W + b), x rows x inputs, W
   * inputs x units, out rows x units; `alpha` is leakyRelu's slope (read only
   * there). The same numbers as gemm, addBias, then f's kernel.
   */
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
  ): void;
  /**
   * dL/dZ of the layer below, fused: out = (delta W^T) ⊙ f'(a), where a (rows
   * x inputs) is that layer's output and f its activation. The same numbers as
   * gemm (NT), then f's backward kernel.
   */
  denseBackwardInput(
    rows: number,
    inputs: number,
    units: number,
    delta: number,
    weights: number,
    activation: ElementwiseActivation,
    alpha: number,
    a: number,
    out: number,
  ): void;
  /**
   * A dense layer's parameter gradients, fused: weightGrad = x^T delta
   * (inputs x units) and biasGrad = delta's column sums, x rows x inputs and
   * delta rows x units. The same numbers as gemm (TN), then sumColumns.
   */
  denseBackwardWeights(
    rows: number,
    inputs: number,
    units: number,
    x: number,
    delta: number,
    weightGrad: number,
    biasGrad: number,
  ): void;
  /** x[r, :] += bias for every row r. */
  addBias(rows: number, cols: number, bias: number, x: number): void;
  /** out[c] = sum over r of x[r, c]. */
  sumColumns(rows: number, cols: number, x: number, out: number): void;

  /** out = 1 / (1 + exp(-x)), stable for large |x|; out may equal x. */
  sigmoid(n: number, x: number, out: number): void;
  /** grad *= a * (1 - a), where a is the sigmoid's output. */
  sigmoidBackward(n: number, a: number, grad: number): void;
  /** out = tanh(x), saturating to exactly ±1 for large |x|; out may equal x. */
  tanh(n: number, x: number, out: number): void;
  /** grad *= 1 - a², as (1 - a)(1 + a), where a is tanh's output. */
  tanhBackward(n: number, a: number, grad: number): void;
  /** out = max(x, 0) (NaN stays NaN); out may equal x. */
  relu(n: number, x: number, out: number): void;
  /** grad = a > 0 ? grad : 0, where a is relu's output. */
  reluBackward(n: number, a: number, grad: number): void;
  /** out = x > 0 ? x : alpha * x, alpha >= 0 (a dtype value: float32 rounds it); out may equal x. */
  leakyRelu(n: number, alpha: number, x: number, out: number): void;
  /** grad *= a > 0 ? 1 : alpha, where a is leakyRelu's output. */
  leakyReluBackward(n: number, alpha: number, a: number, grad: number): void;
  /**
   * Each row of a rows x cols matrix: out = exp(x - max) / sum of those (the
   * row max subtracted first, so no logit overflows); out may equal x. Its
   * gradient exists only fused with categoricalCrossentropy.
   */
  softmax(rows: number, cols: number, x: number, out: number): void;

  /** mean of -(y log(a + eps) + (1 - y) log(1 - a + eps)), eps = 1e-9, over n elements. */
  binaryCrossentropy(n: number, a: number, y: number): number;
  /** Gradient w.r.t. the logits of a sigmoid output: grad = (a - y) / n. */
  binaryCrossentropySigmoidBackward(n: number, a: number, y: number, grad: number): void;
  /** Fraction of the n elements where (a > 0.5) equals y. */
  binaryAccuracy(n: number, a: number, y: number): number;

  /**
   * Keras's categorical cross-entropy on probabilities a (rows x cols): the mean
   * over rows of -sum_c y log p, with p = a / (row sum of a) clipped to
   * [CCE_EPSILON, 1 - CCE_EPSILON]; in float64 for both dtypes.
   */
  categoricalCrossentropy(rows: number, cols: number, a: number, y: number): number;
  /** Gradient w.r.t. the logits of a softmax output, for label rows summing to 1: grad = (a - y) / rows. */
  categoricalCrossentropySoftmaxBackward(rows: number, cols: number, a: number, y: number, grad: number): void;
  /** Fraction of the rows where argmax a equals argmax y (the first of equal maxima wins). */
  categoricalAccuracy(rows: number, cols: number, a: number, y: number): number;

  /** mean of (a - y)² over n elements, in float64 for both dtypes. */
  meanSquaredError(n: number, a: number, y: number): number;
  /** Gradient w.r.t. the outputs a (not the logits): grad = 2 (a - y) / n. */
  meanSquaredErrorBackward(n: number, a: number, y: number, grad: number): void;

  /** w -= lr * g. */
  sgd(n: number, lr: number, w: number, g: number): void;
  /**
   * SGD with momentum (Keras 3): velocity = momentum * velocity - lr * g, then
   * w += velocity, or with nesterov w += momentum * velocity - lr * g.
   */
  sgdMomentum(n: number, lr: number, momentum: number, nesterov: boolean, w: number, g: number, velocity: number): void;
  /**
   * One Adam step (Keras 3), alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t) being
   * the caller's: m += (g - m)(1 - beta1); v += (g² - v)(1 - beta2);
   * w -= m alpha / (sqrt(v) + epsilon).
   */
  adam(n: number, alpha: number, beta1: number, beta2: number, epsilon: number, w: number, g: number, m: number, v: number): void;
  /**
   * One RMSprop step (Keras 3, not centered): v = rho v + oneMinusRho g²;
   * inc = lr g / sqrt(v + epsilon); with momentum > 0, m = momentum m + inc
   * and w -= m, otherwise w -= inc (m neither read nor written: pass any
   * live buffer). Adagrad's step is rho = oneMinusRho = 1, momentum 0.
   */
  rmsprop(
    n: number,
    lr: number,
    rho: number,
    oneMinusRho: number,
    epsilon: number,
    momentum: number,
    w: number,
    g: number,
    v: number,
    m: number,
  ): void;
  /** w = w - w weightDecay lr: decoupled weight decay (AdamW), before the step. */
  decayWeights(n: number, weightDecay: number, lr: number, w: number): void;
  /** g = min(max(g, -c), c). */
  clipByValue(n: number, c: number, g: number): void;
  /** g = g multiplier / divisor, each product and quotient rounded to the dtype. */
  scaleGradient(n: number, multiplier: number, divisor: number, g: number): void;
  /** The sum of x² over n elements, in float64 front to back for both dtypes. */
  sumSquares(n: number, x: number): number;

  /** dst[r, :] = src[index[r], :] for r < rows. */
  gatherRows(rows: number, cols: number, src: number, index: number, dst: number): void;

  /** The index of the first NaN or ±Infinity among the n values at x, or -1. */
  firstNonFinite(n: number, x: number): number;

  /** dst[0..n) = src[0..n), n floats; the ranges must not overlap. */
  copy(n: number, src: number, dst: number): void;
}

export type KernelName = keyof Kernels;

/**
 * Every kernel's name, once: the keys of an object checked against Kernels,
 * so a name missing or extra is a type error.
 */
export const KERNEL_NAMES = /* @__PURE__ */ Object.keys({
  gemm: 0,
  denseForward: 0,
  denseBackwardInput: 0,
  denseBackwardWeights: 0,
  addBias: 0,
  sumColumns: 0,
  sigmoid: 0,
  sigmoidBackward: 0,
  tanh: 0,
  tanhBackward: 0,
  relu: 0,
  reluBackward: 0,
  leakyRelu: 0,
  leakyReluBackward: 0,
  softmax: 0,
  binaryCrossentropy: 0,
  binaryCrossentropySigmoidBackward: 0,
  binaryAccuracy: 0,
  categoricalCrossentropy: 0,
  categoricalCrossentropySoftmaxBackward: 0,
  categoricalAccuracy: 0,
  meanSquaredError: 0,
  meanSquaredErrorBackward: 0,
  sgd: 0,
  sgdMomentum: 0,
  adam: 0,
  rmsprop: 0,
  decayWeights: 0,
  clipByValue: 0,
  scaleGradient: 0,
  sumSquares: 0,
  gatherRows: 0,
  firstNonFinite: 0,
  copy: 0,
} satisfies Record<KernelName, 0>) as readonly KernelName[];

/**
 * The kernels a forward pass runs (forward.ts): the only ones the
 * forward-only modules (assembly/index.predict.*.ts) export, and the js
 * backend's JsForwardBackend holds.
 */
export const FORWARD_KERNEL_NAMES = ['denseForward', 'softmax', 'firstNonFinite'] as const satisfies readonly KernelName[];
export type ForwardKernelName = (typeof FORWARD_KERNEL_NAMES)[number];

/** Binary cross-entropy's log guard, as the seed notebook. */
export const BCE_EPSILON = 1e-9;
/**
 * Binary cross-entropy sums the logs of 0/1-labelled terms as the log of
 * their product, which is multiplied by BCE_RESCALE whenever it falls below
 * BCE_TINY: a factor is at least BCE_EPSILON (about 2^-30), so the product
 * stays a normal double, and each rescaling adds BCE_LOG_RESCALE back.
 */
export const BCE_TINY = 2 ** -512;
export const BCE_RESCALE = 2 ** 512;
export const BCE_LOG_RESCALE = 354.891356446692;
/** Categorical cross-entropy's clip, Keras's backend epsilon(). */
export const CCE_EPSILON = 1e-7;
