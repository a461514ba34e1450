/**
 * Reading a CSV file into a checked table: a header row naming the columns,
 * then data rows, each the same width as the header. Parsing (quotes,
 * embedded newlines, a byte-order mark, CRLF) is csv-parse's; this file adds
 * the checks the parser leaves to us, with messages that name the file, the
 * line and the column.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

export interface Row {
  /** The cells, trimmed, one per header column. */
  readonly cells: readonly string[];
  /** The file line the row ends on (1-based; the header is line 1 unless blank lines precede it). */
  readonly line: number;
  /** 1-based among the data rows (the header is not a data row). */
  readonly number: number;
}

export interface Table {
  readonly file: string;
  readonly header: readonly string[];
  /** The file line of the header. */
  readonly headerLine: number;
  readonly rows: readonly Row[];
}

/** Where a row is, for messages: `data.csv: line 7 (data row 6)`. */
export function rowPlace(table: Table, row: Row): string {
  return `${table.file}: line ${row.line} (data row ${row.number})`;
}

/** Where a cell is, for messages: `data.csv: line 7 (data row 6), column "x"`. */
export function cellPlace(table: Table, row: Row, column: number): string {
  return `${rowPlace(table, row)}, column ${JSON.stringify(table.header[column])}`;
}

export function readCsv(file: string): Table {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new Error(`${file}: cannot read the data file: ${reason}`);
  }
  // UTF-16 read as UTF-8 has a NUL beside every ASCII character: it would
  // fail later as a ragged row, naming columns such as "\u0000b\u0000".
  if (isUtf16(bytes)) throw new Error(`${file}: cannot read the data file: it is UTF-16 (or not text); save it as UTF-8`);
  return parseCsv(bytes.toString('utf8'), file);
}

/** A UTF-16 byte-order mark (FF FE, FE FF), or a NUL byte, which no UTF-8 text holds. */
function isUtf16(bytes: Buffer): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || bytes.includes(0);
}

type Parsed = { record: string[]; info: { lines: number } }[];

function parseRecords(text: string, to = -1): Parsed {
  return parse(text, {
    bom: true,
    skip_empty_lines: true,
    trim: true,
    // Widths are checked below, so that a ragged row's message names its columns.
    relax_column_count: true,
    info: true,
    to,
  }) as unknown as Parsed; // csv-parse's types do not follow `info: true`
}

/** Parses CSV text; `file` names it in messages. */
export function parseCsv(text: string, file: string): Table {
  let records: Parsed;
  try {
    records = parseRecords(text);
  } catch (error) {
    throw csvError(error as ParseError, text, file);
  }
  if (records.length === 0) throw new Error(`${file}: the file is empty; expected a header row naming the columns, then data rows`);
  const lines = fileLines(records);
  const [{ record: header }, ...data] = records;
  checkHeader(file, header, lines[0]);
  if (data.length === 0) throw new Error(`${file}: there are no data rows after the header (line ${lines[0]})`);
  const table: Table = { file, header, headerLine: lines[0], rows: [] };
  const rows = data.map(({ record }, i): Row => ({ cells: record, line: lines[i + 1], number: i + 1 }));
  for (const row of rows) checkWidth(table, row);
  return { ...table, rows };
}

/**
 * The file line each record ends on. csv-parse counts a CRLF inside a quoted
 * cell as two lines (its CR and its LF each end one), so every row after
 * such a cell would be named a line too far: take those back.
 */
function fileLines(records: Parsed): number[] {
  let extra = 0;
  return records.map(({ record, info }) => {
    for (const cell of record) extra += cell.split('\r\n').length - 1;
    return info.lines - extra;
  });
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
const AFTER_CLOSING_QUOTE = 'text after the closing quote of a quoted cell; a quote inside a quoted cell must be doubled ("a ""b"" c")';

/** What is wrong, for the quote errors people make; each is placed by the quote it is about. */
const QUOTE_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'the quote opening this cell is never closed (the cell would run to the end of the file)',
  INVALID_OPENING_QUOTE: 'a quote inside a cell that does not start with one; quote the whole cell, doubling the quotes inside it ("a ""b"" c")',
  CSV_INVALID_CLOSING_QUOTE: AFTER_CLOSING_QUOTE,
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: AFTER_CLOSING_QUOTE,
};

