/**
 * The validation and test splits. Unlike fit()'s validationSplit, which takes the last
 * rows as Keras does, the command line shuffles first (from the seed): CSV
 * files are often sorted by class (iris.csv is), and the last fifth of a
 * sorted file is one class, which would make val_acc meaningless.
 */
import { Random } from '../random.js';
import { count } from './format.js';

/** Row indices: 4 bytes a row, however many rows. */
export interface Split {
  train: Int32Array;
  validation: Int32Array;
  /** --test-split's rows, held out before the validation rows; empty without it. */
  test: Int32Array;
}

/**
 * Shuffles the row indices 0..rows-1 from `seed`; the last floor(rows ×
 * test) of that order are the test rows (none for test undefined), held out
 * before anything else; of the rest, the last floor(rest × validation)
 * validate (at least 1 of either fraction given).
 */
export function splitRows(rows: number, validation: number | undefined, seed: number, test?: number): Split {
  const order = new Int32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  new Random(seed).shuffle(order);
  const rest = test === undefined ? rows : rows - heldOut(rows, test, 'test');
  const trainRows = validation === undefined ? rest : rest - heldOut(rest, validation);
  return { train: order.subarray(0, trainRows), validation: order.subarray(trainRows, rest), test: order.subarray(rest) };
}

/** The rows a split holds out: its flag, and what the rows are for. */
const HELD_OUT = {
  validation: { flag: '--validation-split', use: 'validate' },
  test: { flag: '--test-split', use: 'test' },
} as const;
export type HeldOutPart = keyof typeof HELD_OUT;

/** How many of `rows` rows `part`'s fraction holds out: floor(rows * fraction), at least 1, leaving at least 1. */
export function heldOut(rows: number, fraction: number, part: HeldOutPart = 'validation'): number {
  const held = Math.max(1, Math.floor(nearInteger(rows * fraction)));
  if (rows - held < 1) {
    const { flag, use } = HELD_OUT[part];
    throw new Error(
      `${flag} ${fraction} of ${count(rows, 'row')} leaves ${rows - held} to train and ${held} to ${use}; both need at least one`,
    );
  }
  return held;
}

/**
 * `x`, or the integer it is within rounding error of: 0.29 is a little below
 * 0.29 in binary, so 0.29 * 100 is 28.999999999999996, whose floor would hold
 * out 28 rows, not 29 (as 0.07 * 100 is 7.000000000000001, the error goes
 * either way). The tolerance is relative, a few units in the last place, as
 * the error is at any n.
 */
function nearInteger(x: number): number {
  const integer = Math.round(x);
  return Math.abs(x - integer) <= 4 * Number.EPSILON * Math.abs(x) ? integer : x;
}
