/**
 * User matrices at the door: checked completely before anything changes, then
 * copied once into backend memory. Nothing is coerced: a ragged row, a NaN or
 * a wrong width is an Error naming the argument, the place and the value.
 */
import type { DType, FloatArray } from './backend/backend.js';

/** Rows of numbers, or a flat row-major typed array with its shape. */
export type MatrixInput = number[][] | { data: Float32Array | Float64Array; shape: [number, number] };

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Writes the rows × cols values, row-major, into `target` (exactly that long). */
  copyInto(target: FloatArray): void;
  /**
   * True when the values were not yet checked for NaN and ±Infinity, as asked
   * (checkMatrix's `finiteAfterCopyTo`): the caller checks the copy, and
   * throws nonFiniteError for the first bad value.
   */
  readonly finiteDeferred?: boolean;
}

/**
 * Checks `input` is a finite, rectangular, non-empty matrix; `name` is used in messages.
 * With `finiteAfterCopyTo`, a typed array of exactly that dtype (so its copy is
 * exact) is not scanned for NaN and ±Infinity here: the matrix says
 * finiteDeferred, and the caller checks the copy in backend memory, where a
 * kernel does it several times faster (fit's fixed cost on large data).
 */
export function checkMatrix(name: string, input: unknown, expectedCols?: number, expectedWhat = 'columns',
                            finiteAfterCopyTo?: DType): Matrix {
  const matrix = Array.isArray(input) ? checkRows(name, input) : checkShaped(name, input, finiteAfterCopyTo);
  if (expectedCols !== undefined && matrix.cols !== expectedCols) {
    throw new Error(`${name} has ${matrix.cols} columns, but the network expects ${expectedCols} ${expectedWhat}`);
  }
  return matrix;
}

function checkRows(name: string, rows: unknown[]): Matrix {
  if (rows.length === 0) throw new Error(`${name} is empty: it needs at least one row`);
  const first = rows[0];
  if (!Array.isArray(first)) {
    throw new Error(`${name} must be a 2-D array (rows of numbers), but ${name}[0] is ${describe(first)}` +
      (typeof first === 'number' ? `; for one column, wrap each value: ${name}.map(v => [v])` : ''));
  }
  const cols = first.length;
  if (cols === 0) throw new Error(`${name} has rows with no columns`);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) throw new Error(`${name}[${r}] is ${describe(row)}, expected an array of ${cols} numbers`);
    if (row.length !== cols) {
      throw new Error(`${name} is ragged: row ${r} has ${row.length} columns, row 0 has ${cols}`);
    }
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new Error(`${name}[${r}][${c}] is ${describe(v)}: values must be finite numbers`);
      }
    }
  }
  const data = rows as number[][];
  return {
    rows: data.length,
    cols,
    copyInto(target) {
      for (let r = 0; r < data.length; r++) target.set(data[r], r * cols);
    },
  };
}

function checkShaped(name: string, input: unknown, finiteAfterCopyTo?: DType): Matrix {
  if (typeof input !== 'object' || input === null || !('data' in input) || !('shape' in input)) {
    throw new Error(`${name} must be number[][] or { data: Float32Array | Float64Array, shape: [rows, cols] }, got ${describe(input)}`);
  }
  const { data, shape } = input as { data: unknown; shape: unknown };
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new Error(`${name}.data must be a Float32Array or Float64Array, got ${describe(data)}`);
  }
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${name}.shape must be [rows, cols] with non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const [rows, cols] = shape as [number, number];
  if (rows === 0) throw new Error(`${name} is empty: it needs at least one row`);
  if (cols === 0) throw new Error(`${name} has rows with no columns`);
  if (data.length !== rows * cols) {
    throw new Error(`${name}.data has ${data.length} values, but shape [${rows}, ${cols}] needs ${rows * cols}`);
  }
  const copyInto = (target: FloatArray) => target.set(data);
  if (finiteAfterCopyTo === (data instanceof Float32Array ? 'float32' : 'float64')) {
    return { rows, cols, copyInto, finiteDeferred: true };
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw nonFiniteError(name, i, cols, data[i]);
  }
  return { rows, cols, copyInto };
}

/** The error for a NaN or ±Infinity at flat index `index` of a matrix `cols` wide. */
export function nonFiniteError(name: string, index: number, cols: number, value: number): Error {
  return new Error(`${name}[${Math.floor(index / cols)}][${index % cols}] is ${value}: values must be finite numbers`);
}

export function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `a ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}`;
}
