/**
 * A new CSV's rows, as the model's network expects them: its feature
 * columns, looked up by name, as numbers, standardised with the saved
 * statistics (never statistics of the new file) unless the network does it
 * itself, and within float32's range.
 */
import { namedIndices } from './columns.js';
import type { ColumnRead, Header, Table } from './csv.js';
import { float32Matrix } from './float32.js';
import { filled } from './missing.js';
import type { ModelFile } from './model-file.js';

/** The feature columns of `header`, to read as numbers. */
export function featureReads(model: ModelFile, header: Header): { features: number[]; reads: ColumnRead[] } {
  const features = namedIndices(header, model.features, 'a feature the model was trained on');
  // A model trained with --missing mean fills a missing cell with its training mean; any other, an error.
  const missing = model.imputation ? ('fill' as const) : undefined;
  return { features, reads: features.map((column) => ({ kind: 'number', column, why: 'features must be numbers', missing })) };
}

/** The network's input matrix (rows × features, row-major) from the table's feature columns. */
export function modelInputs(model: ModelFile, table: Table, features: readonly number[]): Float32Array {
  const fill = model.imputation?.values;
  return float32Matrix(
    table,
    features,
    features.map((c, k) => (fill ? filled(table.numbers.get(c)!, fill[k]) : table.numbers.get(c)!)),
    model.standardization ?? undefined,
    featureAdvice(model),
  );
}

/** What to do about a feature beyond float32. */
export function featureAdvice(model: ModelFile): string {
  // Standardised with the training rows' statistics, a value far outside them can exceed float32 where the cell does not.
  return model.standardization || model.network.normalization
    ? 'it is too far from the values the model was trained on'
    : 'scale the column, and train on it scaled (or without --no-standardize)';
}
