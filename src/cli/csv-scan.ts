/**
 * A CSV file's first pass, for streaming it: the header and the columns
 * read, every row checked (widths, numbers, empty target cells, values
 * beyond float32) with a file read whole's messages, and the target decided
 * as `wasmlp train` decides it (target.ts), keeping only what is bounded
 * whatever the rows: the distinct target cells, each feature's sum, extremes
 * and largest magnitude, and the rows' line breaks.
 */
import { featureIndices, type LeftOut, leftOutIndices, targetIndices } from './columns.js';
import {
  badNumber,
  type CellsRead,
  checkWidth,
  columnKinds,
  csvError,
  type Header,
  headerOf,
  type NumberRead,
  rowPlace,
  type Table,
} from './csv.js';
import { type FileStamp, passChunks, READ_CHUNK_BYTES } from './csv-pass.js';
import { CsvTokenizer } from './csv-tokens.js';
import { delimiterOf } from './data-input.js';
import { tooLarge } from './float32.js';
import type { Numbers } from './growable.js';
import { type DropColumn, isDropped, isMissing, type MissingChoice } from './missing.js';
import { RowLines } from './row-lines.js';
import { type CliLoss, chooseTarget, type Target, type Task, trainingReads } from './target.js';
import { TargetCellsReader } from './target-cells.js';
import { quote } from './text.js';

/**
 * Each feature's sum over a power of two near its largest magnitude so far,
 * as measureColumn sums (standardize.ts): when the largest grows, the sum
 * moves to the new power, exactly, as a product by a power of two is. A
 * missing cell (NaN, read for --missing mean) is left out of its column's
 * sum and count.
 */
export class ColumnSums {
  readonly sums: Float64Array;
  readonly largest: Float64Array;
  readonly scales: Float64Array;
  readonly least: Float64Array;
  readonly most: Float64Array;
  /** Each column's values summed: its rows but its missing cells. */
  readonly counts: Float64Array;

  constructor(width: number) {
    this.counts = new Float64Array(width);
    this.sums = new Float64Array(width);
    this.largest = new Float64Array(width);
    this.scales = new Float64Array(width).fill(1);
    this.least = new Float64Array(width).fill(Number.POSITIVE_INFINITY);
    this.most = new Float64Array(width).fill(Number.NEGATIVE_INFINITY);
  }

  add(numbers: Float64Array, features: readonly number[]): void {
    for (let k = 0; k < features.length; k++) {
      const value = numbers[features[k]];
      if (Number.isNaN(value)) continue;
      this.counts[k]++;
      if (value < this.least[k]) this.least[k] = value;
      if (value > this.most[k]) this.most[k] = value;
      const magnitude = Math.abs(value);
      if (magnitude > this.largest[k]) {
        this.largest[k] = magnitude;
        const scale = 2 ** Math.min(Math.floor(Math.log2(magnitude)), 1023);
        this.sums[k] *= this.scales[k] / scale;
        this.scales[k] = scale;
      }
      this.sums[k] += value / this.scales[k];
    }
  }

  /** The means, and the powers of two they were summed over. */
  means(): { mean: number[]; scales: number[] } {
    const mean = Array.from(this.sums, (sum, k) => (this.largest[k] === 0 ? 0 : (sum / this.counts[k]) * this.scales[k]));
    return { mean, scales: Array.from(this.scales) };
  }
}

/** What the first pass learns. */
export interface Scan {
  file: string;
  header: Header;
  features: number[];
  /** The columns --exclude and --id leave out. */
  leftOut: number[];
  targetColumns: number[];
  target: Target;
  rows: number;
  stamp: FileStamp;
  /** The delimiter the first pass read the file with, for every later pass. */
  delimiter: number;
  /** Each feature's smallest and largest value. */
  least: number[];
  most: number[];
  /** Each feature's mean, measured as measureColumns does (over a power of two near its largest magnitude). */
  mean: number[];
  scales: number[];
  /** Each feature's values (its rows but its missing cells): 0 for a column with none. */
  counts: number[];
  /** --missing: rows left out ('drop'), or missing feature cells read as NaN ('mean'), for each later pass to fill. */
  missing?: MissingChoice;
  /** Rows left out for a missing cell (--missing drop): not counted in `rows`. */
  dropped: number;
}

