/**
 * From the page's settings and a dataset to a network: the output layer and
 * loss follow from the number of classes; every other choice is offered
 * from what this build of wasmlp exports, so new activations, losses and
 * optimisers show up without changing the page.
 */
import {
  ACTIVATION_NAMES,
  type ActivationName,
  type BackendName,
  type LayerConfig,
  type LayerWeights,
  LOSS_NAMES,
  type LossName,
  type NetworkConfig,
  OPTIMIZER_NAMES,
  type OptimizerName,
} from 'wasmlp';
import { init as seedInit } from '../data/seed-numpy.json';
import type { BuiltInName, Dataset } from './datasets.js';
import { type FeatureId, PLAIN } from './inputs.js';
import { NO_REGULARIZATION, type Regularization, regularizedLayers } from './regularization.js';

/** softmax trains only as the output of categoricalCrossentropy (createNetwork refuses it elsewhere). */
export const HIDDEN_ACTIVATIONS: readonly ActivationName[] = ACTIVATION_NAMES.filter((name) => name !== 'softmax');

export interface Settings {
  hidden: number[];
  /** The inputs computed from each point's coordinates. */
  features: FeatureId[];
  activation: ActivationName;
  /** The penalty on the weights and the dropout after each hidden layer. */
  regularization: Regularization;
  optimizer: OptimizerName;
  learningRate: number;
  /** undefined: the whole set, one step per epoch. */
  batchSize: number | undefined;
  epochs: number;
  backend: BackendName;
  /** Spread the run over a few seconds (so it can be watched), rather than train at full speed. */
  paced: boolean;
}

/** Weights start from this seed (Glorot uniform), so a reset retrains the same run. */
const SEED = 1;

type Output = { layer: LayerConfig; loss: LossName } | { unavailable: string };

/** The output layer and loss for a dataset's classes, or why this build cannot train it. */
export function outputFor(classCount: number): Output {
  const has = (names: readonly string[], name: string) => names.includes(name);
  if (classCount === 0) {
    if (has(LOSS_NAMES, 'meanSquaredError') && has(ACTIVATION_NAMES, 'linear'))
      return { layer: { units: 1, activation: 'linear' }, loss: 'meanSquaredError' };
    return { unavailable: 'A regression needs a linear output and meanSquaredError, which this build of wasmlp does not have' };
  }
  if (classCount === 2) {
    if (has(LOSS_NAMES, 'binaryCrossentropy')) return { layer: { units: 1, activation: 'sigmoid' }, loss: 'binaryCrossentropy' };
  } else if (has(ACTIVATION_NAMES, 'softmax') && has(LOSS_NAMES, 'categoricalCrossentropy')) {
    return { layer: { units: classCount, activation: 'softmax' as ActivationName }, loss: 'categoricalCrossentropy' as LossName };
  }
  return {
    unavailable: `${classCount} classes need a softmax output layer and categoricalCrossentropy, which this build of wasmlp does not have`,
  };
}

export function networkConfig(settings: Settings, data: Dataset): NetworkConfig {
  const output = outputFor(data.classCount);
  if ('unavailable' in output) throw new Error(output.unavailable);
  return {
    inputs: settings.features.length,
    layers: regularizedLayers(
      settings.hidden.map((units) => ({ units, activation: settings.activation })),
      output.layer,
      settings.regularization,
    ),
    loss: output.loss,
    backend: settings.backend,
    seed: SEED,
  };
}

/**
 * The seed notebook's initial weights, when the network is the notebook's
 * (2-8-4-1 sigmoid on x₁ and x₂) and so is the data (its blobs, all of them
 * training, no noise): the page then starts from the notebook's weights,
 * and without regularisation or dropout replays its run.
 */
export function notebookWeights(
  settings: Pick<Settings, 'hidden' | 'activation' | 'features'>,
  notebookData: boolean,
): LayerWeights[] | undefined {
  const isNotebook =
    notebookData &&
    settings.activation === 'sigmoid' &&
    settings.hidden.join() === '8,4' &&
    settings.features.join() === PLAIN.join();
  if (!isNotebook) return undefined;
  return [1, 2, 3].map((l) => ({ W: seedInit[`W${l}` as 'W1'], b: seedInit[`b${l}` as 'b1'][0] }));
}

/**
 * "8, 4" -> [8, 4]: each layer's units, a whole number from 1 to 512 written
 * in digits, separated by commas (spaces allowed); blank or "none" is no
 * hidden layer (logistic regression), as the field's tooltip says.
 * Anything else is refused rather than guessed at: "8,,4" and "8,4," (a
 * layer left out?), "1e2" and "0x10" (which Number() reads), "8 4", and "0",
 * for which "none" says what it means.
 */
