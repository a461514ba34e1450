/**
 * Learning-rate schedules, as Keras 3's (keras.optimizers.schedules): plain
 * data made by the factories below, so that a schedule crosses to a worker
 * and into JSON as it is. fit() evaluates one at every update, at step = the
 * updates the optimiser made before it (Keras's `iterations`: 0 for the
 * first, counted across fit() calls while the optimiser's state is kept).
 * The arithmetic is Keras's formula in float64; the kernels then round the
 * rate to the network's dtype, as Keras casts it to the variable's.
 */
import type { DType } from './backend/backend.js';
import { checkKeys, checkNormalIn, checkPositiveNumber, describeValue } from './checks.js';
import { arrayLength, element } from './data.js';

/** Keras's ExponentialDecay: initialLearningRate decayRate^(step / decaySteps), the exponent floored when staircase. */
export interface ExponentialDecay {
  /** The schedule: exponential decay. */
  readonly type: 'exponentialDecay';
  /** The rate at step 0. */
  readonly initialLearningRate: number;
  /** Steps over which the rate is multiplied by decayRate once. */
  readonly decaySteps: number;
  /** The factor per decaySteps steps. */
  readonly decayRate: number;
  /** Whether the rate drops in stairs, every decaySteps steps, rather than smoothly. */
  readonly staircase: boolean;
}

/** Keras's CosineDecay (without warmup): from initialLearningRate down to initialLearningRate alpha over decaySteps, then flat. */
export interface CosineDecay {
  /** The schedule: cosine decay. */
  readonly type: 'cosineDecay';
  /** The rate at step 0. */
  readonly initialLearningRate: number;
  /** Steps the decay lasts. */
  readonly decaySteps: number;
  /** The final rate as a fraction of the initial one, in [0, 1]. */
  readonly alpha: number;
}

/** Keras's PiecewiseConstantDecay: values[i] for step in (boundaries[i - 1], boundaries[i]]. */
export interface PiecewiseConstantDecay {
  /** The schedule: constant rates between boundaries. */
  readonly type: 'piecewiseConstantDecay';
  /** Strictly increasing steps where the rate changes (after the step equal to each). */
  readonly boundaries: readonly number[];
  /** One rate more than there are boundaries. */
  readonly values: readonly number[];
}

/**
 * A learning-rate schedule, as the factories {@link exponentialDecay},
 * {@link cosineDecay} and {@link piecewiseConstantDecay} make them: plain
 * data, evaluated by fit() at every update.
 *
 * @example
 * ```ts
 * const schedule: LearningRateSchedule = cosineDecay({ initialLearningRate: 0.01, decaySteps: 1000 });
 * await net.fit(x, y, { epochs: 10, batchSize: 32, learningRate: schedule, optimizer: 'adam' });
 * ```
 */
export type LearningRateSchedule = ExponentialDecay | CosineDecay | PiecewiseConstantDecay;

/** fit()'s `learningRate`: a constant, or a schedule evaluated at every update. */
export type LearningRate = number | LearningRateSchedule;

/** Options of {@link exponentialDecay}, with Keras's names in camelCase. */
export interface ExponentialDecayOptions {
  /** The rate at step 0: a positive number. */
  initialLearningRate: number;
  /** Steps over which the rate is multiplied by decayRate once: a positive number. */
  decaySteps: number;
  /** The factor per decaySteps steps: a positive number. */
  decayRate: number;
  /** Whether the rate drops in stairs, every decaySteps steps; default false. */
  staircase?: boolean;
}

/** Options of {@link cosineDecay}, with Keras's names in camelCase. */
export interface CosineDecayOptions {
  /** The rate at step 0: a positive number. */
  initialLearningRate: number;
  /** Steps the decay lasts: a positive number. */
  decaySteps: number;
  /** The final rate as a fraction of the initial one, in [0, 1]; default 0. */
  alpha?: number;
}

/** Options of {@link piecewiseConstantDecay}, as Keras's. */
export interface PiecewiseConstantDecayOptions {
  /** Strictly increasing steps, at least one: the rate changes after the step equal to each. */
  boundaries: readonly number[];
  /** Positive rates, one more than boundaries. */
  values: readonly number[];
}

