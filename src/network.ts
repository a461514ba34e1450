/**
 * A dense network over a Backend: its memory plan, forward and backward
 * passes, and the public methods. The epoch loop lives in train.ts.
 */
import { activationBackward } from './activations.js';
import { createBackend } from './backend/index.js';
import { BACKENDS, checkThreads, DTYPES, type Backend, type BackendName, type DType, type FloatArray } from './backend/backend.js';
import { checkValue, element, listLength, nonFiniteError, readMatrix, type LabelInput, type MatrixInput } from './data.js';
import { Dense } from './dense.js';
import { initializeKernel } from './initializers.js';
import { checkLayerConfig, type DenseConfig, type LayerConfig } from './layerConfig.js';
import { checkLossPairing, createLoss, LOSS_NAMES, type Loss, type LossName } from './losses.js';
import { checkKeys, checkPositiveInteger, describeValue } from './checks.js';
import { denseParameters, reuseOrCreateOptimizer, type Optimizer, type OptimizerConfig } from './optimizers.js';
import { Random, randomSeed } from './random.js';
import { networkToJSON, type NetworkJSON, type ToJSONOptions } from './serialize.js';
import { fit, type FitOptions, type History } from './train.js';
import { checkLayerWeights, type LayerWeights } from './weights.js';

export type { LayerConfig } from './layerConfig.js';
export type { LayerWeights } from './weights.js';

export interface NetworkConfig {
  /** Features per sample. */
  inputs: number;
  /** At most MAX_LAYERS (1000). */
  layers: LayerConfig[];
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
}

export interface Evaluation {
  loss: number;
  /** Absent when the loss has no accuracy (meanSquaredError). */
  acc?: number;
}

/** The most layers a network has: far more than any dense network trains well with, and a bound on checking a config. */
export const MAX_LAYERS = 1000;

/** Rows per forward pass in predict/evaluate when no larger batch is planned. */
const INFERENCE_CHUNK = 1024;

/**
 * Gives back the memory of networks dropped without dispose(). It holds each
 * network's backend object (which lists the network's blocks and never refers
 * back to the network), so holding it keeps no network alive. dispose() stays
 * the prompt way, and unregisters.
 */
const reclaim = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<Backend>((backend) => backend.releaseAll())
  : undefined;

/** A NetworkConfig checked, with its defaults filled in. */
export interface CheckedNetworkConfig {
  inputs: number;
  layers: DenseConfig[];
  loss: LossName;
  backend: BackendName;
  dtype: DType;
  seed: number;
  threads: number;
}

/** Checks a NetworkConfig completely, allocating nothing; messages start with `where`. */
export function checkNetworkConfig(where: string, config: NetworkConfig): CheckedNetworkConfig {
  checkKeys(where, config, ['inputs', 'layers', 'loss', 'backend', 'dtype', 'seed', 'threads']);
  // Each field read once: a getter may answer a second read otherwise, and the network is built from what was checked.
  const { inputs, layers: given, loss, backend: backendGiven, dtype: dtypeGiven, seed: seedGiven, threads: threadsGiven } = config;
  checkPositiveInteger(`${where}: inputs`, inputs);
  // Emptiness judged on the layers as read: a proxy's length, read again, may say 0 after 1.
  const layers = Array.isArray(given) ? checkLayers(where, given) : [];
  if (layers.length === 0) {
    throw new Error(`${where}: layers must be a non-empty array of { units, activation }, got ${describeValue(given)}`);
  }
  if (!LOSS_NAMES.includes(loss)) {
    throw new Error(`${where}: loss ${describeValue(loss)} is unknown; expected one of ${LOSS_NAMES.join(', ')}`);
  }
  checkLossPairing(where, loss, layers);
  // Only a missing option takes its default: null is a value, and refused like any other bad one.
  const seed = seedGiven === undefined ? randomSeed() : seedGiven;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`${where}: seed must be an integer in [0, 2^32), got ${describeValue(seed)}`);
  }
  const threads = threadsGiven === undefined ? 1 : threadsGiven;
  checkThreads(where, threads);
  const backend = backendGiven === undefined ? 'wasm' : backendGiven;
  if (!BACKENDS.includes(backend)) throw new Error(`${where}: Unknown backend ${describeValue(backend)}: expected one of ${BACKENDS.join(', ')}`);
  if (threads > 1 && backend !== 'wasm') {
    throw new Error(`${where}: threads ${threads} needs the wasm backend, got backend ${describeValue(backend)}`);
  }
  const dtype = dtypeGiven === undefined ? 'float32' : dtypeGiven;
  if (!DTYPES.includes(dtype)) throw new Error(`${where}: Unknown dtype ${describeValue(dtype)}: expected one of ${DTYPES.join(', ')}`);
  layers.forEach((layer, i) => {
    if (layer.alpha !== undefined) checkValue(`${where}: layers[${i}].alpha`, '', layer.alpha, dtype);
  });
  return { inputs, layers, loss, backend, dtype, seed, threads };
}

