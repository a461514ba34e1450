/**
 * Text out: numbers in lines and CSV cells. Writing CSV is a few lines (a
 * cell is quoted when it holds a comma, quote or line break, RFC 4180), so
 * it needs no library; reading it does (csv.ts).
 */
import { parseNumber } from './cells.js';

/** A CSV line (with its newline) from cells: numbers written as numbers, strings as text (formulaSafe). */
export function csvLine(cells: readonly (string | number)[]): string {
  return `${cells.map(csvCell).join(',')}\n`;
}

function csvCell(cell: string | number): string {
  const text = typeof cell === 'number' ? formatValue(cell) : formulaSafe(cell);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A text cell (a class or column name, from the training data) that a
 * spreadsheet would run as a formula, `=HYPERLINK(...)`, `=cmd|...`, `+`,
 * `-`, `@`, or one starting with a tab or carriage return, gets a leading
 * `'`, as OWASP advises against CSV injection; the quoting comes after. A
 * text that is a plain number ("-1", a class of a numeric column) is left
 * as it is: a spreadsheet reads it as that number, not a formula.
 */
export function formulaSafe(text: string): string {
  const plainNumber = parseNumber(text) !== undefined && text.trim() === text;
  return /^[=+\-@\t\r]/.test(text) && !plainNumber ? `'${text}` : text;
}

/** Seven significant digits, the precision of float32, without trailing zeros. */
export function formatValue(value: number): string {
  return String(Number(value.toPrecision(7)));
}

/**
 * A log line's number: four decimals, as Keras prints, while they show it;
 * beyond, four significant digits in exponential notation (a loss of 1e42
 * as 1.235e+42, not 43 digits; 0.00001234 as 1.234e-5, not 0.0000).
 */
export function formatMetric(value: number): string {
  const size = Math.abs(value);
  return size === 0 || !Number.isFinite(value) || (size >= 1e-3 && size < 1e6) ? value.toFixed(4) : value.toExponential(3);
}

/** `1 row`, `2 rows`; `plural` for a word that does not just add an s. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** `loss 0.1234  acc 0.9500  val_loss ...` from logs. */
export function formatLogs(logs: Record<string, number | undefined>): string {
  return Object.entries(logs)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([name, value]) => `${name} ${formatMetric(value)}`)
    .join('  ');
}
