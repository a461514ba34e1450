/**
 * What fit() takes and gives: its options, their check (Network.fit and
 * WorkerNetwork.fit make the same one, with the same messages), and the
 * History it returns; trainOnBatch()'s options and their check likewise.
 * The epoch loop itself is in fit.ts.
 */

import type { DType } from './backend/backend.js';
import { type Callback, checkCallbacks, type Logs } from './callbacks.js';
import { checkKeys, checkPositiveInteger, describeValue } from './checks.js';
import { element, type LabelInput, type MatrixInput } from './data.js';
import { checkOptimizerForDtype, type OptimizerConfig, type OptimizerSpec, parseOptimizer } from './optimizers.js';
import type { ClassWeight } from './sampleWeights.js';
import { checkLearningRate, type LearningRate } from './schedules.js';

/**
 * One epoch's numbers, as fit() reports them to onEpochEnd and records them
 * in its History: loss, acc (when the loss has an accuracy), val_loss and
 * val_acc (with validation data), and learning_rate (the rate of the
 * epoch's last update).
 */
export type EpochLogs = Logs;

/**
 * Options of {@link Network.fit}: how long, how fast, in what batches, with
 * what validation and callbacks. Names and meanings as Keras and
 * TensorFlow.js.
 */
export interface FitOptions {
  /** Passes over the training rows: a positive integer. */
  epochs: number;
  /**
   * Step size on the MEAN gradient over the batch (Keras convention): a
   * number, or a schedule ({@link exponentialDecay}, {@link cosineDecay},
   * {@link piecewiseConstantDecay}) evaluated at every update.
   */
  learningRate: LearningRate;
  /** Rows per gradient step; defaults to the whole set. The last batch may be short. */
  batchSize?: number;
  /** 'sgd' (default), 'adam', 'rmsprop', 'adagrad', 'adamw', or `{ type, ...options }` with Keras's defaults. */
  optimizer?: OptimizerSpec;
  /** Reshuffle the training rows before each epoch, from the network's seed. Default false. */
  shuffle?: boolean;
  /** Hold out this fraction of the rows, taken from the end (as Keras), for val_loss / val_acc. */
  validationSplit?: number;
  /** Or validate on these rows instead: [x, y], or [x, y, sampleWeight] for a weighted val_loss. */
  validationData?: [MatrixInput, LabelInput] | [MatrixInput, LabelInput, SampleWeight];
  /**
   * One weight per row of x, finite and at least 0 (Keras's `sample_weight`): a
   * batch's loss is Σ wᵢ·Lᵢ / rows, and its gradient follows; `acc` is not
   * weighted. Shuffled with the rows; split with them by validationSplit.
   *
   * @example
   * ```ts
   * await net.fit(x, y, { epochs: 10, learningRate: 0.1, sampleWeight: [1, 1, 0.5, 2] });
   * ```
   */
  sampleWeight?: SampleWeight;
  /** Weights per class (Keras's `class_weight`), turned into each row's sample weight; not with sampleWeight. */
  classWeight?: ClassWeight;
  /** TensorFlow.js-style callbacks: one object or an array of at most 1000. */
  callbacks?: Callback | Callback[];
  /** Shorthand for `callbacks: [{ onEpochEnd }]`; epochs counted from 0 as in TensorFlow.js. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
}

/**
 * One weight per row: an array of numbers, or a Float32Array or Float64Array.
 *
 * @example
 * ```ts
 * const weights: SampleWeight = new Float64Array([1, 1, 0.5, 2]);
 * ```
 */
export type SampleWeight = number[] | Float32Array | Float64Array;

/**
 * Options of {@link Network.evaluate}.
 *
 * @example
 * ```ts
 * const { loss } = net.evaluate(x, y, { sampleWeight: [1, 0.5, 2] });
 * ```
 */
export interface EvaluateOptions {
  /** One weight per row, finite and at least 0: the loss is Σ wᵢ·Lᵢ / rows (Keras's `sample_weight`). */
  sampleWeight?: SampleWeight;
}

/**
 * What fit() returns, as Keras and TensorFlow.js: the epochs it ran and each
 * log's value at every one of them.
 *
 * @example
 * ```ts
 * const history = await net.fit(x, y, { epochs: 10, learningRate: 0.1, validationSplit: 0.2 });
 * history.epoch;                // [0, 1, ..., 9]
 * history.history.loss[9];      // the last epoch's loss
 * history.history.val_loss[9];  // and its validation loss
 * ```
 */
export class History {
  /** The epochs that ran, counted from 0. */
  readonly epoch: number[] = [];
  /** Each log's values, one per epoch: history.loss[k] is epoch k's loss. */
  readonly history: Record<string, number[]> = {};
}

const FIT_OPTIONS = [
  'epochs',
  'learningRate',
  'optimizer',
  'batchSize',
  'shuffle',
  'validationSplit',
  'validationData',
  'callbacks',
  'onEpochEnd',
  'sampleWeight',
  'classWeight',
];

/**
 * fit()'s options as checkFitOptions() read them, each once: fit() uses
 * these values, never the caller's object again (a getter may answer a
 * second read otherwise: a batchSize of 0 would never end an epoch).
 */
export interface CheckedFitOptions {
  callbacks: Callback[];
  optimizer: OptimizerConfig;
  epochs: number;
  learningRate: LearningRate;
  batchSize: number | undefined;
  shuffle: boolean;
  validationSplit: number | undefined;
  validationData: [unknown, unknown] | undefined;
  /** validationData's third element, unchecked. */
  validationWeight: unknown;
  /** As given, unchecked: the rows they weigh are not read yet. */
  sampleWeight: unknown;
  classWeight: unknown;
}

/**
 * Checks fit()'s options, and that its numbers survive rounding to the network's `dtype`.
 *
 * @param options - The options as the caller gave them, each read once.
 * @param dtype - The network's float type.
 * @returns The options as read, with defaults, onEpochEnd appended to the callbacks, and the optimiser parsed.
 * @throws Error starting "fit:" naming the first bad option.
 */
export function checkFitOptions(options: FitOptions, dtype: DType): CheckedFitOptions {
  checkKeys('fit', options, FIT_OPTIONS);
  // Each option read once, here.
  const {
    epochs,
    learningRate,
    optimizer: spec,
    batchSize,
    shuffle,
    validationSplit,
    validationData,
    callbacks: given,
    onEpochEnd,
    sampleWeight,
    classWeight,
  } = options;
  checkPositiveInteger('fit: epochs', epochs);
  const rate = checkLearningRate('fit: learningRate', learningRate, dtype);
  const optimizer = parseOptimizer(spec === undefined ? 'sgd' : spec, 'fit: optimizer');
  checkOptimizerForDtype('fit: optimizer', optimizer, dtype);
  if (batchSize !== undefined) checkPositiveInteger('fit: batchSize', batchSize);
  if (shuffle !== undefined && typeof shuffle !== 'boolean') {
    throw new Error(`fit: shuffle must be true or false, got ${describeValue(shuffle)}`);
  }
  if (validationSplit !== undefined && !(typeof validationSplit === 'number' && validationSplit > 0 && validationSplit < 1)) {
    throw new Error(`fit: validationSplit must be a number strictly between 0 and 1, got ${describeValue(validationSplit)}`);
  }
  const validationLength: unknown = Array.isArray(validationData) ? validationData.length : undefined;
  if (validationData !== undefined && validationLength !== 2 && validationLength !== 3) {
    throw new Error(`fit: validationData must be [x, y] or [x, y, sampleWeight], got ${describeValue(validationData)}`);
  }
  if (sampleWeight !== undefined && classWeight !== undefined) {
    throw new Error('fit: give sampleWeight or classWeight, not both');
  }
  if (validationSplit !== undefined && validationData !== undefined) {
    throw new Error('fit: give validationSplit or validationData, not both');
  }
  if (onEpochEnd !== undefined && typeof onEpochEnd !== 'function') {
    throw new Error('fit: onEpochEnd must be a function');
  }
  const callbacks = checkCallbacks(given);
  if (onEpochEnd) callbacks.push({ onEpochEnd });
  const pair: [unknown, unknown] | undefined =
    validationData === undefined
      ? undefined
      : [element('fit: validationData', validationData, 0), element('fit: validationData', validationData, 1)];
  const validationWeight = validationLength === 3 ? element('fit: validationData', validationData!, 2) : undefined;
  return {
    callbacks,
    optimizer,
    epochs: epochs as number,
    learningRate: rate,
    batchSize: batchSize as number | undefined,
    shuffle: shuffle ?? false,
    validationSplit,
    validationData: pair,
    validationWeight,
    sampleWeight,
    classWeight,
  };
}

/**
 * Options of {@link Network.trainOnBatch}: those of {@link FitOptions} that
 * mean something for one update.
 *
 * @example
 * ```ts
 * const options: TrainOnBatchOptions = { learningRate: 0.01, optimizer: 'adam' };
 * const logs = await net.trainOnBatch(x, y, options);
 * ```
 */
export interface TrainOnBatchOptions {
  /** Step size on the batch's mean gradient: a number, or a schedule evaluated at the optimiser's step count. */
  learningRate: LearningRate;
  /** As fit()'s: 'sgd' (default), 'adam', ... An equal config keeps the optimiser's state from earlier fit() and trainOnBatch() calls. */
  optimizer?: OptimizerSpec;
  /** One weight per row, as fit()'s (Keras's `sample_weight`). */
  sampleWeight?: SampleWeight;
  /** Weights per class, as fit()'s (Keras's `class_weight`); not with sampleWeight. */
  classWeight?: ClassWeight;
}

/**
 * Checks trainOnBatch()'s options, each read once (WorkerNetwork.trainOnBatch makes the same check).
 *
 * @param options - The options as given.
 * @param dtype - The network's float type.
 * @returns The learning rate as checked, and the optimiser parsed (sgd by default).
 * @throws Error starting "trainOnBatch:" naming the first bad option.
 */
export function checkTrainOnBatchOptions(
  options: TrainOnBatchOptions,
  dtype: DType,
): { learningRate: LearningRate; optimizer: OptimizerConfig; sampleWeight: unknown; classWeight: unknown } {
  checkKeys('trainOnBatch', options, ['learningRate', 'optimizer', 'sampleWeight', 'classWeight']);
  const { learningRate, optimizer: spec, sampleWeight, classWeight } = options;
  const rate = checkLearningRate('trainOnBatch: learningRate', learningRate, dtype);
  const optimizer = parseOptimizer(spec === undefined ? 'sgd' : spec, 'trainOnBatch: optimizer');
  checkOptimizerForDtype('trainOnBatch: optimizer', optimizer, dtype);
  if (sampleWeight !== undefined && classWeight !== undefined) {
    throw new Error('trainOnBatch: give sampleWeight or classWeight, not both');
  }
  return { learningRate: rate, optimizer, sampleWeight, classWeight };
}
