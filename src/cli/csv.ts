/**
 * Reading a CSV file into checked columns: a header row naming the columns,
 * then data rows, each the same width as the header. The file is read a
 * chunk at a time (csv-pass.ts, checked as text; csv-tokens.ts: quotes,
 * embedded newlines, a byte-order mark, CRLF), and each row's cells go
 * straight into the columns asked for: numbers, parsed from the bytes, into
 * rows of doubles (number-rows.ts); a target's cells into a
 * TargetCellsReader. Nothing holds the rows as text, so reading
 * costs a few bytes a number, not an array of strings a row (a 100 MB file
 * was 4.5 GB as arrays of cells). This file adds the checks the tokenizer
 * leaves to us, with messages that name the file, the line and the column.
 */

import { passChunks } from './csv-pass.js';
import { CsvSyntaxError, CsvTokenizer, MAX_RECORD_BYTES, NUMBER, SKIP, type SyntaxProblem, TEXT } from './csv-tokens.js';
import { delimiterOf } from './data-input.js';
import type { Numbers } from './growable.js';
import { type DropColumn, isDropped, isMissing } from './missing.js';
import { NumberRows } from './number-rows.js';
import { RowLines } from './row-lines.js';
import { closestNames } from './suggest.js';
import { type TargetCells, TargetCellsReader } from './target-cells.js';
import { quote, quoteList } from './text.js';

/** The header: what a caller decides which columns to read from. */
export interface Header {
  readonly file: string;
  readonly header: readonly string[];
  /** The file line of the header (1 unless blank lines precede it). */
  readonly headerLine: number;
}

/** A column read as numbers; a cell that is not one is an error saying `why` it must be ("features must be numbers"). */
export interface NumberRead {
  readonly kind: 'number';
  readonly column: number;
  readonly why: string;
  /** The message for an empty cell, if not `the cell is empty; ${why}`. */
  readonly empty?: string;
  /** A missing cell (missing.ts) leaves its row out ('drop'), or is read as NaN, to be filled in ('fill'). */
  readonly missing?: 'drop' | 'fill';
}

/** A target column read as cells (target-cells.ts); an empty cell is an error saying `empty`. */
export interface CellsRead {
  readonly kind: 'cells';
  readonly column: number;
  readonly empty: string;
  /** A missing cell (missing.ts) leaves its row out. */
  readonly missing?: 'drop';
}

/** A column kept as its cells' text, as they are (an id column, copied to predict's output). */
export interface TextRead {
  readonly kind: 'text';
  readonly column: number;
}

export type ColumnRead = NumberRead | CellsRead | TextRead;

export interface Table extends Header {
  /** The number of data rows. */
  readonly rows: number;
  /** The file line each data row ends on. */
  readonly lines: RowLines;
  /** Rows left out for a missing cell (a read's missing: 'drop'). */
  readonly dropped?: number;
  readonly numbers: ReadonlyMap<number, Numbers>;
  readonly cells: ReadonlyMap<number, TargetCells>;
  readonly texts: ReadonlyMap<number, readonly string[]>;
}

/** Where a row is: its file, and the line each row (0-based) ends on. */
export interface RowPlace {
  readonly file: string;
  readonly lines: { line(row: number): number };
}

/** Where a row (0-based) is, for messages: `data.csv: line 7 (data row 6)`. */
export function rowPlace(table: RowPlace, row: number): string {
  return `${table.file}: line ${table.lines.line(row)} (data row ${row + 1})`;
}

/** Where a cell is, for messages: `data.csv: line 7 (data row 6), column "x"`. */
export function cellPlace(table: RowPlace & Pick<Table, 'header'>, row: number, column: number): string {
  return `${rowPlace(table, row)}, column ${quote(table.header[column])}`;
}

/**
 * Reads `file`: `choose` is given the header and says which columns to read
 * and how (it may throw, for a missing column, before the rows are read).
 */
export async function readCsv(file: string, choose: (header: Header) => readonly ColumnRead[]): Promise<Table> {
  let reader: RowReader | undefined;
  const tokens = new CsvTokenizer((fields, line) => {
    if (reader === undefined) reader = new RowReader(headerOf(file, tokens, fields, line), choose, tokens);
    else reader.add(fields, line);
  }, delimiterOf(file));
  try {
    for await (const chunk of passChunks(file)) tokens.write(chunk);
    tokens.end();
  } catch (error) {
    throw csvError(error as Error, file, reader?.header);
  }
  if (reader === undefined)
    throw new Error(`${file}: the file is empty; expected a header row naming the columns, then data rows`);
  if (reader.rows === 0 && reader.dropped > 0)
    throw new Error(`${file}: every data row has a missing value: --missing drop left out all ${reader.dropped}`);
  if (reader.rows === 0) throw new Error(`${file}: there are no data rows after the header (line ${reader.headerLine})`);
  return reader.finish();
}

