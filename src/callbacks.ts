/**
 * Training callbacks, as TensorFlow.js: plain objects with any of the hooks
 * below, or classes such as EarlyStopping. A hook may return a promise, which
 * fit() awaits. Setting `net.stopTraining = true` ends fit() after the current
 * batch; the epoch's end (onEpochEnd, history) still runs, as TensorFlow.js.
 *
 * While a hook's promise is pending, fit() waits for it and for nothing
 * else: stopTraining set meanwhile is read when the promise settles, at the
 * same point as if the hook had set it, and dispose() rejects the pending
 * fit() at once (a promise that never settles cannot hold the network).
 * A hook that throws or rejects ends fit() with that error; the weights are
 * those of the last completed batch.
 */

import { checkKeys, describeValue, quote } from './checks.js';
import { element, listLength } from './data.js';
import { engineOf } from './engine.js';
import type { Network } from './network.js';

/**
 * Numbers by name that fit() reports: per epoch `loss`, each of the
 * network's metrics (`acc`, `precision`, `recall`, `auc`, `mae`, `r2`),
 * the same with `val_` before them when validating, and `learning_rate`
 * (the rate of the epoch's last update); per batch `batch`, `size`, `loss`
 * and `acc` (when accuracy is among the metrics).
 */
export type Logs = Record<string, number>;

/**
 * Hooks that fit() calls during training, with TensorFlow.js's names: a
 * callback is a plain object with any of them (at least one), or a class
 * such as {@link EarlyStopping}.
 *
 * @remarks
 * fit() awaits a hook that returns a promise, and waits for nothing else
 * meanwhile. Setting `net.stopTraining = true` in a hook ends fit() after the
 * current batch; the epoch's end (onEpochEnd, the history) still runs. A hook
 * that throws or rejects ends fit() with that error, the weights being those
 * of the last completed batch.
 *
 * @example
 * Log every tenth epoch, and stop once the loss is small enough:
 * ```ts
 * await net.fit(x, y, {
 *   epochs: 1000,
 *   learningRate: 0.5,
 *   callbacks: {
 *     onEpochEnd(epoch, logs = {}) {
 *       if (epoch % 10 === 0) console.log(epoch, logs.loss);
 *       if (logs.loss < 0.01) net.stopTraining = true;
 *     },
 *   },
 * });
 * ```
 */
export interface Callback {
  /**
   * Called once, before the first epoch.
   * @param logs - Not given by fit(); in the signature as TensorFlow.js has it.
   */
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  /**
   * Called once, after the last epoch, also when training stopped early.
   * @param logs - Not given by fit(); in the signature as TensorFlow.js has it.
   */
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  /**
   * Called before each epoch.
   * @param epoch - The epoch, counted from 0.
   * @param logs - Not given by fit(); in the signature as TensorFlow.js has it.
   */
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  /**
   * Called after each epoch, with its numbers.
   * @param epoch - The epoch, counted from 0.
   * @param logs - `loss` and `acc` (when accuracy is among the metrics):
   *   means over the epoch's batches weighted by their size, each measured
   *   in the batch's forward pass; the other metrics over all the epoch's
   *   rows at once; `val_loss`, `val_acc` and the other `val_` metrics when
   *   validating; `learning_rate`, the rate of the epoch's last update.
   */
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  /**
   * Called after each batch's update.
   * @param batch - The batch within its epoch, counted from 0.
   * @param logs - `batch`, `size` (its rows), `loss` and, when accuracy is
   *   among the metrics, `acc`, measured in the batch's forward pass.
   */
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
  /**
   * Called by fit() before training, so that a callback can act on the
   * network (set its stopTraining, say).
   * @param net - The network being trained.
   * @param metrics - The names of the per-epoch logs this fit() will report.
   * @throws Error when the callback cannot work with these logs (fit() then
   *   rejects before training).
   */
  setNetwork?(net: Network, metrics: readonly string[]): void;
}

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchEnd', 'setNetwork'] as const;

/**
 * The most callbacks one fit() takes: far more than any training needs, and
 * a bound on the work of checking them (a sparse array may declare 2^32 - 1).
 */
export const MAX_CALLBACKS = 1000;

