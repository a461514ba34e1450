/**
 * A fully connected layer: Z = X W + b, A = activation(Z). It holds offsets
 * into backend memory, never arrays; its forward step is forward.ts's
 * layerForward, shared with the predictor. Its batch buffers (output, delta)
 * are sized by the network's batch capacity. `config` is the layer as given to
 * createNetwork, checked and with its defaults filled in, for toJSON().
 */
import { type ActivationName, DEFAULT_LEAKY_RELU_ALPHA } from './activations.js';
import type { Backend } from './backend/backend.js';
import { dropBackward } from './dropout.js';
import type { DenseConfig } from './layerConfig.js';

export class Dense {
  /** Parameters and their gradients: W is inputs x units, row-major, as the seed. */
  readonly weights: number;
  readonly bias: number;
  readonly weightGrad: number;
  readonly biasGrad: number;
  /** Batch buffers: the layer's output A, and dL/dZ during backward. */
  output = 0;
  delta = 0;
  /**
   * With dropout, while training: A before dropping (the activation's
   * slope is read from it), and which of its elements were kept.
   */
  undropped = 0;
  kept: Uint8Array = new Uint8Array(0);

  readonly units: number;
  readonly activation: ActivationName;
  /** leakyRelu's slope (the backend ignores it for the others). */
  readonly alpha: number;

  /**
   * `config` is checked (layerConfig.ts): units, activation, alpha, kernelInitializer.
   * `dropout` is the rate of the dropout entry after the layer, if any.
   */
  constructor(
    private readonly backend: Backend,
    readonly inputs: number,
    readonly config: DenseConfig,
    readonly dropout?: number,
  ) {
    const units = (this.units = config.units);
    this.activation = config.activation;
    this.alpha = config.alpha ?? DEFAULT_LEAKY_RELU_ALPHA;
    // Out of memory part way, the network frees every block its backend gave out (releaseAll).
    [this.weights, this.bias, this.weightGrad, this.biasGrad] = [inputs * units, units, inputs * units, units].map((size) =>
      backend.alloc(size),
    );
  }

  get parameterCount(): number {
    return this.inputs * this.units + this.units;
  }

  /**
   * Makes `output` and `delta` (each rows x units, allocated by the caller)
   * this layer's batch buffers, freeing the old ones. The caller allocates
   * every layer's new buffers before swapping any, so running out of memory
   * leaves every layer with its old buffers.
   */
  swapBatch(output: number, delta: number, undropped = 0): void {
    // 0 is never a block (the arena starts above it): it means none yet.
    if (this.output) this.backend.free(this.output);
    if (this.delta) this.backend.free(this.delta);
    if (this.undropped) this.backend.free(this.undropped);
    this.output = output;
    this.delta = delta;
    this.undropped = undropped;
  }

  /** Whether training drops some of this layer's outputs (a dropout entry of rate above 0 follows it). */
  get drops(): boolean {
    return this.dropout !== undefined && this.dropout > 0;
  }

  /**
   * From this.delta = dL/dZ: the parameter gradients, and the delta (dL/dZ)
   * of the layer below, whose output was this layer's input x (none for the
   * first layer).
   */
  backward(x: number, rows: number, below: Dense | undefined): void {
    const { backend, inputs, units } = this;
    backend.denseBackwardWeights(rows, inputs, units, x, this.delta, this.weightGrad, this.biasGrad);
    if (!below) return;
    if (below.activation === 'softmax') {
      // Unreachable through createNetwork: softmax is allowed only on the output layer.
      throw new Error('softmax is allowed only on the output layer');
    }
    // Dropped, x is the kept outputs scaled: the slope comes from the outputs as they were.
    const a = below.drops ? below.undropped : x;
    backend.denseBackwardInput(rows, inputs, units, this.delta, this.weights, below.activation, below.alpha, a, below.delta);
    if (below.drops) dropBackward(backend, below, rows);
  }
}
