/**
 * The engine behind a public Network: a dense network over a Backend, its
 * memory plan, forward and backward passes, data copied in, and the work of
 * predict, evaluate and the weights. Everything here speaks in offsets into
 * backend memory; network.ts wraps it in the API users see, and train.ts
 * runs the epoch loop over it.
 */
import { activationBackward } from './activations.js';
import type { Backend, DType, FloatArray } from './backend/backend.js';
import { createBackend } from './backend/index.js';
import { checkMatrix } from './data.js';
import { Dense } from './dense.js';
import { dropForward } from './dropout.js';
import {
  type ForwardModel,
  firstNonFiniteParameter,
  forEachChunk,
  forward,
  forwardFinite,
  layerForward,
  loadInputs,
  predictRows,
  reserveInference,
} from './forward.js';
import { initializeKernel } from './initializers.js';
import type { DenseConfig } from './layerConfig.js';
import { createLoss, type Loss } from './losses.js';
import { defaultMetrics, type MetricName, MetricState } from './metrics.js';
import type { Evaluation } from './network.js';
import type { CheckedNetworkConfig } from './networkConfig.js';
import { adaptStatistics, type Normalizer, normalizer } from './normalization.js';
import { denseParameters, type Optimizer, type OptimizerConfig, reuseOrCreateOptimizer } from './optimizers.js';
import { Random } from './random.js';
import { addPenaltyGradient, kernelPenalty } from './regularizer.js';
import { readSampleWeights, weightedLossSum, weightGradientRows } from './sampleWeights.js';
import { checkLayerWeights, type LayerWeights } from './weights.js';

/** What measureSums() adds up: the loss and accuracy times rows, and the other metrics' state. */
export interface MeasureSums {
  loss: number;
  acc: number;
  state: MetricState;
}

/**
 * Gives back the memory of networks dropped without dispose(). It holds each
 * network's backend object (which lists the network's blocks and never refers
 * back to the network), so holding it keeps no network alive. dispose() stays
 * the prompt way, and unregisters.
 */
const reclaim =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Backend>((backend) => backend.releaseAll()) : undefined;

/**
 * Allocates an engine for a checked config, drawing its initial weights
 * only if `initialize` (loadNetwork overwrites them at once).
 *
 * @param config - A config checkNetworkConfig() has checked.
 * @param initialize - Whether to draw the initial weights from the seed.
 * @returns The engine, its parameters allocated.
 * @throws Error if the backend cannot start or the parameters do not fit in memory (nothing stays allocated).
 */
export async function buildEngine(config: CheckedNetworkConfig, initialize: boolean): Promise<NetworkEngine> {
  const backend = await createBackend(config.backend, config.dtype, config.threads);
  const loss = createLoss(config.loss, config.layers[config.layers.length - 1].units, backend.dtype);
  const engine = new NetworkEngine(backend, config.inputs, config.layers, loss, config.seed, initialize, config.dropout);
  engine.normalization = config.normalization;
  engine.metrics = config.metrics;
  return engine;
}

/**
 * A dense network in backend memory: layers of offsets, the batch buffers
 * planned for the largest batch so far, the optimiser, and the passes (the
 * forward pass and predict's work are forward.ts's, which the
 * inference-only predictor runs too).
 */
export class NetworkEngine implements ForwardModel {
  readonly layers: readonly Dense[];
  /** Set by a callback to end fit() after the current batch (as TensorFlow.js, the epoch still ends: onEpochEnd runs). */
  stopTraining = false;
  /** True while fit() runs; a second concurrent fit() is refused. */
  isTraining = false;
  /** The inputs' normalisation (createNetwork's, a saved one, or adapt()'s), or null. */
  normalization: Normalizer | null = null;
  /** What fit's history and evaluate report besides the loss (createNetwork's metrics). */
  metrics: readonly MetricName[];
  /** A loaded network's application data (NetworkJSON.metadata), JSON values wasmlp carries and never reads. */
  metadata: Record<string, unknown> | undefined;
  /** The seeded stream for initial weights, then shuffles. */
  readonly random: Random;
  /** The optimiser fit() trains with, kept across fit() calls while its config is unchanged. */
  private currentOptimizer: Optimizer | undefined;
  /** Rows the batch buffers hold. */
  private capacity = 0;
  private disposed = false;
  private disposal: { promise: Promise<never>; reject: (error: Error) => void } | undefined;

