/**
 * Optimiser options as users give them (OptimizerSpec) and as networks keep
 * and save them (OptimizerConfig, every default filled in): their check,
 * Keras 3's defaults, and which state each optimiser keeps.
 */
import type { DType } from '../backend/backend.js';
import { checkKeys, checkNormalIn, checkPositiveNumber, checkUnitInterval, describeValue } from '../checks.js';

/**
 * Gradient clipping, any optimiser's options as Keras 3's: applied to the
 * mean gradient before weight decay and the step.
 *
 * @remarks
 * `clipvalue` clips each element to [-c, c]; `clipnorm` scales each weight
 * matrix and each bias vector separately, g c / max(‖g‖, c);
 * `globalClipnorm` (Keras's `global_clipnorm`) scales all of them by
 * c min(1 / ‖all‖, 1 / c), their joint norm. Each is a positive finite number.
 * Keras refuses clipnorm with global_clipnorm, and so does this; it ignores
 * clipvalue beside either norm, which here is an Error instead.
 *
 * @example
 * ```ts
 * await net.fit(x, y, { epochs: 20, learningRate: 0.001, optimizer: { type: 'adam', clipnorm: 1 } });
 * await net.fit(x, y, { epochs: 20, learningRate: 0.1, optimizer: { type: 'sgd', momentum: 0.9, globalClipnorm: 5 } });
 * ```
 */
export interface ClipOptions {
  /** Clip each gradient element to [-clipvalue, clipvalue]. */
  clipvalue?: number;
  /** Scale each parameter's gradient down to this norm at most. */
  clipnorm?: number;
  /** Scale all gradients together down to this joint norm at most (Keras's `global_clipnorm`). */
  globalClipnorm?: number;
}

/**
 * An optimiser as fit()'s `optimizer` option takes it: a name, or an object
 * with a `type` and any of that type's options, each defaulting to Keras's.
 *
 * @remarks
 * `'sgd'` (the default): plain gradient descent; `momentum` in [0, 1)
 * (default 0) adds momentum, and `nesterov` (default false) makes it
 * Nesterov's. `'adam'`: Keras 3's Adam step, `beta1` and `beta2` in [0, 1)
 * (Keras's `beta_1`, `beta_2`; defaults 0.9 and 0.999), `epsilon` a positive
 * number (default 1e-7). `'rmsprop'`: `rho` in [0, 1) (default 0.9),
 * `epsilon` (1e-7), `momentum` in [0, 1) (0). `'adagrad'`:
 * `initialAccumulatorValue` at least 0 (Keras's `initial_accumulator_value`,
 * default 0.1), `epsilon` (1e-7). `'adamw'`: Adam's options and
 * `weightDecay` at least 0 (Keras's `weight_decay`, default 0.004). Every type
 * also takes the {@link ClipOptions}. An unknown type or option, or a value
 * out of range, is an Error, never ignored. The optimiser's state is kept
 * across fit() calls while the config is unchanged, as Keras keeps it.
 *
 * @example
 * ```ts
 * await net.fit(x, y, { epochs: 100, learningRate: 0.1, optimizer: 'sgd' });
 * await net.fit(x, y, { epochs: 100, learningRate: 0.05, optimizer: { type: 'sgd', momentum: 0.9, nesterov: true } });
 * await net.fit(x, y, { epochs: 100, learningRate: 0.001, optimizer: { type: 'adam', beta1: 0.9 } });
 * await net.fit(x, y, { epochs: 100, learningRate: 0.001, optimizer: { type: 'rmsprop', rho: 0.9, clipnorm: 1 } });
 * await net.fit(x, y, { epochs: 100, learningRate: 0.001, optimizer: { type: 'adamw', weightDecay: 0.01 } });
 * ```
 */
export type OptimizerSpec =
  | OptimizerConfig['type']
  | ({ type: 'sgd'; momentum?: number; nesterov?: boolean } & ClipOptions)
  | ({ type: 'adam'; beta1?: number; beta2?: number; epsilon?: number } & ClipOptions)
  | ({ type: 'rmsprop'; rho?: number; epsilon?: number; momentum?: number } & ClipOptions)
  | ({ type: 'adagrad'; initialAccumulatorValue?: number; epsilon?: number } & ClipOptions)
  | ({ type: 'adamw'; weightDecay?: number; beta1?: number; beta2?: number; epsilon?: number } & ClipOptions);

