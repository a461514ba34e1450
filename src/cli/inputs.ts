/**
 * A new CSV's rows, as the model's network expects them: its feature
 * columns, looked up by name, as numbers, standardised with the saved
 * statistics (never statistics of the new file), and within float32's
 * range.
 */
import { numericColumns } from './cells.js';
import { namedIndices } from './columns.js';
import type { Table } from './csv.js';
import { checkFloat32 } from './float32.js';
import type { ModelFile } from './model-file.js';
import { standardize } from './standardize.js';

export function modelInputs(model: ModelFile, table: Table): number[][] {
  const features = namedIndices(table, model.features, 'a feature the model was trained on');
  const stats = model.standardization ?? undefined;
  const inputs = standardize(numericColumns(table, features, 'features'), stats);
  // Standardised with the training rows' statistics, a value far outside them can exceed float32 where the cell does not.
  checkFloat32(table, inputs, features, stats !== undefined,
    stats ? 'it is too far from the values the model was trained on' : 'scale the column, and train on it scaled (or with --standardize)');
  return inputs;
}
