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

/** The --features columns, or by default every column that is not a target. */
export function featureIndices(
  table: Header,
  text: string | readonly string[] | undefined,
  targets: readonly number[],
): number[] {
  if (text === undefined) {
    const indices = table.header.map((_, i) => i).filter((i) => !targets.includes(i));
    if (indices.length === 0) throw new Error(`${table.file}: there are no feature columns: the only column is the target`);
    return indices;
  }
  const indices = [...new Set(splitColumnList(table, text).map((name) => columnIndex(table, name, 'a feature')))];
  for (const i of indices) {
    if (targets.includes(i))
      throw new Error(`column ${quote(table.header[i])} cannot be both a feature (--features) and the target (--target)`);
  }
  return indices;
}

/** The columns named in a model file, looked up in a new CSV. */
export function namedIndices(table: Header, names: readonly string[], role: string): number[] {
  return names.map((name) => columnIndex(table, name, role));
}
