/**
 * The public network: `Network`, and the two ways to get one, createNetwork
 * and loadNetwork. A Network is a handle on its engine (engine.ts), which
 * holds the memory plan and the passes; this file checks that the network is
 * alive and hands each call on, so the published type shows the API only.
 */
import type { BackendName, DType, FloatArray } from './backend/backend.js';
import type { Logs } from './callbacks.js';
import { checkKeys } from './checks.js';
import type { LabelInput, MatrixInput } from './data.js';
import type { Dataset, PredictionInput } from './dataset.js';
import { evaluateDataset, fitDataset, predictDataset } from './dataset-fit.js';
import type { FitDatasetOptions } from './dataset-options.js';
import { attachEngine, buildEngine, engineOf, type NetworkEngine } from './engine.js';
import { fit } from './fit.js';
import type { DropoutConfig, LayerConfig } from './layerConfig.js';
import type { LossName } from './losses.js';
import type { MetricName } from './metrics.js';
import { checkNetworkConfig } from './networkConfig.js';
import type { NormalizationConfig } from './normalization.js';
import type { OptimizerConfig, OptimizerState } from './optimizers.js';
import { networkToJSON, restoreEngine } from './serialize.js';
import { summaryText } from './summary.js';
import type { EvaluateOptions, FitOptions, History, TrainOnBatchOptions } from './train.js';
import { trainOnBatch } from './trainOnBatch.js';
import type { LayerWeights } from './weights.js';

export type { DropoutConfig, LayerConfig, RegularizerConfig } from './layerConfig.js';
export type { NormalizationConfig } from './normalization.js';
export type { LayerWeights } from './weights.js';

/** What {@link createNetwork} builds: the architecture, the loss, and where and how the numbers run. */
export interface NetworkConfig {
  /** Features per sample. */
  inputs: number;
  /** The dense layers, input side first, each optionally followed by a dropout entry; at most 1000 entries. */
  layers: (LayerConfig | DropoutConfig)[];
  /** The loss fit() minimises; the output layer's activation must suit it. */
  loss: LossName;
  /** 'wasm' (default) or 'js'. */
  backend?: BackendName;
  /** 'float32' (default) or 'float64'. */
  dtype?: DType;
  /** Seeds the initial weights and the shuffles: same seed, same numbers. */
  seed?: number;
  /**
   * Threads for the wasm backend (default 1): large matrix products and SGD
   * steps split across this thread and threads - 1 workers, with results
   * identical to one thread's. Where shared memory is unavailable (a page
   * that is not cross-origin isolated) the network runs on one thread.
   */
  threads?: number;
  /**
   * Normalise the inputs before the first layer, as Keras's Normalization
   * layer: `(x - mean) / max(sqrt(variance), 1e-7)` per feature, in the
   * network's dtype. Or leave it out and call {@link Network.adapt} with data.
   */
  normalization?: NormalizationConfig;
  /**
   * What fit's history and evaluate report besides the loss, with Keras's
   * names (see {@link MetricName}): by default `['accuracy']` where the loss
   * has one, none for meanSquaredError; `[]` for the loss alone. Accuracy is
   * logged as `acc`, the others under their names (`val_` before them for
   * validation). A metric that does not fit the loss is refused.
   */
  metrics?: MetricName[];
}

/** What {@link Network.evaluate} measures over a whole data set: the loss, and each of the network's metrics. */
export interface Evaluation {
  /** The loss: a mean over every element. */
  loss: number;
  /** The fraction of rows classified correctly ('accuracy'); absent when not among the metrics (meanSquaredError's default). */
  acc?: number;
  /** Precision over every row, when among the network's metrics. */
  precision?: number;
  /** Recall over every row, when among the network's metrics. */
  recall?: number;
  /** The exact area under the ROC curve over every row, when among the network's metrics. */
  auc?: number;
  /** The mean absolute error over every element, when among the network's metrics. */
  mae?: number;
  /** The coefficient of determination over every row, when among the network's metrics. */
  r2?: number;
}