  /** `layers` are checked configs (checkNetworkConfig); `dropout` the rate after each layer, if any. */
  constructor(
    readonly backend: Backend,
    readonly inputs: number,
    layers: readonly DenseConfig[],
    readonly loss: Loss,
    seed: number,
    initialize = true,
    dropout: readonly (number | undefined)[] = [],
  ) {
    const built: Dense[] = [];
    try {
      let fanIn = inputs;
      for (const [l, config] of layers.entries()) {
        built.push(new Dense(backend, fanIn, config, dropout[l]));
        fanIn = config.units;
      }
    } catch (error) {
      // Out of memory part way: no block of a half-built layer or of the layers before it stays taken.
      backend.releaseAll();
      throw error;
    }
    this.layers = built;
    this.hasPenalty = built.some((layer) => layer.config.kernelRegularizer !== undefined);
    this.metrics = defaultMetrics(loss.name);
    reclaim?.register(this, backend, this);
    this.random = new Random(seed);
    // A network about to be given its weights (loadNetwork) skips drawing them.
    if (initialize) this.initialiseWeights();
  }

  get outputs(): number {
    return this.layers[this.layers.length - 1].units;
  }

  get dtype(): DType {
    return this.backend.dtype;
  }

  /** Threads the network trains on: `threads` as asked, or 1 where threads cannot run (threadsAvailable()). */
  get threads(): number {
    return this.backend.threads;
  }

  /** Each layer's kernel from its initializer, in layer order from the one seeded stream; zero biases. */
  private initialiseWeights(): void {
    for (const layer of this.layers) {
      const kernel = this.backend.view(layer.weights, layer.inputs * layer.units);
      initializeKernel(layer.config.kernelInitializer, this.random, layer.inputs, layer.units, kernel);
      this.backend.view(layer.bias, layer.units).fill(0);
    }
  }

  // ---- memory plan ----

  /**
   * Makes every layer's batch buffers hold at least `rows` rows. Every new
   * buffer is allocated before any old one is let go: if memory runs out,
   * the new ones are freed and the network keeps its old buffers and
   * capacity (a fit() that reserved its batch goes on writing into them).
   */
  reserveBatch(rows: number): void {
    if (rows <= this.capacity) return;
    const fresh: number[] = [];
    try {
      // One push per block: a pair pushed together would lose its first if the second failed.
      for (const layer of this.layers) {
        fresh.push(this.backend.alloc(rows * layer.units));
        fresh.push(this.backend.alloc(rows * layer.units));
        fresh.push(layer.drops ? this.backend.alloc(rows * layer.units) : 0);
      }
    } catch (error) {
      for (const offset of fresh) if (offset) this.backend.free(offset);
      throw new Error(`${rows} rows at a time do not fit in memory: ${(error as Error).message}`);
    }
    this.layers.forEach((layer, l) => layer.swapBatch(fresh[3 * l], fresh[3 * l + 1], fresh[3 * l + 2]));
    this.capacity = rows;
  }

  /** Makes the batch buffers hold what predict/evaluate/measure() take at a time for `rows` rows. */
  reserveInference(rows: number): void {
    reserveInference(this, rows);
  }

  get batchCapacity(): number {
    return this.capacity;
  }

  // ---- passes (offsets in, offsets out; nothing allocates) ----

  /** Runs `rows` rows at x through the network; returns the output buffer's offset. */
  forward(x: number, rows: number): number {
    return forward(this, x, rows);
  }

  /** forward() as training runs it: the outputs of layers followed by dropout are dropped, from the seeded stream. */
  forwardTraining(x: number, rows: number): number {
    let input = x;
    for (const layer of this.layers) {
      layerForward(this.backend, layer, input, rows);
      if (layer.drops) dropForward(this.backend, this.random, layer, rows);
      input = layer.output;
    }
    return input;
  }

