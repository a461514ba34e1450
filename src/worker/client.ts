/**
 * createWorkerNetwork and loadWorkerNetwork: a Network that lives in a
 * worker (a Web Worker in browsers, worker_threads in Node), so training
 * never blocks the calling thread. The same methods as Network, each
 * returning a promise; fit()'s epoch logs are posted back as they come.
 */

import type { BackendName, DType, FloatArray } from '../backend/backend.js';
import { type Callback, EarlyStopping, type Logs, ReduceLROnPlateau } from '../callbacks.js';
import { type LabelInput, type MatrixInput, readMatrix } from '../data.js';
import { type Dataset, datasetOpener } from '../dataset.js';
import { checkFitDatasetOptions, type FitDatasetOptions } from '../dataset-options.js';
import type { LayerConfig } from '../layerConfig.js';
import type { LossName } from '../losses.js';
import type { MetricName } from '../metrics.js';
import type {
  Evaluation,
  LayerWeights,
  LoadNetworkOptions,
  Network,
  NetworkConfig,
  NetworkJSON,
  ToJSONOptions,
} from '../network.js';
import type { NormalizationConfig } from '../normalization.js';
import { loadWasmBytes } from '../platform/kernels.js';
import { threadsForWorker } from '../platform/threaded-backend.js';
import { workerSource } from '../platform/worker-script.js';
import { summaryText } from '../summary.js';
import {
  checkFitOptions,
  checkTrainOnBatchOptions,
  type EvaluateOptions,
  type FitOptions,
  History,
  type TrainOnBatchOptions,
} from '../train.js';

import { DatasetPasses } from './passes.js';
import type {
  Args,
  FitEvent,
  Method,
  NetworkInfo,
  Reply,
  Result,
  WireFitDatasetOptions,
  WireFitOptions,
  WireHistory,
} from './protocol.js';
import { spawnWorker, type WorkerHandle } from './spawn.js';

/** Hooks that cannot follow the worker's training from this thread: they would need the Network or every batch. */
const UNSUPPORTED_HOOKS = ['onEpochBegin', 'onBatchEnd', 'setNetwork'] as const;

/**
 * A callback a worker network takes: hooks that run on the calling thread as
 * the worker's logs arrive (onTrainBegin, onEpochEnd, onTrainEnd), or an
 * {@link EarlyStopping} or a {@link ReduceLROnPlateau}, which run in the worker. onEpochBegin, onBatchEnd
 * and setNetwork would need the worker's network or every batch, and are
 * refused.
 */
export type WorkerCallback =
  | (Omit<Callback, 'onEpochBegin' | 'onBatchEnd' | 'setNetwork'> & {
      onEpochBegin?: never;
      onBatchEnd?: never;
      setNetwork?: never;
    })
  | EarlyStopping
  | ReduceLROnPlateau;

/** Options of {@link WorkerNetwork.fit}: a Network's {@link FitOptions}, with callbacks a worker can follow. */
export interface WorkerFitOptions extends Omit<FitOptions, 'callbacks'> {
  /** One callback or an array of them; see {@link WorkerCallback}. */
  callbacks?: WorkerCallback | WorkerCallback[];
}

/**
 * Options of {@link WorkerNetwork.fitDataset}: a Network's {@link FitDatasetOptions}, with callbacks a worker can follow.
 *
 * @example
 * ```ts
 * const remote = await createWorkerNetwork({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'binaryCrossentropy' });
 * const options: WorkerFitDatasetOptions = {
 *   epochs: 10,
 *   learningRate: 0.01,
 *   onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss), // on this thread
 * };
 * await remote.fitDataset(fromArrays(x, y, { batchSize: 32 }), options);
 * ```
 */
export interface WorkerFitDatasetOptions extends Omit<FitDatasetOptions, 'callbacks'> {
  /** One callback or an array of them; see {@link WorkerCallback}. */
  callbacks?: WorkerCallback | WorkerCallback[];
}

/**
 * Creates a network in a new worker (a Web Worker in browsers,
 * worker_threads in Node), so that training never blocks this thread.
 *
 * @param config - As {@link createNetwork}'s.
 * @returns The worker network, once the worker has built it.
 * @throws Error (as a rejection) with createNetwork's message if the config is bad (the worker is then
 * stopped), or if the worker cannot start.
 *
 * @example
 * ```ts
 * import { createWorkerNetwork } from 'wasmlp';
 *
 * const net = await createWorkerNetwork({
 *   inputs: 2,
 *   layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
 *   loss: 'binaryCrossentropy',
 *   seed: 1,
 * });
 * const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
 * await net.fit(x, [[0], [1], [1], [0]], { epochs: 500, learningRate: 0.1, optimizer: 'adam' });
 * console.log(await net.predict(x));
 * await net.dispose();
 * ```
 */