/** The first pass: the header, the columns, every row checked, the target decided. */
export async function scanCsv(
  file: string,
  /** As the command line's options (comma-separated names) or csvDataset's (lists of names). */
  options: LeftOut & {
    target: string | readonly string[];
    /** train --missing: the first pass leaves out rows ('drop') or lets missing features through as NaN ('mean'). */
    missing?: MissingChoice;
    features?: string | readonly string[];
    loss?: CliLoss;
    /** As `wasmlp train --task`: classes or values, rather than deciding from the cells. */
    task?: Task;
    /** Features will be standardised: a value beyond float32 is checked once standardised, not here. */
    standardize?: boolean;
    /** What to do about a feature beyond float32 ('scale the column' by default). */
    featureAdvice?: string;
  },
  chunkBytes = READ_CHUNK_BYTES,
): Promise<Scan> {
  let header: Header | undefined;
  let features: number[] = [];
  let targets: number[] = [];
  let leftOut: number[] = [];
  let numberReads: NumberRead[] = [];
  let rangeChecks: { column: number; advice: string }[] = [];
  /** The first target cell beyond float32, refused once the target is known to be values. */
  let hugeTarget: { row: number; value: number } | undefined;
  let cellsRead: CellsRead | undefined;
  let dropColumns: DropColumn[] = [];
  const cells = new TargetCellsReader(false);
  const lines = new RowLines();
  /** Where a row is, for messages: one object for every row, the header's names filled in once known. */
  const place = { file, header: [] as readonly string[], lines };
  let rows = 0;
  let dropped = 0;
  let stamp: FileStamp | undefined;
  const drop = options.missing === 'drop';
  let sums = new ColumnSums(0);
  const tokens = new CsvTokenizer((fields, line) => {
    if (header === undefined) {
      header = headerOf(file, tokens, fields, line);
      place.header = header.header;
      targets = targetIndices(header, options.target);
      leftOut = leftOutIndices(header, options, targets);
      features = featureIndices(header, options.features, targets, leftOut);
      const reads = trainingReads(header, features, targets, options);
      dropColumns = drop ? reads.map((read) => ({ column: read.column, numeric: read.kind === 'number' })) : [];
      numberReads = reads.filter((r): r is NumberRead => r.kind === 'number');
      cellsRead = reads.find((r): r is CellsRead => r.kind === 'cells');
      // Values beyond float32: refused as they are read, but for features to be standardised first.
      const featureAdvice = options.featureAdvice ?? 'scale the column';
      rangeChecks = numberReads.flatMap(({ column }) => {
        if (!features.includes(column)) return [{ column, advice: 'scale the column (targets are not standardised)' }];
        return options.standardize ? [] : [{ column, advice: featureAdvice }];
      });
      tokens.setKinds(columnKinds(header.header.length, reads));
      sums = new ColumnSums(features.length);
      return;
    }
    const row = rows;
    lines.add(row, line);
    const at = place;
    if (fields !== header.header.length) checkWidth(at, row, fields);
    const { numbers, texts } = tokens;
    // Left out before it is counted: the next row takes its number, as csv.ts does.
    if (drop && isDropped(dropColumns, numbers, texts)) {
      // Only for missing cells: a row with a bad one is refused, as a file read whole refuses it.
      for (const read of numberReads) {
        const text = texts[read.column];
        if (Number.isNaN(numbers[read.column]) && !isMissing(text)) throw new Error(badNumber(at, row, read, text));
      }
      dropped++;
      return;
    }
    rows++;
    for (const read of numberReads) {
      const value = numbers[read.column];
      if (Number.isNaN(value) && !(read.missing === 'fill' && isMissing(texts[read.column])))
        throw new Error(badNumber(at, row, read, texts[read.column]));
    }
    for (const { column, advice } of rangeChecks) {
      const value = numbers[column];
      if (!Number.isNaN(value) && !Number.isFinite(Math.fround(value)))
        throw new Error(tooLarge(at, row, column, value, undefined, advice));
    }
    sums.add(numbers, features);
    if (cellsRead !== undefined) {
      const cell = texts[cellsRead.column];
      if (cell === '')
        throw new Error(`${rowPlace(at, row)}, column ${quote(header.header[cellsRead.column])}: ${cellsRead.empty}`);
      cells.add(cell);
      const value = cells.last;
      if (value !== undefined && !Number.isFinite(Math.fround(value))) hugeTarget ??= { row, value };
    }
  }, delimiterOf(file));
  try {
    for await (const chunk of passChunks(file, undefined, (s) => (stamp = s), chunkBytes)) tokens.write(chunk);
    tokens.end();
  } catch (error) {
    throw csvError(error as Error, file, header?.header);
  }
  if (header === undefined)
    throw new Error(`${file}: the file is empty; expected a header row naming the columns, then data rows`);
  if (rows === 0 && dropped > 0)
    throw new Error(`${file}: every data row has a missing value: --missing drop left out all ${dropped}`);
  if (rows === 0) throw new Error(`${file}: there are no data rows after the header (line ${header.headerLine})`);
  const table: Table = {
    ...header,
    rows,
    lines,
    numbers: new Map<number, Numbers>(),
    cells: new Map(cellsRead ? [[cellsRead.column, cells.finish()]] : []),
    texts: new Map(),
  };
  const target = chooseTarget(table, targets, options.loss, options.task);
  if (target.type === 'values' && hugeTarget && cellsRead) {
    throw new Error(
      tooLarge(
        place,
        hugeTarget.row,
        cellsRead.column,
        hugeTarget.value,
        undefined,
        'scale the column (targets are not standardised)',
      ),
    );
  }
  return {
    file,
    header,
    features,
    leftOut,
    targetColumns: targets,
    target,
    rows,
    stamp: stamp!,
    delimiter: tokens.delimiterByte,
    ...sums.means(),
    counts: Array.from(sums.counts),
    least: Array.from(sums.least),
    most: Array.from(sums.most),
    missing: options.missing,
    dropped,
  };
}
