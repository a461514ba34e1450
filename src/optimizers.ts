/**
 * Optimisers, as Keras 3 defines them: SGD (optionally with momentum and
 * Nesterov momentum) and Adam. An optimiser owns its state (velocities,
 * moments) in backend memory, allocated and zeroed once when it is created
 * and freed by dispose(); a step is one kernel call per parameter and
 * allocates nothing. The arithmetic is in the kernels (assembly/momentum.ts,
 * assembly/adam.ts, js.ts); here are the options, the state and the step count.
 * getWeights()/setWeights() copy the state out and back in (TensorFlow.js's
 * names), so a saved network can resume training exactly.
 */
import type { Backend, DType, FloatArray } from './backend/backend.js';
import { checkKeys, checkNormalIn, checkUnitInterval, describeValue, quote } from './checks.js';
import { arrayLength, element } from './data.js';

/**
 * An optimiser as fit()'s `optimizer` option takes it: a name, or an object
 * with a `type` and any of that type's options, each defaulting to Keras's.
 *
 * @remarks
 * `'sgd'` (the default): plain gradient descent; `momentum` in [0, 1)
 * (default 0) adds momentum, and `nesterov` (default false) makes it
 * Nesterov's. `'adam'`: Keras 3's Adam step, `beta1` and `beta2` in [0, 1)
 * (defaults 0.9 and 0.999), `epsilon` a positive number (default 1e-7).
 * An unknown type or option, or a value out of range, is an Error, never
 * ignored. The optimiser's state is kept across fit() calls while the
 * config is unchanged, as Keras keeps it.
 *
 * @example
 * ```ts
 * await net.fit(x, y, { epochs: 100, learningRate: 0.1, optimizer: 'sgd' });
 * await net.fit(x, y, { epochs: 100, learningRate: 0.05, optimizer: { type: 'sgd', momentum: 0.9, nesterov: true } });
 * await net.fit(x, y, { epochs: 100, learningRate: 0.001, optimizer: { type: 'adam', beta1: 0.9 } });
 * ```
 */
export type OptimizerSpec =
  | 'sgd'
  | 'adam'
  | { type: 'sgd'; momentum?: number; nesterov?: boolean }
  | { type: 'adam'; beta1?: number; beta2?: number; epsilon?: number };

/** SGD with every option filled in: momentum 0 is plain gradient descent. */
export interface SgdConfig {
  /** The optimiser: stochastic gradient descent. */
  type: 'sgd';
  /** The velocity's decay, in [0, 1); 0 is plain gradient descent. */
  momentum: number;
  /** Whether the momentum is Nesterov's. */
  nesterov: boolean;
}

/** Adam with every option filled in. */
export interface AdamConfig {
  /** The optimiser: Adam. */
  type: 'adam';
  /** The first moment's decay, in [0, 1). */
  beta1: number;
  /** The second moment's decay, in [0, 1). */
  beta2: number;
  /** Added to the square root of the second moment, so that a step never divides by 0. */
  epsilon: number;
}

/**
 * An {@link OptimizerSpec} with every default filled in: plain data,
 * serialisable as JSON (a saved network's optimizer holds it).
 */
export type OptimizerConfig = SgdConfig | AdamConfig;

/** Keras 3's defaults (keras.optimizers.SGD, keras.optimizers.Adam). */
export const OPTIMIZER_DEFAULTS: { readonly sgd: Readonly<SgdConfig>; readonly adam: Readonly<AdamConfig> } = {
  sgd: { type: 'sgd', momentum: 0, nesterov: false },
  adam: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
};

const TYPES = Object.keys(OPTIMIZER_DEFAULTS) as (keyof typeof OPTIMIZER_DEFAULTS)[];

/**
 * Checks a spec and fills in its defaults. `name` prefixes error messages
 * (e.g. 'fit: optimizer'). Anything unknown or out of range is an error,
 * never ignored; an option given as undefined takes its default.
 */
