/**
 * A network's weights as users and saved files give them ({ W, b } per
 * layer), checked against the layer shapes without any network: setWeights()
 * checks before it writes, and loadNetwork() before it allocates.
 */
import type { DType } from './backend/backend.js';
import { checkOnlyKeys, describeValue } from './checks.js';
import { checkMatrix, checkVector, type Matrix, readMatrix, staged } from './data.js';

/**
 * One layer's weights as getWeights() returns them and setWeights() takes
 * them: plain arrays, in the network's dtype.
 */
export interface LayerWeights {
  /** The kernel: one row per input, each with one value per unit (inputs x units). */
  W: number[][];
  /** The bias: one value per unit. */
  b: number[];
}

export interface LayerShape {
  inputs: number;
  units: number;
}

/**
 * Checks every layer's W (inputs x units) and b (units), values included;
 * throws naming the first problem. Its work is in proportion to the values
 * given, whatever sizes the shapes declare. Each value is read once, into
 * the copies returned: what is written is what was checked.
 */
export function checkLayerWeights(weights: unknown, shapes: readonly LayerShape[], dtype: DType): { W: Matrix; b: Matrix }[] {
  if (!Array.isArray(weights) || weights.length !== shapes.length) {
    throw new Error(`setWeights: expected an array of ${shapes.length} layers' { W, b }, got ${describeValue(weights)}`);
  }
  const checked: { W: Matrix; b: Matrix }[] = [];
  // An index loop: map would skip a hole, leaving that layer unwritten without a word.
  for (let l = 0; l < shapes.length; l++) checked.push(checkLayer(weights, l, shapes[l], dtype));
  return checked;
}

/** Checks weights[l] against its layer's shape. */
function checkLayer(
  weights: readonly unknown[],
  l: number,
  { inputs, units }: LayerShape,
  dtype: DType,
): { W: Matrix; b: Matrix } {
  if (!(l in weights)) throw new Error(`setWeights: layer ${l} is missing (a hole in the array)`);
  const entry = weights[l];
  if (typeof entry !== 'object' || entry === null)
    throw new Error(`setWeights: layer ${l} must be { W, b }, got ${describeValue(entry)}`);
  checkOnlyKeys(`setWeights: layer ${l}`, entry, ['W', 'b']);
  const { W: w, b: bias } = entry as { W: unknown; b: unknown };
  const shape = readMatrix(`setWeights: layer ${l} W`, w, { dtype });
  if (shape.rows !== inputs || shape.cols !== units) {
    throw new Error(`setWeights: layer ${l} W is ${shape.rows}x${shape.cols}, expected ${inputs}x${units} (inputs x units)`);
  }
  // Copied (and so checked) now, sized by the layer: the network's memory is written from these copies only once all are made.
  const W = staged(shape, dtype);
  // b's length is checked before its values are read: a sparse b may declare 2^32 - 1 of them.
  const b = Array.isArray(bias)
    ? checkVector(`setWeights: layer ${l} b`, bias, dtype, units)
    : checkMatrix(`setWeights: layer ${l} b`, bias, { dtype });
  if (b.rows !== 1) throw new Error(`setWeights: layer ${l} b is ${b.rows}x${b.cols}, expected one row of ${units} values`);
  if (b.cols !== units) throw new Error(`setWeights: layer ${l} b has ${b.cols} values, expected ${units}`);
  return { W, b };
}
