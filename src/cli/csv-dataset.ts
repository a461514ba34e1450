/**
 * A CSV file as a dataset that streams: batches `{ x, y }` in fit()'s input
 * forms, read from the file afresh on each pass, in memory bounded by the
 * read chunk, the shuffle buffer and a chunk's worth of batches, however
 * large the file.
 *
 * The first pass reads the header, checks every row (widths, numbers, empty
 * target cells, values beyond float32) and decides the target as `wasmlp
 * train` does (classes or a regression, target.ts), keeping only the
 * distinct target cells and each feature's sum and largest magnitude. Each
 * later pass reads the file again, checked against the first pass's size,
 * modification time and inode (csv-pass.ts), through a seeded shuffle
 * buffer (shuffle-buffer.ts): pass k shuffles from seed + k, so the same
 * seed gives the same batches, pass by pass.
 */

import { Random } from '../random.js';
import { featureIndices, targetIndices } from './columns.js';
import {
  badNumber,
  type CellsRead,
  type ColumnRead,
  checkWidth,
  columnKinds,
  csvError,
  type Header,
  headerOf,
  type NumberRead,
  READ_CHUNK_BYTES,
  rowPlace,
  type Table,
} from './csv.js';
import { type FileStamp, passChunks } from './csv-pass.js';
import { CsvTokenizer, NUMBER, TEXT } from './csv-tokens.js';
import { tooLarge } from './float32.js';
import type { Numbers } from './growable.js';
import { RowLines } from './row-lines.js';
import { ShuffleSlots } from './shuffle-buffer.js';
import { isConstant, type Standardization } from './standardize.js';
import { type CliLoss, chooseTarget, classLookup, outputUnits, type Target, targetReads } from './target.js';
import { TargetCellsReader } from './target-cells.js';
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

/** Reads the file once (its columns, target and rows, all checked) and returns the dataset that streams it. */
export async function csvDataset(file: string, options: CsvDatasetOptions): Promise<CsvDataset> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new Error(`csvDataset: batchSize ${batchSize} is not a positive integer`);
  const shuffleBuffer = options.shuffleBuffer ?? 0;
  if (!Number.isSafeInteger(shuffleBuffer) || shuffleBuffer < 0)
    throw new Error(`csvDataset: shuffleBuffer ${shuffleBuffer} is not a whole number of rows`);
  const scan = await scanFile(file, options, options.readChunkBytes ?? READ_CHUNK_BYTES);
  return new CsvDataset(scan, batchSize, shuffleBuffer, options.seed ?? 0, options.readChunkBytes ?? READ_CHUNK_BYTES);
}

/** What the first pass learns. */
interface Scan {
  file: string;
  header: Header;
  features: number[];
  targetColumns: number[];
  target: Target;
  rows: number;
  stamp: FileStamp;
  /** Each feature's mean, measured as measureColumns does (over a power of two near its largest magnitude). */
  mean: number[];
  scales: number[];
}

/** Why a value beyond float32 is refused, and what to do. */
const FLOAT32_ADVICE = 'scale the column';

async function scanFile(file: string, options: CsvDatasetOptions, chunkBytes: number): Promise<Scan> {
  let header: Header | undefined;
  let features: number[] = [];
  let targets: number[] = [];
  let numberReads: NumberRead[] = [];
  let cellsRead: CellsRead | undefined;
  const cells = new TargetCellsReader(false);
  const lines = new RowLines();
  /** Where a row is, for messages: one object for every row, the header's names filled in once known. */
  const place = { file, header: [] as readonly string[], lines };
  let rows = 0;
  let stamp: FileStamp | undefined;
  let sums = new Float64Array(0);
  let largest = new Float64Array(0);
  let scales = new Float64Array(0);
  const tokens = new CsvTokenizer((fields, line) => {
    if (header === undefined) {
      header = headerOf(file, tokens, fields, line);
      place.header = header.header;
      targets = targetIndices(header, options.target);
      features = featureIndices(header, options.features, targets);
      const reads: ColumnRead[] = [
        ...features.map((column): ColumnRead => ({ kind: 'number', column, why: 'features must be numbers' })),
        ...targetReads(header, targets, options.loss),
      ];
      numberReads = reads.filter((r): r is NumberRead => r.kind === 'number');
      cellsRead = reads.find((r): r is CellsRead => r.kind === 'cells');
      tokens.setKinds(columnKinds(header.header.length, reads));
      sums = new Float64Array(features.length);
      largest = new Float64Array(features.length);
      scales = new Float64Array(features.length).fill(1);
      return;
    }
    const row = rows++;
    lines.add(row, line);
    const at = place;
    if (fields !== header.header.length) checkWidth(at, row, fields);
    const { numbers, texts } = tokens;
    for (const read of numberReads) {
      const value = numbers[read.column];
      if (Number.isNaN(value)) throw new Error(badNumber(at, row, read, texts[read.column]));
      if (!Number.isFinite(Math.fround(value))) throw new Error(tooLarge(at, row, read.column, value, undefined, FLOAT32_ADVICE));
    }
    for (let k = 0; k < features.length; k++) {
      const value = numbers[features[k]];
      const magnitude = Math.abs(value);
      if (magnitude > largest[k]) {
        largest[k] = magnitude;
        // The sum so far, moved to the new scale: exact, as a power of two's product is.
        const scale = 2 ** Math.min(Math.floor(Math.log2(magnitude)), 1023);
        sums[k] *= scales[k] / scale;
        scales[k] = scale;
      }
      sums[k] += value / scales[k];
    }
    if (cellsRead !== undefined) {
      const cell = texts[cellsRead.column];
      if (cell === '')
        throw new Error(`${rowPlace(at, row)}, column ${quote(header.header[cellsRead.column])}: ${cellsRead.empty}`);
      cells.add(cell);
    }
  });
  try {
    for await (const chunk of passChunks(file, undefined, (s) => (stamp = s), chunkBytes)) tokens.write(chunk);
    tokens.end();
  } catch (error) {
    throw csvError(error as Error, file, header?.header);
  }
  if (header === undefined)
    throw new Error(`${file}: the file is empty; expected a header row naming the columns, then data rows`);
  if (rows === 0) throw new Error(`${file}: there are no data rows after the header (line ${header.headerLine})`);
  const table: Table = {
    ...header,
    rows,
    lines,
    numbers: new Map<number, Numbers>(),
    cells: new Map(cellsRead ? [[cellsRead.column, cells.finish()]] : []),
  };
  const target = chooseTarget(table, targets, options.loss);
  return {
    file,
    header,
    features,
    targetColumns: targets,
    target,
    rows,
    stamp: stamp!,
    mean: Array.from(sums, (sum, k) => (largest[k] === 0 ? 0 : (sum / rows) * scales[k])),
    scales: Array.from(scales),
  };
}