export function parseOptimizer(spec: unknown, name = 'optimizer'): OptimizerConfig {
  if (typeof spec === 'string') {
    if (spec === 'sgd' || spec === 'adam') return { ...OPTIMIZER_DEFAULTS[spec] };
    throw new Error(`${name} ${describeValue(spec)} is unknown; expected one of ${TYPES.map((t) => `'${t}'`).join(', ')}`);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new Error(`${name} must be 'sgd', 'adam' or an object { type: 'sgd' | 'adam', ... }, got ${describeValue(spec)}`);
  }
  const options = spec as Record<string, unknown>;
  const type = options.type;
  if (type !== 'sgd' && type !== 'adam') {
    throw new Error(`${name}.type ${describeValue(type)} is unknown; expected one of ${TYPES.map((t) => `'${t}'`).join(', ')}`);
  }
  const defaults = OPTIMIZER_DEFAULTS[type];
  checkKeys(`${name} (${type})`, options, Object.keys(defaults));
  const option = (key: string): unknown => (options[key] === undefined ? defaults[key as keyof typeof defaults] : options[key]);
  if (type === 'sgd') {
    const momentum = option('momentum'),
      nesterov = option('nesterov');
    // Keras admits momentum 1, which never forgets a gradient: [0, 1) here.
    checkUnitInterval(`${name}.momentum`, momentum);
    if (typeof nesterov !== 'boolean') throw new Error(`${name}.nesterov must be true or false, got ${describeValue(nesterov)}`);
    return { type, momentum, nesterov };
  }
  const beta1 = option('beta1'),
    beta2 = option('beta2'),
    epsilon = option('epsilon');
  checkUnitInterval(`${name}.beta1`, beta1);
  checkUnitInterval(`${name}.beta2`, beta2);
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0) {
    throw new Error(`${name}.epsilon must be a positive finite number, got ${describeValue(epsilon)}`);
  }
  return { type, beta1, beta2, epsilon };
}

/**
 * The config's numbers as the kernels will see them in `dtype`: an epsilon
 * that rounds to 0 would divide by 0, a momentum or beta that rounds to 1
 * would never forget a gradient, and subnormal ones lose their precision.
 */
export function checkOptimizerForDtype(name: string, config: OptimizerConfig, dtype: DType): void {
  const unit = (key: string, value: number) => {
    if (value === 0) return;
    checkNormalIn(`${name}.${key}`, value, dtype);
    if (dtype === 'float32' && Math.fround(value) === 1) throw new Error(`${name}.${key} ${value} rounds to 1 in float32`);
  };
  if (config.type === 'sgd') {
    unit('momentum', config.momentum);
    return;
  }
  unit('beta1', config.beta1);
  unit('beta2', config.beta2);
  checkNormalIn(`${name}.epsilon`, config.epsilon, dtype);
}

/** True when two configs describe the same optimiser (so its state may be kept). */
export function sameOptimizerConfig(a: OptimizerConfig, b: OptimizerConfig): boolean {
  if (a.type === 'sgd' && b.type === 'sgd') return a.momentum === b.momentum && a.nesterov === b.nesterov;
  if (a.type === 'adam' && b.type === 'adam') return a.beta1 === b.beta1 && a.beta2 === b.beta2 && a.epsilon === b.epsilon;
  return false;
}

/** One trainable tensor: byte offsets of its values and its gradient, and its element count. */
export interface Parameter {
  value: number;
  grad: number;
  size: number;
}

/** The parameters of dense layers, in order: each layer's weights, then its bias. */
export function denseParameters(
  layers: readonly {
    inputs: number;
    units: number;
    weights: number;
    weightGrad: number;
    bias: number;
    biasGrad: number;
  }[],
): Parameter[] {
  return layers.flatMap((layer) => [
    { value: layer.weights, grad: layer.weightGrad, size: layer.inputs * layer.units },
    { value: layer.bias, grad: layer.biasGrad, size: layer.units },
  ]);
}