export function createWorkerNetwork(config: NetworkConfig): Promise<WorkerNetwork> {
  // biome-ignore lint/complexity/useLiteralKeys: bracket access reaches a member TypeScript keeps private from users
  return WorkerNetwork['create'](config);
}

/**
 * {@link loadNetwork} in a new worker: rebuilds a network saved by toJSON()
 * (the object or its text), with loadNetwork's options, checks and messages.
 *
 * @param json - The saved network, or its JSON text.
 * @param options - The backend and threads to run on.
 * @returns The worker network, with the saved weights.
 * @throws Error (as a rejection) with loadNetwork's message if the file or an option is bad.
 *
 * @example
 * ```ts
 * const saved = JSON.stringify(net.toJSON());
 * const remote = await loadWorkerNetwork(saved);
 * console.log(await remote.predict([[0, 1]]));
 * ```
 */
export function loadWorkerNetwork(json: NetworkJSON | string, options?: LoadNetworkOptions): Promise<WorkerNetwork> {
  // biome-ignore lint/complexity/useLiteralKeys: bracket access reaches a member TypeScript keeps private from users
  return WorkerNetwork['load'](json, options);
}

/**
 * Whether the worker needs the threaded backend: `threads` > 1 on the wasm
 * backend. It gets it (threadsForWorker) where threads can run: Node, a
 * cross-origin isolated page. Elsewhere, or should the threads chunk not
 * load, its network runs on one thread, as createNetwork's would, and its
 * `threads` says 1. Values createNetwork refuses go on, for its own message.
 */
function wantsThreads(backend: unknown, threads: unknown): boolean {
  return (backend ?? 'wasm') === 'wasm' && Number.isInteger(threads) && (threads as number) > 1;
}

/**
 * Worker networks with calls pending: held here, so that a network whose
 * caller awaits a call but holds the network itself nowhere (await
 * (await createWorkerNetwork(config)).fit(...)) is not collected mid-call.
 */
const busy = new Set<WorkerNetwork>();

/**
 * Networks dropped without dispose(), once idle and collected, have their
 * worker terminated (and the worker's threads with it), as dispose() would:
 * else each would hold a thread and its memory until the process ends.
 */
const dropped = new FinalizationRegistry<WorkerHandle>((handle) => handle.terminate());

interface Pending {
  /** The public name of the call, for the message if it fails (createWorkerNetwork for 'create'). */
  name: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  events?(events: FitEvent[]): void;
}

/**
 * A {@link Network} that lives in a worker: the same methods, each returning
 * a promise, and the same numbers, bit for bit. Make one with
 * {@link createWorkerNetwork} or {@link loadWorkerNetwork}; {@link
 * WorkerNetwork.dispose} stops its worker.
 *
 * @example
 * ```ts
 * const net = await createWorkerNetwork({
 *   inputs: 2,
 *   layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
 *   loss: 'binaryCrossentropy',
 * });
 * const history = await net.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], {
 *   epochs: 500,
 *   learningRate: 0.1,
 *   optimizer: 'adam',
 *   onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss), // on this thread, as the logs arrive
 * });
 * const saved = JSON.stringify(await net.toJSON());
 * await net.dispose();
 * ```
 */
export class WorkerNetwork {
  private info!: NetworkInfo;
  private handle!: WorkerHandle;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** Why the worker can no longer answer (disposed, terminated, exited, failed): every later call rejects with it. */
  private failure: Error | undefined;
  /** Resolves when `failure` is set: a fit() waiting for its hooks stops waiting then. */
  private readonly ended: Promise<void>;
  private end!: () => void;
  private disposed = false;
  /** fit()'s callbacks running on this thread now; and whether dispose() came while one was (its message says so). */
  private hooksRunning = 0;
  private disposedInHook = false;
  private stopRequested = false;
  private training = 0;

  private constructor() {
    this.ended = new Promise((resolve) => {
      this.end = resolve;
    });
  }

  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: called as WorkerNetwork['create'] by createWorkerNetwork
  private static async create(config: NetworkConfig): Promise<WorkerNetwork> {
    const { backend, threads } = (config ?? {}) as Partial<NetworkConfig>;
    return WorkerNetwork.start(backend !== 'js', wantsThreads(backend, threads), (net, wasm, threaded, transfer) =>
      net.call('create', [config, wasm, threaded], transfer),
    );
  }

  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: called as WorkerNetwork['load'] by loadWorkerNetwork
  private static async load(json: NetworkJSON | string, options?: LoadNetworkOptions): Promise<WorkerNetwork> {
    const { backend, threads } = (options ?? {}) as Partial<LoadNetworkOptions>;
    return WorkerNetwork.start(backend !== 'js', wantsThreads(backend, threads), (net, wasm, threaded, transfer) =>
      net.call('load', [json, options, wasm, threaded], transfer),
    );
  }

