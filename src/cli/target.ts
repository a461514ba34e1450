/**
 * What the target column means, and its encoding. `train` decides it from
 * the data (and --loss); the decision is saved with the model, so predict and
 * evaluate encode and decode exactly as training did.
 *
 * The rules (docs/cli.md, "How the target is read"):
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
 * - several target columns (--target a,b) are a regression on each;
 * - more than MAX_CLASSES classes, or more than half the rows (of 100 or
 *   more), is refused as not classes.
 */
import type { ActivationName, LabelInput, LossName } from '../index.js';
import { parseNumber } from './cells.js';
import { type ColumnRead, cellPlace, type Header, type Table } from './csv.js';
import { float32Matrix, pickRows } from './float32.js';
import { count } from './format.js';
import type { MissingChoice } from './missing.js';
import { MAX_CLASSES, type TargetCells } from './target-cells.js';
import { quote, quoteList } from './text.js';

/** A numeric target with at most this many distinct integer values is taken as classes. */
export const MAX_INTEGER_CLASSES = 10;

export type CliLoss = 'categoricalCrossentropy' | 'binaryCrossentropy' | 'meanSquaredError';
export const CLI_LOSSES: readonly CliLoss[] = ['categoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError'];

/** --task: what the target is, said plainly rather than guessed from its values or implied by --loss. */
export type Task = 'classification' | 'regression';
export const TASKS: readonly Task[] = ['classification', 'regression'];

/** Refuses a --task that --loss or several target columns contradict. */
export function checkTask(task: Task | undefined, loss: CliLoss | undefined, columns: number): void {
  if (task === 'classification' && loss === 'meanSquaredError')
    throw new Error('--task classification contradicts --loss meanSquaredError (a regression); give one of them');
  if (task === 'regression' && loss !== undefined && loss !== 'meanSquaredError')
    throw new Error(`--task regression contradicts --loss ${loss} (classes); give one of them`);
  if (task === 'classification' && columns > 1)
    throw new Error('--task classification needs one target column; several are a regression on each');
}

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

/** The message for an empty target cell: missing data, never a class named "" nor a reason to take numbers as classes. */
const EMPTY_CELL = 'the cell is empty; every row needs a target value';

/**
 * How `train` reads the target columns: as numbers where the options already
 * make it a regression (several columns, --loss meanSquaredError), as cells
 * otherwise, for chooseTarget to decide. Refuses what the header alone shows
 * cannot work, before any row is read.
 */
export function targetReads(header: Header, columns: readonly number[], loss: CliLoss | undefined, task?: Task): ColumnRead[] {
  checkTask(task, loss, columns.length);
  if (columns.length > 1) {
    if (loss !== undefined && loss !== 'meanSquaredError') {
      throw new Error(
        `--loss ${loss} needs one target column; several (${quoteList(columns.map((c) => header.header[c]))}) are a regression (meanSquaredError)`,
      );
    }
    return numberReads(columns, 'several target columns are a regression on each, so they must be numbers');
  }
  if (loss === 'meanSquaredError') {
    return numberReads(columns, 'a meanSquaredError target must be numbers (leave out --loss to treat the column as classes)');
  }
  if (task === 'regression') {
    return numberReads(
      columns,
      'a regression target must be numbers (give --task classification to treat the column as classes)',
    );
  }
  return [{ kind: 'cells', column: columns[0], empty: EMPTY_CELL }];
}

/**
 * What a training file is read for: its features as numbers, then its
 * target as targetReads says. With train --missing, a missing feature cell
 * is let through to be filled in ('mean'), or a missing feature or target
 * cell leaves its row out ('drop').
 */
export function trainingReads(
  header: Header,
  features: readonly number[],
  targets: readonly number[],
  options: { loss?: CliLoss; task?: Task; missing?: MissingChoice },
): ColumnRead[] {
  const drop = options.missing === 'drop';
  const missing = drop ? 'drop' : options.missing === 'mean' ? 'fill' : undefined;
  const reads = targetReads(header, targets, options.loss, options.task);
  return [
    ...features.map((column): ColumnRead => ({ kind: 'number', column, why: 'features must be numbers', missing })),
    ...(drop ? reads.map((read) => ({ ...read, missing: 'drop' as const })) : reads),
  ];
}

/** How `evaluate` reads the target columns of a model's target. */
export function modelTargetReads(target: Target, columns: readonly number[]): ColumnRead[] {
  return target.type === 'values'
    ? numberReads(columns, "the model's target is a regression, so it must be numbers")
    : [{ kind: 'cells', column: columns[0], empty: `${EMPTY_CELL}, one of the model's classes (${quoteList(target.classes)})` }];
}

function numberReads(columns: readonly number[], why: string): ColumnRead[] {
  return columns.map((column) => ({ kind: 'number', column, why, empty: EMPTY_CELL }));
}

