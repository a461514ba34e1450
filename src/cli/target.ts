/**
 * What the target column means, and its encoding. `train` decides it from
 * the data (and --loss); the decision is saved with the model, so predict and
 * evaluate encode and decode exactly as training did.
 *
 * The rules (README, "Command line"):
 * - an empty target cell is an error (missing data, not a class named "");
 * - a target with any non-numeric value is categorical, but one where more
 *   than half the values are numbers is refused as a likely typo, unless
 *   --loss categoricalCrossentropy or binaryCrossentropy says it is classes;
 * - a numeric target whose values are all integers, with at most
 *   MAX_INTEGER_CLASSES distinct values, is categorical too (labels 0/1,
 *   digits 0-9, ratings 1-5); any other numeric target is a regression;
 * - categorical with 2 classes: one sigmoid output, binaryCrossentropy, the
 *   probability of the second class (as Keras does for binary problems);
 *   with 3 or more: softmax over one output per class, categoricalCrossentropy;
 * - classes are sorted (numerically if they are numbers), so the same data
 *   always gives the same output order;
 * - --loss overrides the guess: meanSquaredError makes a numeric target a
 *   regression, categoricalCrossentropy makes any target categorical with a
 *   softmax (2 classes included), binaryCrossentropy needs exactly 2 classes;
 * - several target columns (--target a,b) are a regression on each.
 */
import type { ActivationName, LossName } from '../index.js';
import { cellPlace, type Row, type Table } from './csv.js';
import { parseNumber } from './cells.js';

/** A numeric target with at most this many distinct integer values is taken as classes. */
export const MAX_INTEGER_CLASSES = 10;

export type CliLoss = 'categoricalCrossentropy' | 'binaryCrossentropy' | 'meanSquaredError';
export const CLI_LOSSES: readonly CliLoss[] = ['categoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError'];

export type Target =
  /** One output per class (softmax), labels one-hot. */
  | { type: 'classes'; column: string; classes: string[]; encoding: 'onehot' }
  /** Two classes, one output (sigmoid): the probability of classes[1]. */
  | { type: 'classes'; column: string; classes: string[]; encoding: 'binary' }
  /** One linear output per column. */
  | { type: 'values'; columns: string[] };

export function targetColumns(target: Target): string[] {
  return target.type === 'classes' ? [target.column] : target.columns;
}

export function outputUnits(target: Target): number {
  if (target.type === 'values') return target.columns.length;
  return target.encoding === 'binary' ? 1 : target.classes.length;
}

export function outputLayer(target: Target): { activation: ActivationName; loss: LossName } {
  if (target.type === 'values') return { activation: 'linear', loss: 'meanSquaredError' };
  return target.encoding === 'binary'
    ? { activation: 'sigmoid', loss: 'binaryCrossentropy' }
    : { activation: 'softmax', loss: 'categoricalCrossentropy' };
}

/** Decides the target of `columns` (indices into the table) from their values and --loss. */
export function chooseTarget(table: Table, columns: readonly number[], loss: CliLoss | undefined): Target {
  const names = columns.map((c) => table.header[c]);
  refuseEmptyCells(table, columns);
  if (columns.length > 1) {
    if (loss !== undefined && loss !== 'meanSquaredError') {
      throw new Error(`--loss ${loss} needs one target column; several (${names.join(', ')}) are a regression (meanSquaredError)`);
    }
    for (const c of columns) firstNonNumeric(table, c, 'several target columns are a regression on each, so they must be numbers');
    return { type: 'values', columns: names };
  }
  const [column] = columns;
  const name = names[0];
  const cells = table.rows.map((row) => row.cells[column]);
  const numbers = cells.map(parseNumber);
  const numeric = numbers.every((v) => v !== undefined);
  if (loss === 'meanSquaredError') {
    firstNonNumeric(table, column, 'a meanSquaredError target must be numbers (leave out --loss to treat the column as classes)');
    return { type: 'values', columns: [name] };
  }
  if (loss === undefined && !numeric) refuseMostlyNumbers(table, column, numbers);
  const looksCategorical = !numeric || isFewIntegers(numbers as number[]);
  if (loss === undefined && !looksCategorical) return { type: 'values', columns: [name] };
  const classes = numeric ? numericClasses(cells, numbers as number[]) : [...new Set(cells)].sort(compareStrings);
  if (classes.length < 2) {
    throw new Error(`${table.file}: column ${JSON.stringify(name)} (the target) has only one value, ${JSON.stringify(classes[0])}: ` +
      'a classifier needs at least 2 classes');
  }
  if (loss === 'binaryCrossentropy' && classes.length !== 2) {
    throw new Error(`--loss binaryCrossentropy needs a target with exactly 2 classes, but column ${JSON.stringify(name)} has ${classes.length}: ${list(classes)}`);
  }
  const encoding = loss === 'categoricalCrossentropy' || classes.length > 2 ? 'onehot' : 'binary';
  return { type: 'classes', column: name, classes, encoding };
}

const EMPTY_CELL = 'the cell is empty; every row needs a target value';

/** An empty target cell is missing data, never a class named "" nor a reason to take numbers as classes. */
function refuseEmptyCells(table: Table, columns: readonly number[]): void {
  for (const row of table.rows) {
    for (const c of columns) if (row.cells[c] === '') throw new Error(`${cellPlace(table, row, c)}: ${EMPTY_CELL}`);
  }
}