/**
 * csv-parse's error in our format (file: line, row, column: what is wrong).
 * Its own messages misplace quote errors: an unclosed quote is put "at line"
 * the file's last line, not the quote's, and a field is named by its index
 * from 0 ("on field 2"), not by its column. The quote's line is counted here
 * from the text instead, from where csv-parse says the failing field starts.
 */
function csvError(error: ParseError, text: string, file: string): Error {
  const problem = QUOTE_PROBLEMS[error.code ?? ''];
  const { bytes, records, index } = error;
  if (problem === undefined || bytes === undefined || records === undefined || index === undefined) {
    return new Error(`${file}: not valid CSV: ${error.message}`);
  }
  // csv-parse counts bytes of UTF-8.
  const fieldStart = Buffer.from(text).subarray(0, bytes).toString().length;
  const quote = problemQuote(text, fieldStart, error.code === 'CSV_QUOTE_NOT_CLOSED' || error.code === 'INVALID_OPENING_QUOTE');
  if (quote < 0) return new Error(`${file}: not valid CSV: ${error.message}`);
  const line = lineAt(text, quote);
  if (records === 0) return new Error(`${file}: line ${line} (the header), column ${index + 1}: ${problem}`);
  // The header parsed, so it can name the column.
  const [{ record: header }] = parseRecords(text, 1);
  const column = index < header.length ? `column ${JSON.stringify(header[index])}` : `field ${index + 1}`;
  return new Error(`${file}: line ${line} (data row ${records}), ${column}: ${problem}`);
}

/**
 * Where the quote a quote error is about is in `text`: the first quote of the
 * failing field (an opening quote never closed, or a quote inside an unquoted
 * cell), or else its closing quote, the first after the opening one that is
 * not a doubled "".
 */
function problemQuote(text: string, fieldStart: number, first: boolean): number {
  const opening = text.indexOf('"', fieldStart);
  if (first || opening < 0) return opening;
  for (let at = text.indexOf('"', opening + 1); at >= 0; at = text.indexOf('"', at + 2)) {
    if (text[at + 1] !== '"') return at;
  }
  return opening;
}

/** The 1-based line of `offset` in `text` (CRLF, LF or CR ends a line, as csv-parse reads them). */
function lineAt(text: string, offset: number): number {
  return (text.slice(0, offset).match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
}

function checkHeader(file: string, header: string[], line: number): void {
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') throw new Error(`${file}: line ${line} (the header): column ${i + 1} has no name`);
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new Error(`${file}: line ${line} (the header): column ${JSON.stringify(name)} appears twice (columns ${earlier + 1} and ${i + 1})`);
    }
    seen.set(name, i);
  });
}

function checkWidth(table: Table, row: Row): void {
  const width = table.header.length;
  const have = row.cells.length;
  if (have === width) return;
  const detail = have < width
    ? `column ${JSON.stringify(table.header[have])} is missing`
    : `an extra field after the last column, ${JSON.stringify(table.header[width - 1])}`;
  throw new Error(`${rowPlace(table, row)} has ${have} field${have === 1 ? '' : 's'} but the header has ${width}: ${detail}`);
}

/** The index of the column called `name`, or an error listing the columns there are; `role` is e.g. "the target". */
export function columnIndex(table: Table, name: string, role: string): number {
  const index = table.header.indexOf(name);
  if (index < 0) {
    throw new Error(`${table.file}: line ${table.headerLine} (the header): no column ${JSON.stringify(name)} (${role}); ` +
      `the columns are ${table.header.map((h) => JSON.stringify(h)).join(', ')}`);
  }
  return index;
}