  /**
   * Starts the worker, with the threads add-on at the head of its script if
   * `threads` (and threads can run), and has it build the network with
   * `init`; stops the worker if that fails.
   */
  private static async start(
    usesWasm: boolean,
    threads: boolean,
    init: (
      net: WorkerNetwork,
      wasm: Uint8Array | undefined,
      threaded: Uint8Array | undefined,
      transfer: Transferable[],
    ) => Promise<NetworkInfo>,
  ): Promise<WorkerNetwork> {
    const [source, wasm, threaded] = await Promise.all([
      workerSource(),
      usesWasm ? loadWasmBytes() : undefined,
      threads ? threadsForWorker() : undefined,
    ]);
    const net = new WorkerNetwork();
    // The worker's events reach the network through a WeakRef, so that they do not keep a dropped network
    // alive: collected, it terminates its worker (dropped).
    const ref = new WeakRef(net);
    net.handle = await spawnWorker(
      source,
      {
        message: (data) => ref.deref()?.receive(data as Reply),
        fatal: (error) => ref.deref()?.fail(error),
      },
      threaded?.source,
    );
    dropped.register(net, net.handle, net);
    try {
      // Copies to hand over: the originals may be views into a shared pool, or kept for the next worker
      // (new Uint8Array, not slice(): a Node Buffer's slice() is a view).
      const [bytes, threadedBytes] = [wasm, threaded?.wasm].map((original) => original && new Uint8Array(original));
      const transfer = [bytes, threadedBytes].flatMap((copy) => (copy ? [copy.buffer as ArrayBuffer] : []));
      const info = await init(net, bytes, threadedBytes, transfer);
      // Frozen, as a Network's layers are.
      net.info = { ...info, layers: Object.freeze(info.layers.map((layer) => Object.freeze(layer))) };
    } catch (error) {
      net.terminate(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    return net;
  }

  /** Features per sample: the columns of x. */
  get inputs(): number {
    return this.info.inputs;
  }
  /** Units of the output layer: the columns of predict()'s rows and of y. */
  get outputs(): number {
    return this.info.outputs;
  }
  /** Each layer's config as checked, its defaults filled in (what toJSON() saves). */
  get layers(): readonly LayerConfig[] {
    return this.info.layers;
  }
  /** The loss fit() minimises. */
  get loss(): LossName {
    return this.info.loss;
  }
  /** As {@link Network.metrics}: what the history and evaluate report besides the loss (a copy). */
  get metrics(): MetricName[] {
    return [...this.info.metrics];
  }
  /** 'float32' or 'float64': the type of every weight and of predict()'s output. */
  get dtype(): DType {
    return this.info.dtype;
  }
  /** The backend's name: 'wasm' or 'js'. */
  get backend(): BackendName {
    return this.info.backend;
  }
  /** Threads the worker's network runs on: `threads` as asked, or 1 where threads cannot run (as a Network's). */
  get threads(): number {
    return this.info.threads;
  }
  /** As {@link Network.normalization}: the inputs' normalisation's statistics (a copy), or null. */
  get normalization(): NormalizationConfig | null {
    const config = this.info.normalization;
    return config ? { mean: [...config.mean], variance: [...config.variance] } : null;
  }
  /** True while a fit() is pending; a second fit() meanwhile is refused. */
  get isTraining(): boolean {
    return this.training > 0;
  }
  /** True once dispose() has run: every later call rejects. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * As Network.stopTraining: setting it true ends a running fit() after the
   * worker's current epoch. The request crosses threads, so a few more
   * epochs may run in between; each new fit() starts with it false.
   */
  get stopTraining(): boolean {
    return this.stopRequested;
  }
  set stopTraining(value: boolean) {
    this.stopRequested = value;
    if (value && !this.disposed && !this.failure) void this.call('stop', []).catch(() => {});
  }

  /**
   * As Network.fit. onEpochEnd, and the onTrainBegin / onEpochEnd /
   * onTrainEnd hooks of callbacks, run on this thread as the logs arrive;
   * the worker waits for the onTrainBegin hooks before its first epoch, not
   * for the others; fit() resolves after the last. A hook that throws
   * rejects fit() with its error (a throwing onEpochEnd stops the worker
   * after its current epoch, which may be a few epochs on). EarlyStopping
   * callbacks run in the worker, and their stoppedEpoch and bestEpoch are
   * copied back. x, y and validationData are copied once and transferred,
   * never structured-cloned row by row. The options are checked here first,
   * as Network.fit checks them first, with its checks and messages.
   *
   * @param x - Inputs: `number[][]` or `{ data, shape: [rows, inputs] }`.
   * @param y - Labels, as {@link Network.fit} takes them.
   * @param options - As Network.fit's, with callbacks a worker can follow ({@link WorkerFitOptions}).
   * @returns The loss (and acc, val_loss, val_acc) of every epoch, as Network.fit's.
   * @throws Error (as a rejection) with Network.fit's message, or a hook's own error, or
   * "fit: this network has been disposed" once dispose() has run.
   *
   * @example
   * ```ts
   * const history = await net.fit(x, y, { epochs: 500, learningRate: 0.1, optimizer: 'adam', callbacks: earlyStopping({ monitor: 'loss' }) });
   * ```
   */
  async fit(x: MatrixInput, y: LabelInput, options: WorkerFitOptions): Promise<History> {
    if (this.disposed) throw new Error('fit: this network has been disposed');
    const transfer: Transferable[] = [];
    const checked = checkFitOptions(options, this.dtype);
    const { hooks, earlyStopping, wire: split } = splitCallbacks('fit', checked.callbacks);
    const { callbacks, onEpochEnd, validationData, ...rest } = options;
    const wire: WireFitOptions = {
      ...split,
      options: {
        ...rest,
        optimizer: checked.optimizer,
        learningRate: checked.learningRate,
        validationData:
          validationData &&
          ([pack(validationData[0], transfer), pack(validationData[1], transfer), ...validationData.slice(2)] as [
            MatrixInput,
            LabelInput,
          ]),
      },
    };
    // As Network.fit, after the options, and decided here, on this thread, whatever the worker is doing:
    // a second fit() is refused until the first has settled, not queued behind it.
    if (this.training > 0) throw new Error('fit: this network is already training (await the previous fit first)');
    const data = [pack(x, transfer), pack(y, transfer)];
    return this.train('fit', hooks, earlyStopping, (dispatch) => this.call('fit', [data[0], data[1], wire], transfer, dispatch));
  }

  /**
   * As {@link Network.fitDataset}: trains the worker's network on a
   * dataset's batches, which stay on this thread: the worker pulls them one
   * at a time as it trains (each batch's arrays copied once and
   * transferred), never the whole dataset. The callbacks are those of
   * {@link WorkerNetwork.fit}; the options, the same weights and history as
   * a Network's fitDataset, and its messages.
   *
   * @param dataset - The batches `{ x, y }`, iterated on this thread afresh each epoch: see {@link Dataset}.
   * @param options - As Network.fitDataset's, with callbacks a worker can follow.
   * @returns The loss (and acc, val_loss, val_acc) of every epoch.
   * @throws Error (as a rejection) with Network.fitDataset's message, a hook's own error, or
   * "fitDataset: this network has been disposed" once dispose() has run.
   *
   * @example
   * ```ts
   * const history = await net.fitDataset(fromArrays(x, y, { batchSize: 64, shuffle: true, seed: 1 }), {
   *   epochs: 20,
   *   learningRate: 0.01,
   *   optimizer: 'adam',
   * });
   * ```
   */
  async fitDataset(dataset: Dataset, options: WorkerFitDatasetOptions): Promise<History> {
    if (this.disposed) throw new Error('fitDataset: this network has been disposed');
    const checked = checkFitDatasetOptions('fitDataset', options as FitDatasetOptions, this.dtype);
    const open = datasetOpener<unknown>('fitDataset: dataset', dataset);
    const { hooks, earlyStopping, wire: split } = splitCallbacks('fitDataset', checked.callbacks);
    const { validation } = checked;
    const transfer: Transferable[] = [];
    const wire: WireFitDatasetOptions = {
      ...split,
      options: {
        epochs: checked.epochs,
        learningRate: checked.learningRate,
        optimizer: checked.optimizer,
        classWeight: checked.classWeight as FitDatasetOptions['classWeight'],
        validationData:
          validation && ('pair' in validation ? (validation.pair.map((m) => pack(m, transfer)) as [unknown, unknown]) : 'pulled'),
      },
    };
    if (this.training > 0) throw new Error('fitDataset: this network is already training (await the previous fit first)');
    // A batch that cannot be posted (it holds a function, say) fails its pull, as a bad batch would.
    const passes = new DatasetPasses((pass, batch, batchTransfer) => {
      this.call('batch', [pass, batch], batchTransfer).catch((error: Error) => {
        if ('value' in batch) void this.call('batch', [pass, { error: error.message }]).catch(() => {});
      });
    }, packBatch);
    const openers = { train: open, validation: validation && 'open' in validation ? validation.open : open };
    try {
      return await this.train(
        'fitDataset',
        hooks,
        earlyStopping,
        (dispatch) => this.call('fitDataset', [wire], transfer, dispatch),
        (event) => passes.handle(event, openers),
      );
    } finally {
      await passes.closeAll();
    }
  }

  /**
   * fit() and fitDataset() on this thread: runs the hooks as the worker's
   * events arrive, strictly in order, each awaited; hands a dataset's pulls
   * to `pull`, which answers them even after a hook failed (the worker
   * waits for each); settles after the last event.
   */
  private async train(
    method: string,
    hooks: readonly Callback[],
    earlyStopping: readonly EarlyStopping[],
    start: (dispatch: (events: FitEvent[]) => void) => Promise<WireHistory>,
    pull?: (event: FitEvent) => Promise<void>,
  ): Promise<History> {
    let chain = Promise.resolve();
    let listenerError: Error | undefined;
    const dispatch = (events: FitEvent[]) => {
      chain = chain.then(async () => {
        for (const event of events) {
          if (this.failure) return;
          if (event[0] === 'next' || event[0] === 'close') {
            await pull?.(event);
            continue;
          }
          if (listenerError) continue;
          try {
            this.hooksRunning++;
            await runHooks(hooks, event);
          } catch (error) {
            listenerError = error instanceof Error ? error : new Error(String(error));
            this.stopTraining = true;
          } finally {
            this.hooksRunning--;
          }
          // The worker waits for this before its first epoch.
          if (event[0] === 'trainBegin') void this.call('trainBegun', [!listenerError]).catch(() => {});
        }
      });
    };

    this.stopRequested = false;
    this.training++;
    try {
      // Settles after the last event's hooks have run, whether the worker succeeded or not, or at once
      // when the network is disposed or its worker dies (a hook that never settles holds nothing);
      // a hook's error comes first (the worker's, if any, followed from it).
      const result = await start(dispatch)
        .finally(() => Promise.race([chain, this.ended]))
        .catch((error: unknown) => {
          throw listenerError ?? (this.disposedInHook ? disposedInHook() : error);
        });
      if (listenerError) throw listenerError;
      if (this.failure) throw this.disposedInHook ? disposedInHook() : new Error(`${method}: ${this.failure.message}`); // ended while its hooks ran
      result.earlyStopping.forEach((outcome, i) => Object.assign(earlyStopping[i], outcome));
      return Object.assign(new History(), { epoch: result.epoch, history: result.history });
    } finally {
      this.training--;
    }
  }

  /**
   * As {@link Network.trainOnBatch}: one update on these rows, with fit()'s
   * optimiser and its state, in the worker. The options are checked here
   * first, with Network.trainOnBatch's messages; x and y are copied once and
   * transferred. Refused while a fit() is pending, as a second fit() is.
   *
   * @param x - Inputs: `number[][]` or `{ data, shape: [rows, inputs] }`.
   * @param y - Labels, as {@link Network.fit} takes them.
   * @param options - learningRate (required) and optimizer: see {@link TrainOnBatchOptions}.
   * @returns The batch's loss and metrics and learning_rate, as Network.trainOnBatch's.
   * @throws Error (as a rejection) with Network.trainOnBatch's message, or if the network is disposed.
   *
   * @example
   * ```ts
   * const remote = await createWorkerNetwork({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'binaryCrossentropy' });
   * const logs = await remote.trainOnBatch(x, y, { learningRate: 0.01, optimizer: 'adam' });
   * ```
   */
  async trainOnBatch(x: MatrixInput, y: LabelInput, options: TrainOnBatchOptions): Promise<Logs> {
    if (this.disposed) throw new Error('trainOnBatch: this network has been disposed');
    const checked = checkTrainOnBatchOptions(options, this.dtype);
    if (this.training > 0) throw new Error('trainOnBatch: this network is already training (await the previous fit first)');
    const transfer: Transferable[] = [];
    const data = [pack(x, transfer), pack(y, transfer)];
    this.training++;
    try {
      // The weights as read by the check (once), still unchecked: the worker checks them against the rows.
      return await this.call('trainOnBatch', [data[0], data[1], checked as TrainOnBatchOptions], transfer);
    } finally {
      this.training--;
    }
  }

  /**
   * As {@link Network.summary}: the network as Keras's table. Made on this
   * thread from the architecture the worker reported, so it needs no
   * message and returns at once, as a Network's does.
   *
   * @returns The table's lines, joined by newlines.
   * @throws Error if the network is disposed.
   *
   * @example
   * ```ts
   * const remote = await createWorkerNetwork({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'binaryCrossentropy' });
   * console.log(remote.summary());
   * ```
   */
  summary(): string {
    if (this.disposed) throw new Error('summary: this network has been disposed');
    const layers = this.info.layers.map(({ units }, l) => ({ units, dropout: this.info.dropout[l] }));
    return summaryText(this.info.inputs, layers, this.info.normalization !== null);
  }

  /**
   * As {@link Network.predict}: the network's outputs for every row of x.
   *
   * @param x - Inputs: `number[][]` or `{ data, shape: [rows, inputs] }`.
   * @returns rows x outputs values, row-major, in the network's dtype.
   * @throws Error (as a rejection) with Network.predict's message, or if the network is disposed.
   */
  predict(x: MatrixInput): Promise<FloatArray> {
    return this.guarded('predict', () => {
      const transfer: Transferable[] = [];
      return this.call('predict', [pack(x, transfer)], transfer);
    });
  }

  /**
   * As {@link Network.evaluate}: the loss, and the accuracy where the loss has one, over x and y.
   *
   * @param x - Inputs: `number[][]` or `{ data, shape: [rows, inputs] }`.
   * @param y - Labels, as fit() takes them.
   * @param options - As Network.evaluate's: `sampleWeight`.
   * @returns The mean loss and accuracy over every row.
   * @throws Error (as a rejection) with Network.evaluate's message, or if the network is disposed.
   */
  evaluate(x: MatrixInput, y: LabelInput, options?: EvaluateOptions): Promise<Evaluation> {
    return this.guarded('evaluate', () => {
      const transfer: Transferable[] = [];
      return this.call('evaluate', [pack(x, transfer), pack(y, transfer), options], transfer);
    });
  }

  /**
   * As {@link Network.getWeights}: a copy of every layer's weights.
   *
   * @returns One `{ W, b }` per layer: W is inputs x units, b has units values.
   * @throws Error (as a rejection) if the network is disposed.
   */
  getWeights(): Promise<LayerWeights[]> {
    return this.guarded('getWeights', () => this.call('getWeights', []));
  }

  /**
   * As {@link Network.setWeights}: replaces every layer's weights, all checked before any is written.
   *
   * @param weights - One `{ W, b }` per layer, as getWeights() gives them.
   * @throws Error (as a rejection) with Network.setWeights's message, or if the network is disposed.
   */
  setWeights(weights: LayerWeights[]): Promise<void> {
    return this.guarded('setWeights', () => this.call('setWeights', [weights]));
  }

  /**
   * As {@link Network.adapt}: normalises the inputs from now on with each
   * feature's mean and variance over x.
   *
   * @param x - The inputs to learn the statistics from, as fit takes them.
   * @throws Error (as a rejection) with Network.adapt's message, or if the network is disposed.
   */
  adapt(x: MatrixInput): Promise<void> {
    return this.guarded('adapt', async () => {
      const transfer: Transferable[] = [];
      this.info = { ...this.info, normalization: await this.call('adapt', [pack(x, transfer)], transfer) };
    });
  }

  /**
   * As Network.toJSON: the same plain object (with includeOptimizer, the
   * optimiser's config and state), for JSON.stringify or loadNetwork /
   * loadWorkerNetwork. JSON.stringify(net) itself cannot wait for it, so
   * it throws rather than write an empty object.
   *
   * @param options - `{ includeOptimizer }`, false by default.
   * @returns What {@link loadNetwork} and {@link loadWorkerNetwork} rebuild the network from.
   * @throws Error when called by JSON.stringify; (as a rejection) if an option is bad or the network is disposed.
   *
   * @example
   * ```ts
   * const text = JSON.stringify(await net.toJSON());
   * ```
   */
  toJSON(options?: ToJSONOptions): Promise<NetworkJSON> {
    // JSON.stringify(net) calls net.toJSON(key) with the property name.
    if (typeof options === 'string') {
      throw new Error(
        "toJSON: a worker network's toJSON() returns a promise, which JSON.stringify cannot wait for; " +
          'stringify its result instead: JSON.stringify(await net.toJSON())',
      );
    }
    return this.guarded('toJSON', () => this.call('toJSON', [options]));
  }

  /**
   * Frees the network and stops its worker (and the worker's threads) at
   * once. Every call not yet answered rejects now, fit() included, even one
   * waiting for a callback's promise that never settles: "<method>: this
   * network has been disposed". Any later call rejects the same way.
   *
   * @returns A promise that resolves at once: the worker is stopped by then.
   */
  async dispose(): Promise<void> {
    if (!this.disposed) this.disposedInHook = this.hooksRunning > 0;
    this.terminate(new Error('this network has been disposed'));
  }

  // ---- plumbing ----

  /** Ends the worker, failing every pending call with `reason` (unless it failed already). */
  private terminate(reason: Error): void {
    if (this.disposed) return;
    this.disposed = true;
    dropped.unregister(this);
    this.fail(reason);
    this.handle.terminate();
  }

  /** Runs `call` unless the network is disposed, turning synchronous throws (bad input) into rejections. */
  private async guarded<T>(method: string, call: () => Promise<T>): Promise<T> {
    if (this.disposed) throw new Error(`${method}: this network has been disposed`);
    return call();
  }

  private call<M extends Method>(
    method: M,
    args: Args<M>,
    transfer: Transferable[] = [],
    events?: (events: FitEvent[]) => void,
  ): Promise<Result<M>> {
    const name = method === 'create' ? 'createWorkerNetwork' : method === 'load' ? 'loadWorkerNetwork' : method;
    if (this.failure) return Promise.reject(new Error(`${name}: ${this.failure.message}`));
    const id = ++this.nextId;
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { name, resolve: resolve as (value: unknown) => void, reject, events });
      busy.add(this);
      this.handle.keepAlive(true);
      try {
        this.handle.post({ id, method, args }, transfer);
      } catch (error) {
        // The arguments cannot be copied to the worker (a Network would name the value; it cannot
        // reach the worker to be named there). A failed post transfers nothing.
        this.settle(id);
        reject(unsendable(name, ARGUMENT_NAMES[method], args as unknown[], error));
      }
    });
  }

  private receive(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    if ('events' in reply) {
      pending.events?.(reply.events);
    } else if ('error' in reply) {
      this.settle(reply.id);
      pending.reject(new Error(reply.error));
    } else {
      this.settle(reply.id);
      pending.resolve(reply.result);
    }
  }

  private settle(id: number): void {
    this.pending.delete(id);
    // Node: an idle worker must not keep the process alive (a forgotten dispose() would hang it).
    if (this.pending.size === 0) {
      this.handle.keepAlive(false);
      busy.delete(this);
    }
  }

  /** The worker cannot answer any more: every pending call rejects, naming its method, as every later one will. */
  private fail(error: Error): void {
    this.failure ??= error;
    this.end();
    for (const [id, pending] of this.pending) {
      this.settle(id);
      pending.reject(new Error(`${pending.name}: ${this.failure.message}`));
    }
  }
}