  /**
   * A training batch's loss at outputs a for targets y: the mean loss, or
   * with `weights` (one per row) Σ wᵢ·Lᵢ / rows; plus the kernels' penalty.
   */
  batchLoss(a: number, y: number, rows: number, weights?: Float64Array): number {
    const data = weights
      ? weightedLossSum(this.backend, this.loss, a, y, rows, weights) / rows
      : this.loss.loss(this.backend, rows * this.outputs, a, y);
    return this.hasPenalty ? data + kernelPenalty(this.backend, this.layers) : data;
  }

  /** Whether some layer's kernel is regularised (set with the layers, which never change). */
  readonly hasPenalty: boolean;

  /** The rate of the dropout entry after each layer, or undefined where there is none. */
  get dropout(): (number | undefined)[] {
    return this.layers.map((layer) => layer.dropout);
  }

  /**
   * After forward(x): the loss gradient at every parameter, for targets y,
   * each row's weighted by `weights` if given, with the kernels' penalty.
   */
  backward(x: number, y: number, rows: number, weights?: Float64Array): void {
    const layers = this.layers;
    const last = layers[layers.length - 1];
    this.loss.outputGradient(this.backend, rows * last.units, last.output, y, last.delta);
    if (weights) weightGradientRows(this.backend, last.delta, rows, last.units, weights);
    // A loss not fused with the output activation gave dL/dA: the activation makes it dL/dZ.
    if (this.loss.fusedActivation === undefined) {
      activationBackward(this.backend, last.activation, last.alpha, rows * last.units, last.output, last.delta);
    }
    for (let l = layers.length - 1; l >= 0; l--) {
      const below = l > 0 ? layers[l - 1] : undefined;
      layers[l].backward(below ? below.output : x, rows, below);
    }
    addPenaltyGradient(this.backend, layers);
  }

  /**
   * Makes `config` the optimiser that applyGradients() steps. An equal config
   * keeps the current optimiser and its state (as Keras keeps it across fit()
   * calls); another replaces it.
   */
  useOptimizer(config: OptimizerConfig): void {
    this.currentOptimizer = reuseOrCreateOptimizer(this.currentOptimizer, config, this.backend, denseParameters(this.layers));
  }

  /** The optimiser of the last fit() (or useOptimizer()); undefined before. */
  get optimizer(): Optimizer | undefined {
    return this.currentOptimizer;
  }

  /** One optimiser step on every parameter, from the gradients of backward(). */
  applyGradients(learningRate: number): void {
    if (!this.currentOptimizer) throw new Error('applyGradients: no optimiser; call useOptimizer() first');
    this.currentOptimizer.step(learningRate);
  }

  // ---- data in ----

  /**
   * Checks inputs x against the network and copies them into backend memory,
   * the values checked as they are copied (each read once). The caller frees
   * the returned offset.
   */
  loadInputs(x: unknown, name = 'x'): { rows: number; x: number } {
    return loadInputs(this, x, name);
  }

  /**
   * Checks inputs x and labels y against the network and the loss, and
   * copies them into backend memory (each value read once, and checked as it
   * is copied or in the copy). The caller frees the returned offsets.
   */
  loadData(x: unknown, y: unknown, names: [string, string] = ['x', 'y']): { rows: number; x: number; y: number } {
    const { rows, x: xOffset } = this.loadInputs(x, names[0]);
    let yOffset = 0;
    try {
      const my = this.loss.readLabels(names[1], y);
      if (my.rows !== rows) throw new Error(`${names[0]} has ${rows} rows but ${names[1]} has ${my.rows}`);
      yOffset = this.backend.alloc(rows * this.outputs);
      const labels = this.backend.view(yOffset, rows * this.outputs);
      my.copyInto(labels);
      this.loss.checkLabels(labels, names[1], this.outputs);
      return { rows, x: xOffset, y: yOffset };
    } catch (error) {
      this.backend.free(xOffset);
      if (yOffset) this.backend.free(yOffset);
      throw error;
    }
  }

