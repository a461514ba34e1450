/**
 * A CSV file as a dataset that streams: batches `{ x, y }` in fit()'s input
 * forms, read from the file afresh on each pass, in memory bounded by the
 * read chunk, the shuffle buffer and a chunk's worth of batches, however
 * large the file.
 *
 * The first pass (csv-scan.ts) checks every row and decides the target as
 * `wasmlp train` does, in memory bounded whatever the rows. Each later pass
 * reads the file again, checked against the first pass's size,
 * modification time and inode (csv-pass.ts), through a seeded shuffle
 * buffer (shuffle-buffer.ts): pass k shuffles from seed + k, so the same
 * seed gives the same batches, pass by pass. A dataset may give some of
 * the rows only (a validation split's), standardised.
 */
import { Random } from '../random.js';
import { csvError } from './csv.js';
import { passChunks, READ_CHUNK_BYTES } from './csv-pass.js';
import { ColumnSums, type Scan, scanCsv } from './csv-scan.js';
import { CsvTokenizer, NUMBER, TEXT } from './csv-tokens.js';
import { tooLarge } from './float32.js';
import { type DropColumn, isDropped, isMissing } from './missing.js';
import { ShuffleSlots } from './shuffle-buffer.js';
import { isConstant, type Standardization } from './standardize.js';
import { type CliLoss, classLookup, outputUnits, type Target } from './target.js';
import { quote } from './text.js';

export interface CsvDatasetOptions {
  /** The column to predict, or several (a regression on each). */
  target: string | readonly string[];
  /** The input columns; by default every column that is not a target. */
  features?: readonly string[];
  /** Rows a batch (the last may have fewer); 32 by default. */
  batchSize?: number;
  /** Rows the shuffle buffer holds; 0 or 1 (the default) keeps the file's order. */
  shuffleBuffer?: number;
  /** The shuffle's seed; 0 by default. */
  seed?: number;
  /** As `wasmlp train --loss`: takes the target as classes or as values, rather than deciding from its cells. */
  loss?: CliLoss;
  /** Bytes read at a time (1 MiB by default): smaller in tests, to cut records across reads. */
  readChunkBytes?: number;
}

/** A batch in fit()'s input forms: rows × features, and rows × outputs (one-hot classes, 0 | 1, or values). */
export interface CsvBatch {
  x: { data: Float32Array; shape: [number, number] };
  y: { data: Float32Array; shape: [number, number] };
}

const DEFAULT_BATCH_SIZE = 32;

/** Some of a file's rows: those whose bit (row r: bit r % 8 of byte r / 8) is `keep`, `rows` of them. */
export interface RowSelection {
  bits: Uint8Array;
  keep: 0 | 1;
  rows: number;
}

/** Whether `selection` keeps row `row`. */
function kept(selection: RowSelection, row: number): boolean {
  return ((selection.bits[row >>> 3] >>> (row & 7)) & 1) === selection.keep;
}

/** The rows a dataset gives, and the standardisation applied to its features. */
export interface DatasetShaping {
  selection?: RowSelection;
  standardization?: Standardization;
  /** Each feature's value for a missing cell (--missing mean), filled in before standardisation. */
  fill?: readonly number[];
}

/** Reads the file once (its columns, target and rows, all checked) and returns the dataset that streams it. */
export async function csvDataset(file: string, options: CsvDatasetOptions): Promise<CsvDataset> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new Error(`csvDataset: batchSize ${batchSize} is not a positive integer`);
  const shuffleBuffer = options.shuffleBuffer ?? 0;
  if (!Number.isSafeInteger(shuffleBuffer) || shuffleBuffer < 0)
    throw new Error(`csvDataset: shuffleBuffer ${shuffleBuffer} is not a whole number of rows`);
  const scan = await scanCsv(file, options, options.readChunkBytes ?? READ_CHUNK_BYTES);
  return new CsvDataset(scan, batchSize, shuffleBuffer, options.seed ?? 0, options.readChunkBytes ?? READ_CHUNK_BYTES);
}

export class CsvDataset implements AsyncIterable<CsvBatch> {
  readonly file: string;
  /** The feature columns' names, in input order. */
  readonly features: readonly string[];
  /** The target as decided from the first pass: its classes and encoding, or its columns. */
  readonly target: Target;
  /** Data rows it gives: the file's, or those `selection` keeps. */
  readonly rows: number;
  /** Passes made after the first. */
  private passes = 0;
  private statistics: Promise<Standardization> | undefined;

  constructor(
    private readonly scan: Scan,
    readonly batchSize: number,
    readonly shuffleBuffer: number,
    readonly seed: number,
    private readonly chunkBytes: number,
    private readonly more: DatasetShaping = {},
  ) {
    this.file = scan.file;
    this.features = scan.features.map((c) => scan.header.header[c]);
    this.target = scan.target;
    this.rows = more.selection?.rows ?? scan.rows;
  }

  /** Outputs a row: the width of y. */
  get outputs(): number {
    return outputUnits(this.target);
  }

