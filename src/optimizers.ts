/**
 * Optimisers, as Keras 3 defines them: SGD (optionally with momentum and
 * Nesterov momentum), Adam, RMSprop, Adagrad and AdamW, each with Keras's
 * gradient clipping. An optimiser owns its state (velocities, moments,
 * accumulators) in backend memory, allocated and set once when it is
 * created and freed by dispose(); a step is a few kernel calls per
 * parameter and allocates nothing. The arithmetic is in the kernels
 * (assembly/momentum.ts, adam.ts, rmsprop.ts, clip.ts; js.ts); here are the
 * state, the step count and the order of a step. Options are in
 * optimizers/config.ts, the state's check in optimizers/state.ts.
 * getWeights()/setWeights() copy the state out and back in (TensorFlow.js's
 * names), so a saved network can resume training exactly.
 */
import type { Backend } from './backend/backend.js';
import {
  type AdagradConfig,
  type AdamConfig,
  type AdamwConfig,
  type OptimizerConfig,
  parseOptimizer,
  type RmspropConfig,
  type SgdConfig,
  sameOptimizerConfig,
  slotNames,
} from './optimizers/config.js';
import { type CheckedOptimizerState, checkOptimizerState, type OptimizerState } from './optimizers/state.js';
import { type LearningRate, learningRateAt } from './schedules.js';

export * from './optimizers/config.js';
export * from './optimizers/state.js';

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

export interface Optimizer {
  readonly config: OptimizerConfig;
  /**
   * The rate the next steps use when called without one: a number, or a
   * schedule evaluated at `iterations` (fit() sets it; a callback such as
   * ReduceLROnPlateau may change a number). Undefined until set.
   */
  learningRate: LearningRate | undefined;
  /** The rate the next step takes by default: learningRate, or its schedule at `iterations`. */
  currentLearningRate(): number;
  /** Steps taken so far (Keras's optimizer.iterations); Adam's t is this + 1 at the next step. */
  readonly iterations: number;
  /**
   * Updates every parameter from its current gradient (clipped first, in
   * place, when the config clips), at `learningRate` or, without one, at
   * currentLearningRate().
   */
  step(learningRate?: number): void;
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
 * An optimiser over `parameters`, with its state in `backend`'s memory.
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
  switch (checked.type) {
    case 'adam':
    case 'adamw':
      return new Adam(checked, backend, params);
    case 'rmsprop':
      return new Rmsprop(checked, backend, params);
    case 'adagrad':
      return new Adagrad(checked, backend, params);
    default:
      return checked.momentum === 0 ? new Sgd(checked, backend, params) : new Momentum(checked, backend, params);
  }
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

/** State buffers and their lifetime, the step count and clipping, shared by every optimiser. */
abstract class BaseOptimizer<C extends OptimizerConfig> implements Optimizer {
  learningRate: LearningRate | undefined = undefined;
  private steps = 0;
  private readonly owned: number[] = [];
  private disposed = false;

  constructor(
    readonly config: C,
    protected readonly backend: Backend,
    protected readonly params: readonly Parameter[],
  ) {}