  // ---- the work of the public methods (network.ts checks the network is alive first) ----

  /** Outputs for every row of x: rows x outputs, row-major. */
  predict(x: unknown): FloatArray {
    return predictRows(this, x);
  }

  /**
   * The loss and metrics over all of x, y (means over every element), the
   * loss weighted by `sampleWeight` (unchecked) if given.
   */
  evaluate(x: unknown, y: unknown, sampleWeight?: unknown): Evaluation {
    const data = this.loadData(x, y);
    try {
      const weights =
        sampleWeight === undefined ? undefined : readSampleWeights('evaluate: sampleWeight', sampleWeight, data.rows, this.dtype);
      return this.measure(data.x, data.y, data.rows, 'evaluate', weights);
    } finally {
      this.backend.free(data.x);
      this.backend.free(data.y);
    }
  }

  /**
   * Loss and metrics over `rows` rows already in memory, the loss weighted
   * by `weights` if given; `where` names the caller in errors.
   */
  measure(x: number, y: number, rows: number, where: string, weights?: Float64Array): Evaluation {
    return this.evaluation(this.measureSums(x, y, rows, where, undefined, weights), rows);
  }

  /** A fresh state for the metrics other than accuracy, for an epoch or an evaluation. */
  metricState(): MetricState {
    return new MetricState(this.metrics, this.outputs, this.loss.name === 'categoricalCrossentropy');
  }

  /**
   * measure()'s sums before its division: each chunk's mean loss (or, with
   * `weights`, its Σ wᵢ·Lᵢ) and accuracy times its rows, added in order,
   * and the other metrics' state. A dataset's batches add theirs on, so
   * that batches the size of measure()'s chunks give its numbers exactly.
   */
  measureSums(x: number, y: number, rows: number, where: string, into = this.emptySums(), weights?: Float64Array): MeasureSums {
    const accuracy = this.metrics.includes('accuracy') ? this.loss.accuracy : undefined;
    const { state } = into;
    const bytes = this.backend.bytesPerElement;
    forEachChunk(this, rows, (start, n) => {
      const a = forwardFinite(this, where, x, start, n);
      const yChunk = y + start * this.outputs * bytes;
      const elements = n * this.outputs;
      into.loss += weights
        ? weightedLossSum(this.backend, this.loss, a, yChunk, n, weights, start)
        : this.loss.loss(this.backend, elements, a, yChunk) * n;
      if (accuracy) into.acc += accuracy(this.backend, elements, a, yChunk) * n;
      if (state.active) state.add(this.backend.view(a, elements), this.backend.view(yChunk, elements), n);
    });
    return into;
  }

  /** Sums of nothing yet, for measureSums(). */
  emptySums(): MeasureSums {
    return { loss: 0, acc: 0, state: this.metricState() };
  }

  /** The Evaluation of `rows` rows' sums: means, the kernels' penalty added to the loss, and each metric under its key. */
  evaluation(sums: MeasureSums, rows: number): Evaluation {
    let loss = sums.loss / rows;
    if (this.hasPenalty) loss += kernelPenalty(this.backend, this.layers);
    const result: Evaluation & Record<string, number> = { loss };
    if (this.metrics.includes('accuracy')) result.acc = sums.acc / rows;
    sums.state.results(result);
    return result;
  }

  getWeights(): LayerWeights[] {
    return this.layers.map((layer) => {
      const w = this.backend.view(layer.weights, layer.inputs * layer.units);
      const W: number[][] = [];
      for (let i = 0; i < layer.inputs; i++) W.push(Array.from(w.subarray(i * layer.units, (i + 1) * layer.units)));
      return { W, b: Array.from(this.backend.view(layer.bias, layer.units)) };
    });
  }

  setWeights(weights: unknown): void {
    // Check everything before writing anything, so a bad layer leaves all as it was.
    this.writeWeights(checkLayerWeights(weights, this.layers, this.dtype));
  }

