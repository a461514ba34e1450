/**
 * `wasmlp train` on a file too large to read whole (streaming.ts): a first
 * pass checks every row and decides the target, as a file read whole is
 * checked before training starts; the standardisation's statistics come from two
 * more passes over the training rows; then each epoch reads the file again,
 * its training rows through a shuffle buffer (csv-dataset.ts) into
 * net.fitDataset, and its validation rows, in file order, for val_loss.
 *
 * A streamed run holds out as many rows as one read whole, floor(rows × F)
 * (--test-split's first, then --validation-split's from the rest),
 * drawn from the seed in another way (selection sampling over the file's
 * order, which needs a bit a row rather than a shuffled index of 4 bytes),
 * and shuffles within the buffer rather than the whole file: the same seed
 * gives the same run, but not the same run as the file read whole.
 */

import type { Network, NormalizationConfig } from '../index.js';
import { Random } from '../random.js';
import type { LeftOut } from './columns.js';
import { CsvDataset, type RowSelection } from './csv-dataset.js';
import { READ_CHUNK_BYTES } from './csv-pass.js';
import { scanCsv } from './csv-scan.js';
import type { Imputation, MissingChoice } from './missing.js';
import { RegressionScoring } from './regression-scores.js';
import { type HeldOutPart, heldOut } from './split.js';
import { networkNormalization, type Standardization } from './standardize.js';
import { SHUFFLE_BUFFER_BYTES, STREAM_BLOCK_ROWS } from './streaming.js';
import { type CliLoss, outputUnits, predictedClass, type Target, type Task } from './target.js';
import { TargetMoments, type TargetScaling } from './target-scaling.js';

export interface StreamedTraining {
  featureNames: string[];
  leftOutNames: string[];
  target: Target;
  normalization: NormalizationConfig | undefined;
  stats: Standardization | undefined;
  train: CsvDataset;
  validation?: CsvDataset;
  /** --test-split's rows, in file order, standardised as the others. */
  test?: CsvDataset;
  /** Rows left out for a missing cell (--missing drop). */
  dropped: number;
  /** --missing mean's values, one per feature. */
  imputation?: Imputation;
}

export interface StreamOptions extends LeftOut {
  target: string;
  features?: string;
  loss?: CliLoss;
  task?: Task;
  batchSize: number;
  validationSplit?: number;
  testSplit?: number;
  standardize?: boolean;
  seed: number;
  missing?: MissingChoice;
}

/** The first pass, the split and the statistics: the datasets each epoch reads. */
export async function streamTrainingData(file: string, options: StreamOptions): Promise<StreamedTraining> {
  const featureAdvice = options.standardize ? 'scale the column' : 'leave out --no-standardize, or scale the column';
  const scan = await scanCsv(file, { ...options, featureAdvice });
  const { train, validation, test } = selections(scan.rows, options);
  const batchSize = Math.min(options.batchSize, train?.rows ?? scan.rows);
  // As many rows as fit in SHUFFLE_BUFFER_BYTES as float32: every row, for a file of a few narrow columns.
  const rowBytes = 4 * (scan.features.length + outputUnits(scan.target));
  const shuffleBuffer = Math.max(batchSize, Math.floor(SHUFFLE_BUFFER_BYTES / rowBytes));
  // --missing mean: each feature's mean over the training rows fills its missing cells, before anything else is measured.
  const fill =
    options.missing === 'mean'
      ? await new CsvDataset(scan, batchSize, 0, options.seed, READ_CHUNK_BYTES, { selection: train }).missingMeans()
      : undefined;
  const trainRows = (standardization?: Standardization): CsvDataset =>
    new CsvDataset(scan, batchSize, shuffleBuffer, options.seed, READ_CHUNK_BYTES, { selection: train, standardization, fill });
  // Statistics from the training rows only, as for a file read whole; the network applies them where it can.
  const measured = options.standardize ? await trainRows().standardization() : undefined;
  // The network takes raw values in float32 only: else the command line standardises, in float64, as for a file read whole.
  const inFloat32 = (v: number): boolean => Number.isFinite(Math.fround(v));
  const raw = scan.least.every(inFloat32) && scan.most.every(inFloat32);
  const normalization = measured && raw ? networkNormalization(measured) : undefined;
  const stats = normalization ? undefined : measured;
  if (
    stats &&
    !scan.features.every((_, k) => [scan.least[k], scan.most[k]].every((v) => inFloat32((v - stats.mean[k]) / stats.std[k])))
  ) {
    // A value beyond float32 once standardised: one more pass over every row finds it, and fails naming its cell.
    for await (const batch of new CsvDataset(scan, STREAM_BLOCK_ROWS, 0, 0, READ_CHUNK_BYTES, { standardization: stats, fill }))
      void batch;
  }
  const heldRows = (selection: RowSelection | undefined): CsvDataset | undefined =>
    selection &&
    new CsvDataset(scan, STREAM_BLOCK_ROWS, 0, options.seed, READ_CHUNK_BYTES, { selection, standardization: stats, fill });
  return {
    featureNames: scan.features.map((c) => scan.header.header[c]),
    leftOutNames: scan.leftOut.map((c) => scan.header.header[c]),
    target: scan.target,
    normalization,
    stats,
    train: trainRows(stats),
    validation: heldRows(validation),
    test: heldRows(test),
    dropped: scan.dropped,
    imputation: fill && { strategy: 'mean', values: fill },
  };
}

