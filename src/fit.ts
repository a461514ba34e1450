/**
 * fit() and the epoch loop it shares with fitDataset(). fit's data is
 * checked and copied into backend memory once; each batch is then a forward
 * pass, a loss, a backward pass and an update, all backend calls on planned
 * buffers. Around that loop: validation, callbacks, divergence checks and
 * yields to the event loop.
 */
import type { Callback, Logs } from './callbacks.js';
import { Checkpoint } from './checkpoint.js';
import type { LabelInput, MatrixInput } from './data.js';
import type { NetworkEngine } from './engine.js';
import { metricKey } from './metrics.js';
import type { Evaluation, Network } from './network.js';
import { denseParameters, slotNames } from './optimizers.js';
import { checkClassWeight, classWeightsOf, readSampleWeights } from './sampleWeights.js';
import { type CheckedFitOptions, checkFitOptions, type FitOptions, History } from './train.js';

/** Time between yields to the event loop: a page stays responsive, a run pays nothing measurable. */
const YIELD_INTERVAL_MS = 25;

/** The rows fit() trains and validates on, all in backend memory. */
interface FitData {
  rows: number;
  x: number;
  y: number;
  /** One weight per row, from sampleWeight or classWeight. */
  weights?: Float64Array;
  validation?: { rows: number; x: number; y: number; weights?: Float64Array };
  /** Blocks to free when fit() ends. */
  owned: number[];
}

function loadFitData(net: NetworkEngine, x: MatrixInput, y: LabelInput, options: CheckedFitOptions): FitData {
  const loaded = net.loadData(x, y);
  const owned = [loaded.x, loaded.y];
  let train: Omit<FitData, 'owned'>;
  try {
    train = { ...loaded, weights: rowWeights(net, loaded, options) };
    if (options.validationData) {
      const [vx, vy] = options.validationData;
      const validation = net.loadData(vx, vy, ['validationData x', 'validationData y']);
      owned.push(validation.x, validation.y);
      const { validationWeight } = options;
      const weights =
        validationWeight === undefined
          ? undefined
          : readSampleWeights('fit: validationData sampleWeight', validationWeight, validation.rows, net.dtype);
      return { ...train, validation: { ...validation, weights }, owned };
    }
  } catch (error) {
    for (const offset of owned) net.backend.free(offset);
    throw error;
  }
  if (options.validationSplit !== undefined) {
    // As Keras: the last rows, before any shuffling, so validation rows never train.
    const trainRows = Math.floor(train.rows * (1 - options.validationSplit));
    const validationRows = train.rows - trainRows;
    if (trainRows === 0 || validationRows === 0) {
      for (const offset of owned) net.backend.free(offset);
      throw new Error(
        `fit: validationSplit ${options.validationSplit} of ${train.rows} rows leaves ${trainRows} to train and ${validationRows} to validate; both need at least one`,
      );
    }
    const bytes = net.backend.bytesPerElement;
    const validation = {
      rows: validationRows,
      x: train.x + trainRows * net.inputs * bytes,
      y: train.y + trainRows * net.outputs * bytes,
    };
    const weights = train.weights;
    // Sample weights go with their rows; class weights weigh training only, as Keras's.
    const validationWeights = options.sampleWeight === undefined ? undefined : weights?.subarray(trainRows);
    return {
      rows: trainRows,
      x: train.x,
      y: train.y,
      weights: weights?.subarray(0, trainRows),
      validation: { ...validation, weights: validationWeights },
      owned,
    };
  }
  return { ...train, owned };
}

/**
 * Each training row's weight from sampleWeight or classWeight (unchecked;
 * not both), or undefined for neither; `where` starts the messages.
 */