/** A callback, an array of them, or nothing: always a new array (fit() appends to it), each checked. */
export function checkCallbacks(callbacks: unknown): Callback[] {
  if (callbacks === undefined) return [];
  const given: unknown[] = Array.isArray(callbacks) ? callbacks : [callbacks];
  const count = listLength('fit: callbacks', given, MAX_CALLBACKS);
  const list: Callback[] = [];
  // An index loop: forEach would skip a hole, which fit() would then call.
  for (let i = 0; i < count; i++) list.push(checkCallback(`fit: callbacks[${i}]`, element('fit: callbacks', given, i)));
  return list;
}

/** Checks one callback: an object with at least one hook, each a function; `name` says where it is. */
function checkCallback(name: string, callback: unknown): Callback {
  if (typeof callback !== 'object' || callback === null) {
    throw new Error(`${name} must be an object with hooks such as onEpochEnd, got ${describeValue(callback)}`);
  }
  const hooks = HOOKS.filter((hook) => hook in callback);
  if (hooks.length === 0) throw new Error(`${name} has none of the hooks ${HOOKS.join(', ')}`);
  for (const hook of hooks) {
    if (typeof (callback as Record<string, unknown>)[hook] !== 'function') throw new Error(`${name}.${hook} must be a function`);
  }
  return callback as Callback;
}

/** The options of {@link earlyStopping}, with Keras 3's names and defaults. */
export interface EarlyStoppingOptions {
  /** The log to watch; default `'val_loss'` (which needs validationData or validationSplit). */
  monitor?: string;
  /** Smallest change that counts as an improvement, a finite number of at least 0; default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping, an integer of at least 0; default 0. */
  patience?: number;
  /** `'min'`, `'max'`, or `'auto'` (max for accuracy, precision, recall, auc and r2, with or without `val_`, and any log whose name contains `acc`; min otherwise); default `'auto'`. */
  mode?: 'auto' | 'min' | 'max';
  /** An improvement resets the patience count only if it also beats this (Keras 3). */
  baseline?: number;
  /** At the end of training, put back the weights of the best epoch; default false. */
  restoreBestWeights?: boolean;
}

/**
 * A callback that stops training when a monitored log stops improving
 * (Keras's EarlyStopping); {@link earlyStopping} makes one.
 *
 * @remarks
 * As Keras 3, it never stops before the second epoch. Unlike TensorFlow.js,
 * restoreBestWeights works: the best epoch's weights are put back when
 * training ends, whether it stopped early or not. Each fit() starts it afresh.
 */
export class EarlyStopping implements Callback {
  /** The log it watches. */
  readonly monitor: string;
  /** Smallest change that counts as an improvement. */
  readonly minDelta: number;
  /** Epochs without improvement before it stops training. */
  readonly patience: number;
  /** Whether a smaller (`'min'`) or a larger (`'max'`) value is better: `'auto'` resolved. */
  readonly mode: 'min' | 'max';
  /** The value an improvement must also beat to reset the patience count, if any. */
  readonly baseline: number | undefined;
  /** Whether the best epoch's weights are put back when training ends. */
  readonly restoreBestWeights: boolean;
  /** The epoch (from 0) training stopped at, or -1. */
  stoppedEpoch = -1;
  /** The best epoch so far (from 0), or -1. */
  bestEpoch = -1;
  private best = NaN;
  private wait = 0;
  private bestWeights: Float64Array[] | undefined;
  private net: Network | undefined;

