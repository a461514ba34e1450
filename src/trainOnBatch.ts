/**
 * trainOnBatch(): one update on the rows given, for training online or a
 * batch at a time. It runs fit()'s epoch loop over one epoch of one batch,
 * so it gives what fit() of those rows with `epochs: 1` gives, bit for bit,
 * and steps the same optimiser: its state carries on from fit() to
 * trainOnBatch() and back.
 */
import type { DType } from './backend/backend.js';
import type { Logs } from './callbacks.js';
import { checkKeys } from './checks.js';
import type { LabelInput, MatrixInput } from './data.js';
import type { NetworkEngine } from './engine.js';
import { type BatchInMemory, trainEpochs } from './fit.js';
import type { Network } from './network.js';
import { checkOptimizerForDtype, type OptimizerConfig, type OptimizerSpec, parseOptimizer } from './optimizers.js';
import { checkLearningRate, type LearningRate } from './schedules.js';

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
): { learningRate: LearningRate; optimizer: OptimizerConfig } {
  checkKeys('trainOnBatch', options, ['learningRate', 'optimizer']);
  const { learningRate, optimizer: spec } = options;
  const rate = checkLearningRate('trainOnBatch: learningRate', learningRate, dtype);
  const optimizer = parseOptimizer(spec === undefined ? 'sgd' : spec, 'trainOnBatch: optimizer');
  checkOptimizerForDtype('trainOnBatch: optimizer', optimizer, dtype);
  return { learningRate: rate, optimizer };
}

/**
 * One update of `net` on x and y: Network.trainOnBatch's work.
 *
 * @param net - The engine to train.
 * @param owner - The public network (fit()'s loop hands it to callbacks; there are none here).
 * @param x - Inputs, unchecked.
 * @param y - Labels, unchecked.
 * @param options - The options, unchecked.
 * @returns The batch's loss and metrics, measured in its forward pass before the update, and learning_rate.
 * @throws Error starting "trainOnBatch:" (or naming x or y) on bad input, before any change; a loss or weights
 * that diverge (the weights put back as they were).
 */
export async function trainOnBatch(
  net: NetworkEngine,
  owner: Network,
  x: MatrixInput,
  y: LabelInput,
  options: TrainOnBatchOptions,
): Promise<Logs> {
  const { learningRate: rate, optimizer } = checkTrainOnBatchOptions(options, net.dtype);
  if (net.isTraining) throw new Error('trainOnBatch: this network is already training (await the previous fit first)');
  const data = net.loadData(x, y);
  const owned = [data.x, data.y];
  net.isTraining = true;
  try {
    try {
      net.reserveBatch(data.rows);
    } catch (error) {
      throw new Error(`trainOnBatch: ${(error as Error).message}; give fewer rows`);
    }
    const batch: BatchInMemory = data;
    const history = await trainEpochs(
      net,
      owner,
      'trainOnBatch',
      { callbacks: [], optimizer, epochs: 1, learningRate: rate },
      owned,
      {
        validating: false,
        epoch() {
          let given = false;
          return { next: () => (given ? undefined : ((given = true), batch)) };
        },
      },
    );
    const logs: Logs = {};
    for (const [key, values] of Object.entries(history.history)) logs[key] = values[0];
    return logs;
  } finally {
    net.isTraining = false;
    if (!net.isDisposed) for (const offset of owned) net.backend.free(offset);
  }
}