/**
 * Keras's ExponentialDecay: the rate initialLearningRate decayRate^(step / decaySteps),
 * the exponent floored when `staircase`.
 *
 * @param options - initialLearningRate and decayRate positive, decaySteps a positive number of steps, staircase (default false).
 * @returns A schedule for fit()'s `learningRate`: plain data.
 * @throws Error naming the option when one is missing, unknown or out of range.
 *
 * @example
 * Halve the rate every 1000 updates:
 * ```ts
 * const learningRate = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.5, staircase: true });
 * await net.fit(x, y, { epochs: 50, batchSize: 32, learningRate, optimizer: 'sgd' });
 * ```
 */
export function exponentialDecay(options: ExponentialDecayOptions): ExponentialDecay {
  return checkSchedule('exponentialDecay', { type: 'exponentialDecay', ...options }) as ExponentialDecay;
}

/**
 * Keras's CosineDecay (no warmup): initialLearningRate ((1 - alpha) 0.5 (1 + cos(π min(step, decaySteps) / decaySteps)) + alpha).
 *
 * @param options - initialLearningRate positive, decaySteps a positive number of steps, alpha in [0, 1] (default 0).
 * @returns A schedule for fit()'s `learningRate`: plain data.
 * @throws Error naming the option when one is missing, unknown or out of range.
 *
 * @example
 * Decay over the whole run, 20 epochs of 100 batches:
 * ```ts
 * const learningRate = cosineDecay({ initialLearningRate: 0.01, decaySteps: 2000 });
 * await net.fit(x, y, { epochs: 20, batchSize: 32, learningRate, optimizer: 'adam' });
 * ```
 */
export function cosineDecay(options: CosineDecayOptions): CosineDecay {
  return checkSchedule('cosineDecay', { type: 'cosineDecay', ...options }) as CosineDecay;
}

/**
 * Keras's PiecewiseConstantDecay: values[0] up to and including step
 * boundaries[0], values[i] for steps in (boundaries[i - 1], boundaries[i]],
 * the last value after the last boundary.
 *
 * @param options - boundaries strictly increasing finite numbers (at least one), values positive rates, one more than boundaries.
 * @returns A schedule for fit()'s `learningRate`: plain data.
 * @throws Error naming the option when one is missing, unknown or out of range.
 *
 * @example
 * 0.1 for the first 1000 updates (steps 0 to 1000), then 0.01, and 0.001 after step 2000:
 * ```ts
 * const learningRate = piecewiseConstantDecay({ boundaries: [1000, 2000], values: [0.1, 0.01, 0.001] });
 * await net.fit(x, y, { epochs: 30, batchSize: 64, learningRate, optimizer: { type: 'sgd', momentum: 0.9 } });
 * ```
 */
export function piecewiseConstantDecay(options: PiecewiseConstantDecayOptions): PiecewiseConstantDecay {
  return checkSchedule('piecewiseConstantDecay', { type: 'piecewiseConstantDecay', ...options }) as PiecewiseConstantDecay;
}

const KEYS = {
  exponentialDecay: ['type', 'initialLearningRate', 'decaySteps', 'decayRate', 'staircase'],
  cosineDecay: ['type', 'initialLearningRate', 'decaySteps', 'alpha'],
  piecewiseConstantDecay: ['type', 'boundaries', 'values'],
} as const;

/**
 * Checks a schedule (a factory's, or one that crossed to a worker or was
 * written by hand) and returns a frozen copy with its defaults; `name` starts
 * each message.
 */