/**
 * An optimiser's state as plain numbers: the step count, and per slot name
 * (momentum: `velocity`; Adam: `m`, `v`; plain SGD: none) one array per
 * parameter, in parameter order, each the parameter's size.
 */
export interface OptimizerState {
  /** Steps taken so far (Keras's `optimizer.iterations`); Adam's bias correction counts from it. */
  iterations: number;
  /** Per slot name, one array of values per parameter: each layer's weights, then its bias, layer by layer. */
  slots: Record<string, number[][]>;
}

export interface Optimizer {
  readonly config: OptimizerConfig;
  /** Steps taken so far (Keras's optimizer.iterations); Adam's t is this + 1 at the next step. */
  readonly iterations: number;
  /** Updates every parameter from its current gradient. */
  step(learningRate: number): void;
  /** A copy of the state (values as the backend's dtype holds them). */
  getWeights(): OptimizerState;
  /**
   * Replaces the state with `state`, checked completely first: on any error
   * the optimiser is left as it was. float32 rounds the values.
   */
  setWeights(state: OptimizerState): void;
  /** Replaces the state with one checkOptimizerState() returned for this optimiser. */
  writeState(state: CheckedOptimizerState): void;
  /** The state's buffers (offset and element count), in slot then parameter order: what a checkpoint copies. */
  stateBuffers(): { offset: number; size: number }[];
  /** Sets the step count back (a checkpoint restored with the state's buffers). */
  rewind(iterations: number): void;
  /** Frees the state; idempotent. A later step throws. */
  dispose(): void;
}

/**
 * An optimiser over `parameters`, with zeroed state in `backend`'s memory.
 * The parameters' buffers must outlive it (dispose it before freeing them).
 */
export function createOptimizer(config: OptimizerConfig, backend: Backend, parameters: readonly Parameter[]): Optimizer {
  const checked = Object.freeze(parseOptimizer(config));
  const params = parameters.map((p, i) => {
    if (typeof p !== 'object' || p === null || ![p.value, p.grad, p.size].every(Number.isSafeInteger) || p.size <= 0) {
      throw new Error(`createOptimizer: parameters[${i}] must be { value, grad, size } with integer offsets and a positive size`);
    }
    return Object.freeze({ value: p.value, grad: p.grad, size: p.size });
  });
  if (checked.type === 'adam') return new Adam(checked, backend, params);
  if (checked.momentum === 0) return new Sgd(checked, backend, params);
  return new Momentum(checked, backend, params);
}

/**
 * The optimiser to train with: `current` itself when its config equals
 * `config` (Keras keeps an optimiser's state across fit() calls on one model),
 * otherwise a new one, `current` being disposed.
 */
export function reuseOrCreateOptimizer(
  current: Optimizer | undefined,
  config: OptimizerConfig,
  backend: Backend,
  parameters: readonly Parameter[],
): Optimizer {
  if (current && sameOptimizerConfig(current.config, config)) return current;
  const next = createOptimizer(config, backend, parameters);
  current?.dispose();
  return next;
}

/** The state an optimiser of `config` keeps per parameter, by slot name (as getWeights() names them). */
export function slotNames(config: OptimizerConfig): readonly string[] {
  if (config.type === 'adam') return ['m', 'v'];
  return config.momentum === 0 ? [] : ['velocity'];
}

/** An optimiser state checked by checkOptimizerState(): its values copied, in the backend's dtype. */
export interface CheckedOptimizerState {
  iterations: number;
  slots: Record<string, FloatArray[]>;
}

/**
 * Checks a saved optimiser state against the slot names and the parameter
 * sizes, values included, allocating nothing in backend memory (loadNetwork
 * checks a file before building its network); `where` starts each message.
 * Each value is read once, into the copy returned: an optimiser writes that
 * copy (writeState), never the caller's arrays, so what it holds is what was checked.
 */