/**
 * Each layer checked, in an index loop after a check of the length alone:
 * map would walk all of a sparse array's declared 2^32 - 1 indices, and
 * keep a hole for Dense to trip over.
 */
function checkLayers(where: string, given: readonly unknown[]): DenseConfig[] {
  const count = listLength(`${where}: layers`, given, MAX_LAYERS);
  const layers: DenseConfig[] = [];
  for (let i = 0; i < count; i++) {
    layers.push(checkLayerConfig(`${where}: layers[${i}]`, element(`${where}: layers`, given, i)));
  }
  return layers;
}

export async function createNetwork(config: NetworkConfig): Promise<Network> {
  const checked = checkNetworkConfig('createNetwork', config);
  const net = await buildNetwork(checked, true);
  const overflow = net.firstNonFiniteParameter();
  if (overflow !== undefined) {
    net.dispose();
    throw new Error(`createNetwork: an initial weight is beyond ${checked.dtype}'s range (${overflow}): the kernelInitializer's stddev is too large`);
  }
  return net;
}

/**
 * Allocates a network for a checked config, drawing its initial weights
 * only if `initialize` (loadNetwork overwrites them at once).
 */
export async function buildNetwork(config: CheckedNetworkConfig, initialize: boolean): Promise<Network> {
  const backend = await createBackend(config.backend, config.dtype, config.threads);
  const loss = createLoss(config.loss, config.layers[config.layers.length - 1].units, backend.dtype);
  return new Network(backend, config.inputs, config.layers, loss, config.seed, initialize);
}

export class Network {
  readonly layers: readonly Dense[];
  /** Set by a callback to end fit() after the current batch (as TensorFlow.js, the epoch still ends: onEpochEnd runs). */
  stopTraining = false;
  /** True while fit() runs; a second concurrent fit() is refused. */
  isTraining = false;
  /** The seeded stream for initial weights, then shuffles. */
  readonly random: Random;
  /** The optimiser fit() trains with, kept across fit() calls while its config is unchanged. */
  private currentOptimizer: Optimizer | undefined;
  /** Rows the batch buffers hold. */
  private capacity = 0;
  private disposed = false;
  private disposal: { promise: Promise<never>; reject: (error: Error) => void } | undefined;