export function checkSchedule(name: string, schedule: unknown): LearningRateSchedule {
  if (typeof schedule !== 'object' || schedule === null || Array.isArray(schedule)) {
    throw new Error(`${name} must be a schedule (exponentialDecay(...), ...), got ${describeValue(schedule)}`);
  }
  const type = (schedule as { type?: unknown }).type;
  if (type !== 'exponentialDecay' && type !== 'cosineDecay' && type !== 'piecewiseConstantDecay') {
    throw new Error(
      `${name}.type ${describeValue(type)} is unknown; expected 'exponentialDecay', 'cosineDecay' or 'piecewiseConstantDecay'`,
    );
  }
  checkKeys(name, schedule, KEYS[type]);
  const given = schedule as Record<string, unknown>;
  if (type === 'piecewiseConstantDecay') {
    const boundaries = numbers(`${name}.boundaries`, given.boundaries);
    const values = numbers(`${name}.values`, given.values);
    if (boundaries.length === 0) throw new Error(`${name}.boundaries must hold at least one step`);
    boundaries.forEach((b, i) => {
      if (!Number.isFinite(b)) throw new Error(`${name}.boundaries[${i}] must be a finite number, got ${describeValue(b)}`);
      if (i > 0 && !(b > boundaries[i - 1])) {
        throw new Error(`${name}.boundaries must be strictly increasing; boundaries[${i}] ${b} follows ${boundaries[i - 1]}`);
      }
    });
    if (values.length !== boundaries.length + 1) {
      throw new Error(`${name}.values must hold one rate more than boundaries (${boundaries.length + 1}), got ${values.length}`);
    }
    values.forEach((v, i) => checkPositiveNumber(`${name}.values[${i}]`, v));
    return Object.freeze({ type, boundaries: Object.freeze(boundaries), values: Object.freeze(values) });
  }
  const { initialLearningRate, decaySteps } = given;
  checkPositiveNumber(`${name}.initialLearningRate`, initialLearningRate);
  checkPositiveNumber(`${name}.decaySteps`, decaySteps);
  if (type === 'exponentialDecay') {
    const { decayRate, staircase = false } = given;
    checkPositiveNumber(`${name}.decayRate`, decayRate);
    if (typeof staircase !== 'boolean')
      throw new Error(`${name}.staircase must be true or false, got ${describeValue(staircase)}`);
    return Object.freeze({ type, initialLearningRate, decaySteps, decayRate, staircase } as ExponentialDecay);
  }
  const { alpha = 0 } = given;
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) {
    throw new Error(`${name}.alpha must be a number in [0, 1], got ${describeValue(alpha)}`);
  }
  return Object.freeze({ type, initialLearningRate, decaySteps, alpha } as CosineDecay);
}

/** A copy of an array of numbers, each read once (a hole is an Error, not undefined). */
function numbers(name: string, list: unknown): number[] {
  if (!Array.isArray(list)) throw new Error(`${name} must be an array of numbers, got ${describeValue(list)}`);
  const copy: number[] = [];
  for (let i = 0, n = arrayLength(name, list); i < n; i++) {
    const value = element(name, list, i);
    if (typeof value !== 'number') throw new Error(`${name}[${i}] must be a number, got ${describeValue(value)}`);
    copy.push(value);
  }
  return copy;
}

/**
 * fit()'s `learningRate` checked: a positive number, or a schedule, whose
 * starting rates (and every piecewise value) must also be normal numbers in
 * `dtype`. A schedule comes back as a frozen copy.
 */
export function checkLearningRate(name: string, rate: unknown, dtype: DType): LearningRate {
  if (typeof rate === 'object' && rate !== null) {
    const schedule = checkSchedule(name, rate);
    const rates = schedule.type === 'piecewiseConstantDecay' ? schedule.values : [schedule.initialLearningRate];
    for (const value of rates) checkNormalIn(name, value, dtype);
    return schedule;
  }
  checkPositiveNumber(name, rate);
  checkNormalIn(name, rate as number, dtype);
  return rate as number;
}

/** The rate of `schedule` at `step` (updates made before this one), Keras's formula in float64. */
export function learningRateAt(schedule: LearningRate, step: number): number {
  if (typeof schedule === 'number') return schedule;
  switch (schedule.type) {
    case 'exponentialDecay': {
      const p = step / schedule.decaySteps;
      return schedule.initialLearningRate * schedule.decayRate ** (schedule.staircase ? Math.floor(p) : p);
    }
    case 'cosineDecay': {
      const completed = Math.min(step, schedule.decaySteps) / schedule.decaySteps;
      const cosine = 0.5 * (1 + Math.cos(Math.PI * completed));
      return schedule.initialLearningRate * ((1 - schedule.alpha) * cosine + schedule.alpha);
    }
    case 'piecewiseConstantDecay': {
      const { boundaries, values } = schedule;
      let i = 0;
      while (i < boundaries.length && step > boundaries[i]) i++;
      return values[i];
    }
  }
}
