/**
 * User matrices at the door: each row and each value read once, and checked
 * as it is copied (or in the copy), so what reaches backend memory is what
 * was checked however a proxy or getter answers. The copy goes to memory of
 * the caller's own (a fresh block, a staging array), never to a network's
 * parameters until every value is in. Nothing is coerced: a ragged row, a
 * NaN or a wrong width, or a value the network's dtype cannot hold, is an
 * Error naming the argument, the place and the value.
 */
import type { DType, FloatArray } from './backend/backend.js';
import { checkOnlyKeys, describeValue, FLOAT32_MAX, typedArrayLength, typedArrayTag } from './checks.js';

/**
 * A matrix as the network methods take it: rows of numbers, or a flat
 * row-major typed array with its shape `[rows, cols]`.
 *
 * @remarks
 * Each value is checked as it is copied in: a ragged row, a wrong width, a
 * value that is not a finite number, or one that the network's dtype cannot
 * hold, is an Error naming the argument, the place and the value. Nothing is
 * coerced.
 *
 * @example
 * The same 3 x 2 matrix both ways:
 * ```ts
 * const rows: MatrixInput = [[0, 1], [2, 3], [4, 5]];
 * const flat: MatrixInput = { data: new Float32Array([0, 1, 2, 3, 4, 5]), shape: [3, 2] };
 * ```
 */
export type MatrixInput =
  | number[][]
  | {
      /** The values, row after row. */
      data: Float32Array | Float64Array;
      /** Rows and columns; their product is the data's length. */
      shape: [number, number];
    };

/**
 * Labels as fit() and evaluate() take them: a {@link MatrixInput} with one
 * column per output (one output's labels are still rows: `[[0], [1]]`), or
 * for categoricalCrossentropy a flat array of class indices.
 *
 * @example
 * Three rows of a 3-class problem, as one-hot rows or as class indices:
 * ```ts
 * const oneHot: LabelInput = [[1, 0, 0], [0, 0, 1], [0, 1, 0]];
 * const indices: LabelInput = [0, 2, 1];
 * ```
 */
export type LabelInput = MatrixInput | number[];

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /**
   * Writes the rows × cols values, row-major, into `target` (exactly that
   * long). A matrix from readMatrix() checks its values as it copies them
   * and throws on the first bad one, `target` then partly written: copy it
   * only into memory that is the caller's own until the copy succeeds.
   */
  copyInto(target: FloatArray): void;
  /**
   * True when the values were not yet checked for NaN and ±Infinity, as asked
   * (MatrixCheck's `deferFinite`): the caller checks the copy, and
   * throws nonFiniteError for the first bad value.
   */
  readonly finiteDeferred?: boolean;
}

export interface MatrixCheck {
  /**
   * The dtype the values will be copied into: each must be finite there too
   * (1e39 is a finite double but Infinity as a float32).
   */
  dtype: DType;
  /** The number of columns expected, and what they are called in the message ('inputs', 'outputs'). */
  cols?: number;
  what?: string;
  /**
   * Leave the NaN / ±Infinity scan of a typed array of exactly `dtype` (so
   * its copy is exact) to the caller: the matrix says finiteDeferred, and
   * the caller checks the copy in backend memory, where a kernel does it
   * several times faster (fit's fixed cost on large data).
   */
  deferFinite?: boolean;
}

/**
 * Checks `input` is a finite, rectangular, non-empty matrix, values
 * included; `name` is used in messages. Each value is read once, into a
 * copy of `check.dtype` that copyInto() writes out (it never throws).
 */
export function checkMatrix(name: string, input: unknown, check: MatrixCheck): Matrix {
  return staged(readMatrix(name, input, { ...check, deferFinite: false }), check.dtype);
}

/**
 * Checks `input`'s shape (and `check.cols`) now, allocating nothing in
 * proportion to it; rows of numbers have their values checked as
 * copyInto() copies them. Each row and each value is read once: a proxy or
 * getter that answers differently on a second read gets no second read,
 * and what is copied is what was checked.
 */
export function readMatrix(name: string, input: unknown, check: MatrixCheck): Matrix {
  const matrix = Array.isArray(input) ? readRows(name, input, check.dtype) : checkShaped(name, input, check);
  if (check.cols !== undefined && matrix.cols !== check.cols) {
    throw new Error(`${name} has ${matrix.cols} columns, but the network expects ${check.cols} ${check.what ?? 'columns'}`);
  }
  return matrix;
}