  /** One buffer the size of each parameter (a velocity, a moment), every element `initial`. */
  protected slots(initial = 0): number[] {
    return this.params.map((p) => {
      const offset = this.backend.alloc(p.size);
      this.owned.push(offset);
      this.backend.view(offset, p.size).fill(initial); // the arena hands out used bytes
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

  currentLearningRate(): number {
    if (this.learningRate === undefined) throw new Error(`${this.label}: no learning rate set`);
    return learningRateAt(this.learningRate, this.steps);
  }

  step(learningRate = this.currentLearningRate()): void {
    if (this.disposed) throw new Error(`${this.label}: step after dispose`);
    this.clipGradients();
    this.steps++;
    this.apply(learningRate);
  }

  protected abstract apply(learningRate: number): void;

  /**
   * Keras 3's _clip_gradients, on the mean gradients in place: clipnorm per
   * parameter, global_clipnorm over all of them, or clipvalue. The norms'
   * sums of squares are float64, in element then parameter order; the
   * scalars are then rounded to the dtype as Keras computes them there.
   */
  private clipGradients(): void {
    const { backend, params } = this;
    const { clipvalue, clipnorm, globalClipnorm } = this.config;
    const round = backend.dtype === 'float32' ? Math.fround : (x: number) => x;
    if (clipnorm !== undefined) {
      for (const p of params) {
        const norm = round(Math.sqrt(backend.sumSquares(p.size, p.grad)));
        backend.scaleGradient(p.size, clipnorm, Math.max(norm, round(clipnorm)), p.grad);
      }
    } else if (globalClipnorm !== undefined) {
      let sum = 0;
      for (const p of params) sum += backend.sumSquares(p.size, p.grad);
      const norm = round(Math.sqrt(sum));
      // clip_norm * minimum(1 / norm, 1 / clip_norm), about 1 for a norm within the bound; + (norm - norm)
      // makes it NaN for an infinite norm, as Keras, rather than 0 (which would zero the finite gradients).
      const scale = round(round(globalClipnorm) * Math.min(round(1 / norm), round(1 / globalClipnorm))) + (norm - norm);
      for (const p of params) backend.scaleGradient(p.size, scale, 1, p.grad);
    } else if (clipvalue !== undefined) {
      for (const p of params) backend.clipByValue(p.size, clipvalue, p.grad);
    }
  }

  stateBuffers(): { offset: number; size: number }[] {
    return Object.values(this.slotBuffers()).flatMap((buffers) =>
      buffers.map((offset, i) => ({ offset, size: this.params[i].size })),
    );
  }

  rewind(iterations: number): void {
    this.steps = iterations;
  }

  /** The state buffers by slot name (slotNames(config)'s, in its order), one offset per parameter. */
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

/**
 * Adam: first and second moments per parameter, and the step count for bias
 * correction. AdamW is Adam after Keras's decoupled weight decay.
 */
class Adam extends BaseOptimizer<AdamConfig | AdamwConfig> {
  private readonly m: number[];
  private readonly v: number[];

  constructor(config: AdamConfig | AdamwConfig, backend: Backend, params: readonly Parameter[]) {
    super(config, backend, params);
    [this.m, this.v] = this.guard(() => [this.slots(), this.slots()]);
  }

  protected slotBuffers(): Record<string, readonly number[]> {
    return { m: this.m, v: this.v };
  }

  protected apply(learningRate: number): void {
    const { backend, params, m, v, config } = this;
    const { beta1, beta2, epsilon } = config;
    // Keras 3's _apply_weight_decay: every variable, before any update step.
    if (config.type === 'adamw' && config.weightDecay !== 0) {
      for (const p of params) backend.decayWeights(p.size, config.weightDecay, learningRate, p.value);
    }
    const t = this.iterations; // counted from 1: step() has already incremented it
    // Keras 3 (keras/src/optimizers/adam.py): both bias corrections folded into one scalar, in f64 here.
    const alpha = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      backend.adam(p.size, alpha, beta1, beta2, epsilon, p.value, p.grad, m[i], v[i]);
    }
  }
}

/** RMSprop (Keras 3's, not centered): a mean square per parameter, and a momentum when its momentum is not 0. */
class Rmsprop extends BaseOptimizer<RmspropConfig> {
  private readonly v: number[];
  private readonly m: number[] | undefined;

  constructor(config: RmspropConfig, backend: Backend, params: readonly Parameter[]) {
    super(config, backend, params);
    [this.v, this.m] = this.guard(() => [this.slots(), config.momentum === 0 ? undefined : this.slots()]);
  }

  protected slotBuffers(): Record<string, readonly number[]> {
    return this.m ? { v: this.v, m: this.m } : { v: this.v };
  }

  protected apply(learningRate: number): void {
    const { backend, params, v, m } = this;
    const { rho, epsilon, momentum } = this.config;
    // 1 - rho in f64, rounded once to the dtype by the kernel, as Keras casts the Python float.
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      backend.rmsprop(p.size, learningRate, rho, 1 - rho, epsilon, momentum, p.value, p.grad, v[i], m ? m[i] : v[i]);
    }
  }
}

/** Adagrad: an accumulator of squared gradients per parameter, starting at initialAccumulatorValue; RMSprop's kernel with rho = 1 - rho = 1. */
class Adagrad extends BaseOptimizer<AdagradConfig> {
  private readonly accumulators: number[];

  constructor(config: AdagradConfig, backend: Backend, params: readonly Parameter[]) {
    super(config, backend, params);
    this.accumulators = this.guard(() => this.slots(config.initialAccumulatorValue));
  }

  protected slotBuffers(): Record<string, readonly number[]> {
    return { accumulator: this.accumulators };
  }

  protected apply(learningRate: number): void {
    const { backend, params, accumulators } = this;
    const { epsilon } = this.config;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      backend.rmsprop(p.size, learningRate, 1, 1, epsilon, 0, p.value, p.grad, accumulators[i], accumulators[i]);
    }
  }
}