/** SGD with every option filled in: momentum 0 is plain gradient descent. */
export interface SgdConfig extends ClipOptions {
  /** The optimiser: stochastic gradient descent. */
  type: 'sgd';
  /** The velocity's decay, in [0, 1); 0 is plain gradient descent. */
  momentum: number;
  /** Whether the momentum is Nesterov's. */
  nesterov: boolean;
}

/** Adam with every option filled in. */
export interface AdamConfig extends ClipOptions {
  /** The optimiser: Adam. */
  type: 'adam';
  /** The first moment's decay, in [0, 1). */
  beta1: number;
  /** The second moment's decay, in [0, 1). */
  beta2: number;
  /** Added to the square root of the second moment, so that a step never divides by 0. */
  epsilon: number;
}

/** RMSprop (Keras 3's, not centered) with every option filled in. */
export interface RmspropConfig extends ClipOptions {
  /** The optimiser: RMSprop. */
  type: 'rmsprop';
  /** The mean square's decay, in [0, 1). */
  rho: number;
  /** Added to the mean square under the square root. */
  epsilon: number;
  /** The momentum's decay, in [0, 1); 0 keeps no momentum. */
  momentum: number;
}

/** Adagrad with every option filled in. */
export interface AdagradConfig extends ClipOptions {
  /** The optimiser: Adagrad. */
  type: 'adagrad';
  /** What each accumulator of squared gradients starts at; at least 0. */
  initialAccumulatorValue: number;
  /** Added to the accumulator under the square root. */
  epsilon: number;
}

/** AdamW (Adam with decoupled weight decay) with every option filled in. */
export interface AdamwConfig extends ClipOptions {
  /** The optimiser: AdamW. */
  type: 'adamw';
  /** Each step first takes w weightDecay lr off every weight and bias; at least 0. */
  weightDecay: number;
  /** The first moment's decay, in [0, 1). */
  beta1: number;
  /** The second moment's decay, in [0, 1). */
  beta2: number;
  /** Added to the square root of the second moment. */
  epsilon: number;
}

/**
 * An {@link OptimizerSpec} with every default filled in: plain data,
 * serialisable as JSON (a saved network's optimizer holds it). Clipping
 * keys are present only when set.
 */
export type OptimizerConfig = SgdConfig | AdamConfig | RmspropConfig | AdagradConfig | AdamwConfig;

type Defaults = { readonly [K in OptimizerConfig['type']]: Readonly<Extract<OptimizerConfig, { type: K }>> };