/**
 * A column of numbers with a few cells that are not ("1.5", "2.0", "abc")
 * holds a typo or a placeholder ("n/a", "?"), not 3 classes: a column where
 * more than half the cells are numbers but not all is refused, naming the
 * first cell that is not, unless --loss says the column is classes.
 */
function refuseMostlyNumbers(table: Table, column: number, numbers: readonly (number | undefined)[]): void {
  const count = numbers.filter((v) => v !== undefined).length;
  if (count * 2 <= numbers.length) return;
  const row = table.rows[numbers.indexOf(undefined)];
  throw new Error(`${cellPlace(table, row, column)}: ${JSON.stringify(row.cells[column])} is not a number, ` +
    `but ${count} of the column's ${numbers.length} values are: fix the cell, ` +
    'or give --loss categoricalCrossentropy to take the column as classes');
}

/** Beyond 2^53 a double no longer holds every integer: 12345678901234567890 and ...891 are one number. */
function isFewIntegers(values: readonly number[]): boolean {
  return values.every(Number.isSafeInteger) && new Set(values).size <= MAX_INTEGER_CLASSES;
}

/**
 * A numeric column's classes, sorted by value. They are its numbers: "1"
 * and "1.0" are one class, named "1". But an integer beyond 2^53 is not
 * its double (12345678901234567890 and 12345678901234567891 are both
 * 12345678901234567000, a value in no cell): then the classes are the cells
 * as written, ties in value sorted by text.
 */
function numericClasses(cells: readonly string[], numbers: readonly number[]): string[] {
  // Every double beyond 2^53 is an integer.
  if (numbers.every((v) => Math.abs(v) <= Number.MAX_SAFE_INTEGER)) {
    return [...new Set(numbers)].sort((a, b) => a - b).map(String);
  }
  return [...new Set(cells)].sort((a, b) => parseNumber(a)! - parseNumber(b)! || compareStrings(a, b));
}

function compareStrings(a: string, b: string): number {
  // Code-unit order, not locale order: the same on every machine.
  return a < b ? -1 : a > b ? 1 : 0;
}

function list(values: readonly string[]): string {
  const shown = values.slice(0, 12).map((v) => JSON.stringify(v)).join(', ');
  return values.length > 12 ? `${shown}, ... (${values.length} in all)` : shown;
}

/** The error for a target cell that is not a number; `why` says why it must be one. */
function notANumber(table: Table, row: Row, column: number, why: string): Error {
  const cell = row.cells[column];
  return new Error(`${cellPlace(table, row, column)}: ${cell === '' ? EMPTY_CELL : `${JSON.stringify(cell)} is not a number; ${why}`}`);
}

function firstNonNumeric(table: Table, column: number, why: string): void {
  for (const row of table.rows) {
    if (parseNumber(row.cells[column]) === undefined) throw notANumber(table, row, column, why);
  }
}

/**
 * The label rows for the network: one-hot rows, [0 | 1], or the values.
 * `columns` are the table's indices of the target's columns. A class the
 * target does not know, or an empty cell, is an error naming its cell.
 */
export function encodeTarget(target: Target, table: Table, columns: readonly number[]): number[][] {
  if (target.type === 'values') {
    return table.rows.map((row) => columns.map((c) => {
      const value = parseNumber(row.cells[c]);
      if (value === undefined) throw notANumber(table, row, c, "the model's target is a regression, so it must be numbers");
      return value;
    }));
  }
  const [column] = columns;
  // Classes that are numbers as String() writes them match a cell by value ("1.0" is class "1");
  // any other class (12345678901234567890 among them) only a cell that is its text.
  const byValue = target.classes.every((c) => String(Number(c)) === c);
  const index = new Map(target.classes.map((name, i) => [name, i]));
  return table.rows.map((row) => {
    const cell = row.cells[column];
    const value = byValue ? parseNumber(cell) : undefined;
    const key = value !== undefined ? String(value) : cell;
    const k = index.get(key);
    if (k === undefined) {
      throw new Error(`${cellPlace(table, row, column)}: ${cell === '' ? EMPTY_CELL : JSON.stringify(cell)}` +
        `${cell === '' ? ', one of' : ' is not one of'} the model's classes (${list(target.classes)})`);
    }
    if (target.encoding === 'binary') return [k];
    const oneHot = new Array<number>(target.classes.length).fill(0);
    oneHot[k] = 1;
    return oneHot;
  });
}

/** The CSV header predict writes: the target column(s), then a probability per class. */
export function predictionHeader(target: Target): string[] {
  if (target.type === 'values') return target.columns;
  return [target.column, ...target.classes.map((name) => `prob_${name}`)];
}

/** One row of predict's CSV from one row of network outputs. */
export function decodePrediction(target: Target, outputs: ArrayLike<number>): (string | number)[] {
  if (target.type === 'values') return Array.from(outputs);
  const probabilities = target.encoding === 'binary' ? [1 - outputs[0], outputs[0]] : Array.from(outputs);
  let best = 0;
  for (let k = 1; k < probabilities.length; k++) if (probabilities[k] > probabilities[best]) best = k;
  return [target.classes[best], ...probabilities];
}
