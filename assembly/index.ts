/**
 * The module's exports: every kernel of src/backend/backend.ts once per
 * dtype (F32, F64), under the names wasm.ts looks up. Pointers are byte
 * offsets into this module's memory; flags cross as i32 0/1.
 *
 * Nothing here allocates: the runtime is the stub, and TypeScript owns all
 * memory above heapBase(). The only static data are the GEMM's scratch
 * panel and tile (memory.data), below heapBase.
 */
import { gemm } from './gemm';
import { denseForward, denseBackwardInput } from './dense';
import { addBias, sumColumns } from './bias';
import { sigmoid, sigmoidBackward } from './sigmoid';
import { tanh, tanhBackward } from './tanh';
import { relu, reluBackward, leakyRelu, leakyReluBackward } from './relu';
import { softmax } from './softmax';
import { categoricalCrossentropy, categoricalCrossentropySoftmaxBackward, categoricalAccuracy } from './categoricalCrossentropy';
import { meanSquaredError, meanSquaredErrorBackward } from './meanSquaredError';
import { binaryCrossentropy, binaryCrossentropySigmoidBackward, binaryAccuracy } from './binaryCrossentropy';
import { sgd } from './sgd';
import { sgdMomentum } from './momentum';
import { adam } from './adam';
import { gatherRows } from './gather';
import { firstNonFinite } from './finite';

/** First byte the TypeScript side may allocate from. */
export function heapBase(): usize {
  return __heap_base;
}

// float32

export function gemmF32(transA: i32, transB: i32, m: i32, n: i32, k: i32,
                        alpha: f32, a: usize, b: usize, beta: f32, c: usize): void {
  gemm<f32>(transA != 0, transB != 0, m, n, k, alpha, a, b, beta, c);
}
export function denseForwardF32(rows: i32, inputs: i32, units: i32, x: usize, w: usize, bias: usize,
                                activation: i32, alpha: f32, out: usize): void {
  denseForward<f32>(rows, inputs, units, x, w, bias, activation, alpha, out);
}
export function denseBackwardInputF32(rows: i32, inputs: i32, units: i32, delta: usize, w: usize,
                                      activation: i32, alpha: f32, a: usize, out: usize): void {
  denseBackwardInput<f32>(rows, inputs, units, delta, w, activation, alpha, a, out);
}
export function addBiasF32(rows: i32, cols: i32, bias: usize, x: usize): void { addBias<f32>(rows, cols, bias, x); }
export function sumColumnsF32(rows: i32, cols: i32, x: usize, out: usize): void { sumColumns<f32>(rows, cols, x, out); }
export function sigmoidF32(n: i32, x: usize, out: usize): void { sigmoid<f32>(n, x, out); }
export function sigmoidBackwardF32(n: i32, a: usize, grad: usize): void { sigmoidBackward<f32>(n, a, grad); }
export function tanhF32(n: i32, x: usize, out: usize): void { tanh<f32>(n, x, out); }
export function tanhBackwardF32(n: i32, a: usize, grad: usize): void { tanhBackward<f32>(n, a, grad); }
export function reluF32(n: i32, x: usize, out: usize): void { relu<f32>(n, x, out); }
export function reluBackwardF32(n: i32, a: usize, grad: usize): void { reluBackward<f32>(n, a, grad); }
export function leakyReluF32(n: i32, alpha: f32, x: usize, out: usize): void { leakyRelu<f32>(n, alpha, x, out); }
export function leakyReluBackwardF32(n: i32, alpha: f32, a: usize, grad: usize): void {
  leakyReluBackward<f32>(n, alpha, a, grad);
}
export function softmaxF32(rows: i32, cols: i32, x: usize, out: usize): void { softmax<f32>(rows, cols, x, out); }
export function binaryCrossentropyF32(n: i32, a: usize, y: usize): f64 { return binaryCrossentropy<f32>(n, a, y); }
export function binaryCrossentropySigmoidBackwardF32(n: i32, a: usize, y: usize, grad: usize): void {
  binaryCrossentropySigmoidBackward<f32>(n, a, y, grad);
}
export function binaryAccuracyF32(n: i32, a: usize, y: usize): f64 { return binaryAccuracy<f32>(n, a, y); }
export function categoricalCrossentropyF32(rows: i32, cols: i32, a: usize, y: usize): f64 {
  return categoricalCrossentropy<f32>(rows, cols, a, y);
}
export function categoricalCrossentropySoftmaxBackwardF32(rows: i32, cols: i32, a: usize, y: usize, grad: usize): void {
  categoricalCrossentropySoftmaxBackward<f32>(rows, cols, a, y, grad);
}
export function categoricalAccuracyF32(rows: i32, cols: i32, a: usize, y: usize): f64 {
  return categoricalAccuracy<f32>(rows, cols, a, y);
}
export function meanSquaredErrorF32(n: i32, a: usize, y: usize): f64 { return meanSquaredError<f32>(n, a, y); }
export function meanSquaredErrorBackwardF32(n: i32, a: usize, y: usize, grad: usize): void {
  meanSquaredErrorBackward<f32>(n, a, y, grad);
}
export function sgdF32(n: i32, lr: f32, w: usize, g: usize): void { sgd<f32>(n, lr, w, g); }
export function sgdMomentumF32(n: i32, lr: f32, momentum: f32, nesterov: i32,
                               w: usize, g: usize, velocity: usize): void {
  sgdMomentum<f32>(n, lr, momentum, nesterov != 0, w, g, velocity);
}
export function adamF32(n: i32, alpha: f32, oneMinusBeta1: f32, oneMinusBeta2: f32, epsilon: f32,
                        w: usize, g: usize, m: usize, v: usize): void {
  adam<f32>(n, alpha, oneMinusBeta1, oneMinusBeta2, epsilon, w, g, m, v);
}
export function gatherRowsF32(rows: i32, cols: i32, src: usize, index: usize, dst: usize): void {
  gatherRows<f32>(rows, cols, src, index, dst);
}
export function firstNonFiniteF32(n: i32, x: usize): i32 { return firstNonFinite<f32>(n, x); }

