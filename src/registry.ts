/**
 * The names this build accepts, in one place, for interfaces that offer them
 * as choices: the demo builds its menus from these, so a new activation,
 * loss, metric or optimiser appears there without touching the demo.
 */
import { OPTIMIZER_DEFAULTS, type OptimizerConfig } from './optimizers.js';

export { ACTIVATION_NAMES } from './activations.js';
export { LOSS_NAMES } from './losses.js';
export { METRIC_NAMES } from './metrics.js';

/** An optimiser's name: `'sgd'`, `'adam'`, `'rmsprop'`, `'adagrad'` or `'adamw'`, as {@link OptimizerSpec} takes it. */
export type OptimizerName = OptimizerConfig['type'];

/**
 * Every {@link OptimizerName} this build accepts, for an interface that
 * offers them as choices (each with its default options).
 *
 * @example
 * ```ts
 * select.replaceChildren(...OPTIMIZER_NAMES.map((name) => new Option(name, name)));
 * await net.fit(x, y, { epochs: 100, learningRate: 0.01, optimizer: select.value as OptimizerName });
 * ```
 */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = Object.freeze(Object.keys(OPTIMIZER_DEFAULTS) as OptimizerName[]);
