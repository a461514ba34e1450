/**
 * Missing values, by choice: an empty cell or a marker such as `NA` is an
 * error unless `train --missing` says what to do. `drop` leaves out every
 * row with a missing feature or target; `mean` puts each feature column's
 * mean over the training rows in place of its missing cells, and the means
 * are saved with the model, so predict and evaluate fill the same cells
 * with the same values. A missing target is never filled in.
 */
import type { Numbers } from './growable.js';

export type MissingChoice = 'drop' | 'mean';

/** What the model file keeps: the feature means that fill missing cells. */
export interface Imputation {
  strategy: 'mean';
  /** One per feature, in the model's feature order. */
  values: number[];
}

/** The cells taken as missing (as they read, trimmed): empty, and the markers pandas and R write. */
export const MISSING_MARKERS: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL'];

const MARKERS = new Set(MISSING_MARKERS);

export function isMissing(cell: string): boolean {
  return MARKERS.has(cell.trim());
}

/** The mean of `column` over `rows`, its missing cells (NaN) left out; undefined if every one is missing. */
export function meanOver(column: Numbers, rows: ArrayLike<number>): number | undefined {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    const value = column.get(rows[i]);
    if (!Number.isNaN(value)) {
      sum += value;
      n++;
    }
  }
  return n === 0 ? undefined : sum / n;
}

/** `column` with its missing cells (NaN) read as `value`. */
export function filled(column: Numbers, value: number): Numbers {
  return {
    length: column.length,
    get: (index) => {
      const cell = column.get(index);
      return Number.isNaN(cell) ? value : cell;
    },
  };
}

/** A column whose missing cell leaves its row out (--missing drop): read as a number, or as text (a class). */
export interface DropColumn {
  column: number;
  numeric: boolean;
}

/** Whether the row in `numbers` and `texts` has a missing cell in one of `columns`. */
export function isDropped(columns: readonly DropColumn[], numbers: Float64Array, texts: readonly string[]): boolean {
  for (const { column, numeric } of columns) {
    // A number field's text is kept only when it is not a number.
    if ((!numeric || Number.isNaN(numbers[column])) && isMissing(texts[column])) return true;
  }
  return false;
}
