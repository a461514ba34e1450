/**
 * A dense layer's configuration as the user writes it, and as a layer keeps
 * it once checked, with its defaults filled in (what toJSON() saves, and what
 * createNetwork accepts back unchanged).
 */
import { ACTIVATION_NAMES, type ActivationName, DEFAULT_LEAKY_RELU_ALPHA } from './activations.js';
import { checkKeys, checkPositiveInteger, describeValue } from './checks.js';
import { checkKernelInitializer, DEFAULT_KERNEL_INITIALIZER, type KernelInitializer } from './initializers.js';

/**
 * One dense (fully connected) layer as createNetwork takes it; its inputs are
 * the previous layer's units, or the network's inputs for the first.
 *
 * @example
 * ```ts
 * const hidden: LayerConfig = { units: 32, activation: 'leakyRelu', alpha: 0.3, kernelInitializer: 'heNormal' };
 * ```
 */
export interface LayerConfig {
  /** The layer's outputs, a positive integer. */
  units: number;
  /** The function applied to each output; `'softmax'` only on the output layer. */
  activation: ActivationName;
  /** leakyRelu's slope for negative inputs, a finite number of at least 0; 0.01 unless given. Only for leakyRelu. */
  alpha?: number;
  /** How the weights start: `'glorotUniform'` (default, as Keras), `'heNormal'` or `{ normal: stddev }`. Biases start at 0. */
  kernelInitializer?: KernelInitializer;
}

/** A checked LayerConfig with its defaults: alpha present exactly for leakyRelu. Frozen. */
export interface DenseConfig {
  readonly units: number;
  readonly activation: ActivationName;
  readonly alpha?: number;
  readonly kernelInitializer: KernelInitializer;
}

const LAYER_KEYS = ['units', 'activation', 'alpha', 'kernelInitializer'];

/** Checks one layer (`name` is e.g. "createNetwork: layers[2]"); returns its normalised config. */
export function checkLayerConfig(name: string, layer: unknown): DenseConfig {
  checkKeys(name, layer, LAYER_KEYS);
  const { units, activation, alpha, kernelInitializer } = layer as Record<string, unknown>;
  checkPositiveInteger(`${name}.units`, units);
  if (!ACTIVATION_NAMES.includes(activation as ActivationName)) {
    throw new Error(`${name}.activation ${describeValue(activation)} is unknown; expected one of ${ACTIVATION_NAMES.join(', ')}`);
  }
  if (alpha !== undefined && activation !== 'leakyRelu') {
    throw new Error(`${name}.alpha is only for 'leakyRelu', but the activation is ${describeValue(activation)}`);
  }
  // alpha < 0 would flip the sign of a for z < 0, and backward reads z's sign from a.
  if (alpha !== undefined && !(typeof alpha === 'number' && Number.isFinite(alpha) && alpha >= 0)) {
    throw new Error(`${name}.alpha must be a finite number >= 0, got ${describeValue(alpha)}`);
  }
  const initializer =
    kernelInitializer === undefined
      ? DEFAULT_KERNEL_INITIALIZER
      : checkKernelInitializer(`${name}.kernelInitializer`, kernelInitializer);
  return Object.freeze({
    units: units as number,
    activation: activation as ActivationName,
    ...(activation === 'leakyRelu' ? { alpha: (alpha as number | undefined) ?? DEFAULT_LEAKY_RELU_ALPHA } : {}),
    kernelInitializer: initializer,
  });
}
