/**
 * fitDataset(), evaluateDataset() and predictDataset(): fit(), evaluate()
 * and predict() over batches that arrive one at a time. Each batch is
 * checked and copied into the same blocks (dataset-stage.ts), so memory
 * follows the largest batch; the epoch loop is fit()'s, batch for batch, so
 * the same batches in the same order train to the same weights, bit for bit.
 */
import type { FloatArray } from './backend/backend.js';
import { datasetOpener, type PassIterator, readBatch, readInputs } from './dataset.js';
import { checkFitDatasetOptions, type FitDatasetOptions } from './dataset-options.js';
import { BatchStage } from './dataset-stage.js';
import type { NetworkEngine } from './engine.js';
import { type BatchInMemory, trainEpochs } from './fit.js';
import { forEachChunk, forwardFinite } from './forward.js';
import type { Evaluation, Network } from './network.js';
import { checkClassWeight, classWeightsOf, readSampleWeights } from './sampleWeights.js';
import type { History } from './train.js';

/** What a failed batch leaves: said in every message of an error met while training. */
const LEFT_AS = 'the weights are as the last completed batch left them';

/**
 * Where a batch is, for messages: "fitDataset, epoch 2, batch 3" (both
 * counted from 1, as fit()'s messages count them), "fitDataset:
 * validationData, epoch 2, batch 1", "evaluateDataset: batch 3".
 */
function place(where: string, epoch: number | undefined, batch: number): string {
  return epoch === undefined ? `${where}: batch ${batch + 1}` : `${where}, epoch ${epoch + 1}, batch ${batch + 1}`;
}

/** What Pass.next() gives after the last batch. */
const done = Symbol('done');

/**
 * One pass over a dataset: its batches one at a time, with errors of the
 * dataset's own (it threw starting the pass or making a batch, or gave no
 * batch at all) named by the batch. close() ends a pass left early
 * (the iterator's return(), so a generator's finally runs).
 */
class Pass {
  private iterator: PassIterator<unknown> | undefined;
  private given = 0;
  private finished = false;

  constructor(
    private readonly net: NetworkEngine,
    private readonly where: string,
    private readonly epoch: number | undefined,
    private readonly open: () => PassIterator<unknown>,
  ) {}

  /** Where the batch last given is, for messages. */
  get place(): string {
    return place(this.where, this.epoch, this.given - 1);
  }

  async next(): Promise<unknown> {
    const at = place(this.where, this.epoch, this.given);
    let result: IteratorResult<unknown>;
    try {
      this.iterator ??= this.open();
      result = await this.iterator.next();
    } catch (error) {
      this.finished = true;
      throw new Error(`${at}: the dataset threw: ${messageOf(error)}`);
    }
    this.net.checkAlive(`${this.where.split(':')[0]} (after awaiting the dataset)`);
    if (typeof result !== 'object' || result === null) throw new Error(`${at}: the dataset's next() gave ${String(result)}`);
    if (result.done) {
      this.finished = true;
      if (this.given === 0) throw noBatches(this.where, this.epoch);
      return done;
    }
    this.given++;
    return result.value;
  }

