/**
 * Reading a CSV file into checked columns: a header row naming the columns,
 * then data rows, each the same width as the header. The file is streamed
 * (text-check.ts, then csv-parse: quotes, embedded newlines, a byte-order
 * mark, CRLF), and each row's cells go straight into the columns asked for:
 * numbers into growable Float64 columns, a target's cells into a TargetCellsReader.
 * Nothing holds the rows as text, so reading costs a few bytes a number, not
 * an array of strings a row (a 100 MB file was 4.5 GB as arrays of cells).
 * This file adds the checks the parser leaves to us, with messages that name
 * the file, the line and the column.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { CsvError, Parser } from 'csv-parse';
import { parseNumber } from './cells.js';
import { float64s, type Growable, type Numbers } from './growable.js';
import { openRegularFile } from './input-file.js';
import { RowLines } from './row-lines.js';
import { type TargetCells, TargetCellsReader } from './target-cells.js';
import { quote, quoteList } from './text.js';
import { lineAtByte, TextCheck } from './text-check.js';

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
}

/** A target column read as cells (target-cells.ts); an empty cell is an error saying `empty`. */
export interface CellsRead {
  readonly kind: 'cells';
  readonly column: number;
  readonly empty: string;
}

export type ColumnRead = NumberRead | CellsRead;

export interface Table extends Header {
  /** The number of data rows. */
  readonly rows: number;
  /** The file line each data row ends on. */
  readonly lines: RowLines;
  readonly numbers: ReadonlyMap<number, Numbers>;
  readonly cells: ReadonlyMap<number, TargetCells>;
}

/** A record longer than this (16 MiB) is refused: an unclosed quote would otherwise swallow the whole file into one cell. */
export const MAX_RECORD_BYTES = 1 << 24;

/** Where a row (0-based) is, for messages: `data.csv: line 7 (data row 6)`. */
export function rowPlace(table: Pick<Table, 'file' | 'lines'>, row: number): string {
  return `${table.file}: line ${table.lines.line(row)} (data row ${row + 1})`;
}

/** Where a cell is, for messages: `data.csv: line 7 (data row 6), column "x"`. */
export function cellPlace(table: Pick<Table, 'file' | 'lines' | 'header'>, row: number, column: number): string {
  return `${rowPlace(table, row)}, column ${quote(table.header[column])}`;
}

/**
 * Reads `file`: `choose` is given the header and says which columns to read
 * and how (it may throw, for a missing column, before the rows are read).
 */
export async function readCsv(file: string, choose: (header: Header) => readonly ColumnRead[]): Promise<Table> {
  const { fd } = openRegularFile(file, 'the data file');
  let reader: RowReader | undefined;
  let headerLine = 0;
  let extraLines = 0;
  const parser = new RecordParser((record, lines) => {
    // csv-parse counts a CRLF inside a quoted cell as two lines (its CR and its LF each end one): take those back.
    for (const cell of record) if (cell.includes('\r\n')) extraLines += cell.split('\r\n').length - 1;
    const line = lines - extraLines;
    if (reader === undefined) {
      headerLine = line;
      checkHeader(file, record, line);
      reader = new RowReader({ file, header: record, headerLine }, choose);
    } else {
      reader.add(record, line);
    }
  });
  try {
    // Any stage's error ends the pipeline, and closes the file.
    await pipeline(createReadStream('', { fd, highWaterMark: 1 << 16 }), new TextCheck(file, 'the data file'), parser.resume());
  } catch (error) {
    throw csvError(error as Error, file, reader?.header);
  }
  if (reader === undefined)
    throw new Error(`${file}: the file is empty; expected a header row naming the columns, then data rows`);
  if (reader.rows === 0) throw new Error(`${file}: there are no data rows after the header (line ${headerLine})`);
  return reader.finish();
}

/**
 * csv-parse's stream, handing each record to `onRecord` as it is parsed,
 * with the line it ends on, and queuing none. Its own ways to learn the line
 * (the info and on_record options) build an object of a dozen fields per
 * record, half the reading time of a file of short rows; its parser's live
 * counter (`info`, public) is read instead. The first error, from a record
 * (a bad cell) or from parsing (broken quoting), ends the stream.
 */
