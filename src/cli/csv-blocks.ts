/**
 * A CSV file read in one pass as blocks of rows, for a model to predict or
 * evaluate as it reads: each block's features as the network's float32
 * matrix (standardised with the model's statistics where the command line
 * applies them), and its labels if asked for, every cell checked with the
 * same messages as a file read whole (csv.ts, float32.ts). Memory holds one
 * read chunk, one block and the rows' line breaks, however large the file.
 */
import {
  badNumber,
  type CellsRead,
  type ColumnRead,
  cellPlace,
  cellText,
  checkWidth,
  columnKinds,
  csvError,
  type Header,
  headerOf,
  type NumberRead,
  type Table,
} from './csv.js';
import { passChunks } from './csv-pass.js';
import { CsvTokenizer, NUMBER } from './csv-tokens.js';
import { delimiterOf } from './data-input.js';
import { tooLarge } from './float32.js';
import { isMissing } from './missing.js';
import { RowLines } from './row-lines.js';
import type { Standardization } from './standardize.js';

/** Where a cell is, for a labeller's messages. */
export type Place = Pick<Table, 'file' | 'lines' | 'header'>;

/** What to read, decided from the header. */
export interface BlockReads {
  /** Every column read: the features' and the labels', and a text read for each row's key (Block.ids). */
  reads: readonly ColumnRead[];
  /** The feature columns, in input order (each also a number read). */
  features: readonly number[];
  stats?: Standardization;
  /** Each feature's value for a missing cell (read with missing: 'fill'). */
  fill?: readonly number[];
  /** What to do about a feature beyond float32. */
  advice: string;
  /** The labels: `width` a row, written by `write` from the row's cells (texts and numbers by column). */
  labels?: {
    width: number;
    write(cells: { numbers: Float64Array; texts: string[] }, y: Float32Array, at: number, place: Place, row: number): void;
  };
}

export interface Block {
  /** Rows in this block, and the data row (0-based) of its first. */
  rows: number;
  first: number;
  /** rows × features, row-major, and rows × label width. */
  x: Float32Array;
  y: Float32Array;
  /** Each row's cell of the text read, if one was asked for. */
  ids: string[];
}

/** Reads `file` a block of `blockRows` rows at a time; `onBlock` has each block before the next is read. */
export async function readBlocks(
  file: string,
  choose: (header: Header) => BlockReads,
  blockRows: number,
  onBlock: (block: Block) => Promise<void>,
): Promise<{ header: Header; rows: number }> {
  let header: Header | undefined;
  let spec: BlockReads | undefined;
  let numberReads: NumberRead[] = [];
  let cellReads: CellsRead[] = [];
  let idColumn = -1;
  let idNumeric = false;
  let ids: string[] = [];
  const lines = new RowLines();
  /** Where a row is, for messages: one object for every row, the header's names filled in once known. */
  const place: { file: string; header: readonly string[]; lines: RowLines } = { file, header: [], lines };
  let rows = 0;
  let x = new Float32Array(0);
  let y = new Float32Array(0);
  let inBlock = 0;
  /** Blocks filled while the last chunk was parsed: copies, handed on once the chunk is done, then reused. */
  const full: Block[] = [];
  const spare: Block[] = [];
  const tokens = new CsvTokenizer((fields, line) => {
    if (header === undefined) {
      header = headerOf(file, tokens, fields, line);
      place.header = header.header;
      spec = choose(header);
      numberReads = spec.reads.filter((r): r is NumberRead => r.kind === 'number');
      cellReads = spec.reads.filter((r): r is CellsRead => r.kind === 'cells');
      const kinds = columnKinds(header.header.length, spec.reads);
      tokens.setKinds(kinds);
      idColumn = spec.reads.find((r) => r.kind === 'text')?.column ?? -1;
      idNumeric = idColumn >= 0 && kinds[idColumn] === NUMBER;
      x = new Float32Array(blockRows * spec.features.length);
      y = new Float32Array(blockRows * (spec.labels?.width ?? 0));
      return;
    }
    const s = spec!;
    const row = rows++;
    lines.add(row, line);
    if (fields !== header.header.length) checkWidth(place, row, fields);
    const { numbers, texts } = tokens;
    for (const read of numberReads) {
      if (Number.isNaN(numbers[read.column]) && !(read.missing === 'fill' && isMissing(texts[read.column])))
        throw new Error(badNumber(place, row, read, texts[read.column]));
    }
    for (const read of cellReads) {
      if (texts[read.column] === '') throw new Error(`${cellPlace(place, row, read.column)}: ${read.empty}`);
    }
    const width = s.features.length;
    for (let k = 0; k < width; k++) {
      const column = s.features[k];
      const raw = numbers[column];
      const cell = s.fill && Number.isNaN(raw) ? s.fill[k] : raw;
      const value = s.stats ? (cell - s.stats.mean[k]) / s.stats.std[k] : cell;
      const stored = Math.fround(value);
      if (!Number.isFinite(stored)) throw new Error(tooLarge(place, row, column, cell, s.stats && value, s.advice));
      x[inBlock * width + k] = stored;
    }
    s.labels?.write(tokens, y, inBlock * s.labels.width, place, row);
    if (idColumn >= 0) ids.push(cellText(tokens, idColumn, idNumeric));
    inBlock++;
    if (inBlock === blockRows) {
      const block = spare.pop() ?? { rows: 0, first: 0, x: new Float32Array(x.length), y: new Float32Array(y.length), ids };
      block.x.set(x);
      block.y.set(y);
      block.ids = ids;
      ids = [];
      block.rows = inBlock;
      block.first = row + 1 - inBlock;
      full.push(block);
      inBlock = 0;
    }
  }, delimiterOf(file));
  try {
    for await (const chunk of passChunks(file)) {
      tokens.write(chunk);
      // Handed on as they are filled: a chunk of short rows fills several.
      while (full.length > 0) {
        const block = full.shift()!;
        await onBlock(block);
        spare.push(block);
      }
    }
    tokens.end();
  } catch (error) {
    throw csvError(error as Error, file, header?.header);
  }
  for (const block of full) await onBlock(block);
  if (header === undefined)
    throw new Error(`${file}: the file is empty; expected a header row naming the columns, then data rows`);
  if (rows === 0) throw new Error(`${file}: there are no data rows after the header (line ${header.headerLine})`);
  if (inBlock > 0) {
    const width = spec!.features.length;
    const labels = spec!.labels?.width ?? 0;
    await onBlock({
      rows: inBlock,
      first: rows - inBlock,
      x: x.subarray(0, inBlock * width),
      y: y.subarray(0, inBlock * labels),
      ids,
    });
  }
  return { header, rows };
}
