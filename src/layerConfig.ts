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
  /**
   * A penalty on the layer's kernel W (not its bias), Keras's
   * `kernel_regularizer`: l1·Σ|W| + l2·ΣW² is added to the loss fit(),
   * evaluate() and validation report, and its gradient l1·sign(W) + 2·l2·W
   * to W's. Each factor a finite number at least 0; a missing one is 0.
   *
   * @example
   * ```ts
   * const hidden: LayerConfig = { units: 32, activation: 'relu', kernelRegularizer: { l2: 1e-4 } };
   * ```
   */
  kernelRegularizer?: RegularizerConfig;
}

/**
 * A kernel penalty's factors, as Keras's `L1L2(l1, l2)`.
 *
 * @example
 * ```ts
 * const both: RegularizerConfig = { l1: 1e-5, l2: 1e-4 };
 * const ridge: RegularizerConfig = { l2: 0.01 }; // l1 is 0
 * ```
 */
export interface RegularizerConfig {
  /** The factor of Σ|W|, a finite number at least 0; 0 unless given. */
  l1?: number;
  /** The factor of ΣW², a finite number at least 0; 0 unless given. */
  l2?: number;
}

/**
 * A dropout entry in createNetwork's `layers`, after a dense layer that is
 * not the last (Keras's `Dropout(rate)`): during fit() only, each of that
 * layer's outputs is kept with probability 1 - rate and then divided by
 * 1 - rate (inverted dropout), from the network's seeded generator;
 * predict(), evaluate() and validation never drop. `rate` is in [0, 1).
 *
 * @example
 * ```ts
 * const layers = [{ units: 64, activation: 'relu' }, { dropout: 0.5 }, { units: 10, activation: 'softmax' }];
 * ```
 */
export interface DropoutConfig {
  /** The fraction of outputs dropped, in [0, 1). */
  dropout: number;
}

/** A checked LayerConfig with its defaults: alpha present exactly for leakyRelu. Frozen. */
export interface DenseConfig {
  readonly units: number;
  readonly activation: ActivationName;
  readonly alpha?: number;
  readonly kernelInitializer: KernelInitializer;
  /** Present when given, both factors filled in. */
  readonly kernelRegularizer?: Readonly<Required<RegularizerConfig>>;
}

const LAYER_KEYS = ['units', 'activation', 'alpha', 'kernelInitializer', 'kernelRegularizer'];

/** Whether a layers entry is a dropout entry rather than a dense layer (it has a `dropout` key). */
export function isDropoutEntry(layer: unknown): boolean {
  return typeof layer === 'object' && layer !== null && 'dropout' in layer;
}

/** Checks a dropout entry (`name` is e.g. "createNetwork: layers[2]"); returns its rate. */
export function checkDropoutEntry(name: string, layer: unknown): number {
  checkKeys(name, layer, ['dropout']);
  const { dropout } = layer as Record<string, unknown>;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new Error(`${name}.dropout must be a rate in [0, 1), got ${describeValue(dropout)}`);
  }
  return dropout;
}

function checkRegularizer(name: string, given: unknown): Readonly<Required<RegularizerConfig>> {
  checkKeys(name, given, ['l1', 'l2']);
  const { l1 = 0, l2 = 0 } = given as Record<string, unknown>;
  for (const [key, value] of [
    ['l1', l1],
    ['l2', l2],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`${name}.${key} must be a finite number >= 0, got ${describeValue(value)}`);
    }
  }
  return Object.freeze({ l1: l1 as number, l2: l2 as number });
}

/** Checks one layer (`name` is e.g. "createNetwork: layers[2]"); returns its normalised config. */
export function checkLayerConfig(name: string, layer: unknown): DenseConfig {
  checkKeys(name, layer, LAYER_KEYS);
  const { units, activation, alpha, kernelInitializer, kernelRegularizer } = layer as Record<string, unknown>;
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
    ...(kernelRegularizer !== undefined && {
      kernelRegularizer: checkRegularizer(`${name}.kernelRegularizer`, kernelRegularizer),
    }),
  });
}
