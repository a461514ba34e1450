/**
 * A fully connected layer: Z = X W + b, A = activation(Z). It holds offsets
 * into backend memory, never arrays. Its batch buffers (output, delta) are
 * sized by the network's batch capacity. `config` is the layer as given to
 * createNetwork, checked and with its defaults filled in, for toJSON().
 */
import { createActivation, type Activation } from './activations.js';
import type { Backend } from './backend/backend.js';
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

  readonly units: number;
  readonly activation: Activation;

  /** `config` is checked (layerConfig.ts): units, activation, alpha, kernelInitializer. */
  constructor(private readonly backend: Backend, readonly inputs: number, readonly config: DenseConfig) {
    const units = this.units = config.units;
    this.activation = createActivation(config.activation, config.alpha);
    this.weights = backend.alloc(inputs * units);
    this.bias = backend.alloc(units);
    this.weightGrad = backend.alloc(inputs * units);
    this.biasGrad = backend.alloc(units);
  }

  get parameterCount(): number {
    return this.inputs * this.units + this.units;
  }

  allocateBatch(rows: number): void {
    this.freeBatch();
    this.output = this.backend.alloc(rows * this.units);
    this.delta = this.backend.alloc(rows * this.units);
  }

  freeBatch(): void {
    if (this.output) this.backend.free(this.output);
    if (this.delta) this.backend.free(this.delta);
    this.output = this.delta = 0;
  }

  free(): void {
    this.freeBatch();
    for (const offset of [this.weights, this.bias, this.weightGrad, this.biasGrad]) this.backend.free(offset);
  }

  /** output = activation(x W + b) for `rows` rows of x. */
  forward(x: number, rows: number): void {
    const { backend, inputs, units } = this;
    backend.gemm(false, false, rows, units, inputs, 1, x, this.weights, 0, this.output);
    backend.addBias(rows, units, this.bias, this.output);
    this.activation.forward(backend, rows, units, this.output);
  }

  /**
   * From this.delta = dL/dZ: the parameter gradients, and dL/dA of the layer
   * below into `inputDelta` (skipped for the first layer, inputDelta 0).
   */
  backward(x: number, rows: number, inputDelta: number): void {
    const { backend, inputs, units } = this;
    backend.gemm(true, false, inputs, units, rows, 1, x, this.delta, 0, this.weightGrad);
    backend.sumColumns(rows, units, this.delta, this.biasGrad);
    if (inputDelta) backend.gemm(false, true, rows, inputs, units, 1, this.delta, this.weights, 0, inputDelta);
  }
}
