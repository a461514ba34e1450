/**
 * A saved network loaded for inference only: its weights in backend memory
 * and one output buffer per layer, run by forward.ts, the code a Network's
 * predict runs, so that both give the same bits on the same backend and
 * dtype. No gradient, optimiser or training buffer is allocated or reached.
 */

import { DEFAULT_LEAKY_RELU_ALPHA } from '../activations.js';
import type { BackendName, DType, FloatArray } from '../backend/backend.js';
import { type ForwardBackend, type ForwardLayer, type ForwardModel, predictRows } from '../forward.js';
import type { Normalizer } from '../normalization.js';
import type { SavedNetwork } from '../savedNetwork.js';
import { createForwardBackend } from './backend.js';

/** A layer of the predictor: its parameters, and an output buffer reserveBatch() sizes. */
interface PredictorLayer extends ForwardLayer {
  output: number;
}

/**
 * Gives back the memory of predictors dropped without dispose(), as the
 * engine's registry does for networks: it holds the backend object, which
 * never refers back to the predictor.
 */
const reclaim =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<ForwardBackend>((backend) => backend.releaseAll())
    : undefined;

export class PredictorModel implements ForwardModel {
  readonly layers: readonly PredictorLayer[];
  readonly inputs: number;
  readonly normalization: Normalizer | null;
  private capacity = 0;
  private disposed = false;

  private constructor(
    readonly backend: ForwardBackend,
    readonly backendName: BackendName,
    { config, shapes, weights }: SavedNetwork,
  ) {
    this.inputs = config.inputs;
    this.normalization = config.normalization;
    const layers: PredictorLayer[] = [];
    try {
      shapes.forEach(({ inputs, units }, l) => {
        const { activation, alpha } = config.layers[l];
        const layer: PredictorLayer = {
          inputs,
          units,
          activation,
          alpha: alpha ?? DEFAULT_LEAKY_RELU_ALPHA,
          weights: backend.alloc(inputs * units),
          bias: backend.alloc(units),
          output: 0,
        };
        layers.push(layer);
        weights[l].W.copyInto(backend.view(layer.weights, inputs * units));
        weights[l].b.copyInto(backend.view(layer.bias, units));
      });
    } catch (error) {
      // Out of memory part way: no block of the layers before stays taken.
      backend.releaseAll();
      throw error;
    }
    this.layers = layers;
    reclaim?.register(this, backend, this);
  }

  /** The predictor of a checked saved network, on `config.backend`. */
  static async load(saved: SavedNetwork): Promise<PredictorModel> {
    const backend = await createForwardBackend(saved.config.backend, saved.config.dtype);
    return new PredictorModel(backend, saved.config.backend, saved);
  }

  get outputs(): number {
    return this.layers[this.layers.length - 1].units;
  }

  get dtype(): DType {
    return this.backend.dtype;
  }

  get batchCapacity(): number {
    return this.capacity;
  }

  /**
   * Makes every layer's output buffer hold at least `rows` rows. Every new
   * buffer is allocated before any old one is let go: if memory runs out,
   * the new ones are freed and the predictor keeps its old ones.
   */
  reserveBatch(rows: number): void {
    if (rows <= this.capacity) return;
    const fresh: number[] = [];
    try {
      for (const layer of this.layers) fresh.push(this.backend.alloc(rows * layer.units));
    } catch (error) {
      for (const offset of fresh) this.backend.free(offset);
      throw new Error(`${rows} rows at a time do not fit in memory: ${(error as Error).message}`);
    }
    this.layers.forEach((layer, l) => {
      // 0 is never a block (the arena starts above it): it means none yet.
      if (layer.output) this.backend.free(layer.output);
      layer.output = fresh[l];
    });
    this.capacity = rows;
  }

  predict(x: unknown): FloatArray {
    this.checkAlive('predict');
    return predictRows(this, x);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  checkAlive(method: string): void {
    if (this.disposed) throw new Error(`${method}: this predictor has been disposed`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    reclaim?.unregister(this);
    this.backend.releaseAll();
  }
}
