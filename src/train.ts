/**
 * fit(): the epoch loop. Data is checked and copied into backend memory once;
 * each batch is then a forward pass, a loss, a backward pass and an update,
 * all backend calls on planned buffers. Around that loop: validation,
 * callbacks, divergence checks and yields to the event loop.
 */
import { checkCallbacks, type Callback, type Logs } from './callbacks.js';
import { element, type LabelInput, type MatrixInput } from './data.js';
import type { Network } from './network.js';
import type { DType } from './backend/backend.js';
import { checkKeys, checkNormalIn, checkPositiveInteger, checkPositiveNumber, describeValue } from './checks.js';
import { Checkpoint } from './checkpoint.js';
import { checkOptimizerForDtype, denseParameters, parseOptimizer, slotNames, type OptimizerConfig, type OptimizerSpec } from './optimizers.js';

export type EpochLogs = Logs;

export interface FitOptions {
  epochs: number;
  /** Step size on the MEAN gradient over the batch (Keras convention). */
  learningRate: number;
  /** Rows per gradient step; defaults to the whole set. The last batch may be short. */
  batchSize?: number;
  /** 'sgd' (default), 'adam', or { type, ...options } with Keras's defaults. */
  optimizer?: OptimizerSpec;
  /** Reshuffle the training rows before each epoch, from the network's seed. Default false. */
  shuffle?: boolean;
  /** Hold out this fraction of the rows, taken from the end (as Keras), for val_loss / val_acc. */
  validationSplit?: number;
  /** Or validate on these rows instead. */
  validationData?: [MatrixInput, LabelInput];
  /** TensorFlow.js-style callbacks: one object or an array of at most MAX_CALLBACKS (1000). */
  callbacks?: Callback | Callback[];
  /** Shorthand for callbacks: [{ onEpochEnd }]; epochs counted from 0 as in TensorFlow.js. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
}

/** As Keras and TensorFlow.js: history.history.loss[k] is epoch k+1's loss. */
export class History {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};

  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [name, value] of Object.entries(logs)) (this.history[name] ??= []).push(value);
  }
}

/** Time between yields to the event loop: a page stays responsive, a run pays nothing measurable. */
const YIELD_INTERVAL_MS = 25;

const FIT_OPTIONS = ['epochs', 'learningRate', 'optimizer', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'onEpochEnd'];

/**
 * fit()'s options as checkFitOptions() read them, each once: fit() uses
 * these values, never the caller's object again (a getter may answer a
 * second read otherwise: a batchSize of 0 would never end an epoch).
 */
export interface CheckedFitOptions {
  callbacks: Callback[];
  optimizer: OptimizerConfig;
  epochs: number;
  learningRate: number;
  batchSize: number | undefined;
  shuffle: boolean;
  validationSplit: number | undefined;
  validationData: [unknown, unknown] | undefined;
}

/** Checks fit()'s options, and that its numbers survive rounding to the network's `dtype`. */
export function checkFitOptions(options: FitOptions, dtype: DType): CheckedFitOptions {
  checkKeys('fit', options, FIT_OPTIONS);
  // Each option read once, here.
  const { epochs, learningRate, optimizer: spec, batchSize, shuffle, validationSplit, validationData, callbacks: given, onEpochEnd } = options;
  checkPositiveInteger('fit: epochs', epochs);
  checkPositiveNumber('fit: learningRate', learningRate);
  checkNormalIn('fit: learningRate', learningRate, dtype);
  const optimizer = parseOptimizer(spec === undefined ? 'sgd' : spec, 'fit: optimizer');
  checkOptimizerForDtype('fit: optimizer', optimizer, dtype);
  if (batchSize !== undefined) checkPositiveInteger('fit: batchSize', batchSize);
  if (shuffle !== undefined && typeof shuffle !== 'boolean') {
    throw new Error(`fit: shuffle must be true or false, got ${describeValue(shuffle)}`);
  }
  if (validationSplit !== undefined && !(typeof validationSplit === 'number' && validationSplit > 0 && validationSplit < 1)) {
    throw new Error(`fit: validationSplit must be a number strictly between 0 and 1, got ${describeValue(validationSplit)}`);
  }
  if (validationData !== undefined && !(Array.isArray(validationData) && (validationData.length as unknown) === 2)) {
    throw new Error(`fit: validationData must be [x, y], got ${describeValue(validationData)}`);
  }
  if (validationSplit !== undefined && validationData !== undefined) {
    throw new Error('fit: give validationSplit or validationData, not both');
  }
  if (onEpochEnd !== undefined && typeof onEpochEnd !== 'function') {
    throw new Error('fit: onEpochEnd must be a function');
  }
  const callbacks = checkCallbacks(given);
  if (onEpochEnd) callbacks.push({ onEpochEnd });
  const pair: [unknown, unknown] | undefined = validationData === undefined ? undefined
    : [element('fit: validationData', validationData, 0), element('fit: validationData', validationData, 1)];
  return {
    callbacks, optimizer, epochs: epochs as number, learningRate: learningRate as number, batchSize: batchSize as number | undefined,
    shuffle: shuffle ?? false, validationSplit, validationData: pair,
  };
}

