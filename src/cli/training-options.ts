/**
 * `train`'s training controls as the library takes them: the layers with
 * their dropout entries and kernel penalties, the optimiser with its
 * clipping, the learning rate or its schedule over the whole run, balanced
 * class weights and the metrics. Each is checked against the target before
 * any training, so a control that cannot apply fails at once, naming its
 * flag, and no model file is written.
 */
import {
  type ActivationName,
  cosineDecay,
  type DropoutConfig,
  exponentialDecay,
  type LayerConfig,
  type LearningRate,
  type LossName,
  type MetricName,
  type OptimizerSpec,
} from '../index.js';
import { checkMetrics } from '../metrics.js';
import { formatMetric } from './format.js';
import { excerpt } from './text.js';

export type OptimizerChoice = 'adam' | 'sgd' | 'rmsprop' | 'adagrad' | 'adamw';
export const OPTIMIZER_CHOICES: readonly OptimizerChoice[] = ['adam', 'sgd', 'rmsprop', 'adagrad', 'adamw'];

export type LrSchedule = 'cosine' | 'exponential';

export interface TrainingControls {
  layers: number[];
  activation: ActivationName;
  optimizer: OptimizerChoice;
  lr?: number;
  dropout?: number;
  l1?: number;
  l2?: number;
  clipnorm?: number;
  lrSchedule?: LrSchedule;
  classWeight?: 'balanced';
  metrics?: MetricName[];
}

/** Keras's default learning rates for its optimisers. */
const DEFAULT_LEARNING_RATE: Record<OptimizerChoice, number> = {
  adam: 0.001,
  sgd: 0.01,
  rmsprop: 0.001,
  adagrad: 0.001,
  adamw: 0.001,
};

/** --exponential decays to this fraction of the initial rate by the run's last update. */
export const EXPONENTIAL_FINAL_FRACTION = 0.01;

export function initialLearningRate(options: TrainingControls): number {
  return options.lr ?? DEFAULT_LEARNING_RATE[options.optimizer];
}

/** The hidden layers (each followed by --dropout's entry) and the output layer, each with --l1/--l2's penalty. */
export function networkLayers(
  options: TrainingControls,
  output: { units: number; activation: ActivationName },
): (LayerConfig | DropoutConfig)[] {
  if (options.dropout !== undefined && options.layers.length === 0)
    throw new Error('--dropout needs a hidden layer to follow (--layers none has none)');
  const penalty =
    options.l1 !== undefined || options.l2 !== undefined
      ? {
          kernelRegularizer: {
            ...(options.l1 !== undefined && { l1: options.l1 }),
            ...(options.l2 !== undefined && { l2: options.l2 }),
          },
        }
      : {};
  const hidden = options.layers.flatMap((units): (LayerConfig | DropoutConfig)[] => {
    const layer = { units, activation: options.activation, ...penalty };
    return options.dropout === undefined ? [layer] : [layer, { dropout: options.dropout }];
  });
  return [...hidden, { ...output, ...penalty }];
}

export function optimizerSpec(options: TrainingControls): OptimizerSpec {
  return options.clipnorm === undefined ? options.optimizer : { type: options.optimizer, clipnorm: options.clipnorm };
}

/**
 * The learning rate, or --lr-schedule's schedule decaying over the run's
 * `updates` (epochs × batches an epoch): cosine to 0, exponential to 1% of
 * the initial rate, lr · 0.01^(step / updates).
 */
export function learningRateOf(options: TrainingControls, updates: number): LearningRate {
  const initial = initialLearningRate(options);
  if (options.lrSchedule === 'cosine') return cosineDecay({ initialLearningRate: initial, decaySteps: updates });
  if (options.lrSchedule === 'exponential')
    return exponentialDecay({ initialLearningRate: initial, decaySteps: updates, decayRate: EXPONENTIAL_FINAL_FRACTION });
  return initial;
}

/**
 * --metrics checked against the loss and output as createNetwork checks
 * them, each refusal naming the flag; undefined keeps the loss's default.
 */
export function checkMetricFlags(
  metrics: MetricName[] | undefined,
  loss: LossName,
  output: { units: number; activation: ActivationName },
): MetricName[] | undefined {
  if (metrics === undefined) return undefined;
  for (const name of metrics) {
    try {
      checkMetrics('--metrics', [name], loss, output);
    } catch (error) {
      throw new Error((error as Error).message.replace(/^--metrics: metrics\[0\] /, '--metrics: '));
    }
  }
  return metrics;
}

/**
 * "Balanced" class weights, as scikit-learn's compute_class_weight and
 * Keras compute them: n_rows / (n_classes · count_c) over the training rows.
 * A class with no training row keeps weight 1: it weighs no row.
 */
export function balancedClassWeights(counts: readonly number[]): number[] {
  const rows = counts.reduce((sum, n) => sum + n, 0);
  return counts.map((n) => (n === 0 ? 1 : rows / (counts.length * n)));
}

/** Each class's rows among labels as encodeTarget makes them (a class index, or 0 | 1), over `rows` (all if undefined). */
export function countClasses(labels: ArrayLike<number>, classes: number, rows?: ArrayLike<number>): number[] {
  const counts = new Array<number>(classes).fill(0);
  const n = rows?.length ?? labels.length;
  for (let i = 0; i < n; i++) counts[labels[rows ? rows[i] : i]]++;
  return counts;
}

/** The line naming each class's weight, as `train` prints it. */
export function describeClassWeights(classes: readonly string[], weights: readonly number[], counts: readonly number[]): string {
  const each = classes.map((name, k) => `${excerpt(name)} ${formatMetric(weights[k])} (${counts[k]} rows)`);
  return `Class weights (balanced, n_rows / (n_classes · count)): ${each.join(', ')}\n`;
}

/** The controls the Network line names, after the optimiser: what was asked for beyond the defaults. */
export function describeControls(options: TrainingControls, updates: number): string {
  const parts: string[] = [];
  if (options.clipnorm !== undefined) parts.push(`clipnorm ${options.clipnorm}`);
  if (options.lrSchedule !== undefined)
    parts.push(`${options.lrSchedule} decay of lr ${initialLearningRate(options)} over ${updates} updates`);
  if (options.dropout !== undefined) parts.push(`dropout ${options.dropout}`);
  if (options.l1 !== undefined) parts.push(`l1 ${options.l1}`);
  if (options.l2 !== undefined) parts.push(`l2 ${options.l2}`);
  if (options.metrics !== undefined) parts.push(`metrics ${options.metrics.join(', ')}`);
  return parts.map((part) => `, ${part}`).join('');
}