  /**
   * Checks the options and fills in their defaults.
   * @param options - What to watch and how patiently; every field optional.
   * @throws Error naming the option when one is unknown or out of range.
   */
  constructor(options: EarlyStoppingOptions = {}) {
    checkKeys('earlyStopping', options, ['monitor', 'minDelta', 'patience', 'mode', 'baseline', 'restoreBestWeights']);
    const { monitor = 'val_loss', minDelta = 0, patience = 0, mode = 'auto', baseline, restoreBestWeights = false } = options;
    if (typeof monitor !== 'string')
      throw new Error(`earlyStopping: monitor must be a log name such as 'val_loss', got ${describeValue(monitor)}`);
    if (typeof minDelta !== 'number' || !(minDelta >= 0) || !Number.isFinite(minDelta)) {
      throw new Error(`earlyStopping: minDelta must be a finite number >= 0, got ${describeValue(minDelta)}`);
    }
    if (!Number.isInteger(patience) || patience < 0)
      throw new Error(`earlyStopping: patience must be an integer >= 0, got ${describeValue(patience)}`);
    if (!['auto', 'min', 'max'].includes(mode))
      throw new Error(`earlyStopping: mode must be 'auto', 'min' or 'max', got ${describeValue(mode)}`);
    if (baseline !== undefined && !Number.isFinite(baseline))
      throw new Error(`earlyStopping: baseline must be a finite number, got ${describeValue(baseline)}`);
    if (typeof restoreBestWeights !== 'boolean')
      throw new Error(`earlyStopping: restoreBestWeights must be true or false, got ${describeValue(restoreBestWeights)}`);
    this.monitor = monitor;
    this.minDelta = minDelta;
    this.patience = patience;
    this.mode = mode === 'auto' ? autoMode(monitor) : mode;
    this.baseline = baseline;
    this.restoreBestWeights = restoreBestWeights;
  }

  /**
   * Called by fit() before training: takes the network to stop.
   * @param net - The network being trained.
   * @param metrics - The names of the per-epoch logs this fit() will report.
   * @throws Error when the monitored log is not among them (a `val_` log
   *   without validationData or validationSplit, say).
   */
  setNetwork(net: Network, metrics: readonly string[]): void {
    if (!metrics.includes(this.monitor)) {
      throw new Error(
        `earlyStopping: monitor ${quote(this.monitor)} is not among this fit's logs (${metrics.join(', ')})` +
          (this.monitor.startsWith('val_') ? '; pass validationData or validationSplit' : ''),
      );
    }
    this.net = net;
  }

  /** Called by fit() before the first epoch: forgets any earlier fit(). */
  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.bestEpoch = -1;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.bestWeights = undefined;
  }

  /**
   * Called by fit() after each epoch: records an improvement, or sets the
   * network's stopTraining once patience has run out.
   * @param epoch - The epoch, counted from 0.
   * @param logs - The epoch's logs, the monitored one among them.
   */
  onEpochEnd(epoch: number, logs: Logs = {}): void {
    // As Keras 3: the best epoch is tracked whether or not it beats the
    // baseline; the baseline only decides whether it restarts the wait.
    const current = logs[this.monitor];
    this.wait++;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights && this.net) this.bestWeights = engineOf(this.net).snapshotParameters();
      if (this.baseline === undefined || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    // Patience 0 and 1 both stop at the first miss; never before a second epoch.
    if (this.wait >= this.patience && epoch > 0 && this.net) {
      this.stoppedEpoch = epoch;
      this.net.stopTraining = true;
    }
  }

  /** Called by fit() after the last epoch: puts back the best weights when restoreBestWeights is set. */
  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights && this.net) engineOf(this.net).restoreParameters(this.bestWeights);
  }

  /** Keras 3's expression exactly (monitor_op(current - min_delta, reference), min_delta negated in mode min): rounding decides ties at minDelta. */
  private isImprovement(value: number, reference: number): boolean {
    return this.mode === 'min' ? value + this.minDelta < reference : value - this.minDelta > reference;
  }
}

/**
 * Makes an {@link EarlyStopping} callback, as TensorFlow.js's
 * `tf.callbacks.earlyStopping`.
 *
 * @param options - What to watch and how patiently; by default `val_loss`,
 *   stopping at the first epoch without improvement.
 * @returns A callback to pass in fit()'s `callbacks`.
 * @throws Error naming the option when one is unknown or out of range.
 *
 * @example
 * Stop when the validation loss has not improved for 10 epochs, and keep the
 * best epoch's weights:
 * ```ts
 * const stopper = earlyStopping({ monitor: 'val_loss', patience: 10, restoreBestWeights: true });
 * const history = await net.fit(x, y, {
 *   epochs: 500,
 *   learningRate: 0.01,
 *   optimizer: 'adam',
 *   validationSplit: 0.2,
 *   callbacks: [stopper],
 * });
 * console.log(stopper.stoppedEpoch, stopper.bestEpoch, history.history.val_loss.length);
 * ```
 */