/** A saved network, as {@link Network.toJSON} gives it and {@link loadNetwork} takes it back: plain, JSON-able data. */
export interface NetworkJSON {
  /** Always 'wasmlp-network'. */
  format: 'wasmlp-network';
  /** The format's version: 1. */
  version: 1;
  /** Features per sample. */
  inputs: number;
  /**
   * Each layer's config, its defaults filled in; a network with dropout has
   * its {@link DropoutConfig} entries here too, in their places (never last).
   */
  layers: LayerConfig[];
  /** The loss the network trains with. */
  loss: LossName;
  /** The float type the weights were trained in. */
  dtype: DType;
  /** The inputs' normalisation, when the network has one. */
  normalization?: NormalizationConfig;
  /** The metrics, when they are not the loss's default. */
  metrics?: MetricName[];
  /** Every layer's weights, exactly. */
  weights: LayerWeights[];
  /** Present when saved with includeOptimizer after a fit(). */
  optimizer?: OptimizerJSON;
  /**
   * An application's own data, carried with the network and never read by
   * wasmlp: a plain object of JSON values, which {@link loadNetwork} keeps
   * and toJSON() writes back. The command line keeps its feature names and
   * target under `wasmlp` here.
   */
  metadata?: Record<string, unknown>;
}

/** The optimiser a network trained with, and its state: its step count and slots. */
export interface OptimizerJSON extends OptimizerState {
  /** The optimiser's type and options, every default filled in. */
  config: OptimizerConfig;
}

/** Options of {@link Network.toJSON}. */
export interface ToJSONOptions {
  /** Save the optimiser's config and state, to resume training exactly (default false). */
  includeOptimizer?: boolean;
}

/** Options of {@link loadNetwork}: where the loaded network runs. */
export interface LoadNetworkOptions {
  /** 'wasm' (default) or 'js'; need not be the backend that saved it. */
  backend?: BackendName;
  /** Threads for the wasm backend, as {@link NetworkConfig.threads}. */
  threads?: number;
}

/**
 * A dense neural network (a multi-layer perceptron) whose numbers live in
 * WebAssembly (or plain JavaScript) memory. Make one with
 * {@link createNetwork} or {@link loadNetwork}; free it with
 * {@link Network.dispose}.
 *
 * @example
 * ```ts
 * import { createNetwork } from 'wasmlp';
 *
 * const net = await createNetwork({
 *   inputs: 2,
 *   layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
 *   loss: 'binaryCrossentropy',
 *   seed: 1,
 * });
 * const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
 * const y = [[0], [1], [1], [0]];
 * await net.fit(x, y, { epochs: 500, learningRate: 0.1, optimizer: 'adam' });
 * console.log(net.predict(x)); // Float32Array(4): close to 0, 1, 1, 0
 * net.dispose();
 * ```
 */
export class Network {
  /** The checked layer configs, made once: `layers` hands out the same frozen array each time. */
  readonly #layers: readonly LayerConfig[];

  private constructor(engine: NetworkEngine) {
    attachEngine(this, engine);
    this.#layers = Object.freeze(engine.layers.map((layer) => layer.config));
    // The threaded backend's statistics (chunks each thread computed) under a registered symbol, for
    // the browser test that has only the built bundle: read-only counters, untyped and not enumerable.
    const backend = engine.backend as { resetThreadStats?(): void; threadStats?(): unknown };
    Object.defineProperty(this, Symbol.for('wasmlp.threadStats'), {
      value: Object.freeze({ reset: () => backend.resetThreadStats?.(), read: () => backend.threadStats?.() ?? null }),
    });
  }

  /**
   * The public network for an engine: the last step of createNetwork and
   * loadNetwork, which call it as Network['of'] (TypeScript's way into a
   * private member) since users may not. A static block would do it
   * without the brackets, but would keep bundlers from dropping the class.
   */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: called as Network['of'] by createNetwork and loadNetwork
  private static of(engine: NetworkEngine): Network {
    return new Network(engine);
  }

