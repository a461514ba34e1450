/**
 * Weights per row of the loss, as Keras's `sample_weight` and
 * `class_weight`: a batch's loss is Σ wᵢ·Lᵢ / rows (Keras's
 * sum-over-batch-size, not divided by the sum of the weights), Lᵢ the
 * row's loss as the unweighted kernels compute it, and the gradient at the
 * output is each row's unweighted gradient times its weight. The weights
 * live in a plain Float64Array beside the batch, rounded to the network's
 * dtype as Keras casts them.
 */
import type { Backend, DType, FloatArray } from './backend/backend.js';
import { describeValue, quote } from './checks.js';
import { arrayLength, element } from './data.js';
import type { Loss } from './losses.js';

/**
 * Weights per class, Keras's `class_weight`: `{ [classIndex]: weight }` or
 * an array indexed by class. A row's class is its 0/1 label for one
 * sigmoid output, the argmax of its label row otherwise (a class index
 * given as a label is read as its one-hot row). Classes not listed weigh 1.
 *
 * @example
 * ```ts
 * await net.fit(x, y, { epochs: 10, learningRate: 0.1, classWeight: { 0: 1, 1: 5 } });
 * ```
 */
export type ClassWeight = Record<number, number> | number[];

/** Rounds a weight to what `dtype` holds, as Keras casts sample weights to the loss's dtype. */
function rounded(value: number, dtype: DType): number {
  return dtype === 'float32' ? Math.fround(value) : value;
}

function checkWeight(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`${name} is ${describeValue(value)}: weights must be finite numbers >= 0`);
  }
  return value;
}

/**
 * Checks one weight per row (an array or a typed array of `rows` finite
 * numbers >= 0), each read once; returns them rounded to `dtype`.
 */
export function readSampleWeights(name: string, input: unknown, rows: number, dtype: DType): Float64Array {
  const isTyped = input instanceof Float32Array || input instanceof Float64Array;
  if (!isTyped && !Array.isArray(input)) {
    throw new Error(`${name} must be an array of one weight per row, got ${describeValue(input)}`);
  }
  const list = input as ArrayLike<unknown>;
  const count = isTyped ? list.length : arrayLength(name, input as unknown[]);
  if (count !== rows) throw new Error(`${name} has ${count} weights, expected one per row: ${rows}`);
  const weights = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const value = isTyped ? list[i] : element(name, input as unknown[], i);
    weights[i] = rounded(checkWeight(`${name}[${i}]`, value), dtype);
  }
  return weights;
}

/** The number of classes a loss's labels name, for class weights; throws for a loss without classes. */
function classCount(loss: Loss, where: string): number {
  if (loss.name === 'meanSquaredError')
    throw new Error(`${where}: classWeight needs a classification loss, not meanSquaredError`);
  return loss.outputs === 1 ? 2 : loss.outputs;
}

/**
 * Checks `classWeight` against the loss's classes; returns one weight per
 * class (1 where none is given), rounded to `dtype`. `where` starts the messages.
 */
export function checkClassWeight(given: unknown, loss: Loss, dtype: DType, where = 'fit'): Float64Array {
  const classes = classCount(loss, where);
  const table = new Float64Array(classes).fill(1);
  const name = `${where}: classWeight`;
  if (Array.isArray(given)) {
    const count = arrayLength(name, given);
    if (count > classes)
      throw new Error(`${name} has ${count} weights, but the network has ${classes} classes (0 to ${classes - 1})`);
    for (let c = 0; c < count; c++) table[c] = rounded(checkWeight(`${name}[${c}]`, element(name, given, c)), dtype);
    return table;
  }
  if (typeof given !== 'object' || given === null) {
    throw new Error(`${name} must be { [classIndex]: weight } or an array, got ${describeValue(given)}`);
  }
  for (const [key, value] of Object.entries(given)) {
    const c = Number(key);
    if (!(Number.isInteger(c) && c >= 0 && c < classes)) {
      throw new Error(`${name}: class ${quote(key)} does not exist; the network has classes 0 to ${classes - 1}`);
    }
    table[c] = rounded(checkWeight(`${name}[${key}]`, value), dtype);
  }
  return table;
}

/**
 * Each row's weight from its class, as Keras maps class_weight to sample
 * weights: the rounded label (in [0, 1]) of one output, the argmax of a label row of
 * several (the first of equal values).
 */
export function classWeightsOf(table: Float64Array, labels: FloatArray, rows: number, cols: number): Float64Array {
  const weights = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    // Rounded half to even, as Keras's round: 0.5 is class 0.
    if (cols === 1) best = labels[r] > 0.5 ? 1 : 0;
    else for (let c = 1; c < cols; c++) if (labels[r * cols + c] > labels[r * cols + best]) best = c;
    weights[r] = table[best];
  }
  return weights;
}

/**
 * Σ wᵢ·Lᵢ over `rows` rows at a and y (wᵢ = weights[start + i]), Lᵢ each
 * row's loss as the loss's kernel computes it.
 */
export function weightedLossSum(
  backend: Backend,
  loss: Loss,
  a: number,
  y: number,
  rows: number,
  weights: Float64Array,
  start = 0,
): number {
  const cols = loss.outputs;
  const step = cols * backend.bytesPerElement;
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const w = weights[start + i];
    // A row of weight 0 adds nothing, even where its loss would not be finite.
    if (w !== 0) sum += w * loss.loss(backend, cols, a + i * step, y + i * step);
  }
  return sum;
}

/** Multiplies each row of the gradient (rows x cols at grad) by its weight, Keras's weighted gradient. */
export function weightGradientRows(backend: Backend, grad: number, rows: number, cols: number, weights: Float64Array): void {
  const g = backend.view(grad, rows * cols);
  for (let r = 0; r < rows; r++) {
    const w = weights[r];
    for (let c = r * cols; c < (r + 1) * cols; c++) g[c] *= w;
  }
}