export function earlyStopping(options?: EarlyStoppingOptions): EarlyStopping {
  return new EarlyStopping(options);
}

/** The options of {@link reduceLROnPlateau}, with Keras 3's names (camelCase) and defaults. */
export interface ReduceLROnPlateauOptions {
  /** The log to watch; default `'val_loss'` (which needs validationData or validationSplit). */
  monitor?: string;
  /** What the rate is multiplied by when it is reduced, in (0, 1); default 0.1. */
  factor?: number;
  /** Epochs without improvement before a reduction, an integer of at least 0; default 10. */
  patience?: number;
  /** Smallest change that counts as an improvement, a finite number of at least 0; default 1e-4. */
  minDelta?: number;
  /** Epochs after a reduction during which epochs without improvement are not counted, an integer of at least 0; default 0. */
  cooldown?: number;
  /** The rate is never reduced below this, a finite number of at least 0 (Keras's `min_lr`); default 0. */
  minLr?: number;
  /** `'min'`, `'max'`, or `'auto'` (max for accuracy, precision, recall, auc and r2, with or without `val_`, and any log whose name contains `acc`; min otherwise); default `'auto'`. */
  mode?: 'auto' | 'min' | 'max';
}

/**
 * A callback that multiplies the learning rate by `factor` when a monitored
 * log has stopped improving for `patience` epochs (Keras's
 * ReduceLROnPlateau); {@link reduceLROnPlateau} makes one.
 *
 * @remarks
 * As Keras 3: an epoch improves when the log beats the best so far by more
 * than minDelta; after `patience` epochs that do not, a rate above minLr
 * becomes max(rate factor, minLr), and for the next `cooldown` epochs no
 * epoch counts against the patience. The new rate applies from the next
 * update, and each epoch's `learning_rate` log shows the rate in use. It
 * needs a constant learningRate: with a schedule fit() rejects, as Keras
 * refuses to set a scheduled rate. Each fit() starts it afresh, from that
 * fit's learningRate.
 *
 * @example
 * ```ts
 * const reducer = new ReduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 3 });
 * await net.fit(x, y, { epochs: 100, learningRate: 0.01, optimizer: 'rmsprop', validationSplit: 0.2, callbacks: [reducer] });
 * ```
 */
export class ReduceLROnPlateau implements Callback {
  /** The log it watches. */
  readonly monitor: string;
  /** What the rate is multiplied by at each reduction. */
  readonly factor: number;
  /** Epochs without improvement before a reduction. */
  readonly patience: number;
  /** Smallest change that counts as an improvement. */
  readonly minDelta: number;
  /** Epochs after a reduction that do not count against the patience. */
  readonly cooldown: number;
  /** The lowest rate it sets. */
  readonly minLr: number;
  /** Whether a smaller (`'min'`) or a larger (`'max'`) value is better: `'auto'` resolved. */
  readonly mode: 'min' | 'max';
  private best = NaN;
  private wait = 0;
  private cooldownCounter = 0;
  private optimizer: { learningRate: unknown } | undefined;

