/**
 * fitDataset(), evaluateDataset() and predictDataset(): fit(), evaluate()
 * and predict() over batches that arrive one at a time. Each batch is
 * checked and copied into the same blocks (dataset-stage.ts), so memory
 * follows the largest batch; the epoch loop is fit()'s, batch for batch, so
 * the same batches in the same order train to the same weights, bit for bit.
 */
import type { FloatArray } from './backend/backend.js';
import type { Logs } from './callbacks.js';
import { Checkpoint } from './checkpoint.js';
import { datasetOpener, type PassIterator, readBatch, readInputs } from './dataset.js';
import { checkFitDatasetOptions, type FitDatasetOptions } from './dataset-options.js';
import { BatchStage } from './dataset-stage.js';
import type { NetworkEngine } from './engine.js';
import { divergenceHint, notify, record, YIELD_INTERVAL_MS, yieldToEventLoop } from './fit.js';
import { forEachChunk, forwardFinite } from './forward.js';
import type { Evaluation, Network } from './network.js';
import { denseParameters, slotNames } from './optimizers.js';
import { History } from './train.js';

/** What a failed batch leaves: said in every message of an error met while training. */
const LEFT_AS = 'the weights are as the last completed batch left them';

/**
 * Where a batch is, for messages: "fitDataset: epoch 2, batch 3" (both
 * counted from 1, as fit()'s messages count them), "fitDataset:
 * validationData, epoch 2, batch 1", "evaluateDataset: batch 3".
 */
function place(where: string, epoch: number | undefined, batch: number): string {
  return epoch === undefined ? `${where}: batch ${batch + 1}` : `${where}, epoch ${epoch + 1}, batch ${batch + 1}`;
}

/**
 * Runs `visit` on each batch of one pass over a dataset, in order; returns
 * how many it visited. `visit` returning true ends the pass early. The
 * iterator is closed (return()) whenever the pass ends before it does. An
 * error of the dataset's own (it threw starting a pass or making a batch)
 * is rethrown naming the batch; `visit`'s own errors pass as they are.
 */
