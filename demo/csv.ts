/**
 * A CSV dropped on the page: two numeric feature columns and a label
 * column, an optional header row. Anything else is refused with a message
 * that says what was found. Features are standardised (mean 0, standard
 * deviation 1) so that any units train with the same settings.
 */
import type { Dataset } from './datasets.js';

const MAX_ROWS = 20_000;
const MAX_CLASSES = 8;

export function parseCsv(name: string, text: string): Dataset {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length === 0) throw new Error(`${name} is empty`);
  const delimiter = [',', ';', '\t'].find((d) => lines[0].includes(d));
  if (!delimiter) throw new Error(`${name}: expected 3 columns separated by commas, semicolons or tabs (x1, x2, label); the first line has one`);
  const rows = lines.map((line) => line.split(delimiter).map((field) => field.trim().replace(/^"(.*)"$/, '$1')));
  // A header is a first row whose features are not numbers.
  const hasHeader = !isNumber(rows[0][0]) || !isNumber(rows[0][1]);
  const body = hasHeader ? rows.slice(1) : rows;
  if (body.length < 2) throw new Error(`${name}: needs at least 2 rows of data, found ${body.length}`);
  if (body.length > MAX_ROWS) throw new Error(`${name}: ${body.length} rows is more than this page draws well (${MAX_ROWS})`);

  const x: number[][] = [];
  const labels: string[] = [];
  body.forEach((fields, i) => {
    const line = i + 1 + (hasHeader ? 1 : 0);
    if (fields.length !== 3) {
      throw new Error(`${name}, line ${line}: expected 3 columns (x1, x2, label), found ${fields.length}`);
    }
    const [a, b, label] = fields;
    for (const value of [a, b]) {
      if (!isNumber(value)) throw new Error(`${name}, line ${line}: the feature ${JSON.stringify(value)} is not a number`);
    }
    if (label === '') throw new Error(`${name}, line ${line}: the label is empty`);
    x.push([Number(a), Number(b)]);
    labels.push(label);
  });

  const names = [...new Set(labels)].sort((p, q) => (isNumber(p) && isNumber(q) ? Number(p) - Number(q) : p.localeCompare(q)));
  if (names.length < 2) throw new Error(`${name}: every row has the label ${JSON.stringify(names[0])}; a classifier needs at least 2 classes`);
  if (names.length > MAX_CLASSES) {
    throw new Error(`${name}: ${names.length} different labels; this page takes up to ${MAX_CLASSES} classes (is the label the third column?)`);
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