export class CsvDataset implements AsyncIterable<CsvBatch> {
  readonly file: string;
  /** The feature columns' names, in input order. */
  readonly features: readonly string[];
  /** The target as decided from the first pass: its classes and encoding, or its columns. */
  readonly target: Target;
  /** Data rows in the file. */
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
  ) {
    this.file = scan.file;
    this.features = scan.features.map((c) => scan.header.header[c]);
    this.target = scan.target;
    this.rows = scan.rows;
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
   * The features' standardisation statistics, as `wasmlp train
   * --standardize` measures them over every row: the means from the first
   * pass, the deviations from one more pass (made once, on first call).
   */
  standardization(): Promise<Standardization> {
    this.statistics ??= this.measureDeviations();
    return this.statistics;
  }

  /** One pass's batches: pass `pass` shuffles from seed + pass. */
  async *batches(pass: number): AsyncGenerator<CsvBatch> {
    const { scan, batchSize } = this;
    const width = scan.features.length;
    const units = this.outputs;
    const capacity = Math.max(1, Math.min(this.shuffleBuffer, scan.rows));
    const slots = new ShuffleSlots(capacity, new Random((this.seed + pass) >>> 0));
    const heldX = new Float32Array(capacity * width);
    const heldY = new Float32Array(capacity * units);
    const ready: CsvBatch[] = [];
    let batch = newBatch(Math.min(batchSize, scan.rows), width, units);
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
        batch = newBatch(Math.min(batchSize, scan.rows - emitted), width, units);
        inBatch = 0;
      }
    };
    const label = this.labeller();
    let header = true;
    let row = 0;
    const tokens = new CsvTokenizer((fields, line) => {
      if (header) {
        header = false;
        tokens.setKinds(this.kinds());
        return;
      }
      if (row >= scan.rows || fields !== scan.header.header.length) throw this.changed(line);
      row++;
      const slot = slots.push();
      if (slots.evicts) emit(slot);
      const { numbers } = tokens;
      for (let k = 0; k < width; k++) {
        const value = Math.fround(numbers[scan.features[k]]);
        // NaN or beyond float32: a cell the first pass did not see, in a file rewritten to its old size and time.
        if (!Number.isFinite(value)) throw this.changed(line);
        heldX[slot * width + k] = value;
      }
      label(tokens, heldY, slot * units, line);
    });
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
    }
    yield* ready;
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

  /** A later pass that meets a row the first did not check: the file changed, whatever its stamp says. */
  private changed(line: number): Error {
    return new Error(
      `${this.file}: the data file changed while it was being read${line > 0 ? ` (line ${line} is not as it was)` : ''}; ` +
        'it is read once for its columns and statistics and again for each epoch, so it must stay as it is until the command ends',
    );
  }

  /** One more pass, in file order: each feature's population standard deviation about the first pass's mean. */
  private async measureDeviations(): Promise<Standardization> {
    const { scan } = this;
    const width = scan.features.length;
    const squares = new Float64Array(width);
    const scaledMean = scan.mean.map((m, k) => m / scan.scales[k]);
    let header = true;
    const tokens = new CsvTokenizer(() => {
      if (header) {
        header = false;
        tokens.setKinds(this.kinds());
        return;
      }
      for (let k = 0; k < width; k++) squares[k] += (tokens.numbers[scan.features[k]] / scan.scales[k] - scaledMean[k]) ** 2;
    });
    try {
      for await (const chunk of passChunks(scan.file, scan.stamp, undefined, this.chunkBytes)) tokens.write(chunk);
      tokens.end();
    } catch (error) {
      throw csvError(error as Error, scan.file, scan.header.header);
    }
    const std = Array.from(squares, (sum, k) => deviation(sum / scan.rows, scaledMean[k], scan.rows, scan.scales[k]));
    return { mean: [...scan.mean], std };
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