async function eachBatch(
  net: NetworkEngine,
  where: string,
  epoch: number | undefined,
  open: () => PassIterator<unknown>,
  visit: (batch: unknown, index: number) => boolean | undefined | Promise<boolean | undefined>,
): Promise<number> {
  let iterator: PassIterator<unknown>;
  try {
    iterator = open();
  } catch (error) {
    throw new Error(`${place(where, epoch, 0)}: the dataset could not start a pass: ${messageOf(error)}`);
  }
  let index = 0;
  let finished = false;
  try {
    for (;;) {
      let result: IteratorResult<unknown>;
      try {
        result = await iterator.next();
      } catch (error) {
        throw new Error(`${place(where, epoch, index)}: the dataset threw: ${messageOf(error)}`);
      }
      net.checkAlive(`${where.split(/[:,]/)[0]} (after awaiting the dataset)`);
      if (typeof result !== 'object' || result === null) {
        throw new Error(`${place(where, epoch, index)}: the dataset's iterator gave ${String(result)}, not an iterator result`);
      }
      if (result.done) {
        finished = true;
        return index;
      }
      const stop = await visit(result.value, index++);
      if (stop) return index;
    }
  } finally {
    if (!finished) {
      try {
        await iterator.return?.();
      } catch {
        // The pass has ended with its own outcome; an iterator that fails to close changes nothing here.
      }
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Prefixes a batch's error with where it is, and optionally what it left. */
function atBatch(where: string, error: unknown, left?: string): Error {
  return new Error(`${where}: ${messageOf(error)}${left ? `; ${left}` : ''}`);
}

/** An epoch with no batches: an empty dataset, or one that does not start over. */
function noBatches(where: string, epoch: number | undefined): Error {
  const which = epoch === undefined ? where : `${where}, epoch ${epoch + 1}`;
  return new Error(
    `${which}: the dataset gave no batches` +
      (epoch !== undefined && epoch > 0
        ? ' (a dataset must start over at every pass: a generator object runs once, so pass the function that makes it)'
        : ''),
  );
}

/**
 * Trains `net` on a dataset's batches with `options`, checked first:
 * Network.fitDataset's work. fit()'s loop, a batch copied in before each
 * step.
 *
 * @param net - The engine to train.
 * @param owner - The public network callbacks are given (setNetwork).
 * @param dataset - The batches, unchecked.
 * @param options - fitDataset()'s options, unchecked.
 * @returns Every epoch's logs, as fit()'s.
 * @throws Error starting "fitDataset:" on bad options or dataset (before any change), or a bad batch
 * (naming its epoch and batch; the weights then as the last completed batch left them), a loss or
 * weights that diverge (put back as they were before that epoch), or a network disposed meanwhile;
 * a callback's own error as it threw it.
 */
export async function fitDataset(
  net: NetworkEngine,
  owner: Network,
  dataset: unknown,
  options: FitDatasetOptions,
): Promise<History> {
  const checked = checkFitDatasetOptions('fitDataset', options, net.dtype);
  const open = datasetOpener<unknown>('fitDataset: dataset', dataset);
  if (net.isTraining) throw new Error('fitDataset: this network is already training (await the previous fit first)');
  const { callbacks, optimizer, epochs, learningRate, validation } = checked;
  const { backend, loss } = net;
  const hasAccuracy = loss.accuracy !== undefined;
  const metrics = ['loss', ...(hasAccuracy ? ['acc'] : [])];
  if (validation) metrics.push(...metrics.map((name) => `val_${name}`));

  const owned: number[] = [];
  const stage = new BatchStage(net);
  net.isTraining = true;
  try {
    // Validation rows given as [x, y] are in memory already: loaded once, as fit() loads them.
    const pair = validation && 'pair' in validation ? loadPair(net, validation.pair, owned) : undefined;
    const parameters = denseParameters(net.layers);
    const parameterCount = parameters.reduce((sum, p) => sum + p.size, 0);
    const checkpoint = new Checkpoint(backend, parameterCount * (1 + slotNames(optimizer).length));
    owned.push(checkpoint.block);
    net.useOptimizer(optimizer);
    checkpoint.bind(
      parameters.map(({ value, size }) => ({ offset: value, size })),
      net.optimizer!,
    );
    for (const callback of callbacks) callback.setNetwork?.(owner, metrics);
    const batchCallbacks = callbacks.filter((callback) => callback.onBatchEnd);
    const where = 'fitDataset';
    const notifyAll = (hook: Parameters<typeof notify>[2], list = callbacks) => notify(net, list, hook, where);

    const history = new History();
    let lastYield = performance.now();
    net.stopTraining = false;
    await notifyAll((callback) => callback.onTrainBegin?.());
    for (let epoch = 0; epoch < epochs && !net.stopTraining; epoch++) {
      const began = notifyAll((callback) => callback.onEpochBegin?.(epoch));
      if (began) await began;
      checkpoint.save();
      let lossSum = 0;
      let accSum = 0;
      let seen = 0;
      const batches = await eachBatch(net, where, epoch, open, async (item, batch) => {
        const at = place(where, epoch, batch);
        let n: number;
        try {
          const { x, y } = readBatch('the batch', item);
          n = stage.load(x, y, ['x', 'y']);
          net.reserveBatch(n);
        } catch (error) {
          throw atBatch(at, error, LEFT_AS);
        }
        const a = net.forward(stage.x, n);
        const elements = n * net.outputs;
        const batchLoss = loss.loss(backend, elements, a, stage.y);
        if (!Number.isFinite(batchLoss)) {
          checkpoint.restore();
          throw new Error(
            `fitDataset: the loss diverged to ${batchLoss} at epoch ${epoch + 1} (batch ${batch + 1}); ` +
              `${divergenceHint(learningRate)}; the weights are as they were before epoch ${epoch + 1}`,
          );
        }
        const batchAcc = hasAccuracy ? loss.accuracy!(backend, elements, a, stage.y) : 0;
        lossSum += batchLoss * n;
        accSum += batchAcc * n;
        seen += n;
        net.backward(stage.x, stage.y, n);
        net.applyGradients(learningRate);
        if (batchCallbacks.length > 0) {
          const logs: Logs = hasAccuracy
            ? { batch, size: n, loss: batchLoss, acc: batchAcc }
            : { batch, size: n, loss: batchLoss };
          const done = notifyAll((callback) => callback.onBatchEnd?.(batch, logs), batchCallbacks);
          if (done) await done;
        }
        if (net.stopTraining) return true; // as fit(): the epoch ends here, with the batches it had
        if (performance.now() - lastYield > YIELD_INTERVAL_MS) {
          await yieldToEventLoop();
          net.checkAlive('fitDataset (after yielding to the event loop)');
          lastYield = performance.now();
        }
        return undefined;
      });
      if (batches === 0) throw noBatches(where, epoch);
      const diverged = net.firstNonFiniteParameter();
      if (diverged) {
        checkpoint.restore();
        throw new Error(
          `fitDataset: the weights diverged (${diverged}) in epoch ${epoch + 1}'s last update; ` +
            `${divergenceHint(learningRate)}; the weights are as they were before epoch ${epoch + 1}`,
        );
      }
      const logs: Logs = { loss: lossSum / seen };
      if (hasAccuracy) logs.acc = accSum / seen;
      if (validation) {
        const measured = pair
          ? net.measure(pair.x, pair.y, pair.rows, 'fitDataset (validation)')
          : await measureDataset(
              net,
              stage,
              'fitDataset: validationData',
              epoch,
              (validation as { open: () => PassIterator<unknown> }).open,
              LEFT_AS,
            );
        logs.val_loss = measured.loss;
        if (measured.acc !== undefined) logs.val_acc = measured.acc;
      }
      record(history, epoch, logs);
      const ended = notifyAll((callback) => callback.onEpochEnd?.(epoch, { ...logs }));
      if (ended) await ended;
    }
    await notifyAll((callback) => callback.onTrainEnd?.());
    return history;
  } finally {
    net.isTraining = false;
    stage.free();
    if (!net.isDisposed) for (const offset of owned) backend.free(offset);
  }
}

/** validationData [x, y] loaded into memory, its blocks added to `owned`; inference buffers reserved for it. */
function loadPair(net: NetworkEngine, [vx, vy]: [unknown, unknown], owned: number[]) {
  let data: { rows: number; x: number; y: number };
  try {
    data = net.loadData(vx, vy, ['validationData x', 'validationData y']);
  } catch (error) {
    throw new Error(`fitDataset: ${messageOf(error)}`);
  }
  owned.push(data.x, data.y);
  net.reserveInference(data.rows);
  return data;
}

/**
 * The loss (and accuracy) over every batch of one pass, weighted by the
 * batches' rows: evaluate()'s sums, continued from batch to batch.
 */
async function measureDataset(
  net: NetworkEngine,
  stage: BatchStage,
  where: string,
  epoch: number | undefined,
  open: () => PassIterator<unknown>,
  left?: string,
): Promise<Evaluation> {
  const sums = { loss: 0, acc: 0 };
  let rows = 0;
  const batches = await eachBatch(net, where, epoch, open, (item, batch) => {
    const at = place(where, epoch, batch);
    try {
      const { x, y } = readBatch('the batch', item);
      const n = stage.load(x, y, ['x', 'y']);
      net.measureSums(stage.x, stage.y, n, at, sums);
      rows += n;
    } catch (error) {
      throw error instanceof Error && error.message.startsWith(at) ? error : atBatch(at, error, left);
    }
    return undefined;
  });
  if (batches === 0) throw noBatches(where, epoch);
  return net.loss.accuracy ? { loss: sums.loss / rows, acc: sums.acc / rows } : { loss: sums.loss / rows };
}

/**
 * Network.evaluateDataset's work: the loss (and accuracy) over every batch
 * of one pass, each weighted by its rows.
 */
export async function evaluateDataset(net: NetworkEngine, dataset: unknown): Promise<Evaluation> {
  const open = datasetOpener<unknown>('evaluateDataset: dataset', dataset);
  const stage = new BatchStage(net);
  try {
    return await measureDataset(net, stage, 'evaluateDataset', undefined, open);
  } finally {
    stage.free();
  }
}

/**
 * Network.predictDataset's work: checks the dataset now, and returns the
 * prediction blocks, one per input batch, as they are asked for.
 */
export function predictDataset(net: NetworkEngine, dataset: unknown): AsyncGenerator<FloatArray, void, undefined> {
  const open = datasetOpener<unknown>('predictDataset: dataset', dataset);
  return predictions(net, open);
}

async function* predictions(net: NetworkEngine, open: () => PassIterator<unknown>): AsyncGenerator<FloatArray, void, undefined> {
  const stage = new BatchStage(net);
  const where = 'predictDataset';
  let iterator: PassIterator<unknown>;
  try {
    iterator = open();
  } catch (error) {
    throw new Error(`${place(where, undefined, 0)}: the dataset could not start a pass: ${messageOf(error)}`);
  }
  let finished = false;
  try {
    for (let batch = 0; ; batch++) {
      const at = place(where, undefined, batch);
      let result: IteratorResult<unknown>;
      try {
        result = await iterator.next();
      } catch (error) {
        throw new Error(`${at}: the dataset threw: ${messageOf(error)}`);
      }
      net.checkAlive('predictDataset (after awaiting the dataset)');
      if (result.done) {
        finished = true;
        if (batch === 0) throw noBatches(where, undefined);
        return;
      }
      let out: FloatArray;
      try {
        const n = stage.load(readInputs('the batch', result.value), undefined, ['x', 'y']);
        out = net.dtype === 'float32' ? new Float32Array(n * net.outputs) : new Float64Array(n * net.outputs);
        forEachChunk(net, n, (start, rows) => {
          const a = forwardFinite(net, at, stage.x, start, rows);
          out.set(net.backend.view(a, rows * net.outputs), start * net.outputs);
        });
      } catch (error) {
        throw error instanceof Error && error.message.startsWith(at) ? error : atBatch(at, error);
      }
      yield out;
      net.checkAlive('predictDataset');
    }
  } finally {
    stage.free();
    if (!finished) {
      try {
        await iterator.return?.();
      } catch {
        // As eachBatch: closing is best effort.
      }
    }
  }
}