/** Decides the target of `columns` (indices into the table, read as targetReads says) from their values, --loss and --task. */
export function chooseTarget(table: Table, columns: readonly number[], loss: CliLoss | undefined, task?: Task): Target {
  const names = columns.map((c) => table.header[c]);
  if (columns.length > 1 || loss === 'meanSquaredError' || task === 'regression') return { type: 'values', columns: names };
  const guess = loss === undefined && task === undefined;
  const [column] = columns;
  const name = names[0];
  const cells = table.cells.get(column)!;
  const numeric = cells.numeric === table.rows;
  if (guess && !numeric) refuseMostlyNumbers(table, column, cells);
  const looksCategorical = !numeric || isFewIntegers(cells);
  if (guess && !looksCategorical) return { type: 'values', columns: [name] };
  refuseTooManyClasses(table, column, cells, numeric);
  const distinct = cells.distinct!;
  const classes = numeric ? numericClasses(distinct) : [...distinct].sort(compareStrings);
  if (classes.length < 2) {
    throw new Error(
      `${table.file}: column ${quote(name)} (the target) has only one value, ${quote(classes[0])}: ` +
        'a classifier needs at least 2 classes',
    );
  }
  if (loss === 'binaryCrossentropy' && classes.length !== 2) {
    throw new Error(
      `--loss binaryCrossentropy needs a target with exactly 2 classes, but column ${quote(name)} has ${classes.length}: ${quoteList(classes)}`,
    );
  }
  const encoding = loss === 'categoricalCrossentropy' || classes.length > 2 ? 'onehot' : 'binary';
  return { type: 'classes', column: name, classes, encoding };
}

/**
 * A column of numbers with a few cells that are not ("1.5", "2.0", "abc")
 * holds a typo or a placeholder ("n/a", "?"), not 3 classes: a column where
 * more than half the cells are numbers but not all is refused, naming the
 * first cell that is not, unless --loss says the column is classes.
 */
function refuseMostlyNumbers(table: Table, column: number, cells: TargetCells): void {
  if (cells.numeric * 2 <= table.rows || cells.firstText === undefined) return;
  const { row, cell } = cells.firstText;
  throw new Error(
    `${cellPlace(table, row, column)}: ${quote(cell)} is not a number, ` +
      `but ${cells.numeric} of the column's ${table.rows} values are: fix the cell, ` +
      'or give --loss categoricalCrossentropy to take the column as classes',
  );
}

/** Below this many rows, a class for most rows can still be a small data set's honest classes. */
const FEW_ROWS = 100;

/**
 * More than MAX_CLASSES classes, or (on enough rows to tell) more classes
 * than half the rows, is a column of ids, free text or measurements, not
 * classes: refused before the one-hot labels and an output per class are
 * built (30,000 of them exhausted the memory).
 */
function refuseTooManyClasses(table: Table, column: number, cells: TargetCells, numeric: boolean): void {
  const classes = cells.distinct?.length;
  if (classes !== undefined && classes <= MAX_CLASSES && (table.rows < FEW_ROWS || classes * 2 <= table.rows)) return;
  const many = classes === undefined ? `more than ${MAX_CLASSES}` : String(classes);
  const advice = numeric
    ? 'for a regression on its values, give --loss meanSquaredError'
    : 'is it an id or free text? choose the column to predict with --target';
  throw new Error(
    `${table.file}: column ${quote(table.header[column])} (the target) has ${many} distinct values in ${count(table.rows, 'row')}: ` +
      `too many to be classes (at most ${MAX_CLASSES}, and at most half the rows); ${advice}`,
  );
}

/** Beyond 2^53 a double no longer holds every integer: 12345678901234567890 and ...891 are one number. */
function isFewIntegers(cells: TargetCells): boolean {
  if (cells.distinct === undefined) return false;
  const values = cells.distinct.map((cell) => parseNumber(cell)!);
  return values.every(Number.isSafeInteger) && new Set(values).size <= MAX_INTEGER_CLASSES;
}

/**
 * A numeric column's classes, sorted by value. They are its numbers: "1"
 * and "1.0" are one class, named "1". But an integer beyond 2^53 is not
 * its double (12345678901234567890 and 12345678901234567891 are both
 * 12345678901234567000, a value in no cell): then the classes are the cells
 * as written, ties in value sorted by text.
 */
function numericClasses(cells: readonly string[]): string[] {
  const numbers = cells.map((cell) => parseNumber(cell)!);
  // Every double beyond 2^53 is an integer.
  if (numbers.every((v) => Math.abs(v) <= Number.MAX_SAFE_INTEGER)) {
    return [...new Set(numbers)].sort((a, b) => a - b).map(String);
  }
  return [...cells].sort((a, b) => parseNumber(a)! - parseNumber(b)! || compareStrings(a, b));
}

function compareStrings(a: string, b: string): number {
  // Code-unit order, not locale order: the same on every machine.
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The network's labels: a row-major matrix `cols` wide (the values, or for
 * one sigmoid output 0 | 1), or for a softmax the class index of each row
 * (`indices`), which fit() one-hot encodes a batch at a time.
 */
export interface Labels {
  data: Float32Array;
  cols: number;
  indices: boolean;
}