/** The header record, checked. */
export function headerOf(file: string, tokens: CsvTokenizer, fields: number, line: number): Header {
  const header = tokens.texts.slice(0, fields);
  checkHeader(file, header, line);
  return { file, header, headerLine: line };
}

/** Each column's kind for the tokenizer, from the reads asked for. */
export function columnKinds(width: number, reads: readonly ColumnRead[]): Uint8Array {
  const kinds = new Uint8Array(width).fill(SKIP);
  // A column both read as text and as numbers (an id that is also a feature) is tokenized as numbers, keeping its text.
  for (const read of reads) if (kinds[read.column] !== NUMBER) kinds[read.column] = read.kind === 'number' ? NUMBER : TEXT;
  return kinds;
}

/** Rows into columns, checking each row's width and cells as it comes. */
class RowReader {
  readonly header: readonly string[];
  readonly headerLine: number;
  rows = 0;
  dropped = 0;
  private readonly place: Header;
  private readonly lines = new RowLines();
  private readonly numbers: NumberRead[];
  private readonly numberColumns: Int32Array;
  private readonly values: NumberRows;
  private readonly cells: { read: CellsRead; reader: TargetCellsReader }[];
  private readonly texts: { read: TextRead; numeric: boolean; cells: string[] }[];
  /** The columns whose missing cell leaves the row out. */
  private readonly drops: DropColumn[];

  constructor(
    header: Header,
    choose: (header: Header) => readonly ColumnRead[],
    private readonly tokens: CsvTokenizer,
  ) {
    this.place = header;
    this.header = header.header;
    this.headerLine = header.headerLine;
    const reads = choose(header);
    const kinds = columnKinds(this.header.length, reads);
    tokens.setKinds(kinds);
    this.numbers = reads.filter((r) => r.kind === 'number');
    this.numberColumns = Int32Array.from(this.numbers, (read) => read.column);
    this.values = new NumberRows(this.numbers.length);
    this.cells = reads.filter((r) => r.kind === 'cells').map((read) => ({ read, reader: new TargetCellsReader() }));
    this.drops = reads
      .filter((r) => r.kind !== 'text' && r.missing === 'drop')
      .map((r) => ({ column: r.column, numeric: r.kind === 'number' }));
    this.texts = reads
      .filter((r) => r.kind === 'text')
      .map((read) => ({ read, numeric: kinds[read.column] === NUMBER, cells: [] }));
  }

  add(fields: number, line: number): void {
    const row = this.rows;
    this.lines.add(row, line);
    if (fields !== this.header.length) checkWidth(this.at(), row, fields);
    const { numbers, texts } = this.tokens;
    // The next row takes this one's number (RowLines keeps the later line for it).
    if (this.drops.length > 0 && isDropped(this.drops, numbers, texts)) {
      // Only for missing cells: a row with a bad one as well is refused.
      for (const read of this.numbers) {
        const text = texts[read.column];
        if (Number.isNaN(numbers[read.column]) && !isMissing(text)) throw new Error(badNumber(this.at(), row, read, text));
      }
      this.dropped++;
      return;
    }
    this.rows++;
    // Indexed loops over flat arrays: this runs once a cell, millions of times.
    const columns = this.numberColumns;
    const at = this.values.append();
    const chunk = this.values.chunk;
    for (let k = 0; k < columns.length; k++) {
      const value = numbers[columns[k]];
      if (Number.isNaN(value) && !(this.numbers[k].missing === 'fill' && isMissing(texts[columns[k]])))
        throw new Error(badNumber(this.at(), row, this.numbers[k], texts[columns[k]]));
      chunk[at + k] = value;
    }
    for (const { read, reader } of this.cells) {
      const cell = texts[read.column];
      if (cell === '') throw new Error(`${cellPlace(this.at(), row, read.column)}: ${read.empty}`);
      reader.add(cell);
    }
    for (const { read, numeric, cells } of this.texts) cells.push(cellText(this.tokens, read.column, numeric));
  }

  /** The rows so far, to place a message: built only when there is one. */
  private at(): Pick<Table, 'file' | 'lines' | 'header'> {
    return { file: this.place.file, header: this.header, lines: this.lines };
  }

  finish(): Table {
    return {
      ...this.place,
      rows: this.rows,
      dropped: this.dropped,
      lines: this.lines,
      numbers: new Map(this.numbers.map((read, k) => [read.column, this.values.column(k)])),
      cells: new Map(this.cells.map(({ read, reader }) => [read.column, reader.finish()])),
      texts: new Map(this.texts.map(({ read, cells }) => [read.column, cells])),
    };
  }
}