class RecordParser extends Parser {
  constructor(private readonly onRecord: (record: string[], lines: number) => void) {
    super({
      bom: true,
      skip_empty_lines: true,
      trim: true,
      // Widths are checked by RowReader, so that a ragged row's message names its columns.
      relax_column_count: true,
      max_record_size: MAX_RECORD_BYTES,
    });
  }

  override push(record: unknown): boolean {
    if (record === null) return super.push(null);
    if (this.destroyed) return false;
    try {
      this.onRecord(record as string[], this.info.lines);
    } catch (error) {
      // Thrown out of push, it would escape the stream (an uncaught exception) rather than fail it.
      this.destroy(error as Error);
    }
    return true;
  }
}

/** Rows into columns, checking each row's width and cells as it comes. */
class RowReader {
  readonly header: readonly string[];
  rows = 0;
  private readonly place: Header;
  private readonly lines = new RowLines();
  private readonly numbers: { read: NumberRead; values: Growable<Float64Array> }[];
  private readonly cells: { read: CellsRead; reader: TargetCellsReader }[];

  constructor(header: Header, choose: (header: Header) => readonly ColumnRead[]) {
    this.place = header;
    this.header = header.header;
    const reads = choose(header);
    this.numbers = reads.filter((r) => r.kind === 'number').map((read) => ({ read, values: float64s() }));
    this.cells = reads.filter((r) => r.kind === 'cells').map((read) => ({ read, reader: new TargetCellsReader() }));
  }

  add(record: readonly string[], line: number): void {
    const row = this.rows;
    this.lines.add(row, line);
    this.rows++;
    if (record.length !== this.header.length) checkWidth(this.at(), row, record.length);
    for (const { read, values } of this.numbers) {
      const cell = record[read.column];
      const value = parseNumber(cell);
      if (value === undefined) {
        throw new Error(
          `${cellPlace(this.at(), row, read.column)}: ` +
            `${cell === '' ? (read.empty ?? `the cell is empty; ${read.why}`) : `${quote(cell)} is not a number; ${read.why}`}`,
        );
      }
      values.push(value);
    }
    for (const { read, reader } of this.cells) {
      const cell = record[read.column];
      if (cell === '') throw new Error(`${cellPlace(this.at(), row, read.column)}: ${read.empty}`);
      reader.add(cell);
    }
  }

  /** The rows so far, to place a message: built only when there is one. */
  private at(): Pick<Table, 'file' | 'lines' | 'header'> {
    return { file: this.place.file, header: this.header, lines: this.lines };
  }

  finish(): Table {
    return {
      ...this.place,
      rows: this.rows,
      lines: this.lines,
      numbers: new Map(this.numbers.map(({ read, values }) => [read.column, values])),
      cells: new Map(this.cells.map(({ read, reader }) => [read.column, reader.finish()])),
    };
  }
}

/** What csv-parse's errors (its CsvError) carry besides the message; `index` is the field's, from 0. */
interface ParseError extends Error {
  code?: string;
  /** Bytes parsed up to the end of the last whole field or record: the failing field starts after it. */
  bytes?: number;
  /** Records parsed before the failing one, the header included. */
  records?: number;
  index?: number;
}

/** One problem under two codes: with `trim`, csv-parse allows spaces after a closing quote, but no other text. */
const AFTER_CLOSING_QUOTE =
  'text after the closing quote of a quoted cell; a quote inside a quoted cell must be doubled ("a ""b"" c")';

/** What is wrong, for the quote errors people make; each is placed by the quote it is about. */
const QUOTE_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'the quote opening this cell is never closed (the cell would run to the end of the file)',
  INVALID_OPENING_QUOTE:
    'a quote inside a cell that does not start with one; quote the whole cell, doubling the quotes inside it ("a ""b"" c")',
  CSV_INVALID_CLOSING_QUOTE: AFTER_CLOSING_QUOTE,
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: AFTER_CLOSING_QUOTE,
};

