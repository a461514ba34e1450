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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new Error(`${file}: cannot read the data file: ${reason}`);
  }
  return parseCsv(text, file);
}

/** Parses CSV text; `file` names it in messages. */
export function parseCsv(text: string, file: string): Table {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      // Widths are checked below, so that a ragged row's message names its columns.
      relax_column_count: true,
      info: true,
    }) as unknown as typeof records; // csv-parse's types do not follow `info: true`
  } catch (error) {
    // csv-parse's own messages already give the line ("... at line 3").
    throw new Error(`${file}: not valid CSV: ${(error as Error).message}`);
  }
  if (records.length === 0) throw new Error(`${file}: the file is empty; expected a header row naming the columns, then data rows`);
  const [{ record: header, info: headerInfo }, ...data] = records;
  checkHeader(file, header, headerInfo.lines);
  if (data.length === 0) throw new Error(`${file}: there are no data rows after the header (line ${headerInfo.lines})`);
  const table: Table = { file, header, headerLine: headerInfo.lines, rows: [] };
  const rows = data.map(({ record, info }, i): Row => ({ cells: record, line: info.lines, number: i + 1 }));
  for (const row of rows) checkWidth(table, row);
  return { ...table, rows };
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