/** The rows fit() trains and validates on, all in backend memory. */
interface FitData {
  rows: number;
  x: number;
  y: number;
  validation?: { rows: number; x: number; y: number };
  /** Blocks to free when fit() ends. */
  owned: number[];
}

function loadFitData(net: Network, x: MatrixInput, y: LabelInput, options: CheckedFitOptions): FitData {
  const train = net.loadData(x, y);
  const owned = [train.x, train.y];
  if (options.validationData) {
    try {
      const [vx, vy] = options.validationData;
      const validation = net.loadData(vx, vy, ['validationData x', 'validationData y']);
      owned.push(validation.x, validation.y);
      return { ...train, validation, owned };
    } catch (error) {
      for (const offset of owned) net.backend.free(offset);
      throw error;
    }
  }
  if (options.validationSplit !== undefined) {
    // As Keras: the last rows, before any shuffling, so validation rows never train.
    const trainRows = Math.floor(train.rows * (1 - options.validationSplit));
    const validationRows = train.rows - trainRows;
    if (trainRows === 0 || validationRows === 0) {
      for (const offset of owned) net.backend.free(offset);
      throw new Error(`fit: validationSplit ${options.validationSplit} of ${train.rows} rows leaves ${trainRows} to train and ${validationRows} to validate; both need at least one`);
    }
    const bytes = net.backend.bytesPerElement;
    const validation = {
      rows: validationRows,
      x: train.x + trainRows * net.inputs * bytes,
      y: train.y + trainRows * net.outputs * bytes,
    };
    return { rows: trainRows, x: train.x, y: train.y, validation, owned };
  }
  return { ...train, owned };
}