  /** Each pass reads the file again, shuffled from seed + the pass's number (0 for the first). */
  [Symbol.asyncIterator](): AsyncIterator<CsvBatch> {
    return this.batches(this.passes++);
  }

  /**
   * The features' standardisation statistics over the rows it gives, as
   * `wasmlp train --standardize` measures them: the means from the first
   * pass (or, for some rows, one more), the deviations from one more pass;
   * made once, on first call.
   */
  standardization(): Promise<Standardization> {
    this.statistics ??= this.measure();
    return this.statistics;
  }

  /** One pass's batches: pass `pass` shuffles from seed + pass. */
  async *batches(pass: number): AsyncGenerator<CsvBatch> {
    const { scan, batchSize } = this;
    const width = scan.features.length;
    const units = this.outputs;
    const capacity = Math.max(1, Math.min(this.shuffleBuffer, this.rows));
    const { selection, standardization } = this.more;
    const slots = new ShuffleSlots(capacity, new Random((this.seed + pass) >>> 0));
    const heldX = new Float32Array(capacity * width);
    const heldY = new Float32Array(capacity * units);
    const ready: CsvBatch[] = [];
    let batch = newBatch(Math.min(batchSize, this.rows), width, units);
    let inBatch = 0;
    let emitted = 0;
    const emit = (slot: number): void => {
      // Loops, not set() of subarrays: two views a row would cost more than the copy.
      const x = batch.x.data;
      const y = batch.y.data;
      for (let k = 0, from = slot * width, to = inBatch * width; k < width; k++) x[to + k] = heldX[from + k];
      for (let k = 0, from = slot * units, to = inBatch * units; k < units; k++) y[to + k] = heldY[from + k];
      inBatch++;
      emitted++;
      if (inBatch === batch.x.shape[0]) {
        ready.push(batch);
        batch = newBatch(Math.min(batchSize, this.rows - emitted), width, units);
        inBatch = 0;
      }
    };
    const label = this.labeller();
    const prepare = this.preparer();
    let header = true;
    let row = 0;
    const tokens = new CsvTokenizer((fields, line) => {
      if (header) {
        header = false;
        tokens.setKinds(this.kinds());
        return;
      }
      if (fields !== scan.header.header.length) throw this.changed(line);
      if (!prepare(tokens)) return;
      if (row >= scan.rows) throw this.changed(line);
      const at = row++;
      if (selection && !kept(selection, at)) return;
      const slot = slots.push();
      if (slots.evicts) emit(slot);
      const { numbers } = tokens;
      for (let k = 0; k < width; k++) {
        const cell = numbers[scan.features[k]];
        const value = standardization
          ? Math.fround((cell - standardization.mean[k]) / standardization.std[k])
          : Math.fround(cell);
        if (!Number.isFinite(value)) {
          // NaN, or beyond float32 unstandardised: a cell the first pass did not see, in a file rewritten to its old size and time.
          if (Number.isNaN(cell) || !standardization) throw this.changed(line);
          throw new Error(this.tooLargeStandardized(line, at, k, cell));
        }
        heldX[slot * width + k] = value;
      }
      label(tokens, heldY, slot * units, line);
    }, scan.delimiter);
    try {
      for await (const chunk of passChunks(scan.file, scan.stamp, undefined, this.chunkBytes)) {
        tokens.write(chunk);
        while (ready.length > 0) yield ready.shift()!;
      }
      tokens.end();
    } catch (error) {
      throw csvError(error as Error, scan.file, scan.header.header);
    }
    if (row !== scan.rows) throw this.changed(0);
    for (let slot = slots.pop(); slot >= 0; slot = slots.pop()) {
      emit(slot);
      const last = slots.removeLast();
      heldX.copyWithin(slot * width, last * width, (last + 1) * width);
      heldY.copyWithin(slot * units, last * units, (last + 1) * units);
      // Each batch as it fills: the buffer's rows are not held a second time as batches.
      while (ready.length > 0) yield ready.shift()!;
    }
  }

  /** The message for a feature beyond float32 once standardised. */
  private tooLargeStandardized(line: number, row: number, k: number, cell: number): string {
    const { mean, std } = this.more.standardization!;
    const place = { file: this.file, header: this.scan.header.header, lines: { line: () => line } };
    return tooLarge(place, row, this.scan.features[k], cell, (cell - mean[k]) / std[k], 'scale the column');
  }

  /** How a later pass reads each column: the features as numbers; the target as numbers (values) or text (classes). */
  private kinds(): Uint8Array {
    const { header, features, targetColumns, target } = this.scan;
    const kinds = new Uint8Array(header.header.length);
    for (const c of features) kinds[c] = NUMBER;
    for (const c of targetColumns) kinds[c] = target.type === 'values' ? NUMBER : TEXT;
    return kinds;
  }

