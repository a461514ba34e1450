/**
 * `wasmlp train` on a file too large to read whole (streaming.ts): a first
 * pass checks every row and decides the target, as a file read whole is
 * checked before training starts; --standardize's statistics come from two
 * more passes over the training rows; then each epoch reads the file again,
 * its training rows through a shuffle buffer (csv-dataset.ts) into
 * net.fitDataset, and its validation rows, in file order, for val_loss.
 *
 * A streamed run holds out as many rows as one read whole, floor(rows × F),
 * drawn from the seed in another way (selection sampling over the file's
 * order, which needs a bit a row rather than a shuffled index of 4 bytes),
 * and shuffles within the buffer rather than the whole file: the same seed
 * gives the same run, but not the same run as the file read whole.
 */

import type { NormalizationConfig } from '../index.js';
import { Random } from '../random.js';
import type { LeftOut } from './columns.js';
import { CsvDataset, type RowSelection } from './csv-dataset.js';
import { READ_CHUNK_BYTES } from './csv-pass.js';
import { scanCsv } from './csv-scan.js';
import type { Imputation, MissingChoice } from './missing.js';
import { heldOut } from './split.js';
import { networkNormalization, type Standardization } from './standardize.js';
import { SHUFFLE_BUFFER_BYTES, STREAM_BLOCK_ROWS } from './streaming.js';
import { type CliLoss, outputUnits, type Target } from './target.js';

export interface StreamedTraining {
  featureNames: string[];
  leftOutNames: string[];
  target: Target;
  normalization: NormalizationConfig | undefined;
  stats: Standardization | undefined;
  train: CsvDataset;
  validation?: CsvDataset;
  /** Rows left out for a missing cell (--missing drop). */
  dropped: number;
  /** --missing mean's values, one per feature. */
  imputation?: Imputation;
}

export interface StreamOptions extends LeftOut {
  target: string;
  features?: string;
  loss?: CliLoss;
  batchSize: number;
  validationSplit?: number;
  standardize?: boolean;
  seed: number;
  missing?: MissingChoice;
}

/** The first pass, the split and the statistics: the datasets each epoch reads. */
export async function streamTrainingData(file: string, options: StreamOptions): Promise<StreamedTraining> {
  const featureAdvice = 'give --standardize, or scale the column';
  const scan = await scanCsv(file, { ...options, featureAdvice });
  const held = options.validationSplit === undefined ? undefined : holdOut(scan.rows, options.validationSplit, options.seed);
  const train: RowSelection | undefined = held && { bits: held.bits, keep: 0, rows: scan.rows - held.rows };
  const validation: RowSelection | undefined = held && { bits: held.bits, keep: 1, rows: held.rows };
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
  return {
    featureNames: scan.features.map((c) => scan.header.header[c]),
    leftOutNames: scan.leftOut.map((c) => scan.header.header[c]),
    target: scan.target,
    normalization,
    stats,
    train: trainRows(stats),
    validation:
      validation &&
      new CsvDataset(scan, STREAM_BLOCK_ROWS, 0, options.seed, READ_CHUNK_BYTES, {
        selection: validation,
        standardization: stats,
        fill,
      }),
    dropped: scan.dropped,
    imputation: fill && { strategy: 'mean', values: fill },
  };
}

/**
 * floor(rows × fraction) rows (at least 1) drawn at random from the seed, a
 * bit each (1: held out): selection sampling (Knuth's Algorithm S), each
 * row in turn held out with the chance of the rows still to hold out among
 * the rows left, so exactly that many, every set of them as likely.
 */
export function holdOut(rows: number, fraction: number, seed: number): { bits: Uint8Array; rows: number } {
  const held = heldOut(rows, fraction);
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
