/**
 * The names this build accepts, in one place, for interfaces that offer them
 * as choices: the demo builds its menus from these, so a new activation,
 * loss or optimiser appears there without touching the demo.
 */
import { OPTIMIZER_DEFAULTS } from './optimizers.js';

export { ACTIVATION_NAMES } from './activations.js';
export { LOSS_NAMES } from './losses.js';

export type OptimizerName = keyof typeof OPTIMIZER_DEFAULTS;

export const OPTIMIZER_NAMES: readonly OptimizerName[] = Object.freeze(Object.keys(OPTIMIZER_DEFAULTS) as OptimizerName[]);