// float64

export function gemmF64(transA: i32, transB: i32, m: i32, n: i32, k: i32,
                        alpha: f64, a: usize, b: usize, beta: f64, c: usize): void {
  gemm<f64>(transA != 0, transB != 0, m, n, k, alpha, a, b, beta, c);
}
export function denseForwardF64(rows: i32, inputs: i32, units: i32, x: usize, w: usize, bias: usize,
                                activation: i32, alpha: f64, out: usize): void {
  denseForward<f64>(rows, inputs, units, x, w, bias, activation, alpha, out);
}
export function denseBackwardInputF64(rows: i32, inputs: i32, units: i32, delta: usize, w: usize,
                                      activation: i32, alpha: f64, a: usize, out: usize): void {
  denseBackwardInput<f64>(rows, inputs, units, delta, w, activation, alpha, a, out);
}
export function addBiasF64(rows: i32, cols: i32, bias: usize, x: usize): void { addBias<f64>(rows, cols, bias, x); }
export function sumColumnsF64(rows: i32, cols: i32, x: usize, out: usize): void { sumColumns<f64>(rows, cols, x, out); }
export function sigmoidF64(n: i32, x: usize, out: usize): void { sigmoid<f64>(n, x, out); }
export function sigmoidBackwardF64(n: i32, a: usize, grad: usize): void { sigmoidBackward<f64>(n, a, grad); }
export function tanhF64(n: i32, x: usize, out: usize): void { tanh<f64>(n, x, out); }
export function tanhBackwardF64(n: i32, a: usize, grad: usize): void { tanhBackward<f64>(n, a, grad); }
export function reluF64(n: i32, x: usize, out: usize): void { relu<f64>(n, x, out); }
export function reluBackwardF64(n: i32, a: usize, grad: usize): void { reluBackward<f64>(n, a, grad); }
export function leakyReluF64(n: i32, alpha: f64, x: usize, out: usize): void { leakyRelu<f64>(n, alpha, x, out); }
export function leakyReluBackwardF64(n: i32, alpha: f64, a: usize, grad: usize): void {
  leakyReluBackward<f64>(n, alpha, a, grad);
}
export function softmaxF64(rows: i32, cols: i32, x: usize, out: usize): void { softmax<f64>(rows, cols, x, out); }
export function binaryCrossentropyF64(n: i32, a: usize, y: usize): f64 { return binaryCrossentropy<f64>(n, a, y); }
export function binaryCrossentropySigmoidBackwardF64(n: i32, a: usize, y: usize, grad: usize): void {
  binaryCrossentropySigmoidBackward<f64>(n, a, y, grad);
}
export function binaryAccuracyF64(n: i32, a: usize, y: usize): f64 { return binaryAccuracy<f64>(n, a, y); }
export function categoricalCrossentropyF64(rows: i32, cols: i32, a: usize, y: usize): f64 {
  return categoricalCrossentropy<f64>(rows, cols, a, y);
}
export function categoricalCrossentropySoftmaxBackwardF64(rows: i32, cols: i32, a: usize, y: usize, grad: usize): void {
  categoricalCrossentropySoftmaxBackward<f64>(rows, cols, a, y, grad);
}
export function categoricalAccuracyF64(rows: i32, cols: i32, a: usize, y: usize): f64 {
  return categoricalAccuracy<f64>(rows, cols, a, y);
}
export function meanSquaredErrorF64(n: i32, a: usize, y: usize): f64 { return meanSquaredError<f64>(n, a, y); }
export function meanSquaredErrorBackwardF64(n: i32, a: usize, y: usize, grad: usize): void {
  meanSquaredErrorBackward<f64>(n, a, y, grad);
}
export function sgdF64(n: i32, lr: f64, w: usize, g: usize): void { sgd<f64>(n, lr, w, g); }
export function sgdMomentumF64(n: i32, lr: f64, momentum: f64, nesterov: i32,
                               w: usize, g: usize, velocity: usize): void {
  sgdMomentum<f64>(n, lr, momentum, nesterov != 0, w, g, velocity);
}
export function adamF64(n: i32, alpha: f64, oneMinusBeta1: f64, oneMinusBeta2: f64, epsilon: f64,
                        w: usize, g: usize, m: usize, v: usize): void {
  adam<f64>(n, alpha, oneMinusBeta1, oneMinusBeta2, epsilon, w, g, m, v);
}
export function gatherRowsF64(rows: i32, cols: i32, src: usize, index: usize, dst: usize): void {
  gatherRows<f64>(rows, cols, src, index, dst);
}
export function firstNonFiniteF64(n: i32, x: usize): i32 { return firstNonFinite<f64>(n, x); }