export function checkOptimizerState(
  where: string,
  state: unknown,
  names: readonly string[],
  sizes: readonly number[],
  dtype: DType,
): CheckedOptimizerState {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new Error(`${where}: expected { iterations, slots }, got ${describeValue(state)}`);
  }
  checkKeys(where, state, ['iterations', 'slots']);
  const { iterations, slots } = state as Partial<OptimizerState>;
  if (typeof iterations !== 'number' || !Number.isSafeInteger(iterations) || iterations < 0) {
    throw new Error(`${where}: iterations must be a non-negative integer, got ${describeValue(iterations)}`);
  }
  if (typeof slots !== 'object' || slots === null || Array.isArray(slots)) {
    throw new Error(`${where}: slots must be an object of slot name to arrays, got ${describeValue(slots)}`);
  }
  const expected = names.length === 0 ? 'it has no slots' : `its slots are ${names.join(', ')}`;
  for (const name of Object.keys(slots)) {
    if (!names.includes(name)) throw new Error(`${where}: unknown slot ${quote(name)}; ${expected}`);
  }
  const checked: Record<string, FloatArray[]> = {};
  for (const name of names) {
    if (!Object.hasOwn(slots, name)) throw new Error(`${where}: slot ${quote(name)} is missing; ${expected}`);
    checked[name] = checkSlot(`${where}: slots.${name}`, name, slots[name], sizes, dtype);
  }
  return { iterations, slots: checked };
}

/**
 * One slot: an array of one array per parameter, each that parameter's
 * size, copied into `dtype`. Lengths first, then index loops in which a
 * hole is an Error naming it (forEach would skip one, and a hole would
 * reach the copy as undefined).
 */
function checkSlot(where: string, name: string, slot: unknown, sizes: readonly number[], dtype: DType): FloatArray[] {
  if (!Array.isArray(slot) || arrayLength(where, slot) !== sizes.length) {
    throw new Error(`${where} must be an array of ${sizes.length} arrays (one per parameter), got ${describeValue(slot)}`);
  }
  const copies: FloatArray[] = [];
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i];
    const values = element(where, slot, i);
    if (!Array.isArray(values) || arrayLength(`${where}[${i}]`, values) !== size) {
      throw new Error(`${where}[${i}] must be an array of ${size} numbers (parameter ${i}'s size), got ${describeValue(values)}`);
    }
    const copy = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
    for (let j = 0; j < size; j++) {
      const value = element(`${where}[${i}]`, values, j);
      // A finite double beyond float32's range would become Infinity in memory.
      if (typeof value !== 'number' || !Number.isFinite(dtype === 'float32' ? Math.fround(value) : value)) {
        throw new Error(`${where}[${i}][${j}] is ${describeValue(value)}, expected a finite ${dtype} number`);
      }
      // A negative second moment would make Adam's sqrt(v) NaN.
      if (name === 'v' && value < 0) throw new Error(`${where}[${i}][${j}] is ${value}, expected >= 0 (a second moment)`);
      copy[j] = value;
    }
    copies.push(copy);
  }
  return copies;
}

/** State buffers and their lifetime, shared by every optimiser. */
abstract class BaseOptimizer<C extends OptimizerConfig> implements Optimizer {
  private steps = 0;
  private readonly owned: number[] = [];
  private disposed = false;

  constructor(
    readonly config: C,
    protected readonly backend: Backend,
    protected readonly params: readonly Parameter[],
  ) {}

  /** One zeroed buffer the size of each parameter (a velocity, a moment). */
  protected slots(): number[] {
    return this.params.map((p) => {
      const offset = this.backend.alloc(p.size);
      this.owned.push(offset);
      this.backend.view(offset, p.size).fill(0); // the arena hands out used bytes
      return offset;
    });
  }