export function rowWeights(
  net: NetworkEngine,
  data: { rows: number; y: number },
  { sampleWeight, classWeight }: { sampleWeight: unknown; classWeight: unknown },
  where = 'fit',
): Float64Array | undefined {
  if (sampleWeight !== undefined) return readSampleWeights(`${where}: sampleWeight`, sampleWeight, data.rows, net.dtype);
  if (classWeight === undefined) return undefined;
  const table = checkClassWeight(classWeight, net.loss, net.dtype, where);
  return classWeightsOf(table, net.backend.view(data.y, data.rows * net.outputs), data.rows, net.outputs);
}

/**
 * Trains `net` on x and y with `options`, checked first: Network.fit's work.
 *
 * @param net - The engine to train.
 * @param owner - The public network callbacks are given (setNetwork).
 * @param x - Inputs, unchecked.
 * @param y - Labels, unchecked.
 * @param options - fit()'s options, unchecked.
 * @returns Every epoch's logs.
 * @throws Error starting "fit:" on bad input, a loss or weights that diverge (put back as they were before that
 * epoch), or a network disposed meanwhile; a callback's own error as it threw it.
 */
export async function fit(
  net: NetworkEngine,
  owner: Network,
  x: MatrixInput,
  y: LabelInput,
  options: FitOptions,
): Promise<History> {
  const checked = checkFitOptions(options, net.dtype);
  if (net.isTraining) throw new Error('fit: this network is already training (await the previous fit first)');
  const { shuffle } = checked;
  const { backend } = net;
  const data = loadFitData(net, x, y, checked);
  const { rows, owned, validation } = data;
  const batchSize = Math.min(checked.batchSize ?? rows, rows);

  net.isTraining = true;
  try {
    const xBytes = net.inputs * backend.bytesPerElement;
    const yBytes = net.outputs * backend.bytesPerElement;
    // Every buffer first: if memory runs out, nothing the user can see (the
    // optimiser and its state) has changed yet.
    try {
      net.reserveBatch(batchSize);
      // Validation's passes too, so that no epoch allocates.
      if (validation) net.reserveInference(validation.rows);
    } catch (error) {
      throw new Error(`fit: ${(error as Error).message}; try a smaller batchSize`);
    }
    // Shuffled batches are gathered into buffers of their own; in order,
    // they are slices of the data in place.
    let order = 0,
      xBatch = 0,
      yBatch = 0;
    if (shuffle) {
      owned.push((order = backend.allocIndices(rows)));
      owned.push((xBatch = backend.alloc(batchSize * net.inputs)));
      owned.push((yBatch = backend.alloc(batchSize * net.outputs)));
      const index = backend.indexView(order, rows);
      for (let i = 0; i < rows; i++) index[i] = i;
    }
    const weights = data.weights;
    const weightBatch = weights && shuffle ? new Float64Array(batchSize) : undefined;
    // One object for every batch: the loop allocates nothing per step.
    const batch: BatchInMemory = { x: 0, y: 0, rows: 0 };
    return await trainEpochs(net, owner, 'fit', checked, owned, {
      validating: validation !== undefined,
      epoch() {
        if (shuffle) net.random.shuffle(backend.indexView(order, rows));
        let start = 0;
        return {
          next() {
            if (start >= rows) return undefined;
            const n = Math.min(batchSize, rows - start);
            batch.rows = n;
            batch.x = data.x + start * xBytes;
            batch.y = data.y + start * yBytes;
            if (weights) batch.weights = weights.subarray(start, start + n);
            if (shuffle) {
              backend.gatherRows(n, net.inputs, data.x, order + start * 4, xBatch);
              backend.gatherRows(n, net.outputs, data.y, order + start * 4, yBatch);
              batch.x = xBatch;
              batch.y = yBatch;
              if (weights && weightBatch) {
                const index = backend.indexView(order, rows);
                for (let i = 0; i < n; i++) weightBatch[i] = weights[index[start + i]];
                batch.weights = weightBatch.subarray(0, n);
              }
            }
            start += n;
            return batch;
          },
        };
      },
      validate:
        validation && (() => net.measure(validation.x, validation.y, validation.rows, 'fit (validation)', validation.weights)),
    });
  } finally {
    net.isTraining = false;
    // dispose() has freed every block of the network, these included.
    if (!net.isDisposed) for (const offset of owned) backend.free(offset);
  }
}

