/**
 * Which columns are features and which the target. Columns are named, never
 * numbered, so a model keeps working on a CSV whose columns come in another
 * order or carry extra columns (an id, the target itself). Decided from the
 * header alone, before the rows are read.
 */
import { columnIndex, type Header } from './csv.js';
import { quote } from './text.js';

/**
 * `--target species` or `--target x,y`. A name that is itself a column
 * (even one with a comma in it) is taken whole before splitting on commas.
 * A list of names (csvDataset's) is taken as it is.
 */
export function splitColumnList(table: Header, text: string | readonly string[]): string[] {
  if (typeof text !== 'string') return [...text];
  if (table.header.includes(text)) return [text];
  return text.split(',').map((name) => name.trim());
}

export function targetIndices(table: Header, text: string | readonly string[]): number[] {
  const indices = splitColumnList(table, text).map((name) => columnIndex(table, name, 'the target'));
  return [...new Set(indices)];
}

/** Columns that are neither features nor targets: --exclude's and the row key, --id's. */
export interface LeftOut {
  exclude?: string | readonly string[];
  id?: string;
}

/** The indices of the columns `leftOut` names, checked not to be targets. */
export function leftOutIndices(table: Header, leftOut: LeftOut, targets: readonly number[]): number[] {
  const excluded =
    leftOut.exclude === undefined
      ? []
      : splitColumnList(table, leftOut.exclude).map((name) => columnIndex(table, name, 'a column to leave out (--exclude)'));
  const id = leftOut.id === undefined ? [] : [columnIndex(table, leftOut.id, 'the id column (--id)')];
  for (const i of [...excluded, ...id]) {
    if (targets.includes(i)) {
      const option = id.includes(i) ? '--id' : '--exclude';
      throw new Error(`column ${quote(table.header[i])} cannot be both the target (--target) and left out (${option})`);
    }
  }
  return [...new Set([...excluded, ...id])];
}

/** The --features columns, or by default every column that is not a target nor left out (leftOutIndices). */
export function featureIndices(
  table: Header,
  text: string | readonly string[] | undefined,
  targets: readonly number[],
  leftOut: readonly number[] = [],
): number[] {
  if (text === undefined) {
    const indices = table.header.map((_, i) => i).filter((i) => !targets.includes(i) && !leftOut.includes(i));
    if (indices.length === 0) {
      throw new Error(
        `${table.file}: there are no feature columns: ${leftOut.length > 0 ? 'every column is the target or left out (--exclude, --id)' : 'the only column is the target'}`,
      );
    }
    return indices;
  }
  const indices = [...new Set(splitColumnList(table, text).map((name) => columnIndex(table, name, 'a feature')))];
  for (const i of indices) {
    if (targets.includes(i))
      throw new Error(`column ${quote(table.header[i])} cannot be both a feature (--features) and the target (--target)`);
    if (leftOut.includes(i))
      throw new Error(`column ${quote(table.header[i])} cannot be both a feature (--features) and left out (--exclude, --id)`);
  }
  return indices;
}

/** The columns named in a model file, looked up in a new CSV. */
export function namedIndices(table: Header, names: readonly string[], role: string): number[] {
  return names.map((name) => columnIndex(table, name, role));
}