  /**
   * Sets the inputs' normalisation to each feature's mean and variance over
   * x, the values as the network's dtype holds them (Keras's adapt). Refused
   * during fit(), whose batches would otherwise change meaning part way.
   */
  adapt(x: unknown): void {
    if (this.isTraining) throw new Error('adapt: fit() is running; adapt before or after it');
    const mx = checkMatrix('x', x, { dtype: this.dtype, cols: this.inputs, what: 'inputs' });
    const values = this.dtype === 'float32' ? new Float32Array(mx.rows * this.inputs) : new Float64Array(mx.rows * this.inputs);
    mx.copyInto(values);
    this.normalization = normalizer(adaptStatistics(values, mx.rows, this.inputs), this.dtype);
  }

  /** Writes weights checkLayerWeights() has checked against this network's layers. */
  writeWeights(checked: ReturnType<typeof checkLayerWeights>): void {
    checked.forEach(({ W, b }, l) => {
      const layer = this.layers[l];
      W.copyInto(this.backend.view(layer.weights, layer.inputs * layer.units));
      b.copyInto(this.backend.view(layer.bias, layer.units));
    });
  }

  /** Where the first NaN or ±Infinity among the parameters is (e.g. "layer 1 W[3][0] is NaN"), or undefined. */
  firstNonFiniteParameter(): string | undefined {
    return firstNonFiniteParameter(this);
  }

  /** A copy of every parameter (W then b, layer by layer), for restoring later (earlyStopping's best epoch). */
  snapshotParameters(): Float64Array[] {
    return this.layers.flatMap((layer) => [
      Float64Array.from(this.backend.view(layer.weights, layer.inputs * layer.units)),
      Float64Array.from(this.backend.view(layer.bias, layer.units)),
    ]);
  }

  /** Puts back what snapshotParameters() copied: exact, as the copy is in float64. */
  restoreParameters(snapshot: readonly Float64Array[]): void {
    this.layers.forEach((layer, l) => {
      this.backend.view(layer.weights, layer.inputs * layer.units).set(snapshot[2 * l]);
      this.backend.view(layer.bias, layer.units).set(snapshot[2 * l + 1]);
    });
  }

  /**
   * Frees the network's memory; any later call throws. A fit() in progress
   * rejects at once, even while it awaits a callback's promise that never
   * settles (it races each one against this).
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    reclaim?.unregister(this);
    this.currentOptimizer?.dispose();
    // Every block: parameters, batch buffers, and a running fit()'s data.
    this.backend.releaseAll();
    // A fit() racing a pending hook against this rejects now; a worker network's fit says the same.
    this.disposal?.reject(new Error('fit: this network was disposed while fit() awaited a callback'));
  }

  /** Rejects when the network is disposed; fit() races each pending hook against it. */
  get whenDisposed(): Promise<never> {
    if (!this.disposal) {
      let reject!: (error: Error) => void;
      const promise = new Promise<never>((_, r) => {
        reject = r;
      });
      promise.catch(() => {}); // a rejection nobody races against is not an error
      this.disposal = { promise, reject };
    }
    return this.disposal.promise;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  checkAlive(method: string): void {
    if (this.disposed) throw new Error(`${method}: this network has been disposed`);
  }
}

/**
 * Each public Network's engine. The map lives here, not on the Network, so
 * that the Network's published type shows none of it; train-time code and
 * tests reach an engine through engineOf().
 */
const engines = new WeakMap<object, NetworkEngine>();

/**
 * Makes `engine` the one behind the public network `net` (network.ts, once per network).
 *
 * @param net - The public network.
 * @param engine - Its engine.
 */
export function attachEngine(net: object, engine: NetworkEngine): void {
  engines.set(net, engine);
}

/**
 * The engine behind a public network.
 *
 * @param net - A network createNetwork or loadNetwork made.
 * @returns Its engine.
 * @throws TypeError for any other object.
 */
export function engineOf(net: object): NetworkEngine {
  const engine = engines.get(net);
  if (!engine) throw new TypeError('not a network made by createNetwork or loadNetwork');
  return engine;
}
