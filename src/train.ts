/**
 * fit(): the epoch loop. Data is checked and copied into backend memory once;
 * each batch is then a forward pass, a loss, a backward pass and an update,
 * all backend calls on planned buffers.
 */
import type { MatrixInput } from './data.js';
import type { Network } from './network.js';
import { checkKeys, checkPositiveInteger, checkPositiveNumber } from './options.js';

export interface EpochLogs {
  loss: number;
  acc: number;
}

export interface FitOptions {
  epochs: number;
  /** Step size on the MEAN gradient over the batch (Keras convention). */
  learningRate: number;
  /** Rows per gradient step; defaults to the whole set. The last batch may be short. */
  batchSize?: number;
  /** Reshuffle the rows before each epoch, from the network's seed. Default false. */
  shuffle?: boolean;
  /** Called after each epoch, counted from 0 as in TensorFlow.js; awaited if it returns a promise. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
}

/** As Keras and TensorFlow.js: history.history.loss[k] is epoch k+1's loss. */
export class History {
  readonly epoch: number[] = [];
  readonly history: { loss: number[]; acc: number[] } = { loss: [], acc: [] };
}

const FIT_OPTIONS = ['epochs', 'learningRate', 'batchSize', 'shuffle', 'onEpochEnd'];

function checkFitOptions(options: FitOptions): void {
  checkKeys('fit', options, FIT_OPTIONS);
  checkPositiveInteger('fit: epochs', options.epochs);
  checkPositiveNumber('fit: learningRate', options.learningRate);
  if (options.batchSize !== undefined) checkPositiveInteger('fit: batchSize', options.batchSize);
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') {
    throw new Error(`fit: shuffle must be true or false, got ${JSON.stringify(options.shuffle)}`);
  }
  if (options.onEpochEnd !== undefined && typeof options.onEpochEnd !== 'function') {
    throw new Error('fit: onEpochEnd must be a function');
  }
}

export async function fit(net: Network, x: MatrixInput, y: MatrixInput, options: FitOptions): Promise<History> {
  checkFitOptions(options);
  if (net.isTraining) throw new Error('fit: this network is already training (await the previous fit first)');
  const { epochs, learningRate, shuffle = false, onEpochEnd } = options;
  const { backend, loss } = net;
  const data = net.loadData(x, y);
  const rows = data.rows;
  const batchSize = Math.min(options.batchSize ?? rows, rows);
  const xBytes = net.inputs * backend.bytesPerElement;
  const yBytes = net.outputs * backend.bytesPerElement;

  // Shuffled batches are gathered into buffers of their own; in order, they
  // are slices of the data in place.
  let order = 0, xBatch = 0, yBatch = 0;
  const owned = [data.x, data.y];
  net.isTraining = true;
  try {
    net.reserveBatch(batchSize);
    if (shuffle) {
      order = backend.allocIndices(rows);
      xBatch = backend.alloc(batchSize * net.inputs);
      yBatch = backend.alloc(batchSize * net.outputs);
      owned.push(order, xBatch, yBatch);
      backend.indexView(order, rows).forEach((_, i, index) => { index[i] = i; });
    }

    const history = new History();
    net.stopTraining = false;
    for (let epoch = 0; epoch < epochs && !net.stopTraining; epoch++) {
      if (shuffle) net.random.shuffle(backend.indexView(order, rows));
      let lossSum = 0;
      let accSum = 0;
      for (let start = 0; start < rows; start += batchSize) {
        const n = Math.min(batchSize, rows - start);
        let xb = data.x + start * xBytes;
        let yb = data.y + start * yBytes;
        if (shuffle) {
          backend.gatherRows(n, net.inputs, data.x, order + start * 4, xBatch);
          backend.gatherRows(n, net.outputs, data.y, order + start * 4, yBatch);
          xb = xBatch;
          yb = yBatch;
        }
        const a = net.forward(xb, n);
        const elements = n * net.outputs;
        lossSum += loss.loss(backend, elements, a, yb) * n;
        accSum += loss.accuracy(backend, elements, a, yb) * n;
        net.backward(xb, yb, n);
        net.applySgd(learningRate);
      }
      const logs = { loss: lossSum / rows, acc: accSum / rows };
      history.epoch.push(epoch);
      history.history.loss.push(logs.loss);
      history.history.acc.push(logs.acc);
      if (onEpochEnd) {
        await onEpochEnd(epoch, logs);
        net.checkAlive('fit (after onEpochEnd)');
      }
    }
    return history;
  } finally {
    net.isTraining = false;
    for (const offset of owned) backend.free(offset);
  }
}