/** A batch in backend memory: `rows` rows of inputs at x and of labels at y. */
export interface BatchInMemory {
  x: number;
  y: number;
  rows: number;
  /** One weight per row of the loss, if the rows are weighted. */
  weights?: Float64Array;
}

/** One epoch's batches in order: next() gives each (or a promise of it), then undefined. */
export interface EpochBatches {
  next(): BatchInMemory | undefined | Promise<BatchInMemory | undefined>;
  /** Called when the epoch ends before next() gave undefined (stopTraining, an error). */
  close?(): void | Promise<void>;
}

/** What trainEpochs() trains on: each epoch's batches, and the validation after each epoch. */
export interface TrainingData {
  validating: boolean;
  epoch(epoch: number): EpochBatches;
  validate?(epoch: number): Evaluation | Promise<Evaluation>;
}

/**
 * The epoch loop of fit() and fitDataset(): each batch a forward pass, a
 * loss, a backward pass and an update, all backend calls on buffers in
 * place; around it, validation, callbacks, divergence checks and yields to
 * the event loop. A batch given at once (fit's) costs no microtask turn.
 *
 * @param where - Names the method in messages ("fit").
 * @param options - The checked options the loop reads.
 * @param owned - Blocks the caller frees when training ends: the checkpoint is added to them.
 * @param data - The batches and the validation.
 * @returns Every epoch's logs.
 */