/** `matrix` (not finiteDeferred) copied, so checked, values included, into a typed array of `dtype`, which copyInto() then writes from. */
export function staged(matrix: Matrix, dtype: DType): Matrix {
  const values = dtype === 'float32' ? new Float32Array(matrix.rows * matrix.cols) : new Float64Array(matrix.rows * matrix.cols);
  matrix.copyInto(values);
  return { rows: matrix.rows, cols: matrix.cols, copyInto: (target) => target.set(values) };
}

/**
 * Checks `input` is a non-empty array of finite numbers, as one row; with
 * `length`, exactly that many. The length is judged before any element is
 * read (a sparse array may declare 2^32 - 1), and each element is read
 * once, into the copy returned.
 */
export function checkVector(name: string, input: unknown, dtype: DType, length?: number): Matrix {
  if (!Array.isArray(input) || input.length === 0) {
    throw new Error(`${name} must be a non-empty array of numbers, got ${describeValue(input)}`);
  }
  const count = arrayLength(name, input);
  if (length !== undefined && count !== length) throw new Error(`${name} has ${count} values, expected ${length}`);
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = element(name, input, i);
    checkValue(name, `[${i}]`, v, dtype);
    values.push(v as number);
  }
  return { rows: 1, cols: values.length, copyInto: (target) => target.set(values) };
}

/**
 * list[i], or an Error if it is a hole: a hole reads as undefined, which a
 * later check would report as a value the caller never wrote.
 */
export function element(name: string, list: readonly unknown[], i: number): unknown {
  checkPresent(name, list, i);
  return list[i];
}

/** Throws if list[i] is a hole; for the failure paths of loops that read elements directly. */
export function checkPresent(name: string, list: readonly unknown[], i: number): void {
  if (!(i in list)) throw new Error(`${name}[${i}] is missing (a hole in the array)`);
}

/**
 * The length of a list the library walks element by element (layers,
 * callbacks), at most `max`: refused on its declared length alone, before
 * any element is read, so a sparse array of length 2^32 - 1 costs nothing.
 */
export function listLength(name: string, list: readonly unknown[], max: number): number {
  const length = arrayLength(name, list);
  if (length > max) throw new Error(`${name} has ${length} elements, more than the ${max} allowed`);
  return length;
}

/** The most elements an array has. */
const MAX_ARRAY_LENGTH = 2 ** 32 - 1;

/**
 * list.length, read once, and what a real array's length is: an integer
 * from 0 to 2^32 - 1. A proxy's length can be anything (a Symbol, a string,
 * -1), which loops and arithmetic would otherwise take as they found it.
 */
export function arrayLength(name: string, list: readonly unknown[]): number {
  const length: unknown = list.length;
  if (isArrayLength(length)) return length;
  throw new Error(`${name} has a length of ${describeValue(length)}, which no array has`);
}

function isArrayLength(length: unknown): length is number {
  return typeof length === 'number' && Number.isInteger(length) && length >= 0 && length <= MAX_ARRAY_LENGTH;
}

/** Checks one value is a finite number that `dtype` holds; `name` and `place` say where it is. */
export function checkValue(name: string, place: string, v: unknown, dtype: DType): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new Error(`${name}${place} is ${describeValue(v)}: values must be finite numbers`);
  }
  if (dtype === 'float32' && !Number.isFinite(Math.fround(v))) throw tooLargeError(`${name}${place}`, v);
}

function tooLargeError(place: string, value: number): Error {
  return new Error(
    `${place} is ${value}: too large for float32 (at most ±${FLOAT32_MAX}); scale the data, or use dtype 'float64'`,
  );
}

/**
 * Rows of numbers: each row read once here and its length checked; its
 * values are read once each, and checked, as copyInto() writes them.
 */
function readRows(name: string, rows: unknown[], dtype: DType): Matrix {
  const count = arrayLength(name, rows);
  if (count === 0) throw new Error(`${name} is empty: it needs at least one row`);
  const first = rows[0];
  if (!Array.isArray(first)) {
    checkPresent(name, rows, 0);
    throw new Error(
      `${name} must be a 2-D array (rows of numbers), but ${name}[0] is ${describeValue(first)}` +
        (typeof first === 'number' ? `; for one column, wrap each value: ${name}.map(v => [v])` : ''),
    );
  }
  const cols = arrayLength(`${name}[0]`, first);
  if (cols === 0) throw new Error(`${name} has rows with no columns`);
  // The rows as read, so the copy reads no row twice (a second read may answer otherwise).
  const read: unknown[][] = [first];
  for (let r = 1; r < count; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) {
      checkPresent(name, rows, r);
      throw new Error(`${name}[${r}] is ${describeValue(row)}, expected an array of ${cols} numbers`);
    }
    const length = arrayLength(`${name}[${r}]`, row);
    if (length !== cols) throw new Error(`${name} is ragged: row ${r} has ${length} columns, row 0 has ${cols}`);
    read.push(row);
  }
  return { rows: count, cols, copyInto: (target) => copyRows(name, read, cols, dtype, target) };
}

