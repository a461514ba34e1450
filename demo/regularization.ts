/**
 * Regularisation and dropout as TensorFlow Playground offers them: a
 * penalty (none, L1 or L2) on every layer's weights at a rate from its
 * menu, and a dropout rate after each hidden layer. They become the
 * library's kernelRegularizer and { dropout } entries.
 */
import type { DropoutConfig, LayerConfig, RegularizerConfig } from 'wasmlp';

export type Penalty = 'none' | 'l1' | 'l2';

/** The Regularisation menu: each choice, its name and what it does in plain words (with the technical name). */
export const PENALTIES: readonly { value: Penalty; label: string; title: string }[] = [
  { value: 'none', label: 'None', title: 'No penalty: the weights grow as large as the loss wants' },
  {
    value: 'l1',
    label: 'L1',
    title:
      'L1 (lasso): adds the rate times the sum of the weights’ sizes to the loss, pushing weights the network can spare to exactly 0',
  },
  {
    value: 'l2',
    label: 'L2',
    title:
      'L2 (ridge, weight decay): adds the rate times the sum of the squared weights to the loss, shrinking every weight, the largest most',
  },
];

/** The rates TensorFlow Playground's Regularization rate menu offers. */
export const PENALTY_RATES: readonly number[] = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];

/**
 * Choosing L1 or L2 while the rate is 0 (no penalty at all) sets this one:
 * the penalty is summed over every weight, so at 0.01 it already flattens
 * the presets' networks for circles and XOR to a coin toss.
 */
export const STARTING_PENALTY_RATE = 0.001;

/** The Dropout menu: the share of each hidden layer's outputs switched off at each step. */
export const DROPOUT_RATES: readonly number[] = [0, 0.1, 0.2, 0.3, 0.4, 0.5];

export interface Regularization {
  penalty: Penalty;
  /** The penalty's factor (l1 or l2); 0 is no penalty. */
  rate: number;
  /** After each hidden layer; 0 is none. */
  dropout: number;
}

export const NO_REGULARIZATION: Regularization = { penalty: 'none', rate: 0, dropout: 0 };

/** Whether there is a penalty: L1 or L2 at a rate above 0. */
export function isPenalised({ penalty, rate }: Regularization): boolean {
  return penalty !== 'none' && rate > 0;
}

/** The penalty as the library takes it, on every dense layer's kernel; undefined for none. */
function kernelRegularizer(regularization: Regularization): RegularizerConfig | undefined {
  return isPenalised(regularization) ? { [regularization.penalty]: regularization.rate } : undefined;
}

/**
 * createNetwork's `layers`: the hidden layers, each followed by a dropout
 * entry if there is dropout, then the output layer; every dense layer
 * penalised alike, as TensorFlow Playground penalises every weight.
 */
export function regularizedLayers(
  hidden: LayerConfig[],
  output: LayerConfig,
  regularization: Regularization,
): (LayerConfig | DropoutConfig)[] {
  const penalty = kernelRegularizer(regularization);
  const dense = (layer: LayerConfig): LayerConfig => (penalty ? { ...layer, kernelRegularizer: penalty } : layer);
  const dropout: DropoutConfig[] = regularization.dropout > 0 ? [{ dropout: regularization.dropout }] : [];
  return [...hidden.flatMap((layer) => [dense(layer), ...dropout]), dense(output)];
}

/**
 * Whether a network's outputs (rows of `columns` values, over the map's
 * grid) are all but the same on every row: it predicts one thing
 * everywhere, as a penalty too large for the data leaves it once every
 * weight is 0.
 */
export function isFlat(outputs: ArrayLike<number>, columns: number, tolerance = 0.01): boolean {
  for (let c = 0; c < columns; c++) {
    let [low, high] = [Infinity, -Infinity];
    for (let i = c; i < outputs.length; i += columns) {
      low = Math.min(low, outputs[i]);
      high = Math.max(high, outputs[i]);
    }
    if (!(high - low < tolerance)) return false;
  }
  return outputs.length > 0;
}