/** Labels as fit() and evaluate() take them; `rows` picks some (row indices), in that order. */
export function networkLabels(labels: Labels, rows?: Int32Array): LabelInput {
  const data = rows ? pickRows(labels.data, labels.cols, rows) : labels.data;
  return labels.indices ? Array.from(data) : { data, shape: [data.length / labels.cols, labels.cols] };
}

/**
 * The labels for the network. `columns` are the table's indices of the
 * target's columns, read as targetReads or modelTargetReads say. A class the
 * target does not know is an error naming its cell.
 */
export function encodeTarget(target: Target, table: Table, columns: readonly number[]): Labels {
  if (target.type === 'values') {
    const values = columns.map((c) => table.numbers.get(c) ?? table.cells.get(c)!.numbers);
    const data = float32Matrix(table, columns, values, undefined, 'scale the column (targets are not standardised)');
    return { data, cols: columns.length, indices: false };
  }
  const [column] = columns;
  const cells = table.cells.get(column)!;
  const { distinct, codes } = cells;
  if (distinct === undefined || codes === undefined) {
    throw new Error(
      `${table.file}: column ${quote(table.header[column])} has more than ${MAX_CLASSES} distinct values, ` +
        `but the model knows ${count(target.classes.length, 'class', 'classes')} (${quoteList(target.classes)})`,
    );
  }
  const classOf = distinct.map(classLookup(target));
  const data = new Float32Array(table.rows);
  for (let r = 0; r < table.rows; r++) {
    const k = classOf[codes.get(r)];
    if (k < 0) {
      throw new Error(
        `${cellPlace(table, r, column)}: ${quote(distinct[codes.get(r)])} is not one of the model's classes (${quoteList(target.classes)})`,
      );
    }
    data[r] = k;
  }
  return { data, cols: 1, indices: target.encoding === 'onehot' };
}

/**
 * A cell's class index among the target's classes, or -1. Classes that are
 * numbers as String() writes them match a cell by value ("1.0" is class
 * "1"); any other class (12345678901234567890 among them) only a cell that
 * is its text.
 */
export function classLookup(target: Extract<Target, { type: 'classes' }>): (cell: string) => number {
  const byValue = target.classes.every((c) => String(Number(c)) === c);
  const index = new Map(target.classes.map((name, i) => [name, i]));
  // Each text looked up once: a streamed file's cells repeat a few texts over millions of rows.
  const known = new Map<string, number>();
  return (cell) => {
    let k = known.get(cell);
    if (k === undefined) {
      const value = byValue ? parseNumber(cell) : undefined;
      k = index.get(value !== undefined ? String(value) : cell) ?? -1;
      if (known.size < 4 * MAX_CLASSES) known.set(cell, k);
    }
    return k;
  };
}

/** The CSV header predict writes: the target column(s), then a probability per class. */
export function predictionHeader(target: Target): string[] {
  if (target.type === 'values') return target.columns;
  return [target.column, ...target.classes.map((name) => `prob_${name}`)];
}

/**
 * The index of the largest output, the first of equals; one sigmoid output
 * is the probability of class 1, so class 1 only above 0.5 (as
 * binaryAccuracy counts it).
 */
export function predictedClass(outputs: ArrayLike<number>, at: number, units: number): number {
  if (units === 1) return outputs[at] > 1 - outputs[at] ? 1 : 0;
  let best = 0;
  for (let k = 1; k < units; k++) if (outputs[at + k] > outputs[at + best]) best = k;
  return best;
}

/** One row of predict's CSV from one row of network outputs. */
export function decodePrediction(target: Target, outputs: ArrayLike<number>): (string | number)[] {
  if (target.type === 'values') return Array.from(outputs);
  const probabilities = target.encoding === 'binary' ? [1 - outputs[0], outputs[0]] : Array.from(outputs);
  return [target.classes[predictedClass(outputs, 0, outputs.length)], ...probabilities];
}

/** The line saying whether the target is classes or values, and why: what was given, or the guess and how to override it. */
export function describeTask(target: Target, loss: CliLoss | undefined, task: Task | undefined): string {
  const kind = target.type === 'values' ? 'regression' : 'classification';
  if (task !== undefined) return `Task: ${kind} (--task ${task})\n`;
  if (loss !== undefined) return `Task: ${kind} (--loss ${loss})\n`;
  if (target.type === 'values') {
    if (target.columns.length > 1) return `Task: regression (${target.columns.length} target columns, a regression on each)\n`;
    return (
      `Task: regression, guessed: ${quote(target.columns[0])} holds numbers, not up to ${MAX_INTEGER_CLASSES} distinct integers; ` +
      'give --task classification to take its values as classes\n'
    );
  }
  const numeric = target.classes.every((name) => parseNumber(name) !== undefined);
  if (!numeric) return `Task: classification: ${quote(target.column)} holds text\n`;
  return (
    `Task: classification, guessed: ${quote(target.column)} holds ${target.classes.length} distinct integers ` +
    `(up to ${MAX_INTEGER_CLASSES} are taken as classes); give --task regression to predict it as a number\n`
  );
}
