/**
 * A new CSV's rows, as the model's network expects them: its feature
 * columns, looked up by name, as numbers, standardised with the saved
 * statistics (never statistics of the new file).
 */
import { numericColumns } from './cells.js';
import { namedIndices } from './columns.js';
import type { Table } from './csv.js';
import type { ModelFile } from './model-file.js';
import { standardize } from './standardize.js';

export function modelInputs(model: ModelFile, table: Table): number[][] {
  const features = namedIndices(table, model.features, 'a feature the model was trained on');
  return standardize(numericColumns(table, features, 'features'), model.standardization ?? undefined);
}