/** Network.fit's message when dispose() comes while it awaits a callback. */
const disposedInHook = () => new Error('fit: this network was disposed while fit() awaited a callback');

/** Each request's arguments as a user knows them (fit's third is built from its options). */
const ARGUMENT_NAMES: { [M in Method]: string[] } = {
  create: ['config'],
  load: ['json', 'options'],
  fit: ['x', 'y', 'options'],
  trainOnBatch: ['x', 'y', 'options'],
  fitDataset: ['options'],
  batch: ['pass', 'the batch'],
  predict: ['x'],
  evaluate: ['x', 'y', 'options'],
  getWeights: [],
  setWeights: ['weights'],
  adapt: ['x'],
  toJSON: ['options'],
  trainBegun: [],
  stop: [],
};

/**
 * Why `args` could not be posted, naming the argument that cannot be copied
 * (found by copying each alone, on this failure path only): one nested too
 * deeply for the structured clone (a RangeError: its recursion ran out of
 * stack), one holding a function or a symbol, or some other value that
 * cannot be copied (a WeakMap, a Proxy; a DataCloneError), or a getter that
 * threw while it was read.
 */
function unsendable(method: string, names: string[], args: unknown[], error: unknown): Error {
  let culprit = 'the arguments';
  let cause = error;
  for (let i = 0; i < names.length; i++) {
    try {
      structuredClone(args[i]);
    } catch (thrown) {
      culprit = names[i];
      cause = thrown;
      break;
    }
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  if (cause instanceof RangeError)
    return new Error(`${method}: ${culprit} is nested too deeply to be sent to the worker (${message})`);
  if (cause instanceof Error && cause.name === 'DataCloneError') {
    // V8 names an object it cannot copy "#<WeakMap>" or "[object Array]" (a Proxy), and a function or a
    // symbol by its source or description.
    const what = /(#<\w+>|\[object \w+\]) could not be cloned/.test(message)
      ? 'a value that cannot be copied'
      : 'a function or symbol';
    return new Error(`${method}: ${culprit} holds ${what}, which cannot be sent to the worker (${message})`);
  }
  return new Error(`${method}: ${culprit} could not be read to be sent to the worker: ${message}`);
}

/** A batch's x and y packed for the worker, its other fields as they are (the worker refuses them with its messages). */
function packBatch(batch: unknown, transfer: Transferable[]): unknown {
  if (typeof batch !== 'object' || batch === null || Array.isArray(batch) || ArrayBuffer.isView(batch)) return batch;
  const packed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(batch)) packed[key] = key === 'x' || key === 'y' ? pack(value, transfer) : value;
  return packed;
}

/**
 * Copies a matrix into one typed array to transfer: rows of finite numbers
 * (as float64, exact: the worker's Network checks them against its dtype,
 * and reads a column of class indices from them as from the rows), or a
 * Float32Array / Float64Array with its shape. Anything else crosses as it
 * is, for the worker's Network to take (y as a flat array of class indices)
 * or refuse, with its message and in its order (x before y, say), as it would
 * on this thread: nothing is refused here.
 */
function pack(input: unknown, transfer: Transferable[]): unknown {
  let data: Float32Array | Float64Array;
  let shape: [number, number];
  if (Array.isArray(input)) {
    try {
      // Checked as it is copied, each value read once (no staging copy as checkMatrix makes).
      const matrix = readMatrix('x', input, { dtype: 'float64' });
      data = new Float64Array(matrix.rows * matrix.cols);
      matrix.copyInto(data);
      shape = [matrix.rows, matrix.cols];
    } catch {
      return input;
    }
  } else if (
    typeof input === 'object' &&
    input !== null &&
    'data' in input &&
    'shape' in input &&
    (input.data instanceof Float32Array || input.data instanceof Float64Array)
  ) {
    data = input.data.slice(); // never detach the caller's array
    shape = input.shape as [number, number];
  } else {
    return input;
  }
  transfer.push(data.buffer as ArrayBuffer);
  return { data, shape };
}

/**
 * Separates fit()'s checked callbacks into what stays here, the hooks that
 * run on this thread, and what crosses: the EarlyStopping and ReduceLROnPlateau
 * callbacks' options, to rebuild them in the worker, and which hooks to report.
 */
function splitCallbacks(
  method: string,
  checked: readonly Callback[],
): {
  wire: Pick<WireFitOptions, 'earlyStopping' | 'reduceLROnPlateau' | 'report'>;
  hooks: Callback[];
  earlyStopping: EarlyStopping[];
} {
  const report = { trainBegin: false, epochEnd: false, trainEnd: false };
  const earlyStopping = checked.filter((callback): callback is EarlyStopping => callback instanceof EarlyStopping);
  const reducers = checked.filter((callback): callback is ReduceLROnPlateau => callback instanceof ReduceLROnPlateau);
  const inWorker = (callback: Callback) => callback instanceof EarlyStopping || callback instanceof ReduceLROnPlateau;
  const hooks = checked.filter((callback) => !inWorker(callback));
  checked.forEach((callback, i) => {
    if (inWorker(callback)) return;
    for (const hook of UNSUPPORTED_HOOKS) {
      if (typeof callback[hook] === 'function') {
        throw new Error(
          `${method}: callbacks[${i}].${hook} cannot follow training in a worker; ` +
            "a worker network's callbacks may have onTrainBegin, onEpochEnd and onTrainEnd (run on this thread), or be earlyStopping() or reduceLROnPlateau()",
        );
      }
    }
  });
  for (const callback of hooks) {
    if (callback.onTrainBegin) report.trainBegin = true;
    if (callback.onEpochEnd) report.epochEnd = true;
    if (callback.onTrainEnd) report.trainEnd = true;
  }
  const wire = {
    earlyStopping: earlyStopping.map(({ monitor, minDelta, patience, mode, baseline, restoreBestWeights }) => ({
      monitor,
      minDelta,
      patience,
      mode,
      baseline,
      restoreBestWeights,
    })),
    reduceLROnPlateau: reducers.map(({ monitor, factor, patience, minDelta, cooldown, minLr, mode }) => ({
      monitor,
      factor,
      patience,
      minDelta,
      cooldown,
      minLr,
      mode,
    })),
    report,
  };
  return { wire, hooks, earlyStopping };
}

async function runHooks(hooks: readonly Callback[], event: FitEvent): Promise<void> {
  for (const callback of hooks) {
    if (event[0] === 'trainBegin') await callback.onTrainBegin?.();
    else if (event[0] === 'epochEnd') await callback.onEpochEnd?.(event[1], { ...event[2] });
    else await callback.onTrainEnd?.();
  }
}