  /** Use createNetwork(), which checks the configuration; `layers` are its checked configs. */
  constructor(readonly backend: Backend, readonly inputs: number, layers: readonly DenseConfig[],
              readonly loss: Loss, seed: number, initialize = true) {
    const built: Dense[] = [];
    try {
      let fanIn = inputs;
      for (const config of layers) {
        built.push(new Dense(backend, fanIn, config));
        fanIn = config.units;
      }
    } catch (error) {
      // Out of memory part way: no block of a half-built layer or of the layers before it stays taken.
      backend.releaseAll();
      throw error;
    }
    this.layers = built;
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
      }
    } catch (error) {
      for (const offset of fresh) this.backend.free(offset);
      throw new Error(`${rows} rows at a time do not fit in memory: ${(error as Error).message}`);
    }
    this.layers.forEach((layer, l) => layer.swapBatch(fresh[2 * l], fresh[2 * l + 1]));
    this.capacity = rows;
  }

  /** Makes the batch buffers hold what predict/evaluate/measure() take at a time for `rows` rows. */
  reserveInference(rows: number): void {
    this.reserveBatch(Math.min(rows, INFERENCE_CHUNK));
  }

  get batchCapacity(): number {
    return this.capacity;
  }

  // ---- passes (offsets in, offsets out; nothing allocates) ----

  /** Runs `rows` rows at x through the network; returns the output buffer's offset. */
  forward(x: number, rows: number): number {
    let input = x;
    for (const layer of this.layers) {
      layer.forward(input, rows);
      input = layer.output;
    }
    return input;
  }

  /** After forward(x): the loss gradient at every parameter, for targets y. */
  backward(x: number, y: number, rows: number): void {
    const layers = this.layers;
    const last = layers[layers.length - 1];
    this.loss.outputGradient(this.backend, rows * last.units, last.output, y, last.delta);
    // A loss not fused with the output activation gave dL/dA: the activation makes it dL/dZ.
    if (this.loss.fusedActivation === undefined) {
      activationBackward(this.backend, last.activation, last.alpha, rows * last.units, last.output, last.delta);
    }
    for (let l = layers.length - 1; l >= 0; l--) {
      const below = l > 0 ? layers[l - 1] : undefined;
      layers[l].backward(below ? below.output : x, rows, below);
    }
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
    const mx = readMatrix(name, x, { dtype: this.dtype, cols: this.inputs, what: 'inputs', deferFinite: true });
    const rows = mx.rows, elements = rows * this.inputs;
    const xOffset = this.backend.alloc(elements);
    try {
      mx.copyInto(this.backend.view(xOffset, elements));
      if (mx.finiteDeferred) {
        // A typed array of this dtype, copied exactly: checked for NaN and
        // ±Infinity there, by a kernel (several times faster than in JavaScript).
        const bad = this.backend.firstNonFinite(elements, xOffset);
        if (bad >= 0) throw nonFiniteError(name, bad, this.inputs, this.backend.view(xOffset, elements)[bad]);
      }
      return { rows, x: xOffset };
    } catch (error) {
      this.backend.free(xOffset);
      throw error;
    }
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

  // ---- public API ----

  /** Every error, a disposed network's included, rejects the promise rather than throwing. */
  async fit(x: MatrixInput, y: LabelInput, options: FitOptions): Promise<History> {
    this.checkAlive('fit');
    return fit(this, x, y, options);
  }

  /** Outputs for every row of x: rows x outputs, row-major. */
  predict(x: MatrixInput): FloatArray {
    this.checkAlive('predict');
    const data = this.loadInputs(x);
    try {
      const out = this.dtype === 'float32' ? new Float32Array(data.rows * this.outputs) : new Float64Array(data.rows * this.outputs);
      this.forEachChunk(data.rows, (start, rows) => {
        const a = this.forwardFinite('predict', data.x, start, rows);
        out.set(this.backend.view(a, rows * this.outputs), start * this.outputs);
      });
      return out;
    } finally {
      this.backend.free(data.x);
    }
  }

  /** The loss and accuracy over all of x, y (means over every element). */
  evaluate(x: MatrixInput, y: LabelInput): Evaluation {
    this.checkAlive('evaluate');
    const data = this.loadData(x, y);
    try {
      return this.measure(data.x, data.y, data.rows, 'evaluate');
    } finally {
      this.backend.free(data.x);
      this.backend.free(data.y);
    }
  }

  /** Loss (and accuracy, if the loss has one) over `rows` rows already in memory; `where` names the caller in errors. */
  measure(x: number, y: number, rows: number, where: string): Evaluation {
    let loss = 0;
    let acc = 0;
    const accuracy = this.loss.accuracy;
    const bytes = this.backend.bytesPerElement;
    this.forEachChunk(rows, (start, n) => {
      const a = this.forwardFinite(where, x, start, n);
      const yChunk = y + start * this.outputs * bytes;
      const elements = n * this.outputs;
      loss += this.loss.loss(this.backend, elements, a, yChunk) * n;
      if (accuracy) acc += accuracy(this.backend, elements, a, yChunk) * n;
    });
    return accuracy ? { loss: loss / rows, acc: acc / rows } : { loss: loss / rows };
  }

  /**
   * forward() over `rows` rows of x from row `start`, then a check that every
   * output is finite: a NaN or Infinity is an error naming the first one,
   * never a number handed back.
   */
  private forwardFinite(where: string, x: number, start: number, rows: number): number {
    const a = this.forward(x + start * this.inputs * this.backend.bytesPerElement, rows);
    const bad = this.backend.firstNonFinite(rows * this.outputs, a);
    if (bad >= 0) {
      const value = this.backend.view(a, rows * this.outputs)[bad];
      const row = start + Math.floor(bad / this.outputs), column = bad % this.outputs;
      const weight = this.firstNonFiniteParameter();
      throw new Error(`${where}: the output at row ${row}, column ${column} is ${value}; ` + (weight
        ? `a weight is not finite (${weight}): set finite weights`
        : `a layer's values overflowed ${this.dtype}'s range: scale the inputs as the training data was scaled` +
          (this.dtype === 'float32' ? `, or use dtype 'float64'` : '')));
    }
    return a;
  }

  private forEachChunk(rows: number, run: (start: number, rows: number) => void): void {
    this.reserveInference(rows);
    const chunk = this.capacity;
    for (let start = 0; start < rows; start += chunk) run(start, Math.min(chunk, rows - start));
  }

  getWeights(): LayerWeights[] {
    this.checkAlive('getWeights');
    return this.layers.map((layer) => {
      const w = this.backend.view(layer.weights, layer.inputs * layer.units);
      const W: number[][] = [];
      for (let i = 0; i < layer.inputs; i++) W.push(Array.from(w.subarray(i * layer.units, (i + 1) * layer.units)));
      return { W, b: Array.from(this.backend.view(layer.bias, layer.units)) };
    });
  }

  setWeights(weights: LayerWeights[]): void {
    this.checkAlive('setWeights');
    // Check everything before writing anything, so a bad layer leaves all as it was.
    this.writeWeights(checkLayerWeights(weights, this.layers, this.dtype));
  }

  /** Writes weights checkLayerWeights() has checked against this network's layers. */
  writeWeights(checked: ReturnType<typeof checkLayerWeights>): void {
    checked.forEach(({ W, b }, l) => {
      const layer = this.layers[l];
      W.copyInto(this.backend.view(layer.weights, layer.inputs * layer.units));
      b.copyInto(this.backend.view(layer.bias, layer.units));
    });
  }

  /**
   * Architecture, loss, dtype and weights as a plain object, and with
   * includeOptimizer the optimiser's config and state; loadNetwork() rebuilds it.
   */
  toJSON(options?: ToJSONOptions): NetworkJSON {
    this.checkAlive('toJSON');
    return networkToJSON(this, options);
  }

  /** Where the first NaN or ±Infinity among the parameters is (e.g. "layer 1 W[3][0] is NaN"), or undefined. */
  firstNonFiniteParameter(): string | undefined {
    for (let l = 0; l < this.layers.length; l++) {
      const { weights, bias, inputs, units } = this.layers[l];
      const w = this.backend.firstNonFinite(inputs * units, weights);
      if (w >= 0) return `layer ${l} W[${Math.floor(w / units)}][${w % units}] is ${this.backend.view(weights, inputs * units)[w]}`;
      const b = this.backend.firstNonFinite(units, bias);
      if (b >= 0) return `layer ${l} b[${b}] is ${this.backend.view(bias, units)[b]}`;
    }
    return undefined;
  }

  /** A copy of every parameter (W then b, layer by layer), for restoring later. */
  snapshotParameters(): Float64Array[] {
    return this.layers.flatMap((layer) => [
      Float64Array.from(this.backend.view(layer.weights, layer.inputs * layer.units)),
      Float64Array.from(this.backend.view(layer.bias, layer.units)),
    ]);
  }

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
      const promise = new Promise<never>((_, r) => { reject = r; });
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