  get #engine(): NetworkEngine {
    return engineOf(this);
  }

  /** The engine, for `method`, unless the network is disposed. */
  #alive(method: string): NetworkEngine {
    const engine = this.#engine;
    engine.checkAlive(method);
    return engine;
  }

  /** Features per sample: the columns of x. */
  get inputs(): number {
    return this.#engine.inputs;
  }

  /** Units of the output layer: the columns of predict()'s rows and of y. */
  get outputs(): number {
    return this.#engine.outputs;
  }

  /** Each dense layer's config as checked, its defaults filled in (toJSON() saves these, and the dropout entries between them). */
  get layers(): readonly LayerConfig[] {
    return this.#layers;
  }

  /** The loss fit() minimises. */
  get loss(): LossName {
    return this.#engine.loss.name;
  }

  /** The metrics fit's history and evaluate report besides the loss (a copy): the config's, or the loss's default. */
  get metrics(): MetricName[] {
    return [...this.#engine.metrics];
  }

  /** 'float32' or 'float64': the type of every weight and of predict()'s output. */
  get dtype(): DType {
    return this.#engine.dtype;
  }

  /** The backend's name: 'wasm' or 'js'. */
  get backend(): BackendName {
    return this.#engine.backend.name;
  }

  /** Threads the network trains on: `threads` as asked, or 1 where threads cannot run (threadsAvailable()). */
  get threads(): number {
    return this.#engine.threads;
  }

  /** The inputs' normalisation's statistics (a copy), or null when the network takes its inputs as they are. */
  get normalization(): NormalizationConfig | null {
    const config = this.#engine.normalization?.config;
    return config ? { mean: [...config.mean], variance: [...config.variance] } : null;
  }

  /** True while fit() runs; a second fit() meanwhile is refused. */
  get isTraining(): boolean {
    return this.#engine.isTraining;
  }

  /** True once dispose() has run: every later call throws. */
  get isDisposed(): boolean {
    return this.#engine.isDisposed;
  }

  /**
   * Set true (by a callback, say) to end fit() after the current batch; as
   * TensorFlow.js, the epoch still ends: onEpochEnd runs, with the logs of the
   * batches it had. Each fit() starts with it false.
   */
  get stopTraining(): boolean {
    return this.#engine.stopTraining;
  }

  set stopTraining(value: boolean) {
    this.#engine.stopTraining = value;
  }

  /**
   * Trains the network on x and y: `epochs` passes over the rows, in batches
   * of `batchSize`, each a gradient step of the optimiser on the batch's mean
   * loss gradient. Every error rejects the promise rather than throwing.
   *
   * @param x - Inputs: `number[][]` or `{ data, shape: [rows, inputs] }`.
   * @param y - Labels: one row per row of x (for categoricalCrossentropy, class indices too).
   * @param options - epochs and learningRate (required), and the optional {@link FitOptions}.
   * @returns The loss (and acc, val_loss, val_acc) of every epoch.
   * @throws Error (as a rejection) naming the problem, if x, y or an option is bad, the network
   * is disposed or already training, the data does not fit in memory, or the loss diverges
   * (the weights are then put back as they were before that epoch).
   *
   * @example
   * ```ts
   * // XOR, on the network of the class's example
   * const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
   * const y = [[0], [1], [1], [0]];
   * const history = await net.fit(x, y, {
   *   epochs: 500,
   *   learningRate: 0.1,
   *   optimizer: 'adam',
   *   onEpochEnd: (epoch, logs) => { if ((epoch + 1) % 100 === 0) console.log(epoch + 1, logs.loss, logs.acc); },
   * });
   * console.log(history.history.loss.at(-1));
   * ```
   */
  async fit(x: MatrixInput, y: LabelInput, options: FitOptions): Promise<History> {
    return fit(this.#alive('fit'), this, x, y, options);
  }

  /**
   * One update on these rows, as one batch: what fit() of x and y with
   * `epochs: 1` (and no shuffling or validation) does, bit for bit. The
   * optimiser is fit()'s: an equal config carries its state (Adam's moments,
   * the step count schedules read) on from fit() and earlier calls, and on to
   * later ones. For training online, or on batches a loop of one's own makes.
   *
   * @param x - Inputs: `number[][]` or `{ data, shape: [rows, inputs] }`.
   * @param y - Labels, as fit() takes them.
   * @param options - learningRate (required) and optimizer: see {@link TrainOnBatchOptions}.
   * @returns The batch's loss and metrics (measured before the update, as fit's) and learning_rate.
   * @throws Error (as a rejection) naming the problem if x, y or an option is bad (the network
   * unchanged), the network is disposed or training, or the loss diverges (the weights put back).
   *
   * @example
   * ```ts
   * // Online: an update whenever new rows arrive.
   * const logs = await net.trainOnBatch(x, y, { learningRate: 0.01, optimizer: 'adam' });
   * console.log(logs.loss, logs.acc);
   * ```
   */
  async trainOnBatch(x: MatrixInput, y: LabelInput, options: TrainOnBatchOptions): Promise<Logs> {
    return trainOnBatch(this.#alive('trainOnBatch'), this, x, y, options);
  }

  /**
   * The network as a table, in the layout Keras 2 and TensorFlow.js print:
   * each layer's name and type, output shape and parameter count, then the
   * totals. A normalisation shows as a Normalization layer whose mean and
   * variance are non-trainable parameters (Keras counts a third, its count).
   *
   * @returns The table's lines, joined by newlines, trailing spaces trimmed.
   * @throws Error if the network is disposed.
   *
   * @example
   * ```ts
   * console.log(net.summary());
   * // _________________________________________________________________
   * // Layer (type)                 Output Shape              Param #
   * // =================================================================
   * // dense (Dense)                (None, 8)                 24
   * // _________________________________________________________________
   * // dense_1 (Dense)              (None, 1)                 9
   * // =================================================================
   * // Total params: 33
   * // Trainable params: 33
   * // Non-trainable params: 0
   * // _________________________________________________________________
   * ```
   */
  summary(): string {
    const engine = this.#alive('summary');
    return summaryText(engine.inputs, engine.layers, engine.normalization !== null);
  }

  /**
   * Trains the network on a dataset's batches, as fit() trains on x and y:
   * one gradient step per batch, in the order the dataset gives them, for
   * `epochs` passes over it. Only one batch is in backend memory at a time,
   * so data of any size trains in memory sized for the largest batch. The
   * same batches in the same order give fit()'s weights and history bit
   * for bit. Every error rejects the promise rather than throwing.
   *
   * @param dataset - The batches `{ x, y }`, iterated afresh each epoch: see {@link Dataset}.
   * @param options - epochs and learningRate (required), and the optional {@link FitDatasetOptions}.
   * @returns The loss (and acc, val_loss, val_acc) of every epoch: means over the epoch's rows.
   * @throws Error (as a rejection) naming the problem: a bad option or dataset (nothing changed then);
   * a bad batch or a dataset that throws, naming the epoch and batch (the weights then are as the
   * last completed batch left them); a loss that diverges (the weights put back as they were before
   * that epoch); a network disposed or already training.
   *
   * @example
   * ```ts
   * // XOR, a batch made afresh each time the dataset is iterated
   * async function* xor() {
   *   yield { x: [[0, 0], [0, 1]], y: [[0], [1]] };
   *   yield { x: [[1, 0], [1, 1]], y: [[1], [0]] };
   * }
   * const history = await net.fitDataset(xor, { epochs: 500, learningRate: 0.1, optimizer: 'adam' });
   * console.log(history.history.loss.at(-1));
   * ```
   */
  async fitDataset(dataset: Dataset, options: FitDatasetOptions): Promise<History> {
    return fitDataset(this.#alive('fitDataset'), this, dataset, options);
  }

  /**
   * The loss, and the accuracy where the loss has one, over every batch of
   * a dataset: as {@link Network.evaluate} over all their rows, each batch
   * weighted by its rows.
   *
   * @param dataset - The batches `{ x, y }`: see {@link Dataset}.
   * @returns The mean loss and accuracy over every row.
   * @throws Error (as a rejection) naming the dataset or the batch that is bad, an output that is not
   * finite, or a disposed network.
   *
   * @example
   * ```ts
   * const { loss, acc } = await net.evaluateDataset(fromArrays(x, y, { batchSize: 1024 }));
   * ```
   */
  async evaluateDataset(dataset: Dataset): Promise<Evaluation> {
    return evaluateDataset(this.#alive('evaluateDataset'), dataset);
  }

  /**
   * The network's outputs for a dataset, a block per batch, made as they
   * are asked for: each block is what predict() gives for that batch's x.
   * A batch is `{ x }` (any other field, y say, is ignored, so a training
   * dataset predicts as it is) or the inputs alone.
   *
   * @param dataset - The batches: see {@link Dataset} and {@link PredictionInput}.
   * @returns An async iterable of blocks: a batch's rows x outputs values, row-major, in the network's dtype.
   * @throws Error if the dataset is not one or the network is disposed; while iterating (as a rejection),
   * naming the batch that is bad or gives a non-finite output.
   *
   * @example
   * ```ts
   * for await (const block of net.predictDataset([[[0, 0], [0, 1]], [[1, 0], [1, 1]]])) {
   *   console.log(block); // Float32Array(2), then Float32Array(2)
   * }
   * ```
   */
  predictDataset(dataset: Dataset<PredictionInput>): AsyncIterableIterator<FloatArray> {
    return predictDataset(this.#alive('predictDataset'), dataset);
  }

  /**
   * The network's outputs for every row of x.
   *
   * @param x - Inputs: `number[][]` or `{ data, shape: [rows, inputs] }`.
   * @returns rows x outputs values, row-major, in the network's dtype.
   * @throws Error if x is bad (shape, non-finite values), an output is not finite, or the network is disposed.
   *
   * @example
   * ```ts
   * const out = net.predict([[0, 1], [1, 1]]); // Float32Array(2) for a 2-8-4-1 network
   * ```
   */
  predict(x: MatrixInput): FloatArray {
    return this.#alive('predict').predict(x);
  }

  /**
   * The loss, and the accuracy where the loss has one, over all of x and y.
   *
   * @param x - Inputs: `number[][]` or `{ data, shape: [rows, inputs] }`.
   * @param y - Labels, as fit() takes them.
   * @param options - `sampleWeight`: one weight per row, finite and at least 0, for a loss of Σ wᵢ·Lᵢ / rows (Keras's `sample_weight`).
   * @returns The mean loss and accuracy over every row; the loss includes any kernel penalty, as Keras reports it.
   * @throws Error if x, y or sampleWeight is bad, an output is not finite, or the network is disposed.
   *
   * @example
   * ```ts
   * const { loss, acc } = net.evaluate(x, y);
   * const weighted = net.evaluate(x, y, { sampleWeight: [1, 2, 0.5, 1] });
   * ```
   */
  evaluate(x: MatrixInput, y: LabelInput, options: EvaluateOptions = {}): Evaluation {
    checkKeys('evaluate', options, ['sampleWeight']);
    return this.#alive('evaluate').evaluate(x, y, options.sampleWeight);
  }

  /**
   * Computes each feature's mean and variance over x and normalises the
   * inputs with them from now on, in fit, predict, evaluate and what toJSON
   * saves (Keras's Normalization.adapt). Call it before fit, with the
   * training inputs; it replaces any normalisation the network had.
   *
   * @param x - The inputs to learn the statistics from, as fit takes them.
   * @throws Error for bad or empty x, during fit, or if the network is disposed.
   *
   * @example
   * ```ts
   * const x = [[180, 0.2], [160, 0.9], [175, 0.4]];
   * net.adapt(x); // features on any scale: centred and scaled before the first layer
   * await net.fit(x, [[1], [0], [1]], { epochs: 100, learningRate: 0.1 });
   * ```
   */
  adapt(x: MatrixInput): void {
    this.#alive('adapt').adapt(x);
  }

  /**
   * A copy of every layer's weights.
   *
   * @returns One `{ W, b }` per layer: W is inputs x units, b has units values.
   * @throws Error if the network is disposed.
   */
  getWeights(): LayerWeights[] {
    return this.#alive('getWeights').getWeights();
  }

  /**
   * Replaces every layer's weights. All are checked before any is written,
   * so a bad one leaves the network as it was.
   *
   * @param weights - One `{ W, b }` per layer, as getWeights() gives them.
   * @throws Error naming the first layer whose shape or values are wrong, or if the network is disposed.
   */
  setWeights(weights: LayerWeights[]): void {
    this.#alive('setWeights').setWeights(weights);
  }

  /**
   * The network as plain data: architecture, loss, dtype and every weight,
   * exactly; with includeOptimizer, the optimiser's config and state too, so
   * that training resumes exactly. JSON.stringify(net) calls it.
   *
   * @param options - `{ includeOptimizer }`, false by default.
   * @returns What {@link loadNetwork} rebuilds the network from.
   * @throws Error if an option is bad or the network is disposed.
   *
   * @example
   * ```ts
   * const text = JSON.stringify(net.toJSON({ includeOptimizer: true }));
   * const copy = await loadNetwork(text);
   * ```
   */
  toJSON(options?: ToJSONOptions): NetworkJSON {
    return networkToJSON(this.#alive('toJSON'), options);
  }

  /**
   * Frees the network's memory; any later call throws. A fit() in progress
   * rejects at once, even while it awaits a callback's promise that never
   * settles. Calling it again does nothing.
   */
  dispose(): void {
    this.#engine.dispose();
  }
}

/**
 * Creates a network, its weights drawn from the seed. The config is checked
 * completely before anything is allocated.
 *
 * @param config - The architecture, loss, and optional backend, dtype, seed and threads.
 * @returns The network, ready to fit.
 * @throws Error (as a rejection) naming the problem, if the config is bad, the network does not
 * fit in memory, or an initial weight is beyond the dtype's range.
 *
 * @example
 * ```ts
 * // The seed notebook's network: 2 inputs, 8 and 4 hidden units, 1 output.
 * const net = await createNetwork({
 *   inputs: 2,
 *   layers: [
 *     { units: 8, activation: 'sigmoid' },
 *     { units: 4, activation: 'sigmoid' },
 *     { units: 1, activation: 'sigmoid' },
 *   ],
 *   loss: 'binaryCrossentropy',
 *   seed: 42,
 * });
 * ```
 */
export async function createNetwork(config: NetworkConfig): Promise<Network> {
  const checked = checkNetworkConfig('createNetwork', config);
  const engine = await buildEngine(checked, true);
  const overflow = engine.firstNonFiniteParameter();
  if (overflow !== undefined) {
    engine.dispose();
    throw new Error(
      `createNetwork: an initial weight is beyond ${checked.dtype}'s range (${overflow}): the kernelInitializer's stddev is too large`,
    );
  }
  // biome-ignore lint/complexity/useLiteralKeys: bracket access reaches a member TypeScript keeps private from users
  return Network['of'](engine);
}

/**
 * Rebuilds a network saved by {@link Network.toJSON}, from the object or its
 * JSON text. The whole file is checked before anything is allocated; the
 * loaded network predicts bit for bit what the saved one did, on the same
 * backend, and with a saved optimiser a fit() resumes exactly.
 *
 * @param json - The saved network, or its JSON text.
 * @param options - The backend and threads to run on (not saved: the defaults unless given).
 * @returns The network, with the saved weights.
 * @throws Error (as a rejection) starting "loadNetwork:", naming what is wrong with the file or the options.
 *
 * @example
 * ```ts
 * const saved = JSON.stringify(net.toJSON());
 * const again = await loadNetwork(saved, { backend: 'js' });
 * console.log(again.predict([[0, 1]]));
 * ```
 */
export async function loadNetwork(json: NetworkJSON | string, options: LoadNetworkOptions = {}): Promise<Network> {
  // biome-ignore lint/complexity/useLiteralKeys: bracket access reaches a member TypeScript keeps private from users
  return Network['of'](await restoreEngine(json, options));
}