export async function trainEpochs(
  net: NetworkEngine,
  owner: Network,
  where: string,
  options: Pick<CheckedFitOptions, 'callbacks' | 'optimizer' | 'epochs' | 'learningRate'>,
  owned: number[],
  data: TrainingData,
): Promise<History> {
  const { callbacks, optimizer, epochs, learningRate } = options;
  const { backend, loss } = net;
  const hasAccuracy = net.metrics.includes('accuracy');
  const state = net.metricState();
  const metrics = ['loss', ...net.metrics.map(metricKey)];
  if (data.validating) metrics.push(...metrics.map((name) => `val_${name}`));
  // Room to copy the parameters and the optimiser's state, so that a
  // diverging epoch can be undone.
  const parameters = denseParameters(net.layers);
  const parameterCount = parameters.reduce((sum, p) => sum + p.size, 0);
  const checkpoint = new Checkpoint(backend, parameterCount * (1 + slotNames(optimizer).length));
  owned.push(checkpoint.block);
  net.useOptimizer(optimizer);
  const stepper = net.optimizer!;
  stepper.learningRate = learningRate;
  let rate = stepper.currentLearningRate(); // the last update's, for the epoch's logs
  checkpoint.bind(
    parameters.map(({ value, size }) => ({ offset: value, size })),
    net.optimizer!,
  );
  for (const callback of callbacks) callback.setNetwork?.(owner, metrics);
  const batchCallbacks = callbacks.filter((callback) => callback.onBatchEnd);
  const notifyAll = (hook: (callback: Callback) => void | Promise<void>, list = callbacks) => notify(net, list, hook, where);

  const history = new History();
  let lastYield = performance.now();
  net.stopTraining = false;
  await notifyAll((callback) => callback.onTrainBegin?.());
  for (let epoch = 0; epoch < epochs && !net.stopTraining; epoch++) {
    const began = notifyAll((callback) => callback.onEpochBegin?.(epoch));
    if (began) await began;
    checkpoint.save();
    const batches = data.epoch(epoch);
    if (state.active) state.reset();
    let lossSum = 0;
    let accSum = 0;
    let seen = 0; // rows trained this epoch: all of them unless a callback stopped it early
    let ended = false;
    try {
      for (let batch = 0; ; batch++) {
        let next = batches.next();
        if (next instanceof Promise) next = await next;
        if (!next) {
          ended = true;
          break;
        }
        const { x: xb, y: yb, rows: n, weights } = next;
        const a = net.forwardTraining(xb, n);
        const elements = n * net.outputs;
        const batchLoss = net.batchLoss(a, yb, n, weights);
        if (!Number.isFinite(batchLoss)) {
          checkpoint.restore();
          throw new Error(
            `${where}: the loss diverged to ${batchLoss} at epoch ${epoch + 1} (batch ${batch + 1}); ` +
              `${divergenceHint(rate)}; the weights are as they were before epoch ${epoch + 1}`,
          );
        }
        const batchAcc = hasAccuracy ? loss.accuracy!(backend, elements, a, yb) : 0;
        if (state.active) state.add(backend.view(a, elements), backend.view(yb, elements), n);
        lossSum += batchLoss * n;
        accSum += batchAcc * n;
        seen += n;
        net.backward(xb, yb, n, weights);
        rate = stepper.currentLearningRate();
        net.applyGradients(rate);
        if (batchCallbacks.length > 0) {
          const logs: Logs = hasAccuracy
            ? { batch, size: n, loss: batchLoss, acc: batchAcc }
            : { batch, size: n, loss: batchLoss };
          const done = notifyAll((callback) => callback.onBatchEnd?.(batch, logs), batchCallbacks);
          if (done) await done;
        }
        if (net.stopTraining) break; // as TensorFlow.js: the epoch ends here, with the batches it had
        // Checked after every batch, so one long epoch does not freeze a page.
        if (performance.now() - lastYield > YIELD_INTERVAL_MS) {
          await yieldToEventLoop();
          net.checkAlive(`${where} (after yielding to the event loop)`);
          lastYield = performance.now();
        }
      }
    } finally {
      if (!ended) await batches.close?.();
    }
    // Each batch's loss is checked before its update; this catches the last update.
    const diverged = net.firstNonFiniteParameter();
    if (diverged) {
      checkpoint.restore();
      throw new Error(
        `${where}: the weights diverged (${diverged}) in epoch ${epoch + 1}'s last update; ` +
          `${divergenceHint(rate)}; the weights are as they were before epoch ${epoch + 1}`,
      );
    }
    const logs: Logs = { loss: lossSum / seen };
    if (hasAccuracy) logs.acc = accSum / seen;
    if (state.active) state.results(logs);
    if (data.validate) {
      let measured = data.validate(epoch);
      if (measured instanceof Promise) measured = await measured;
      for (const [key, value] of Object.entries(measured)) logs[`val_${key}`] = value;
    }
    logs.learning_rate = rate; // Keras 3's key
    record(history, epoch, logs);
    const epochEnded = notifyAll((callback) => callback.onEpochEnd?.(epoch, { ...logs }));
    if (epochEnded) await epochEnded;
  }
  await notifyAll((callback) => callback.onTrainEnd?.());
  return history;
}

/** Appends an epoch's logs to `history` (a for-in: Object.entries' pair arrays cost a small network's epoch a few percent). */
function record(history: History, epoch: number, logs: Logs): void {
  history.epoch.push(epoch);
  for (const name in logs) (history.history[name] ??= []).push(logs[name]);
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
function notify(
  net: NetworkEngine,
  callbacks: readonly Callback[],
  hook: (callback: Callback) => void | Promise<void>,
  where = 'fit',
): Promise<void> | undefined {
  for (let i = 0; i < callbacks.length; i++) {
    const result = hook(callbacks[i]);
    if (result) {
      return Promise.race([result, net.whenDisposed]).then(async () => {
        net.checkAlive(`${where} (after a callback)`);
        const rest = notify(net, callbacks.slice(i + 1), hook, where);
        if (rest) await rest;
      });
    }
  }
  net.checkAlive(`${where} (after a callback)`);
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
