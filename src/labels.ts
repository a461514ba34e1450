/**
 * A categorical network's labels: one-hot rows, or each row's class as an
 * integer instead, given as a flat number[] or a single-column matrix.
 * Indices are checked here and written as one-hot rows when copied into
 * backend memory, so everything downstream sees one form.
 */
import type { DType, FloatArray } from './backend/backend.js';
import { describeValue } from './checks.js';
import { arrayLength, element, type Matrix, readMatrix } from './data.js';

/**
 * Labels for `classes` classes as a rows x classes matrix: one-hot (or
 * probability) rows as given, or class indices (a flat array, or a matrix
 * with one column while classes > 1) made one-hot. Throws naming the row and
 * value of any index that is not an integer in [0, classes). Each element
 * of `input` is read once: the first decides whether it holds rows or indices.
 */
export function categoricalLabels(name: string, input: unknown, classes: number, dtype: DType): Matrix {
  if (!Array.isArray(input)) return rowsOrColumn(name, readMatrix(name, input, { dtype }), classes);
  const count = arrayLength(name, input);
  if (count === 0) return readMatrix(name, [], { dtype }); // refused, as empty (its length is not read again)
  const first = element(name, input, 0);
  if (!Array.isArray(first)) return flatIndices(name, input, count, first, classes);
  // The rows as read here, for readMatrix to check (it never reads `input` itself again).
  const rows: unknown[] = [first];
  for (let row = 1; row < count; row++) rows.push(element(name, input, row));
  return rowsOrColumn(name, readMatrix(name, rows, { dtype }), classes);
}

/** A flat array of class indices, its first element already read. */
function flatIndices(name: string, input: readonly unknown[], count: number, first: unknown, classes: number): Matrix {
  const indices: number[] = [];
  for (let row = 0; row < count; row++) {
    indices.push(checkIndex(`${name}[${row}]`, row === 0 ? first : element(name, input, row), classes));
  }
  return oneHot(indices, classes);
}

/** One-hot (or probability) rows as they are, or one column of class indices made one-hot. */
function rowsOrColumn(name: string, matrix: Matrix, classes: number): Matrix {
  if (matrix.cols === classes) return matrix;
  if (matrix.cols !== 1) {
    throw new Error(
      `${name} has ${matrix.cols} columns, but the network expects ${classes} outputs (or one column of class indices)`,
    );
  }
  const column = new Float64Array(matrix.rows);
  matrix.copyInto(column);
  const indices: number[] = [];
  for (let row = 0; row < column.length; row++) indices.push(checkIndex(`${name}[${row}][0]`, column[row], classes));
  return oneHot(indices, classes);
}

function checkIndex(place: string, index: unknown, classes: number): number {
  if (!(typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < classes)) {
    throw new Error(
      `${place} is ${describeValue(index)}: class indices must be integers in [0, ${classes}) ` +
        `(or give one-hot rows of ${classes} columns)`,
    );
  }
  return index;
}

/** Checked class indices, written as one-hot rows when copied. */
function oneHot(indices: readonly number[], classes: number): Matrix {
  return {
    rows: indices.length,
    cols: classes,
    copyInto(target: FloatArray) {
      target.fill(0);
      for (let row = 0; row < indices.length; row++) target[row * classes + indices[row]] = 1;
    },
  };
}
