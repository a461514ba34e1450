/** Small shared test utilities: seeded data, and the finite-difference gradient check. */
import { expect } from 'vitest';
import type { Backend, ElementwiseActivation } from '../src/backend/backend.js';
import { engineOf } from '../src/engine.js';
import type { Network } from '../src/index.js';
import type { Random } from '../src/random.js';

/** mulberry32: a tiny seeded PRNG for kernel tests, so every run sees the same data. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomMatrix(random: Random, rows: number, cols: number, scale = 1): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (2 * random.uniform() - 1) * scale));
}

export function randomLabels(random: Random, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (random.uniform() < 0.5 ? 0 : 1)));
}

/** Analytic gradients from one forward/backward pass, layer by layer, W then b. */
export function analyticGradients(network: Network, x: number[][], y: unknown): Float64Array[] {
  const net = engineOf(network);
  const data = net.loadData(x, y);
  net.reserveBatch(data.rows);
  net.forward(data.x, data.rows);
  net.backward(data.x, data.y, data.rows);
  const grads = net.layers.flatMap((layer) => [
    Float64Array.from(net.backend.view(layer.weightGrad, layer.inputs * layer.units)),
    Float64Array.from(net.backend.view(layer.biasGrad, layer.units)),
  ]);
  net.backend.free(data.x);
  net.backend.free(data.y);
  return grads;
}

/** Every parameter's analytic gradient against a central difference of evaluate().loss. */
export function checkGradients(network: Network, x: number[][], y: unknown): void {
  const analytic = analyticGradients(network, x, y);
  const net = engineOf(network);
  const h = 1e-6;
  let checked = 0;
  net.layers.forEach((layer, l) => {
    for (const [p, offset, count] of [
      [0, layer.weights, layer.inputs * layer.units],
      [1, layer.bias, layer.units],
    ] as const) {
      for (let i = 0; i < count; i++) {
        const original = net.backend.view(offset, count)[i];
        net.backend.view(offset, count)[i] = original + h;
        const plus = net.evaluate(x, y as number[][]).loss;
        net.backend.view(offset, count)[i] = original - h;
        const minus = net.evaluate(x, y as number[][]).loss;
        net.backend.view(offset, count)[i] = original;
        const numeric = (plus - minus) / (2 * h);
        const exact = analytic[2 * l + p][i];
        expect(
          Math.abs(numeric - exact),
          `layer ${l} ${p ? 'b' : 'W'}[${i}]: numeric ${numeric}, analytic ${exact}`,
        ).toBeLessThan(1e-7 * Math.max(1, Math.abs(exact)) + 1e-9);
        checked++;
      }
    }
  });
  expect(checked).toBe(net.layers.reduce((sum, layer) => sum + layer.parameterCount, 0));
  // Not trivially zero.
  expect(Math.max(...analytic.map((g) => Math.max(...g.map(Math.abs))))).toBeGreaterThan(1e-4);
}

/** The operands of one fused dense kernel call (Backend.denseForward / denseBackwardInput). */
export interface DenseCase {
  rows: number;
  inputs: number;
  units: number;
  activation: ElementwiseActivation;
  alpha: number;
  /** forward: x (rows x inputs); backward: delta (rows x units). */
  left: number[];
  weights: number[];
  /** forward: bias (units); backward: the layer below's output a (rows x inputs). */
  operand: number[];
}

/** Random operands, rounded to float32 so every dtype and backend stores them exactly. */
export function denseCase(
  seed: number,
  rows: number,
  inputs: number,
  units: number,
  activation: ElementwiseActivation,
  forward: boolean,
): DenseCase {
  const rand = prng(seed);
  const values = (n: number, lo = -1, hi = 1) => Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * rand()));
  return {
    rows,
    inputs,
    units,
    activation,
    alpha: 0.01,
    left: values(forward ? rows * inputs : rows * units),
    weights: values(inputs * units, -0.2, 0.2),
    // The output a of each activation has its range: sigmoid (0, 1), tanh (-1, 1), relu >= 0.
    operand: forward ? values(units) : values(rows * inputs, activation === 'sigmoid' || activation === 'relu' ? 0 : -1, 1),
  };
}

/** Runs the fused kernel on `be` (or, `parts`, the kernels it fuses) and returns its output. */
export function runDense(be: Backend, forward: boolean, c: DenseCase, parts = false): number[] {
  const put = (values: number[]) => {
    const offset = be.alloc(values.length);
    be.view(offset, values.length).set(values);
    return offset;
  };
  const { rows, inputs, units, activation, alpha } = c;
  const size = forward ? rows * units : rows * inputs;
  const left = put(c.left),
    weights = put(c.weights),
    operand = put(c.operand);
  const out = put(new Array<number>(size).fill(NaN));
  if (!parts) {
    if (forward) be.denseForward(rows, inputs, units, left, weights, operand, activation, alpha, out);
    else be.denseBackwardInput(rows, inputs, units, left, weights, activation, alpha, operand, out);
  } else if (forward) {
    be.gemm(false, false, rows, units, inputs, 1, left, weights, 0, out);
    be.addBias(rows, units, operand, out);
    if (activation === 'sigmoid') be.sigmoid(size, out, out);
    if (activation === 'tanh') be.tanh(size, out, out);
    if (activation === 'relu') be.relu(size, out, out);
    if (activation === 'leakyRelu') be.leakyRelu(size, alpha, out, out);
  } else {
    be.gemm(false, true, rows, inputs, units, 1, left, weights, 0, out);
    if (activation === 'sigmoid') be.sigmoidBackward(size, operand, out);
    if (activation === 'tanh') be.tanhBackward(size, operand, out);
    if (activation === 'relu') be.reluBackward(size, operand, out);
    if (activation === 'leakyRelu') be.leakyReluBackward(size, alpha, operand, out);
  }
  const result = Array.from(be.view(out, size));
  for (const offset of [left, weights, operand, out]) be.free(offset);
  return result;
}