/** How far past a failing field's start its quote is looked for. */
const QUOTE_SEARCH_BYTES = 1 << 20;

/**
 * csv-parse's error in our format (file: line, row, column: what is wrong);
 * ours (a bad cell, the text check's) as they are, and the system's (EIO)
 * naming the file. csv-parse misplaces
 * quote errors: an unclosed quote is put "at line" the file's last line, not
 * the quote's, and a field is named by its index from 0 ("on field 2"), not
 * by its column. The quote is found in the file instead, from where
 * csv-parse says the failing field starts, and its line counted there.
 */
function csvError(error: Error, file: string, header: readonly string[] | undefined): Error {
  const { code, bytes, records, index } = error as ParseError;
  if (!(error instanceof CsvError)) {
    // Ours (a bad cell, the text check) name their place already; a system error (EIO) is named here.
    return typeof code === 'string' ? new Error(`${file}: cannot read the data file: ${error.message}`) : error;
  }
  if (code === 'CSV_MAX_RECORD_SIZE' && bytes !== undefined) {
    return new Error(
      `${file}: line ${lineAtByte(file, bytes)}: a row longer than ${MAX_RECORD_BYTES / 2 ** 20} MiB ` +
        '(an unclosed quote, or not a CSV file?)',
    );
  }
  const problem = QUOTE_PROBLEMS[code ?? ''];
  if (problem === undefined || bytes === undefined || records === undefined || index === undefined) {
    return new Error(`${file}: not valid CSV: ${error.message}`);
  }
  const window = readBytes(file, bytes, QUOTE_SEARCH_BYTES).toString('utf8');
  const quoteAt = problemQuote(window, code === 'CSV_QUOTE_NOT_CLOSED' || code === 'INVALID_OPENING_QUOTE');
  if (quoteAt < 0) return new Error(`${file}: not valid CSV: ${error.message}`);
  const line = lineAtByte(file, bytes + Buffer.byteLength(window.slice(0, quoteAt)));
  if (records === 0 || header === undefined)
    return new Error(`${file}: line ${line} (the header), column ${index + 1}: ${problem}`);
  const column = index < header.length ? `column ${quote(header[index])}` : `field ${index + 1}`;
  return new Error(`${file}: line ${line} (data row ${records}), ${column}: ${problem}`);
}

function readBytes(file: string, from: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, readSync(fd, buffer, 0, length, from));
  } finally {
    closeSync(fd);
  }
}

/**
 * Where the quote a quote error is about is in `text` (which starts where
 * the failing field does): its first quote (an opening quote never closed,
 * or a quote inside an unquoted cell), or else its closing quote, the first
 * after the opening one that is not a doubled "".
 */
function problemQuote(text: string, first: boolean): number {
  const opening = text.indexOf('"');
  if (first || opening < 0) return opening;
  for (let at = text.indexOf('"', opening + 1); at >= 0; at = text.indexOf('"', at + 2)) {
    if (text[at + 1] !== '"') return at;
  }
  return opening;
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

function checkWidth(table: Pick<Table, 'file' | 'lines' | 'header'>, row: number, have: number): void {
  const width = table.header.length;
  if (have === width) return;
  const detail =
    have < width
      ? `column ${quote(table.header[have])} is missing`
      : `an extra field after the last column, ${quote(table.header[width - 1])}`;
  throw new Error(`${rowPlace(table, row)} has ${have} field${have === 1 ? '' : 's'} but the header has ${width}: ${detail}`);
}

/** The index of the column called `name`, or an error listing (some of) the columns there are; `role` is e.g. "the target". */
export function columnIndex(header: Header, name: string, role: string): number {
  const index = header.header.indexOf(name);
  if (index < 0) {
    throw new Error(
      `${header.file}: line ${header.headerLine} (the header): no column ${quote(name)} (${role}); ` +
        `the columns are ${quoteList(header.header)}`,
    );
  }
  return index;
}
