/**
 * wasmlp/node: what only Node can do for training, reading files. A CSV
 * file streamed as a dataset for Network.fitDataset, read afresh on
 * each pass, in memory bounded however large the file: the reader
 * `wasmlp train` streams large files with (src/cli/csv-dataset.ts).
 */
import { checkKeys, checkPositiveInteger, describeValue } from '../checks.js';
import { csvDataset as streamCsv } from '../cli/csv-dataset.js';
import { CLI_LOSSES } from '../cli/target.js';
import type { LossName } from '../index.js';

export type { LossName };

/** Options of {@link csvDataset}. */
export interface CsvDatasetOptions {
  /** The column to predict, or several columns (a regression on each). */
  target: string | readonly string[];
  /** The input columns, in input order; by default every column that is not a target, in the file's order. */
  features?: readonly string[];
  /** Rows in a batch (the pass's last may have fewer); 32 by default. */
  batchSize?: number;
  /**
   * Rows the shuffle buffer holds, as tf.data's `shuffle(bufferSize)`: the
   * buffer fills from the file, then each row given is drawn from it at
   * random and replaced by the next; 0 (the default) or 1 keeps the file's
   * order. A file sorted by class needs a buffer of a good part of the file.
   */
  shuffleBuffer?: number;
  /** The shuffle's seed, an integer in [0, 2^32); pass k shuffles from seed + k. 0 by default. */
  seed?: number;
  /**
   * The loss the network trains with, which decides how the target is read:
   * classes one-hot (categoricalCrossentropy), two classes as 0 and 1
   * (binaryCrossentropy), or values (meanSquaredError). By default decided
   * from the target's cells as `wasmlp train` decides.
   */
  loss?: LossName;
}

/** One batch, in fit()'s input forms: rows × features, and rows × outputs. */
export interface CsvBatch {
  /** The features, row-major. */
  x: { data: Float32Array; shape: [number, number] };
  /** The labels: one-hot rows of classes, 0 | 1 for two classes, or the target values. */
  y: { data: Float32Array; shape: [number, number] };
}

/** What a CSV dataset's first pass decided of its target. */
export type CsvTarget =
  /** Classes, one output each (softmax), labels one-hot; `classes` in output order. */
  | { type: 'classes'; column: string; classes: string[]; encoding: 'onehot' }
  /** Two classes, one output (sigmoid), the probability of classes[1]. */
  | { type: 'classes'; column: string; classes: string[]; encoding: 'binary' }
  /** Values, one linear output per column. */
  | { type: 'values'; columns: string[] };

/** A CSV file as a dataset: each `for await` over it is one pass over the file. */
export interface CsvDataset extends AsyncIterable<CsvBatch> {
  /** The file's path. */
  readonly file: string;
  /** The feature columns, in input order: the network's `inputs` is their count. */
  readonly features: readonly string[];
  /** The target, as the first pass decided it. */
  readonly target: CsvTarget;
  /** Outputs per row: the network's last layer's units. */
  readonly outputs: number;
  /** The file's data rows. */
  readonly rows: number;
  /** Rows in a batch. */
  readonly batchSize: number;
}

const OPTIONS = ['target', 'features', 'batchSize', 'shuffleBuffer', 'seed', 'loss'];

/**
 * Reads a CSV file once, checking every row (widths, numbers, the target's
 * cells) with the line and column of the first bad cell, and returns it as a
 * dataset that streams the file again on each pass: batches `{ x, y }`
 * through a seeded shuffle buffer, float32. Memory is bounded by the read
 * chunk (1 MiB), the shuffle buffer and a batch, whatever the file's size.
 * A file that changes between passes (its size, modification time or inode)
 * fails the pass that finds it.
 *
 * @param path - The CSV file: a header row, then one row per sample.
 * @param options - The target column(s), and optionally the features, batch size, shuffle buffer, seed and loss.
 * @returns The dataset, ready for `net.fitDataset(dataset, { epochs })`.
 * @throws Error (as a rejection) naming a bad option, a missing column, or the line and column of a bad cell.
 *
 * @example
 * ```ts
 * import { createNetwork } from 'wasmlp';
 * import { csvDataset } from 'wasmlp/node';
 *
 * const data = await csvDataset('iris.csv', { target: 'species', batchSize: 16, shuffleBuffer: 150, seed: 1 });
 * const net = await createNetwork({
 *   inputs: data.features.length,
 *   layers: [{ units: 8, activation: 'relu' }, { units: data.outputs, activation: 'softmax' }],
 *   loss: 'categoricalCrossentropy',
 * });
 * await net.fitDataset(data, { epochs: 50, optimizer: 'adam', learningRate: 0.01 });
 * ```
 */
export async function csvDataset(path: string, options: CsvDatasetOptions): Promise<CsvDataset> {
  if (typeof path !== 'string' || path === '')
    throw new Error(`csvDataset: path must be a file's path, got ${describeValue(path)}`);
  checkKeys('csvDataset', options, OPTIONS);
  const { target, features, batchSize, shuffleBuffer, seed, loss } = options;
  const targets = typeof target === 'string' ? [target] : target;
  if (!isNameList(targets) || targets.length === 0) {
    throw new Error(`csvDataset: target must be a column's name or a non-empty array of them, got ${describeValue(target)}`);
  }
  if (features !== undefined && (!isNameList(features) || features.length === 0)) {
    throw new Error(`csvDataset: features must be a non-empty array of column names, got ${describeValue(features)}`);
  }
  const both = features?.find((name) => targets.includes(name));
  if (both !== undefined) throw new Error(`csvDataset: column ${describeValue(both)} is both a feature and the target`);
  if (batchSize !== undefined) checkPositiveInteger('csvDataset: batchSize', batchSize);
  if (shuffleBuffer !== undefined && !(Number.isSafeInteger(shuffleBuffer) && shuffleBuffer >= 0)) {
    throw new Error(`csvDataset: shuffleBuffer must be a whole number of rows, got ${describeValue(shuffleBuffer)}`);
  }
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) {
    throw new Error(`csvDataset: seed must be an integer in [0, 2^32), got ${describeValue(seed)}`);
  }
  if (loss !== undefined && !CLI_LOSSES.includes(loss)) {
    throw new Error(`csvDataset: loss ${describeValue(loss)} is unknown; expected one of ${CLI_LOSSES.join(', ')}`);
  }
  return streamCsv(path, { target: targets, features, batchSize, shuffleBuffer, seed, loss });
}

function isNameList(list: unknown): list is readonly string[] {
  return Array.isArray(list) && list.every((name) => typeof name === 'string');
}