  async close(): Promise<void> {
    if (this.finished || !this.iterator) return;
    this.finished = true;
    try {
      await this.iterator.return?.();
    } catch {
      // The pass has ended with its own outcome; an iterator that fails to close changes nothing.
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Prefixes a batch's error with where it is, and optionally what it left. */
function atBatch(where: string, error: unknown, left?: string): Error {
  const message = messageOf(error);
  return new Error(`${message.startsWith(`${where}:`) ? message : `${where}: ${message}`}${left ? `; ${left}` : ''}`);
}

/** An epoch with no batches: an empty dataset, or one that does not start over. */
function noBatches(where: string, epoch: number | undefined): Error {
  const which = epoch === undefined ? where : `${where}, epoch ${epoch + 1}`;
  return new Error(
    `${which}: the dataset gave no batches` +
      (epoch !== undefined && epoch > 0 ? ' (a generator runs once: pass its function)' : ''),
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
  const classTable =
    checked.classWeight === undefined ? undefined : checkClassWeight(checked.classWeight, net.loss, net.dtype, 'fitDataset');
  if (net.isTraining) throw new Error('fitDataset: this network is already training (await the previous fit first)');
  const { validation } = checked;
  const owned: number[] = [];
  const stage = new BatchStage(net);
  net.isTraining = true;
  try {
    // Validation rows given as [x, y] are in memory already: loaded once, as fit() loads them.
    const pair = validation && 'pair' in validation ? loadPair(net, validation.pair, owned) : undefined;
    const openValidation = validation && 'open' in validation ? validation.open : undefined;
    const where = 'fitDataset';
    const batch: BatchInMemory = { x: 0, y: 0, rows: 0 };
    return await trainEpochs(net, owner, where, checked, owned, {
      validating: validation !== undefined,
      epoch(epoch) {
        const pass = new Pass(net, where, epoch, open);
        return {
          async next() {
            let item: unknown;
            try {
              item = await pass.next();
            } catch (error) {
              throw new Error(`${messageOf(error)}; ${LEFT_AS}`);
            }
            if (item === done) return undefined;
            try {
              const { x, y, sampleWeight } = readBatch('the batch', item);
              batch.rows = stage.load(x, y, ['x', 'y']);
              batch.weights = classTable
                ? classWeights(net, stage.y, batch.rows, classTable, sampleWeight)
                : batchWeights(net, sampleWeight, batch.rows);
              net.reserveBatch(batch.rows);
            } catch (error) {
              throw atBatch(pass.place, error, LEFT_AS);
            }
            batch.x = stage.x;
            batch.y = stage.y;
            return batch;
          },
          close: () => pass.close(),
        };
      },
      validate: pair
        ? () => net.measure(pair.x, pair.y, pair.rows, 'fitDataset (validation)', pair.weights)
        : openValidation && ((epoch) => measureDataset(net, stage, `${where}: validationData`, epoch, openValidation, LEFT_AS)),
    });
  } finally {
    net.isTraining = false;
    stage.free();
    if (!net.isDisposed) for (const offset of owned) net.backend.free(offset);
  }
}

/** Each row's weight from its class, the batch's labels at y; a batch with a sampleWeight of its own is refused, as Keras refuses both. */
function classWeights(net: NetworkEngine, y: number, rows: number, table: Float64Array, sampleWeight: unknown): Float64Array {
  if (sampleWeight !== undefined) throw new Error('the batch has sampleWeight, and fitDataset has classWeight: give one of them');
  return classWeightsOf(table, net.backend.view(y, rows * net.outputs), rows, net.outputs);
}

/** A batch's sampleWeight, checked against its rows, or undefined for none. */
function batchWeights(net: NetworkEngine, sampleWeight: unknown, rows: number): Float64Array | undefined {
  return sampleWeight === undefined ? undefined : readSampleWeights('sampleWeight', sampleWeight, rows, net.dtype);
}

/**
 * validationData [x, y] or [x, y, sampleWeight] loaded into memory, its
 * blocks added to `owned`; inference buffers reserved for it.
 */
function loadPair(net: NetworkEngine, [vx, vy, vw]: unknown[], owned: number[]) {
  let data: { rows: number; x: number; y: number; weights?: Float64Array };
  try {
    data = net.loadData(vx, vy, ['validationData x', 'validationData y']);
  } catch (error) {
    throw new Error(`fitDataset: ${messageOf(error)}`);
  }
  owned.push(data.x, data.y);
  try {
    if (vw !== undefined) data.weights = readSampleWeights('validationData sampleWeight', vw, data.rows, net.dtype);
  } catch (error) {
    throw new Error(`fitDataset: ${messageOf(error)}`);
  }
  net.reserveInference(data.rows);
  return data;
}

/**
 * The loss and metrics over every batch of one pass: evaluate()'s sums
 * and metric state, continued from batch to batch (the loss and accuracy
 * weighted by the batches' rows; the other metrics over all rows at once).
 */
async function measureDataset(
  net: NetworkEngine,
  stage: BatchStage,
  where: string,
  epoch: number | undefined,
  open: () => PassIterator<unknown>,
  left?: string,
): Promise<Evaluation> {
  const sums = net.emptySums();
  let rows = 0;
  const pass = new Pass(net, where, epoch, open);
  try {
    for (let item = await pass.next(); item !== done; item = await pass.next()) {
      try {
        const { x, y, sampleWeight } = readBatch('the batch', item);
        const n = stage.load(x, y, ['x', 'y']);
        net.measureSums(stage.x, stage.y, n, pass.place, sums, batchWeights(net, sampleWeight, n));
        rows += n;
      } catch (error) {
        throw atBatch(pass.place, error, left);
      }
    }
  } finally {
    await pass.close();
  }
  return net.evaluation(sums, rows);
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
  const pass = new Pass(net, 'predictDataset', undefined, open);
  try {
    for (let item = await pass.next(); item !== done; item = await pass.next()) {
      let out: FloatArray;
      try {
        const n = stage.load(readInputs('the batch', item), undefined, ['x', 'y']);
        out = net.dtype === 'float32' ? new Float32Array(n * net.outputs) : new Float64Array(n * net.outputs);
        forEachChunk(net, n, (start, rows) => {
          const a = forwardFinite(net, pass.place, stage.x, start, rows);
          out.set(net.backend.view(a, rows * net.outputs), start * net.outputs);
        });
      } catch (error) {
        throw atBatch(pass.place, error);
      }
      yield out;
      net.checkAlive('predictDataset');
    }
  } finally {
    stage.free();
    await pass.close();
  }
}
