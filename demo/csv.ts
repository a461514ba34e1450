/**
 * A CSV dropped on the page (or chosen): parsed by csv-parse into a table
 * of named columns, from which two numeric feature columns and a label
 * column make a dataset. The first row is a header when it has text where
 * the rows below have numbers. Features are standardised (mean 0, standard
 * deviation 1) so that any units train with the same settings.
 */
import { parse } from 'csv-parse/browser/esm/sync';
import type { Dataset } from './datasets.js';

const MAX_ROWS = 20_000;
const MAX_CLASSES = 8;
const DELIMITERS = [',', ';', '\t'];

export interface CsvTable {
  /** The file's name, which messages start with. */
  name: string;
  /** The header's names, or "column 1", "column 2", … when there is none. */
  columns: string[];
  /** The data rows, as text, every one as wide as `columns`. */
  rows: string[][];
  /** The line of the file each row is on (1-based), for messages. */
  lines: number[];
}

/** Indices into CsvTable.columns. */
export interface CsvColumns {
  x: number;
  y: number;
  label: number;
}

interface ParsedRecord {
  info: { lines: number };
  record: string[];
}

/** Parses a CSV file's text into a table; throws a message naming the file (and the line) if it is not one. */
export function readCsv(name: string, text: string): CsvTable {
  // Else csv-parse fails on it somewhere, with its bytes in the message.
  if (looksBinary(text)) throw new Error(`${name}: not a CSV text file (an image, or other binary data?)`);
  let records: ParsedRecord[];
  try {
    records = parse(text, {
      delimiter: guessDelimiter(text),
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
      info: true,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    throw new Error(`${name}: ${parseProblem(error as Error & { code?: string; lines?: number })}`);
  }
  if (records.length === 0) throw new Error(`${name} is empty`);
  const width = records[0].record.length;
  if (width < 3) {
    throw new Error(
      `${name}: expected at least 3 columns separated by commas, semicolons or tabs (two features and a label); the first line has ${width}`,
    );
  }
  for (const { info, record } of records) {
    if (record.length !== width)
      throw new Error(`${name}, line ${info.lines}: expected ${width} columns, as on the first line, found ${record.length}`);
  }
  // A header has text where the first row of data has numbers.
  const [first, second] = records.map(({ record }) => record);
  const hasHeader = second !== undefined && first.some((field, c) => !isNumber(field) && isNumber(second[c]));
  const body = hasHeader ? records.slice(1) : records;
  if (body.length < 2) throw new Error(`${name}: needs at least 2 rows of data, found ${body.length}`);
  if (body.length > MAX_ROWS) throw new Error(`${name}: ${body.length} rows is more than this page draws well (${MAX_ROWS})`);
  // Else a header over text takes itself for data, and the first cell the features need is named as "not a number".
  const numeric = first.map((_, c) => c).filter((c) => isNumber(body[0].record[c]));
  if (numeric.length === 0)
    throw new Error(`${name}: no numeric feature columns; the two features must be numbers (the label may be text)`);
  if (numeric.length === 1) {
    const only = hasHeader ? first[numeric[0]] : `column ${numeric[0] + 1}`;
    throw new Error(`${name}: one numeric column (${only}); the two features must be numbers (the label may be text)`);
  }
  return {
    name,
    columns: hasHeader ? first.map((field, c) => field || `column ${c + 1}`) : first.map((_, c) => `column ${c + 1}`),
    rows: body.map(({ record }) => record),
    lines: body.map(({ info }) => info.lines),
  };
}

/** csv-parse's complaint in plain words: where the file stops reading as a table, and why. */
function parseProblem({ code, lines }: { code?: string; lines?: number }): string {
  const where = lines ? `line ${lines}` : 'the file';
  const why =
    code === 'CSV_QUOTE_NOT_CLOSED'
      ? 'a quoted field is never closed'
      : code === 'INVALID_OPENING_QUOTE'
        ? 'a quote in the middle of a field'
        : code === 'CSV_INVALID_CLOSING_QUOTE' || code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE'
          ? 'text after the closing quote of a field'
          : 'it does not read as rows of fields';
  return `not a CSV file this page can read (${where}: ${why}); it needs rows of values separated by commas, semicolons or tabs`;
}

/**
 * A file that is not text, read as UTF-8: it has NUL bytes, or many bytes
 * that are not UTF-8 and became U+FFFD (a text file in another encoding has
 * a few, in its accented letters).
 */
function looksBinary(text: string): boolean {
  if (text.includes('\0')) return true;
  let replaced = 0;
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) replaced++;
  return replaced > 0.1 * text.length;
}

/** Why a label column was chosen, as the page says it. */
export type LabelReason = 'the last column of text' | 'the last column' | 'the last column with 2 to 8 values' | 'chosen';

/**
 * The columns a table trains on unless the user picks others, and why its
 * label was chosen: the label is the last column of text (a species, a
 * name), else the last column, else the last column with 2 to 8 values
 * (the first of these that makes a dataset); the features are the first
 * two numeric columns besides it. A numeric column with few values (a
 * petal width in tenths) is taken for a feature, not a label, when a
 * column of text is there.
 */
export function defaultColumns(table: CsvTable): { columns: CsvColumns; reason: LabelReason } {
  const indices = table.columns.map((_, c) => c);
  const fromEnd = [...indices].reverse();
  const isText = (c: number) => table.rows.some((row) => !isNumber(row[c]));
  const classCount = (c: number) => new Set(table.rows.map((row) => row[c])).size;
  const candidates: [number | undefined, LabelReason][] = [
    [fromEnd.find(isText), 'the last column of text'],
    [indices.length - 1, 'the last column'],
    [fromEnd.find((c) => classCount(c) >= 2 && classCount(c) <= MAX_CLASSES), 'the last column with 2 to 8 values'],
  ];
  const tried: { columns: CsvColumns; reason: LabelReason }[] = [];
  for (const [label, reason] of candidates) {
    if (label === undefined || tried.some((t) => t.columns.label === label)) continue;
    const others = indices.filter((c) => c !== label);
    const numeric = others.filter((c) => !isText(c));
    const [x, y] = [...numeric, ...others.filter((c) => !numeric.includes(c))];
    const columns = { x, y, label };
    tried.push({ columns, reason });
    try {
      csvDataset(table, columns);
      return { columns, reason };
    } catch {
      // the next candidate; if none makes a dataset, the first one's message is shown
    }
  }
  return tried[0];
}

/** The dataset of two feature columns and a label column; throws naming the line and column of a bad cell. */
export function csvDataset(table: CsvTable, { x: xColumn, y: yColumn, label: labelColumn }: CsvColumns): Dataset {
  const { name, columns, rows, lines } = table;
  if (xColumn === yColumn)
    throw new Error(`${name}: x and y are the same column (${columns[xColumn]}); choose two different features`);
  for (const c of [xColumn, yColumn]) {
    if (c === labelColumn) throw new Error(`${name}: ${columns[c]} is the label column; it cannot also be a feature`);
  }
  const x: number[][] = [];
  const labels: string[] = [];
  rows.forEach((row, i) => {
    for (const c of [xColumn, yColumn]) {
      if (!isNumber(row[c])) {
        throw new Error(`${name}, line ${lines[i]}, column ${c + 1} (${columns[c]}): ${JSON.stringify(row[c])} is not a number`);
      }
    }
    const label = row[labelColumn];
    if (label === '')
      throw new Error(`${name}, line ${lines[i]}, column ${labelColumn + 1} (${columns[labelColumn]}): the label is empty`);
    x.push([Number(row[xColumn]), Number(row[yColumn])]);
    labels.push(label);
  });

  const names = [...new Set(labels)].sort((p, q) => (isNumber(p) && isNumber(q) ? Number(p) - Number(q) : p.localeCompare(q)));
  const labelName = columns[labelColumn];
  if (names.length < 2)
    throw new Error(
      `${name}: every row has the label ${JSON.stringify(names[0])} (${labelName}); a classifier needs at least 2 classes`,
    );
  if (names.length > MAX_CLASSES) {
    throw new Error(
      `${name}: ${names.length} different labels in ${labelName}; this page takes up to ${MAX_CLASSES} classes (is it the label column?)`,
    );
  }
  const index = new Map(names.map((label, k) => [label, k]));
  return {
    label: name,
    x: standardise(x),
    classes: labels.map((label) => index.get(label)!),
    classCount: names.length,
    classNames: names,
  };
}

/** The delimiter that splits the first line (outside quotes) into the most fields; a comma if none does. */
function guessDelimiter(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
  const outsideQuotes = line.replace(/"[^"]*"/g, '');
  const count = (d: string) => outsideQuotes.split(d).length - 1;
  return DELIMITERS.reduce((best, d) => (count(d) > count(best) ? d : best));
}

function isNumber(field: string | undefined): boolean {
  return field !== undefined && field !== '' && Number.isFinite(Number(field));
}

function standardise(x: number[][]): number[][] {
  const scale = [0, 1].map((c) => {
    const mean = x.reduce((sum, row) => sum + row[c], 0) / x.length;
    const sd = Math.sqrt(x.reduce((sum, row) => sum + (row[c] - mean) ** 2, 0) / x.length);
    return { mean, sd: sd > 0 ? sd : 1 };
  });
  return x.map((row) => row.map((v, c) => (v - scale[c].mean) / scale[c].sd));
}