/**
 * A cell's text; of a column read as numbers (an id that is also a
 * feature), the number as String() writes it, since the tokenizer keeps the
 * text of only a cell that is not a number.
 */
export function cellText(tokens: { numbers: Float64Array; texts: string[] }, column: number, numeric: boolean): string {
  const value = tokens.numbers[column];
  return numeric && !Number.isNaN(value) ? String(value) : tokens.texts[column];
}

/** The message for a cell of a number column that is not one. */
export function badNumber(table: Pick<Table, 'file' | 'lines' | 'header'>, row: number, read: NumberRead, cell: string): string {
  return (
    `${cellPlace(table, row, read.column)}: ` +
    `${cell === '' ? (read.empty ?? `the cell is empty; ${read.why}`) : `${quote(cell)} is not a number; ${read.why}`}`
  );
}

/** Spaces after a closing quote are allowed, but no other text. */
const AFTER_CLOSING_QUOTE =
  'text after the closing quote of a quoted cell; a quote inside a quoted cell must be doubled ("a ""b"" c")';

/** What is wrong, for the quote errors people make; each is placed by the quote it is about. */
const QUOTE_PROBLEMS: Record<Exclude<SyntaxProblem, 'long'>, string> = {
  unclosed: 'the quote opening this cell is never closed (the cell would run to the end of the file)',
  opening:
    'a quote inside a cell that does not start with one; quote the whole cell, doubling the quotes inside it ("a ""b"" c")',
  closing: AFTER_CLOSING_QUOTE,
};

/**
 * The tokenizer's syntax errors in our format (file: line, row, column: what
 * is wrong); ours (a bad cell, the text check's) as they are, and the
 * system's (EIO) naming the file.
 */
export function csvError(error: Error, file: string, header: readonly string[] | undefined): Error {
  if (!(error instanceof CsvSyntaxError)) {
    // Ours (a bad cell, the text check) name their place already; a system error (EIO) is named here.
    const { code } = error as NodeJS.ErrnoException;
    return typeof code === 'string' ? new Error(`${file}: cannot read the data file: ${error.message}`) : error;
  }
  const { problem, line, record, field } = error;
  if (problem === 'long') {
    return new Error(
      `${file}: line ${line}: a row longer than ${MAX_RECORD_BYTES / 2 ** 20} MiB (an unclosed quote, or not a CSV file?)`,
    );
  }
  const what = QUOTE_PROBLEMS[problem];
  if (record === 0 || header === undefined) return new Error(`${file}: line ${line} (the header), column ${field + 1}: ${what}`);
  const column = field < header.length ? `column ${quote(header[field])}` : `field ${field + 1}`;
  return new Error(`${file}: line ${line} (data row ${record}), ${column}: ${what}`);
}

/**
 * A header with more columns (100,000) is refused: each column read costs a
 * few hundred bytes before its first number, and a 16 MiB header line could
 * otherwise name millions. (Wide data such as gene expression has tens of
 * thousands.)
 */
export const MAX_COLUMNS = 100_000;

function checkHeader(file: string, header: readonly string[], line: number): void {
  if (header.length > MAX_COLUMNS) {
    throw new Error(
      `${file}: line ${line} (the header): ${header.length} columns, more than the ${MAX_COLUMNS} a CSV may have here`,
    );
  }
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') throw new Error(`${file}: line ${line} (the header): column ${i + 1} has no name`);
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new Error(
        `${file}: line ${line} (the header): column ${quote(name)} appears twice (columns ${earlier + 1} and ${i + 1})`,
      );
    }
    seen.set(name, i);
  });
}

export function checkWidth(table: Pick<Table, 'file' | 'lines' | 'header'>, row: number, have: number): void {
  const width = table.header.length;
  if (have === width) return;
  const detail =
    have < width
      ? `column ${quote(table.header[have])} is missing`
      : `an extra field after the last column, ${quote(table.header[width - 1])}`;
  throw new Error(`${rowPlace(table, row)} has ${have} field${have === 1 ? '' : 's'} but the header has ${width}: ${detail}`);
}

/**
 * The index of the column called `name`, or an error suggesting the closest
 * names (suggest.ts) and listing (some of) the columns there are; `role` is
 * e.g. "the target".
 */
export function columnIndex(header: Header, name: string, role: string): number {
  const index = header.header.indexOf(name);
  if (index < 0) {
    const close = closestNames(name, header.header);
    const guess = close.length > 0 ? `: did you mean ${close.map(quote).join(' or ')}? The` : '; the';
    throw new Error(
      `${header.file}: line ${header.headerLine} (the header): no column ${quote(name)} (${role})${guess} ` +
        `columns are ${quoteList(header.header)}`,
    );
  }
  return index;
}