export function parseLayers(text: string): number[] {
  if (/^\s*(none)?\s*$/i.test(text)) return [];
  if (/^\s*0+\s*$/.test(text)) throw new Error('Hidden layers: 0 is not a layer; use none for no hidden layer');
  const fields = text.split(',').map((field) => field.trim());
  if (fields.length > 8) throw new Error('Hidden layers: at most 8 layers here');
  return fields.map((field) => {
    if (field === '')
      throw new Error(
        `Hidden layers: a layer without units in ${JSON.stringify(text.trim())}; give each its units, separated by commas, such as 8, 4`,
      );
    if (/^\d+(\s+\d+)+$/.test(field))
      throw new Error(`Hidden layers: separate the layers with commas, such as ${field.split(/\s+/).join(', ')}`);
    const units = /^\d+$/.test(field) ? Number(field) : NaN;
    if (!(units >= 1 && units <= 512)) {
      throw new Error(
        `Hidden layers: ${JSON.stringify(field)} is not a whole number of units from 1 to 512 (or none, for no hidden layer)`,
      );
    }
    return units;
  });
}

export interface Preset {
  hidden: number[];
  activation: string;
  optimizer: string;
  learningRate: number;
  epochs: number;
  batchSize?: number;
  /** None unless given. */
  regularization?: Regularization;
  /** If `optimizer` is missing from this build: plain SGD at this rate. */
  sgdLearningRate: number;
}

/** Settings that train each dataset well, applied when it is chosen. */
export const PRESETS: Record<BuiltInName | 'csv', Preset> = {
  blobs: { hidden: [8, 4], activation: 'sigmoid', optimizer: 'sgd', learningRate: 20, epochs: 2000, sgdLearningRate: 20 },
  xor: { hidden: [8, 8], activation: 'tanh', optimizer: 'adam', learningRate: 0.03, epochs: 500, sgdLearningRate: 2 },
  circles: { hidden: [8, 8], activation: 'tanh', optimizer: 'adam', learningRate: 0.03, epochs: 500, sgdLearningRate: 2 },
  spiral: { hidden: [32, 32], activation: 'relu', optimizer: 'adam', learningRate: 0.01, epochs: 1500, sgdLearningRate: 0.5 },
  plane: { hidden: [4], activation: 'tanh', optimizer: 'adam', learningRate: 0.01, epochs: 500, sgdLearningRate: 0.1 },
  bump: { hidden: [8, 8], activation: 'tanh', optimizer: 'adam', learningRate: 0.02, epochs: 1500, sgdLearningRate: 0.1 },
  csv: { hidden: [16, 16], activation: 'tanh', optimizer: 'adam', learningRate: 0.01, epochs: 1000, sgdLearningRate: 1 },
};

/**
 * A learning rate that trains with each optimiser when no preset names one:
 * Adam's steps are already scaled to the gradient, so its rate is a step
 * size (a rate for SGD such as the blobs' 20 makes Adam diverge).
 */
const DEFAULT_RATES: Partial<Record<string, number>> = { sgd: 0.5, adam: 0.01, rmsprop: 0.01, adagrad: 0.1, adamw: 0.01 };
const FALLBACK_RATE = 0.01;

/** The learning rate to start `optimizer` at on a dataset with this preset. */
export function learningRateFor(optimizer: string, preset: Preset): number {
  if ((OPTIMIZER_NAMES as readonly string[]).includes(preset.optimizer) && optimizer === preset.optimizer)
    return preset.learningRate;
  if (optimizer === 'sgd') return preset.sgdLearningRate;
  return DEFAULT_RATES[optimizer] ?? FALLBACK_RATE;
}

/** A preset as this build can run it: missing activations and optimisers fall back to sigmoid and SGD. */
export function resolvePreset(preset: Preset): Omit<Settings, 'backend' | 'paced' | 'features'> {
  const activation = (HIDDEN_ACTIVATIONS as readonly string[]).includes(preset.activation)
    ? (preset.activation as ActivationName)
    : 'sigmoid';
  const hasOptimizer = (OPTIMIZER_NAMES as readonly string[]).includes(preset.optimizer);
  return {
    hidden: preset.hidden,
    activation,
    regularization: preset.regularization ?? NO_REGULARIZATION,
    optimizer: (hasOptimizer ? preset.optimizer : 'sgd') as OptimizerName,
    learningRate: hasOptimizer ? preset.learningRate : preset.sgdLearningRate,
    batchSize: preset.batchSize,
    epochs: preset.epochs,
  };
}
