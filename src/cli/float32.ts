/**
 * The network's input and label matrices, built from the columns read:
 * row-major Float32Arrays, which fit() and predict() copy as they are. The
 * network computes in float32, whose largest value is about 3.4e38: a
 * feature or target beyond it would reach the library as Infinity, which
 * refuses it with a message about x[1][0] (a 0-based row, no file, no
 * column) and a dtype option the command line does not have. So every value
 * is checked here as it is stored, and a bad one named by its file, line and
 * column.
 */
import { FLOAT32_MAX } from '../checks.js';
import { cellPlace, type RowPlace, type Table } from './csv.js';
import { formatValue } from './format.js';
import type { Numbers } from './growable.js';
import { NumberColumn } from './number-rows.js';
import type { Standardization } from './standardize.js';

/**
 * The matrix of `columns` (table column indices, whose numbers are given in
 * `values`), each standardised with `stats` if given. `advice` says what to
 * do about a value beyond float32 (after standardisation, whose result can
 * exceed the range when the cell does not).
 */
export function float32Matrix(
  table: Table,
  columns: readonly number[],
  values: readonly Numbers[],
  stats: Standardization | undefined,
  advice: string,
): Float32Array {
  const width = columns.length;
  const matrix = new Float32Array(table.rows * width);
  const mean = stats?.mean ?? new Array<number>(width).fill(0);
  const std = stats?.std ?? new Array<number>(width).fill(1);
  // Row by row, as the matrix is laid out; from a CSV's rows themselves where every column is one of theirs.
  const rows = values[0] instanceof NumberColumn ? values[0].rows : undefined;
  const indices = values.map((column) => (column instanceof NumberColumn && column.rows === rows ? column.index : -1));
  const direct = rows !== undefined && !indices.includes(-1);
  for (let r = 0, at = 0; r < table.rows; r++) {
    const chunk = direct ? rows.chunkOf(r) : undefined;
    const offset = direct ? rows.offsetOf(r) : 0;
    for (let k = 0; k < width; k++, at++) {
      const cell = chunk ? chunk[offset + indices[k]] : values[k].get(r);
      const value = stats ? (cell - mean[k]) / std[k] : cell;
      const stored = Math.fround(value);
      // Math.fround, as the network stores it: a hair above FLOAT32_MAX still rounds to it.
      if (!Number.isFinite(stored)) throw new Error(tooLarge(table, r, columns[k], cell, stats && value, advice));
      matrix[at] = stored;
    }
  }
  return matrix;
}

/** The rows `rows` (indices) of a row-major matrix `width` wide. */
export function pickRows(matrix: Float32Array, width: number, rows: ArrayLike<number>): Float32Array {
  const picked = new Float32Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) picked.set(matrix.subarray(rows[i] * width, (rows[i] + 1) * width), i * width);
  return picked;
}

/** The message for a cell beyond float32 (`standardized`, its value after standardisation, if that is what is). */
export function tooLarge(
  place: RowPlace & Pick<Table, 'header'>,
  row: number,
  column: number,
  cell: number,
  standardized: number | undefined,
  advice: string,
): string {
  const what =
    standardized === undefined
      ? `${formatValue(cell)} is`
      : `${formatValue(cell)} is ${formatValue(standardized)} after standardisation:`;
  return `${cellPlace(place, row, column)}: ${what} too large for float32, the network's numbers (at most ±${FLOAT32_MAX}); ${advice}`;
}