  /** Frees what slots() took if a subclass constructor fails half-way. */
  protected guard<T>(allocate: () => T): T {
    try {
      return allocate();
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  get iterations(): number {
    return this.steps;
  }

  step(learningRate: number): void {
    if (this.disposed) throw new Error(`optimizer (${this.config.type}): step after dispose`);
    this.steps++;
    this.apply(learningRate);
  }

  protected abstract apply(learningRate: number): void;

  stateBuffers(): { offset: number; size: number }[] {
    return Object.values(this.slotBuffers()).flatMap((buffers) =>
      buffers.map((offset, i) => ({ offset, size: this.params[i].size })),
    );
  }

  rewind(iterations: number): void {
    this.steps = iterations;
  }

  /** The state buffers by slot name, one offset per parameter. */
  protected abstract slotBuffers(): Record<string, readonly number[]>;

  private get label(): string {
    return `optimizer (${this.config.type})`;
  }

  getWeights(): OptimizerState {
    if (this.disposed) throw new Error(`${this.label}.getWeights: the optimizer has been disposed`);
    const slots: Record<string, number[][]> = {};
    for (const [name, buffers] of Object.entries(this.slotBuffers())) {
      slots[name] = buffers.map((offset, i) => Array.from(this.backend.view(offset, this.params[i].size)));
    }
    return { iterations: this.steps, slots };
  }

  setWeights(state: OptimizerState): void {
    const where = `${this.label}.setWeights`;
    if (this.disposed) throw new Error(`${where}: the optimizer has been disposed`);
    // Check (and copy) everything before writing anything, so a bad slot leaves all as it was.
    this.writeState(
      checkOptimizerState(
        where,
        state,
        slotNames(this.config),
        this.params.map((p) => p.size),
        this.backend.dtype,
      ),
    );
  }

  writeState(state: CheckedOptimizerState): void {
    if (this.disposed) throw new Error(`${this.label}.setWeights: the optimizer has been disposed`);
    const buffers = this.slotBuffers();
    for (const name of Object.keys(buffers)) {
      buffers[name].forEach((offset, i) => this.backend.view(offset, this.params[i].size).set(state.slots[name][i]));
    }
    this.steps = state.iterations;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const offset of this.owned) this.backend.free(offset);
    this.owned.length = 0;
  }
}

/** Plain SGD, w -= lr * g: no state, and the exact arithmetic the seed's float64 parity rests on. */
class Sgd extends BaseOptimizer<SgdConfig> {
  protected slotBuffers(): Record<string, readonly number[]> {
    return {};
  }

  protected apply(learningRate: number): void {
    const { backend, params } = this;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      backend.sgd(p.size, learningRate, p.value, p.grad);
    }
  }
}

/** SGD with (Nesterov) momentum: one velocity per parameter. */
class Momentum extends BaseOptimizer<SgdConfig> {
  private readonly velocities: number[];

  constructor(config: SgdConfig, backend: Backend, params: readonly Parameter[]) {
    super(config, backend, params);
    this.velocities = this.guard(() => this.slots());
  }

  protected slotBuffers(): Record<string, readonly number[]> {
    return { velocity: this.velocities };
  }

  protected apply(learningRate: number): void {
    const { backend, params, velocities } = this;
    const { momentum, nesterov } = this.config;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      backend.sgdMomentum(p.size, learningRate, momentum, nesterov, p.value, p.grad, velocities[i]);
    }
  }
}

/** Adam: first and second moments per parameter, and the step count for bias correction. */
class Adam extends BaseOptimizer<AdamConfig> {
  private readonly m: number[];
  private readonly v: number[];

  constructor(config: AdamConfig, backend: Backend, params: readonly Parameter[]) {
    super(config, backend, params);
    [this.m, this.v] = this.guard(() => [this.slots(), this.slots()]);
  }

  protected slotBuffers(): Record<string, readonly number[]> {
    return { m: this.m, v: this.v };
  }

  protected apply(learningRate: number): void {
    const { backend, params, m, v } = this;
    const { beta1, beta2, epsilon } = this.config;
    const t = this.iterations; // counted from 1: step() has already incremented it
    // Keras 3 (keras/src/optimizers/adam.py): both bias corrections folded into one scalar, in f64 here.
    const alpha = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      backend.adam(p.size, alpha, beta1, beta2, epsilon, p.value, p.grad, m[i], v[i]);
    }
  }
}