  /**
   * Checks the options and fills in their defaults.
   * @param options - What to watch, how patiently, and by how much to reduce; every field optional.
   * @throws Error naming the option when one is unknown or out of range.
   */
  constructor(options: ReduceLROnPlateauOptions = {}) {
    const name = 'reduceLROnPlateau';
    checkKeys(name, options, ['monitor', 'factor', 'patience', 'minDelta', 'cooldown', 'minLr', 'mode']);
    const {
      monitor = 'val_loss',
      factor = 0.1,
      patience = 10,
      minDelta = 1e-4,
      cooldown = 0,
      minLr = 0,
      mode = 'auto',
    } = options;
    if (typeof monitor !== 'string')
      throw new Error(`${name}: monitor must be a log name such as 'val_loss', got ${describeValue(monitor)}`);
    if (typeof factor !== 'number' || !(factor > 0 && factor < 1))
      throw new Error(`${name}: factor must be a number in (0, 1), got ${describeValue(factor)}`);
    for (const [key, value] of [
      ['patience', patience],
      ['cooldown', cooldown],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0)
        throw new Error(`${name}: ${key} must be an integer >= 0, got ${describeValue(value)}`);
    }
    for (const [key, value] of [
      ['minDelta', minDelta],
      ['minLr', minLr],
    ] as const) {
      if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value))
        throw new Error(`${name}: ${key} must be a finite number >= 0, got ${describeValue(value)}`);
    }
    if (!['auto', 'min', 'max'].includes(mode))
      throw new Error(`${name}: mode must be 'auto', 'min' or 'max', got ${describeValue(mode)}`);
    this.monitor = monitor;
    this.factor = factor;
    this.patience = patience;
    this.minDelta = minDelta;
    this.cooldown = cooldown;
    this.minLr = minLr;
    this.mode = mode === 'auto' ? autoMode(monitor) : mode;
  }

  /**
   * Called by fit() before training: takes the optimiser whose rate it reduces.
   * @param net - The network being trained.
   * @param metrics - The names of the per-epoch logs this fit() will report.
   * @throws Error when the monitored log is not among them, or when the learning rate is a schedule.
   */
  setNetwork(net: Network, metrics: readonly string[]): void {
    if (!metrics.includes(this.monitor)) {
      throw new Error(
        `reduceLROnPlateau: monitor ${quote(this.monitor)} is not among this fit's logs (${metrics.join(', ')})` +
          (this.monitor.startsWith('val_') ? '; pass validationData or validationSplit' : ''),
      );
    }
    const optimizer = engineOf(net).optimizer;
    if (typeof optimizer?.learningRate !== 'number') {
      throw new Error('reduceLROnPlateau: the learningRate is a schedule, which it cannot change; give a number');
    }
    this.optimizer = optimizer;
  }

  /** Called by fit() before the first epoch: forgets any earlier fit() (Keras's _reset). */
  onTrainBegin(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  /**
   * Called by fit() after each epoch: records an improvement, or counts an
   * epoch without one and reduces the rate once patience has run out.
   * @param _epoch - The epoch, counted from 0.
   * @param logs - The epoch's logs, the monitored one among them.
   */
  onEpochEnd(_epoch: number, logs: Logs = {}): void {
    const current = logs[this.monitor];
    if (current === undefined) return;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    // Keras 3's monitor_op: np.less(current, best - min_delta), or np.greater(current, best + min_delta).
    const improved = this.mode === 'min' ? current < this.best - this.minDelta : current > this.best + this.minDelta;
    if (improved) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter <= 0) {
      this.wait++;
      if (this.wait >= this.patience && this.optimizer) {
        const rate = this.optimizer.learningRate as number;
        if (rate > this.minLr) {
          this.optimizer.learningRate = Math.max(rate * this.factor, this.minLr);
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }
}

/**
 * Makes a {@link ReduceLROnPlateau} callback, as Keras's
 * `keras.callbacks.ReduceLROnPlateau`.
 *
 * @param options - What to watch, how patiently, and by how much to reduce;
 *   by default `val_loss`, a tenth after 10 epochs without an improvement of 1e-4.
 * @returns A callback to pass in fit()'s `callbacks`.
 * @throws Error naming the option when one is unknown or out of range.
 *
 * @example
 * Halve the rate whenever the training loss has not improved for 5 epochs, down to 1e-5:
 * ```ts
 * const history = await net.fit(x, y, {
 *   epochs: 200,
 *   learningRate: 0.01,
 *   optimizer: 'adam',
 *   callbacks: [reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 5, minLr: 1e-5 })],
 * });
 * console.log(history.history.learning_rate);
 * ```
 */
export function reduceLROnPlateau(options?: ReduceLROnPlateauOptions): ReduceLROnPlateau {
  return new ReduceLROnPlateau(options);
}

/** Logs that grow as the model improves, without their `val_` prefix: Keras's metrics whose direction is up. */
const HIGHER_IS_BETTER = ['precision', 'recall', 'auc', 'r2'];

/** Mode 'auto' resolved for `monitor`: 'max' for a metric that grows as the model improves, 'min' otherwise (a loss, mae). */
function autoMode(monitor: string): 'min' | 'max' {
  return /acc/.test(monitor) || HIGHER_IS_BETTER.includes(monitor.replace(/^val_/, '')) ? 'max' : 'min';
}