  /** Writes a row's labels into `y` at `at`: one-hot, 0 | 1, or the values. */
  private labeller(): (tokens: CsvTokenizer, y: Float32Array, at: number, line: number) => void {
    const { target, targetColumns } = this.scan;
    if (target.type === 'values') {
      return (tokens, y, at, line) => {
        for (let k = 0; k < targetColumns.length; k++) {
          const value = tokens.numbers[targetColumns[k]];
          if (Number.isNaN(value)) throw this.changed(line);
          y[at + k] = value;
        }
      };
    }
    const classOf = classLookup(target);
    const [column] = targetColumns;
    const onehot = target.encoding === 'onehot';
    return (tokens, y, at, line) => {
      const k = classOf(tokens.texts[column]);
      if (k < 0) throw this.changed(line);
      if (onehot) {
        y.fill(0, at, at + target.classes.length);
        y[at + k] = 1;
      } else {
        y[at] = k;
      }
    };
  }

  /**
   * What --missing does to a row before anything reads it, as the first
   * pass did: false for a row it left out (drop); missing features filled
   * in with `fill` (mean), or left NaN while the means are being measured.
   */
  private preparer(): (tokens: CsvTokenizer) => boolean {
    const { missing, features, targetColumns, target } = this.scan;
    const { fill } = this.more;
    if (missing === undefined) return () => true;
    const drops: DropColumn[] =
      missing === 'drop'
        ? [
            ...features.map((column) => ({ column, numeric: true })),
            ...targetColumns.map((column) => ({ column, numeric: target.type === 'values' })),
          ]
        : [];
    return (tokens) => {
      const { numbers, texts } = tokens;
      if (drops.length > 0 && isDropped(drops, numbers, texts)) return false;
      if (fill) {
        for (let k = 0; k < features.length; k++) {
          const column = features[k];
          if (Number.isNaN(numbers[column]) && isMissing(texts[column])) numbers[column] = fill[k];
        }
      }
      return true;
    };
  }

  /**
   * --missing mean's values: each feature's mean over the rows it gives,
   * missing cells left out (the first pass's, or for some rows one more).
   */
  async missingMeans(): Promise<number[]> {
    const { features, header } = this.scan;
    let measured: { mean: number[]; counts: number[] } = this.scan;
    if (this.more.selection) {
      const sums = new ColumnSums(features.length);
      await this.eachRow((numbers) => sums.add(numbers, features));
      measured = { ...sums.means(), counts: Array.from(sums.counts) };
    }
    const empty = measured.counts.indexOf(0);
    if (empty >= 0) {
      throw new Error(
        `${this.file}: column ${quote(header.header[features[empty]])} has no value in the training rows to take the mean of (--missing mean)`,
      );
    }
    return measured.mean;
  }

  /** A later pass that meets a row the first did not check: the file changed, whatever its stamp says. */
  private changed(line: number): Error {
    return new Error(
      `${this.file}: the data file changed while it was being read${line > 0 ? ` (line ${line} is not as it was)` : ''}; ` +
        'it is read once for its columns and statistics and again for each epoch, so it must stay as it is until the command ends',
    );
  }

  /** Calls `visit` with the numbers of each row the dataset gives, in file order: one more pass. */
  private async eachRow(visit: (numbers: Float64Array) => void): Promise<void> {
    const { scan } = this;
    const { selection } = this.more;
    const prepare = this.preparer();
    let header = true;
    let row = 0;
    const tokens = new CsvTokenizer(() => {
      if (header) {
        header = false;
        tokens.setKinds(this.kinds());
        return;
      }
      if (!prepare(tokens)) return;
      const at = row++;
      if (!selection || kept(selection, at)) visit(tokens.numbers);
    }, scan.delimiter);
    try {
      for await (const chunk of passChunks(scan.file, scan.stamp, undefined, this.chunkBytes)) tokens.write(chunk);
      tokens.end();
    } catch (error) {
      throw csvError(error as Error, scan.file, scan.header.header);
    }
  }

  /**
   * Each feature's mean (from the first pass, or for some rows one more
   * pass) and population standard deviation about it (one more pass).
   */
  private async measure(): Promise<Standardization> {
    const { features } = this.scan;
    let measured: { mean: number[]; scales: number[] } = this.scan;
    if (this.more.selection) {
      const sums = new ColumnSums(features.length);
      await this.eachRow((numbers) => sums.add(numbers, features));
      measured = sums.means();
    }
    const { mean, scales } = measured;
    const scaledMean = mean.map((m, k) => m / scales[k]);
    const squares = new Float64Array(features.length);
    await this.eachRow((numbers) => {
      for (let k = 0; k < features.length; k++) squares[k] += (numbers[features[k]] / scales[k] - scaledMean[k]) ** 2;
    });
    const std = Array.from(squares, (sum, k) => deviation(sum / this.rows, scaledMean[k], this.rows, scales[k]));
    return { mean: [...mean], std };
  }
}

/** As measureColumn's: 1 for a column constant to rounding, else the deviation (variance and mean over `scale`). */
function deviation(variance: number, mean: number, n: number, scale: number): number {
  return isConstant(variance, mean, n) ? 1 : Math.sqrt(variance) * scale || 1;
}

function newBatch(rows: number, width: number, units: number): CsvBatch {
  return {
    x: { data: new Float32Array(rows * width), shape: [rows, width] },
    y: { data: new Float32Array(rows * units), shape: [rows, units] },
  };
}
