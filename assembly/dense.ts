/**
 * A dense layer's two products with their elementwise steps fused on:
 *   forward:  out = f(x W + b)
 *   backward: out = (delta W^T) ⊙ f'(a), dL/dZ of the layer below from its output a.
 * The elementwise step (the epilogue) runs on the block of the product just
 * computed, while it is still in this core's cache: on several threads
 * (threads.ts) each thread finishes its own block of rows or columns, so no
 * thread reads what another just wrote.
 *
 * The epilogues are the standalone kernels (bias.ts, sigmoid.ts, ...) run row
 * by row over the block; those give every element the same formula wherever
 * it sits in a row, so fusing changes no bit.
 */
import { gemm } from './gemm';
import { addBias, sumColumns } from './bias';
import { smallWeightGradients } from './weightGradients';
import { sigmoid, sigmoidBackward } from './sigmoid';
import { tanh, tanhBackward } from './tanh';
import { relu, reluBackward, leakyRelu, leakyReluBackward } from './relu';

/** Elementwise activations by number, as src/backend/wasm.ts sends them. */
export const LINEAR = 0, SIGMOID = 1, TANH = 2, RELU = 3, LEAKY_RELU = 4;

/** Epilogues, by number (threads.ts stores one in a worker's job). */
export const NO_EPILOGUE = 0, BIAS_ACTIVATION = 1, ACTIVATION_BACKWARD = 2;

/** out = f(x W + b): x is rows x inputs, W inputs x units, out rows x units. */
// @ts-ignore: decorator
@kernel
export function denseForward<T>(rows: i32, inputs: i32, units: i32, x: usize, w: usize, bias: usize,
                                activation: i32, alpha: T, out: usize): void {
  gemm<T>(false, false, rows, units, inputs, <T>1, x, w, <T>0, out);
  biasActivation<T>(activation, alpha, rows, units, bias, out, units);
}

/** out = (delta W^T) ⊙ f'(a): delta is rows x units, W inputs x units, a and out rows x inputs. */
// @ts-ignore: decorator
@kernel
export function denseBackwardInput<T>(rows: i32, inputs: i32, units: i32, delta: usize, w: usize,
                                      activation: i32, alpha: T, a: usize, out: usize): void {
  gemm<T>(false, true, rows, inputs, units, <T>1, delta, w, <T>0, out);
  activationBackward<T>(activation, alpha, rows, inputs, a, out, inputs);
}

/**
 * weightGrad = x^T delta and biasGrad = delta's column sums: x is rows x
 * inputs, delta rows x units. A small layer takes both in one pass
 * (weightGradients.ts), the same bits as the two kernels here give.
 */
// @ts-ignore: decorator
@kernel
export function denseBackwardWeights<T>(rows: i32, inputs: i32, units: i32, x: usize, delta: usize,
                                        weightGrad: usize, biasGrad: usize): void {
  if (smallWeightGradients<T>(rows, inputs, units, x, delta, weightGrad, biasGrad)) return;
  gemm<T>(true, false, inputs, units, rows, <T>1, x, delta, <T>0, weightGrad);
  sumColumns<T>(rows, units, delta, biasGrad);
}

/**
 * The epilogue `kind` on a rows x cols block of C at c (row stride ldc).
 * `operand` is the bias of the block's columns (BIAS_ACTIVATION) or the layer
 * output a laid out as C, at the block's position (ACTIVATION_BACKWARD).
 */
export function epilogue<T>(kind: i32, activation: i32, alpha: T, operand: usize,
                            rows: i32, cols: i32, c: usize, ldc: i32): void {
  if (kind == BIAS_ACTIVATION) biasActivation<T>(activation, alpha, rows, cols, operand, c, ldc);
  else if (kind == ACTIVATION_BACKWARD) activationBackward<T>(activation, alpha, rows, cols, operand, c, ldc);
}

/** c[r, :] = f(c[r, :] + bias) over a rows x cols block, row stride ldc. */
function biasActivation<T>(activation: i32, alpha: T, rows: i32, cols: i32, bias: usize, c: usize, ldc: i32): void {
  const stride = <usize>ldc * sizeof<T>();
  if (ldc == cols) {
    // Contiguous: one call per kernel over the whole block.
    addBias<T>(rows, cols, bias, c);
    activate<T>(activation, alpha, rows * cols, c);
    return;
  }
  for (let r = 0, row = c; r < rows; r++, row += stride) {
    addBias<T>(1, cols, bias, row);
    activate<T>(activation, alpha, cols, row);
  }
}

/** grad[r, :] *= f'(a[r, :]) over a rows x cols block; a and grad both have row stride ld. */
function activationBackward<T>(activation: i32, alpha: T, rows: i32, cols: i32, a: usize, grad: usize, ld: i32): void {
  if (activation == LINEAR) return;
  if (ld == cols) {
    activateBackward<T>(activation, alpha, rows * cols, a, grad);
    return;
  }
  const stride = <usize>ld * sizeof<T>();
  for (let r = 0; r < rows; r++) activateBackward<T>(activation, alpha, cols, a + <usize>r * stride, grad + <usize>r * stride);
}

function activate<T>(activation: i32, alpha: T, n: i32, x: usize): void {
  if (activation == SIGMOID) sigmoid<T>(n, x, x);
  else if (activation == TANH) tanh<T>(n, x, x);
  else if (activation == RELU) relu<T>(n, x, x);
  else if (activation == LEAKY_RELU) leakyRelu<T>(n, alpha, x, x);
}

function activateBackward<T>(activation: i32, alpha: T, n: i32, a: usize, grad: usize): void {
  if (activation == SIGMOID) sigmoidBackward<T>(n, a, grad);
  else if (activation == TANH) tanhBackward<T>(n, a, grad);
  else if (activation == RELU) reluBackward<T>(n, a, grad);
  else if (activation == LEAKY_RELU) leakyReluBackward<T>(n, alpha, a, grad);
}
