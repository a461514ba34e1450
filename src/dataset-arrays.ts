/**
 * fromArrays(): a dataset over arrays already in memory, cut into batches,
 * optionally in a new seeded order at every pass.
 */
import { checkKeys, checkPositiveInteger, describeValue } from './checks.js';
import { checkVector, element, type LabelInput, type Matrix, type MatrixInput, readMatrix } from './data.js';
import type { Batch } from './dataset.js';
import { Random, randomSeed } from './random.js';
import { readSampleWeights } from './sampleWeights.js';
import type { SampleWeight } from './train.js';

/**
 * Options of {@link fromArrays}.
 *
 * @example
 * ```ts
 * const options: FromArraysOptions = { batchSize: 32, shuffle: true, seed: 42 };
 * const dataset = fromArrays(x, y, options);
 * ```
 */
export interface FromArraysOptions {
  /** Rows per batch; defaults to all of them. The last batch may be short. */
  batchSize?: number;
  /** A new order of the rows at every pass (every epoch). Default false. */
  shuffle?: boolean;
  /** Seeds the shuffles: the same seed gives the same orders, pass after pass. Drawn at random if not given. */
  seed?: number;
  /** One weight per row, finite and at least 0: each batch carries its rows' as its sampleWeight. */
  sampleWeight?: SampleWeight;
}

/**
 * What {@link fromArrays} makes: a {@link Dataset} whose every iteration is
 * one pass over the rows, in batches.
 *
 * @example
 * ```ts
 * const dataset = fromArrays([[0], [1], [2]], [[0], [1], [0]], { batchSize: 2 });
 * dataset.rows; // 3
 * for (const batch of dataset) console.log(batch.x); // { data: Float64Array(2), shape: [2, 1] }, then [1, 1]
 * ```
 */
export interface ArrayDataset extends Iterable<Batch> {
  /** The rows of x and y. */
  readonly rows: number;
  /** Rows per batch (the last batch may have fewer). */
  readonly batchSize: number;
}

/**
 * A dataset over x and y in memory, for {@link Network.fitDataset} and the
 * other dataset methods: batches of `batchSize` rows, the last one short,
 * and with `shuffle` a new order at each pass, drawn from `seed`. x and y
 * are checked now as fit() checks them (shape, finite values, matching
 * rows; the columns against a network when a batch reaches one) and copied,
 * so later changes to them do not reach the dataset.
 *
 * @param x - Inputs: `number[][]` or `{ data, shape: [rows, inputs] }`.
 * @param y - Labels, one row per row of x, or a flat array of class indices.
 * @param options - batchSize, shuffle, seed and sampleWeight.
 * @returns The dataset, iterated afresh at every pass.
 * @throws Error starting "fromArrays:" naming the bad argument or option.
 *
 * @example
 * ```ts
 * import { fromArrays } from 'wasmlp';
 *
 * const data = fromArrays(x, y, { batchSize: 32, shuffle: true, seed: 7 });
 * await net.fitDataset(data, { epochs: 10, learningRate: 0.1 });
 * ```
 */
export function fromArrays(x: MatrixInput, y: LabelInput, options: FromArraysOptions = {}): ArrayDataset {
  checkKeys('fromArrays', options, ['batchSize', 'shuffle', 'seed', 'sampleWeight']);
  const { batchSize: size, shuffle = false, seed: seedGiven, sampleWeight } = options;
  if (size !== undefined) checkPositiveInteger('fromArrays: batchSize', size);
  if (typeof shuffle !== 'boolean') throw new Error(`fromArrays: shuffle must be true or false, got ${describeValue(shuffle)}`);
  const seed = seedGiven === undefined ? randomSeed() : seedGiven;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`fromArrays: seed must be an integer in [0, 2^32), got ${describeValue(seed)}`);
  }
  const xs = copied(readMatrix('fromArrays: x', x, { dtype: 'float64' }));
  const indices = isIndexList(y);
  // Class indices as one column: a batch gives them back as a flat array.
  const ys = indices
    ? asColumn(copied(checkVector('fromArrays: y', y, 'float64')))
    : copied(readMatrix('fromArrays: y', y, { dtype: 'float64' }));
  if (ys.rows !== xs.rows) throw new Error(`fromArrays: x has ${xs.rows} rows but y has ${ys.rows}`);
  const rows = xs.rows;
  const weights =
    sampleWeight === undefined
      ? undefined
      : { rows, cols: 1, values: readSampleWeights('fromArrays: sampleWeight', sampleWeight, rows, 'float64') };
  const batchSize = Math.min(size ?? rows, rows);
  const random = new Random(seed);
  const order = Int32Array.from({ length: rows }, (_, i) => i);

  function* pass(rowsInOrder: Int32Array): Generator<Batch> {
    for (let start = 0; start < rows; start += batchSize) {
      const n = Math.min(batchSize, rows - start);
      const xb = take(xs, rowsInOrder, start, n);
      const yb = take(ys, rowsInOrder, start, n);
      const batch: Batch = {
        x: { data: xb, shape: [n, xs.cols] },
        y: indices ? Array.from(yb) : { data: yb, shape: [n, ys.cols] },
      };
      if (weights) batch.sampleWeight = take(weights, rowsInOrder, start, n);
      yield batch;
    }
  }
  return {
    rows,
    batchSize,
    [Symbol.iterator]() {
      // Each pass shuffles the order the last pass left, as fit() reshuffles each epoch; its own copy,
      // so passes that overlap (training and validation on one dataset) do not disturb each other.
      if (shuffle) random.shuffle(order);
      return pass(order.slice());
    },
  };
}

/** A flat array of numbers (class indices), told from rows by its first element. */
function isIndexList(y: unknown): y is number[] {
  return Array.isArray(y) && (y.length as unknown) !== 0 && typeof element('fromArrays: y', y, 0) === 'number';
}

interface Copy {
  rows: number;
  cols: number;
  values: Float64Array;
}

/** The matrix's values, checked as they are copied (float64 holds a float32 or a double exactly). */
function copied(matrix: Matrix): Copy {
  const values = new Float64Array(matrix.rows * matrix.cols);
  matrix.copyInto(values);
  return { rows: matrix.rows, cols: matrix.cols, values };
}

function asColumn({ values }: Copy): Copy {
  return { rows: values.length, cols: 1, values };
}

/** Rows start..start+n of the pass, in its order: a new array the batch owns. */
function take({ cols, values }: Copy, order: Int32Array, start: number, n: number): Float64Array {
  const out = new Float64Array(n * cols);
  for (let i = 0; i < n; i++) {
    const row = order[start + i];
    out.set(values.subarray(row * cols, (row + 1) * cols), i * cols);
  }
  return out;
}
