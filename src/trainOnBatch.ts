/**
 * trainOnBatch(): one update on the rows given, for training online or a
 * batch at a time. It runs fit()'s epoch loop over one epoch of one batch,
 * so it gives what fit() of those rows with `epochs: 1` gives, bit for bit
 * (with the same sampleWeight or classWeight), and steps the same
 * optimiser: its state carries on from fit() to trainOnBatch() and back.
 */
import type { Logs } from './callbacks.js';
import type { LabelInput, MatrixInput } from './data.js';
import type { NetworkEngine } from './engine.js';
import { type BatchInMemory, rowWeights, trainEpochs } from './fit.js';
import type { Network } from './network.js';
import { checkTrainOnBatchOptions, type TrainOnBatchOptions } from './train.js';

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
  const { learningRate: rate, optimizer, ...weighing } = checkTrainOnBatchOptions(options, net.dtype);
  if (net.isTraining) throw new Error('trainOnBatch: this network is already training (await the previous fit first)');
  const data = net.loadData(x, y);
  const owned = [data.x, data.y];
  net.isTraining = true;
  try {
    const batch: BatchInMemory = { ...data, weights: rowWeights(net, data, weighing, 'trainOnBatch') };
    try {
      net.reserveBatch(data.rows);
    } catch (error) {
      throw new Error(`trainOnBatch: ${(error as Error).message}; give fewer rows`);
    }
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