export async function fit(net: Network, x: MatrixInput, y: LabelInput, options: FitOptions): Promise<History> {
  const checked = checkFitOptions(options, net.dtype);
  if (net.isTraining) throw new Error('fit: this network is already training (await the previous fit first)');
  const { callbacks, optimizer, epochs, learningRate, shuffle } = checked;
  const { backend, loss } = net;
  const data = loadFitData(net, x, y, checked);
  const { rows, owned } = data;
  const batchSize = Math.min(checked.batchSize ?? rows, rows);
  const hasAccuracy = loss.accuracy !== undefined;
  const metrics = ['loss', ...(hasAccuracy ? ['acc'] : [])];
  if (data.validation) metrics.push(...metrics.map((name) => `val_${name}`));

  net.isTraining = true;
  try {
    const xBytes = net.inputs * backend.bytesPerElement;
    const yBytes = net.outputs * backend.bytesPerElement;
    // Every buffer first: if memory runs out, nothing the user can see (the
    // optimiser and its state) has changed yet.
    try {
      net.reserveBatch(batchSize);
      // Validation's passes too, so that no epoch allocates.
      if (data.validation) net.reserveInference(data.validation.rows);
    } catch (error) {
      throw new Error(`fit: ${(error as Error).message}; try a smaller batchSize`);
    }
    // Shuffled batches are gathered into buffers of their own; in order,
    // they are slices of the data in place.
    let order = 0, xBatch = 0, yBatch = 0;
    // Room to copy the parameters and the optimiser's state, so that a
    // diverging epoch can be undone.
    const parameters = denseParameters(net.layers);
    const parameterCount = parameters.reduce((sum, p) => sum + p.size, 0);
    const checkpoint = new Checkpoint(backend, parameterCount * (1 + slotNames(optimizer).length));
    owned.push(checkpoint.block);
    if (shuffle) {
      owned.push(order = backend.allocIndices(rows));
      owned.push(xBatch = backend.alloc(batchSize * net.inputs));
      owned.push(yBatch = backend.alloc(batchSize * net.outputs));
      const index = backend.indexView(order, rows);
      for (let i = 0; i < rows; i++) index[i] = i;
    }
    net.useOptimizer(optimizer);
    checkpoint.bind(parameters.map(({ value, size }) => ({ offset: value, size })), net.optimizer!);
    for (const callback of callbacks) callback.setNetwork?.(net, metrics);
    const batchCallbacks = callbacks.filter((callback) => callback.onBatchEnd);

    const history = new History();
    let lastYield = performance.now();
    net.stopTraining = false;
    await notify(net, callbacks, (callback) => callback.onTrainBegin?.());
    for (let epoch = 0; epoch < epochs && !net.stopTraining; epoch++) {
      const began = notify(net, callbacks, (callback) => callback.onEpochBegin?.(epoch));
      if (began) await began;
      checkpoint.save();
      if (shuffle) net.random.shuffle(backend.indexView(order, rows));
      let lossSum = 0;
      let accSum = 0;
      let seen = 0; // rows trained this epoch: all of them unless a callback stopped it early
      for (let start = 0, batch = 0; start < rows; start += batchSize, batch++) {
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
        const batchLoss = loss.loss(backend, elements, a, yb);
        if (!Number.isFinite(batchLoss)) {
          checkpoint.restore();
          throw new Error(`fit: the loss diverged to ${batchLoss} at epoch ${epoch + 1} (batch ${batch + 1}); ` +
            `${divergenceHint(learningRate)}; the weights are as they were before epoch ${epoch + 1}`);
        }
        const batchAcc = hasAccuracy ? loss.accuracy!(backend, elements, a, yb) : 0;
        lossSum += batchLoss * n;
        accSum += batchAcc * n;
        seen += n;
        net.backward(xb, yb, n);
        net.applyGradients(learningRate);
        if (batchCallbacks.length > 0) {
          const logs: Logs = hasAccuracy ? { batch, size: n, loss: batchLoss, acc: batchAcc } : { batch, size: n, loss: batchLoss };
          const done = notify(net, batchCallbacks, (callback) => callback.onBatchEnd?.(batch, logs));
          if (done) await done;
        }
        if (net.stopTraining) break; // as TensorFlow.js: the epoch ends here, with the batches it had
        // Checked after every batch, so one long epoch does not freeze a page.
        if (performance.now() - lastYield > YIELD_INTERVAL_MS) {
          await yieldToEventLoop();
          net.checkAlive('fit (after yielding to the event loop)');
          lastYield = performance.now();
        }
      }
      // Each batch's loss is checked before its update; this catches the last update.
      const diverged = net.firstNonFiniteParameter();
      if (diverged) {
        checkpoint.restore();
        throw new Error(`fit: the weights diverged (${diverged}) in epoch ${epoch + 1}'s last update; ` +
          `${divergenceHint(learningRate)}; the weights are as they were before epoch ${epoch + 1}`);
      }
      const logs: Logs = { loss: lossSum / seen };
      if (hasAccuracy) logs.acc = accSum / seen;
      if (data.validation) {
        const { rows: vRows, x: vx, y: vy } = data.validation;
        const measured = net.measure(vx, vy, vRows, 'fit (validation)');
        logs.val_loss = measured.loss;
        if (measured.acc !== undefined) logs.val_acc = measured.acc;
      }
      history.record(epoch, logs);
      const ended = notify(net, callbacks, (callback) => callback.onEpochEnd?.(epoch, { ...logs }));
      if (ended) await ended;
    }
    await notify(net, callbacks, (callback) => callback.onTrainEnd?.());
    return history;
  } finally {
    net.isTraining = false;
    // dispose() has freed every block of the network, these included.
    if (!net.isDisposed) for (const offset of owned) backend.free(offset);
  }
}

function divergenceHint(learningRate: number): string {
  return `try a smaller learningRate (${learningRate}), or standardised inputs (and targets, for a regression)`;
}

/**
 * Runs one hook on every callback in order, awaiting any that return a
 * promise; the network must survive it. A pending hook is raced against
 * dispose(), so a promise that never settles cannot keep fit() pending once
 * the network is disposed. Returns a promise only when a hook did, so an
 * epoch without async hooks costs no microtask turn.
 */
function notify(net: Network, callbacks: readonly Callback[], hook: (callback: Callback) => void | Promise<void>): Promise<void> | undefined {
  for (let i = 0; i < callbacks.length; i++) {
    const result = hook(callbacks[i]);
    if (result) {
      return Promise.race([result, net.whenDisposed]).then(async () => {
        net.checkAlive('fit (after a callback)');
        const rest = notify(net, callbacks.slice(i + 1), hook);
        if (rest) await rest;
      });
    }
  }
  net.checkAlive('fit (after a callback)');
  return undefined;
}

/** A macrotask turn: setImmediate in Node, a MessageChannel message in browsers (setTimeout is clamped to 4 ms). */
function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}
