/**
 * fitDataset()'s options and their check: fit()'s, less those the dataset
 * decides (batchSize, shuffle, validationSplit), with validationData either
 * fit()'s [x, y] or a dataset. Network.fitDataset and
 * WorkerNetwork.fitDataset make the same check, with the same messages.
 */
import type { DType } from './backend/backend.js';
import { checkKeys } from './checks.js';
import { element, type LabelInput, type MatrixInput } from './data.js';
import { type Batch, type Dataset, datasetOpener, type PassIterator } from './dataset.js';
import { type CheckedFitOptions, checkFitOptions, type FitOptions, type SampleWeight } from './train.js';

/**
 * Options of {@link Network.fitDataset}: {@link FitOptions} but for those the
 * dataset decides (batchSize, shuffle, validationSplit, which are refused).
 *
 * @example
 * ```ts
 * const options: FitDatasetOptions = {
 *   epochs: 20,
 *   learningRate: 0.01,
 *   optimizer: 'adam',
 *   validationData: [x, y], // or a dataset
 *   callbacks: earlyStopping({ patience: 3 }),
 * };
 * await net.fitDataset(fromArrays(x, y, { batchSize: 32 }), options);
 * ```
 */
export interface FitDatasetOptions
  extends Omit<FitOptions, 'batchSize' | 'shuffle' | 'validationSplit' | 'validationData' | 'sampleWeight'> {
  /** Validate after each epoch on these: a {@link Dataset} (iterated every epoch), or [x, y] (or [x, y, sampleWeight]) as fit() takes it. */
  validationData?: Dataset | [MatrixInput, LabelInput] | [MatrixInput, LabelInput, SampleWeight];
}

/** Options fit() has that a dataset decides, and what it decides. */
const DECIDED_BY_THE_DATASET: Record<string, string> = {
  batchSize: 'the batches',
  shuffle: 'the order',
  validationSplit: 'the rows (validate with validationData)',
  sampleWeight: 'the weights (give batches { x, y, sampleWeight })',
};

const OPTIONS = ['epochs', 'learningRate', 'optimizer', 'validationData', 'callbacks', 'onEpochEnd', 'classWeight'];

/** fitDataset()'s options as read and checked: fit()'s, and the validation data's kind. */
export interface CheckedFitDatasetOptions
  extends Omit<
    CheckedFitOptions,
    'validationData' | 'validationWeight' | 'batchSize' | 'shuffle' | 'validationSplit' | 'sampleWeight'
  > {
  validation: { pair: unknown[] } | { open: () => PassIterator<unknown> } | undefined;
}

/**
 * Checks fitDataset()'s options, each read once, as checkFitOptions checks fit()'s.
 *
 * @param where - Starts every message ("fitDataset").
 * @param options - The options as the caller gave them.
 * @param dtype - The network's float type.
 * @returns The checked options; validationData as a pair to load, or a dataset to open each epoch.
 * @throws Error starting with `where` naming the first bad option.
 */
export function checkFitDatasetOptions(where: string, options: FitDatasetOptions, dtype: DType): CheckedFitDatasetOptions {
  if (typeof options === 'object' && options !== null) {
    for (const [key, instead] of Object.entries(DECIDED_BY_THE_DATASET)) {
      if (key in options) throw new Error(`${where}: ${key} is not an option: the dataset decides ${instead}`);
    }
  }
  checkKeys(where, options, OPTIONS);
  const { validationData, ...rest } = options;
  let checked: CheckedFitOptions;
  try {
    checked = checkFitOptions(rest as FitOptions, dtype);
  } catch (error) {
    // The same checks as fit()'s, under this method's name.
    throw new Error((error as Error).message.replace(/^fit: /, `${where}: `));
  }
  const { callbacks, optimizer, epochs, learningRate, classWeight } = checked;
  const validation = readValidation(`${where}: validationData`, validationData);
  return { callbacks, optimizer, epochs, learningRate, classWeight, validation };
}

/**
 * validationData as fit()'s [x, y] (two elements, the first a matrix:
 * `number[][]` or `{ data, shape }`) or else as a dataset.
 */
function readValidation(name: string, given: unknown): CheckedFitDatasetOptions['validation'] {
  if (given === undefined) return undefined;
  const length: unknown = Array.isArray(given) ? given.length : undefined;
  if (Array.isArray(given) && (length === 2 || length === 3)) {
    const first = element(name, given, 0);
    if (Array.isArray(first) || (typeof first === 'object' && first !== null && 'data' in first)) {
      const pair = [first, element(name, given, 1)];
      if (length === 3) pair.push(element(name, given, 2));
      return { pair };
    }
    if (length === 3) return { open: datasetOpener<Batch>(name, given) };
    const second = element(name, given, 1);
    return { open: datasetOpener<Batch>(name, [first, second]) };
  }
  return { open: datasetOpener<Batch>(name, given) };
}