/**
 * The rows each part gives: --test-split's drawn first from the seed, then
 * --validation-split's from the rest (from seed + 1), the training rows
 * those neither holds out; undefined for a part not asked for (training:
 * every row).
 */
function selections(
  rows: number,
  options: Pick<StreamOptions, 'validationSplit' | 'testSplit' | 'seed'>,
): { train?: RowSelection; validation?: RowSelection; test?: RowSelection } {
  const test = options.testSplit === undefined ? undefined : holdOut(rows, options.testSplit, options.seed, 'test');
  const rest = rows - (test?.rows ?? 0);
  const seed = test ? (options.seed + 1) >>> 0 : options.seed;
  const inRest = options.validationSplit === undefined ? undefined : holdOut(rest, options.validationSplit, seed);
  const validation = inRest && test ? { bits: spread(inRest.bits, test.bits, rows), rows: inRest.rows } : inRest;
  if (!test && !validation) return {};
  const held = new Uint8Array(Math.ceil(rows / 8));
  for (let i = 0; i < held.length; i++) held[i] = (test?.bits[i] ?? 0) | (validation?.bits[i] ?? 0);
  return {
    train: { bits: held, keep: 0, rows: rest - (validation?.rows ?? 0) },
    validation: validation && { bits: validation.bits, keep: 1, rows: validation.rows },
    test: test && { bits: test.bits, keep: 1, rows: test.rows },
  };
}

/** Bits over the rows not in `taken`, in order, spread to bits over all `rows`. */
function spread(bits: Uint8Array, taken: Uint8Array, rows: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(rows / 8));
  for (let r = 0, i = 0; r < rows; r++) {
    if ((taken[r >>> 3] >>> (r & 7)) & 1) continue;
    if ((bits[i >>> 3] >>> (i & 7)) & 1) out[r >>> 3] |= 1 << (r & 7);
    i++;
  }
  return out;
}

/**
 * floor(rows × fraction) rows (at least 1) drawn at random from the seed, a
 * bit each (1: held out): selection sampling (Knuth's Algorithm S), each
 * row in turn held out with the chance of the rows still to hold out among
 * the rows left, so exactly that many, every set of them as likely.
 */
export function holdOut(
  rows: number,
  fraction: number,
  seed: number,
  part: HeldOutPart = 'validation',
): { bits: Uint8Array; rows: number } {
  const held = heldOut(rows, fraction, part);
  const bits = new Uint8Array(Math.ceil(rows / 8));
  const random = new Random(seed);
  let needed = held;
  for (let r = 0; r < rows && needed > 0; r++) {
    if (random.below(rows - r) < needed) {
      bits[r >>> 3] |= 1 << (r & 7);
      needed--;
    }
  }
  return { bits, rows: held };
}

/** The test rows' scores, read a block at a time: the network's metrics over every row; a regression's MAE, RMSE and R² (one more pass). */
export async function scoreStreamedTest(net: Network, test: CsvDataset): Promise<Record<string, number>> {
  const scores: Record<string, number> = { ...(await net.evaluateDataset(test)) };
  if (test.target.type !== 'values') return scores;
  const scoring = new RegressionScoring(test.outputs);
  for await (const { x, y } of test.batches(0)) scoring.add(net.predict(x), y.data, y.shape[0]);
  return { ...scores, ...scoring.scores() };
}

/** A streamed regression's target statistics over its training rows: one more pass. */
export async function streamedTargetScaling(train: CsvDataset): Promise<TargetScaling> {
  const moments = new TargetMoments(train.outputs);
  for await (const { y } of train.batches(0)) moments.add(y.data, y.shape[0]);
  return moments.scaling();
}

/** Each class's training rows of a streamed file: one more pass (the first epoch's order, which counting ignores). */
export async function streamedClassCounts(train: CsvDataset, target: Target): Promise<number[]> {
  const classes = target.type === 'classes' ? target.classes.length : 0;
  const counts = new Array<number>(classes).fill(0);
  for await (const { y } of train.batches(0)) {
    const [rows, units] = y.shape;
    // A label row (one-hot, or 0 | 1) is its class's certain prediction.
    for (let r = 0; r < rows; r++) counts[predictedClass(y.data, r * units, units)]++;
  }
  return counts;
}