/**
 * Copies rows into `target`, reading each value once and checking it before
 * it is written; throws naming the first bad one. A value a row no longer
 * has (a getter shortened it) reads as undefined, and is refused.
 */
function copyRows(name: string, rows: readonly unknown[][], cols: number, dtype: DType, target: FloatArray): void {
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r],
      offset = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      // Values that fit any dtype pass one test; checkValue judges the rest.
      if (typeof v !== 'number' || !(Math.abs(v) <= FLOAT32_MAX)) {
        if (v === undefined) checkPresent(`${name}[${r}]`, row, c);
        checkValue(name, `[${r}][${c}]`, v, dtype);
      }
      target[offset + c] = v as number;
    }
  }
}

function checkShaped(name: string, input: unknown, check: MatrixCheck): Matrix {
  if (typeof input !== 'object' || input === null || !('data' in input) || !('shape' in input)) {
    throw new Error(
      `${name} must be number[][] or { data: Float32Array | Float64Array, shape: [rows, cols] }, got ${describeValue(input)}`,
    );
  }
  checkOnlyKeys(name, input, ['data', 'shape']);
  const { data: given, shape } = input as { data: unknown; shape: unknown };
  // The array's own kind, which a proxy posing as one (its reads the caller's code) does not have.
  const kind = ArrayBuffer.isView(given) ? typedArrayTag.call(given) : undefined;
  if (kind !== 'Float32Array' && kind !== 'Float64Array') {
    throw new Error(`${name}.data must be a Float32Array or Float64Array, got ${describeValue(given)}`);
  }
  const data = given as FloatArray;
  // Each dimension read once: a second read of a proxy's may answer otherwise ([-4, -2] still has 8 values).
  const dims = Array.isArray(shape) && (shape.length as unknown) === 2 ? [shape[0] as unknown, shape[1] as unknown] : undefined;
  if (!dims?.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new Error(`${name}.shape must be [rows, cols] with non-negative integers, got ${describeShape(shape)}`);
  }
  const [rows, cols] = dims as [number, number];
  if (rows === 0) throw new Error(`${name} is empty: it needs at least one row`);
  if (cols === 0) throw new Error(`${name} has rows with no columns`);
  // The array's own length: an own `length` property defined on it can say anything.
  const length = typedArrayLength.call(data) as number;
  if (length !== rows * cols) {
    throw new Error(`${name}.data has ${length} values, but shape [${rows}, ${cols}] needs ${rows * cols}`);
  }
  const copyInto = (target: FloatArray) => target.set(data);
  const exact = check.dtype === (kind === 'Float32Array' ? 'float32' : 'float64');
  if (exact && check.deferFinite) return { rows, cols, copyInto, finiteDeferred: true };
  // The copy is checked, not the data before it: the data is read once (another
  // thread may write a SharedArrayBuffer's values between two reads).
  return {
    rows,
    cols,
    copyInto(target) {
      target.set(data);
      checkCopy(name, data, target, cols);
    },
  };
}

/**
 * Throws for the first value of `copy` that is not finite, naming it by
 * `data`'s value: a finite double that became ±Infinity as a float32 is too
 * large for float32, anything else NaN or ±Infinity as given.
 */
function checkCopy(name: string, data: FloatArray, copy: FloatArray, cols: number): void {
  for (let i = 0; i < copy.length; i++) {
    const v = copy[i];
    if (!(Math.abs(v) <= Number.MAX_VALUE)) {
      const given = data[i];
      if (Number.isFinite(given)) throw tooLargeError(`${name}[${Math.floor(i / cols)}][${i % cols}]`, given);
      throw nonFiniteError(name, i, cols, v);
    }
  }
}

/** The error for a NaN or ±Infinity at flat index `index` of a matrix `cols` wide. */
export function nonFiniteError(name: string, index: number, cols: number, value: number): Error {
  return new Error(`${name}[${Math.floor(index / cols)}][${index % cols}] is ${value}: values must be finite numbers`);
}

/** A shape as given: short arrays of numbers in full, anything else described. */
function describeShape(shape: unknown): string {
  if (Array.isArray(shape)) {
    // Its length read once, and checked: a proxy's may be a Symbol, which `<=` would throw on.
    const length: unknown = shape.length;
    const dims = isArrayLength(length) && length <= 4 ? Array.from({ length }, (_, i) => shape[i] as unknown) : undefined;
    if (dims?.every((d) => typeof d === 'number')) return `[${dims.join(', ')}]`;
  }
  return describeValue(shape);
}
