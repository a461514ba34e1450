/**
 * A categorical network's labels: one-hot rows, or each row's class as an
 * integer instead, given as a flat number[] or a single-column matrix.
 * Indices are checked here and written as one-hot rows when copied into
 * backend memory, so everything downstream sees one form.
 */
import type { DType, FloatArray } from './backend/backend.js';
import { checkMatrix, describe, type Matrix } from './data.js';

/**
 * Labels for `classes` classes as a rows x classes matrix: one-hot (or
 * probability) rows as given, or class indices (a flat array, or a matrix
 * with one column while classes > 1) made one-hot. Throws naming the row and
 * value of any index that is not an integer in [0, classes).
 */
export function categoricalLabels(name: string, input: unknown, classes: number, dtype: DType): Matrix {
  let indices: ArrayLike<number>;
  let at: (row: number) => string;
  if (Array.isArray(input) && input.length > 0 && !Array.isArray(input[0])) {
    indices = input as number[];
    at = (row) => `${name}[${row}]`;
  } else {
    const matrix = checkMatrix(name, input, { dtype });
    if (matrix.cols === classes) return matrix;
    if (matrix.cols !== 1) {
      throw new Error(`${name} has ${matrix.cols} columns, but the network expects ${classes} outputs (or one column of class indices)`);
    }
    const column = new Float64Array(matrix.rows);
    matrix.copyInto(column);
    indices = column;
    at = (row) => `${name}[${row}][0]`;
  }
  for (let row = 0; row < indices.length; row++) {
    const index = indices[row];
    if (!(typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < classes)) {
      throw new Error(`${at(row)} is ${describe(index)}: class indices must be integers in [0, ${classes}) ` +
        `(or give one-hot rows of ${classes} columns)`);
    }
  }
  return {
    rows: indices.length,
    cols: classes,
    copyInto(target: FloatArray) {
      target.fill(0);
      for (let row = 0; row < indices.length; row++) target[row * classes + indices[row]] = 1;
    },
  };
}