/** Keras 3's defaults (keras.optimizers.SGD, Adam, RMSprop, Adagrad, AdamW). */
export const OPTIMIZER_DEFAULTS: Defaults = {
  sgd: { type: 'sgd', momentum: 0, nesterov: false },
  adam: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  rmsprop: { type: 'rmsprop', rho: 0.9, epsilon: 1e-7, momentum: 0 },
  adagrad: { type: 'adagrad', initialAccumulatorValue: 0.1, epsilon: 1e-7 },
  adamw: { type: 'adamw', weightDecay: 0.004, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
};

const TYPES = Object.keys(OPTIMIZER_DEFAULTS) as OptimizerConfig['type'][];
const CLIP_KEYS = ['clipvalue', 'clipnorm', 'globalClipnorm'] as const;
const isType = (value: unknown): value is OptimizerConfig['type'] => TYPES.includes(value as OptimizerConfig['type']);
const typeList = () => TYPES.map((t) => `'${t}'`).join(', ');

/**
 * Checks a spec and fills in its defaults. `name` prefixes error messages
 * (e.g. 'fit: optimizer'). Anything unknown or out of range is an error,
 * never ignored; an option given as undefined takes its default.
 */
export function parseOptimizer(spec: unknown, name = 'optimizer'): OptimizerConfig {
  if (typeof spec === 'string') {
    if (isType(spec)) return { ...OPTIMIZER_DEFAULTS[spec] };
    throw new Error(`${name} ${describeValue(spec)} is unknown; expected one of ${typeList()}`);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new Error(
      `${name} must be ${typeList()} or an object { type: ${TYPES.map((t) => `'${t}'`).join(' | ')}, ... }, got ${describeValue(spec)}`,
    );
  }
  const options = spec as Record<string, unknown>;
  const type = options.type;
  if (!isType(type)) throw new Error(`${name}.type ${describeValue(type)} is unknown; expected one of ${typeList()}`);
  const defaults: Record<string, unknown> = OPTIMIZER_DEFAULTS[type];
  checkKeys(`${name} (${type})`, options, [...Object.keys(defaults), ...CLIP_KEYS]);
  // Each option read once, into the config.
  const config: Record<string, unknown> = { type };
  for (const key of Object.keys(defaults))
    if (key !== 'type') config[key] = options[key] === undefined ? defaults[key] : options[key];
  const unit = (key: string) => checkUnitInterval(`${name}.${key}`, config[key]);
  const positive = (key: string) => checkPositiveNumber(`${name}.${key}`, config[key]);
  const nonNegative = (key: string) => {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`${name}.${key} must be a finite number >= 0, got ${describeValue(value)}`);
    }
  };
  // Keras admits a momentum, beta or rho of 1, which never forgets: [0, 1) here.
  if (type === 'sgd') {
    unit('momentum');
    if (typeof config.nesterov !== 'boolean')
      throw new Error(`${name}.nesterov must be true or false, got ${describeValue(config.nesterov)}`);
  }
  if (type === 'rmsprop') ['rho', 'momentum'].forEach(unit);
  if (type === 'adagrad') nonNegative('initialAccumulatorValue');
  if (type === 'adamw') nonNegative('weightDecay');
  if (type === 'adam' || type === 'adamw') ['beta1', 'beta2'].forEach(unit);
  if (type !== 'sgd') positive('epsilon');
  for (const key of CLIP_KEYS) {
    const value = options[key];
    if (value === undefined) continue;
    config[key] = value;
    positive(key);
  }
  if (config.clipnorm !== undefined && config.globalClipnorm !== undefined) {
    throw new Error(`${name}: give clipnorm or globalClipnorm, not both (as Keras)`);
  }
  if (config.clipvalue !== undefined && (config.clipnorm !== undefined || config.globalClipnorm !== undefined)) {
    throw new Error(`${name}: give clipvalue or a norm (clipnorm, globalClipnorm), not both (Keras would ignore clipvalue)`);
  }
  return config as unknown as OptimizerConfig;
}

/**
 * The config's numbers as the kernels will see them in `dtype`: an epsilon
 * that rounds to 0 would divide by 0, a momentum or beta that rounds to 1
 * would never forget a gradient, and subnormal ones lose their precision.
 */
export function checkOptimizerForDtype(name: string, config: OptimizerConfig, dtype: DType): void {
  const options = config as unknown as Record<string, number | undefined>;
  const normal = (key: string) => {
    const value = options[key];
    if (value !== undefined && value !== 0) checkNormalIn(`${name}.${key}`, value, dtype);
  };
  const unit = (key: string) => {
    normal(key);
    if (dtype === 'float32' && Math.fround(options[key]!) === 1)
      throw new Error(`${name}.${key} ${options[key]} rounds to 1 in float32`);
  };
  if (config.type === 'sgd') unit('momentum');
  if (config.type === 'rmsprop') ['rho', 'momentum'].forEach(unit);
  if (config.type === 'adam' || config.type === 'adamw') ['beta1', 'beta2'].forEach(unit);
  ['epsilon', 'initialAccumulatorValue', 'weightDecay', ...CLIP_KEYS].forEach(normal);
}

/** True when two configs describe the same optimiser (so its state may be kept): every key equal. */
export function sameOptimizerConfig(a: OptimizerConfig, b: OptimizerConfig): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => (a as unknown as Record<string, unknown>)[key] === (b as unknown as Record<string, unknown>)[key])
  );
}

/** The state an optimiser of `config` keeps per parameter, by slot name (as getWeights() names them). */
export function slotNames(config: OptimizerConfig): readonly string[] {
  switch (config.type) {
    case 'adam':
    case 'adamw':
      return ['m', 'v'];
    case 'rmsprop':
      return config.momentum === 0 ? ['v'] : ['v', 'm'];
    case 'adagrad':
      return ['accumulator'];
    default:
      return config.momentum === 0 ? [] : ['velocity'];
  }
}

/** Slots that hold sums or means of squares: never negative (a square root reads them). */
export const NON_NEGATIVE_SLOTS: readonly string[] = ['v', 'accumulator'];
