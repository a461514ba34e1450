/**
 * Losses, Keras definitions: means over the batch. A loss gives the gradient
 * at the output layer in one of two ways:
 *
 * - fused with the one output activation it requires (binaryCrossentropy +
 *   sigmoid, categoricalCrossentropy + softmax): outputGradient is dL/dZ
 *   directly, a - y over the batch, both faster and better conditioned than
 *   dividing by the activation's slope and multiplying it back;
 * - or not (meanSquaredError): outputGradient is dL/dA, and the output
 *   activation's own backward step makes it dL/dZ, so any activation with
 *   one (all but softmax) can precede it.
 *
 * A Loss is made for a network's output width (`outputs`): its methods take
 * n = rows * outputs elements, the shape train.ts hands them.
 */
import type { ActivationName } from './activations.js';
import type { Backend, DType, FloatArray } from './backend/backend.js';
import { type Matrix, readMatrix } from './data.js';
import { categoricalLabels } from './labels.js';

/**
 * A network's loss, with Keras's definitions (means over the batch):
 * `'binaryCrossentropy'` (sigmoid outputs, one label per output),
 * `'categoricalCrossentropy'` (a softmax output; one-hot rows or class
 * indices), or `'meanSquaredError'` (any output activation but softmax; no
 * accuracy).
 */
export type LossName = 'binaryCrossentropy' | 'categoricalCrossentropy' | 'meanSquaredError';

/**
 * Every {@link LossName} this build accepts, for an interface that offers
 * them as choices.
 *
 * @example
 * ```ts
 * select.replaceChildren(...LOSS_NAMES.map((name) => new Option(name, name)));
 * ```
 */
export const LOSS_NAMES: readonly LossName[] = ['binaryCrossentropy', 'categoricalCrossentropy', 'meanSquaredError'];

export interface Loss {
  readonly name: LossName;
  /** Values per row of outputs and labels. */
  readonly outputs: number;
  /**
   * The output activation this loss's gradient is fused with (the output layer
   * must have it; outputGradient is then dL/dZ), or undefined (outputGradient
   * is dL/dA, and the output activation's backward follows).
   */
  readonly fusedActivation: ActivationName | undefined;
  /** Reads user labels as a rows x outputs matrix (its shape checked; values as copied, as readMatrix's). */
  readLabels(argument: string, input: unknown): Matrix;
  /** Throws if a label, once copied in, cannot be a target of this loss; `labels` is rows x cols. */
  checkLabels(labels: FloatArray, argument: string, cols: number): void;
  /** The batch's loss over n = rows * outputs elements. */
  loss(backend: Backend, n: number, a: number, y: number): number;
  /** The loss's accuracy, as Keras's 'accuracy' metric picks it; undefined where there is none (meanSquaredError). */
  readonly accuracy?: (backend: Backend, n: number, a: number, y: number) => number;
  /** dL/dZ (fused) or dL/dA (not) of the output layer, over n = rows * outputs elements. */
  outputGradient(backend: Backend, n: number, a: number, y: number, grad: number): void;
}

/** The output activation each loss's gradient is fused with, if any (see Loss.fusedActivation). */
const FUSED_ACTIVATION: Readonly<Record<LossName, ActivationName | undefined>> = {
  binaryCrossentropy: 'sigmoid',
  categoricalCrossentropy: 'softmax',
  meanSquaredError: undefined,
};

/** The loss `name` for a network with `outputs` output units. */
export function createLoss(name: LossName, outputs: number, dtype: DType): Loss {
  const plainLabels = (argument: string, input: unknown) =>
    readMatrix(argument, input, { dtype, cols: outputs, what: 'outputs' });
  switch (name) {
    case 'binaryCrossentropy':
      return {
        name,
        outputs,
        fusedActivation: FUSED_ACTIVATION[name],
        readLabels: plainLabels,
        checkLabels: (labels, argument, cols) => checkLabelsInUnitInterval(name, labels, argument, cols),
        // Several sigmoid outputs are independent binary labels (multi-label): means over every element.
        loss: (backend, n, a, y) => backend.binaryCrossentropy(n, a, y),
        accuracy: (backend, n, a, y) => backend.binaryAccuracy(n, a, y),
        outputGradient: (backend, n, a, y, grad) => backend.binaryCrossentropySigmoidBackward(n, a, y, grad),
      };
    case 'categoricalCrossentropy':
      return {
        name,
        outputs,
        fusedActivation: FUSED_ACTIVATION[name],
        readLabels: (argument, input) => categoricalLabels(argument, input, outputs, dtype),
        checkLabels(labels, argument, cols) {
          checkLabelsInUnitInterval(name, labels, argument, cols);
          checkRowSums(labels, argument, cols);
        },
        loss: (backend, n, a, y) => backend.categoricalCrossentropy(n / outputs, outputs, a, y),
        accuracy: (backend, n, a, y) => backend.categoricalAccuracy(n / outputs, outputs, a, y),
        outputGradient: (backend, n, a, y, grad) =>
          backend.categoricalCrossentropySoftmaxBackward(n / outputs, outputs, a, y, grad),
      };
    case 'meanSquaredError':
      return {
        name,
        outputs,
        fusedActivation: FUSED_ACTIVATION[name],
        readLabels: plainLabels,
        checkLabels: () => {}, // any finite target (the copy has seen to finite)
        loss: (backend, n, a, y) => backend.meanSquaredError(n, a, y),
        outputGradient: (backend, n, a, y, grad) => backend.meanSquaredErrorBackward(n, a, y, grad),
      };
  }
}

/**
 * Throws unless `loss` can follow this stack of layers, output last; `name`
 * prefixes the messages (e.g. "createNetwork").
 */
export function checkLossPairing(
  name: string,
  loss: LossName,
  layers: readonly { units: number; activation: ActivationName }[],
): void {
  const last = layers.length - 1;
  layers.forEach(({ activation }, i) => {
    if (activation === 'softmax' && i !== last) {
      throw new Error(`${name}: layers[${i}]: softmax is only supported on the output layer (with categoricalCrossentropy)`);
    }
  });
  const output = layers[last].activation;
  // Keras accepts it, and then nothing trains: a softmax over one unit is always 1.
  if (output === 'softmax' && layers[last].units < 2) {
    throw new Error(
      `${name}: layers[${last}]: a softmax over 1 unit always outputs 1; give it one unit per class (at least 2), ` +
        `or use 1 'sigmoid' unit with binaryCrossentropy for two classes`,
    );
  }
  const fused = FUSED_ACTIVATION[loss];
  if (fused !== undefined && output !== fused) {
    throw new Error(`${name}: loss ${loss} needs a '${fused}' output layer, but the last layer is '${output}'`);
  }
  if (fused === undefined && output === 'softmax') {
    throw new Error(`${name}: ${loss} cannot follow a softmax output (softmax trains only with categoricalCrossentropy)`);
  }
}

function checkLabelsInUnitInterval(loss: LossName, labels: FloatArray, argument: string, cols: number): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!(v >= 0 && v <= 1)) {
      throw new Error(`${argument}[${Math.floor(i / cols)}][${i % cols}] is ${v}: ${loss} needs labels in [0, 1]`);
    }
  }
}

/**
 * The softmax-fused gradient a - y is the true one only when each label row
 * sums to 1 (in general it is a * sum(y) - y), so other rows are refused
 * rather than trained on wrongly. The slack covers float32 rounding of soft labels.
 */
function checkRowSums(labels: FloatArray, argument: string, cols: number): void {
  for (let row = 0; row * cols < labels.length; row++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += labels[row * cols + c];
    if (!(Math.abs(sum - 1) <= 1e-6 * cols)) {
      throw new Error(
        `${argument}[${row}] sums to ${sum}: categoricalCrossentropy needs each label row to be one-hot ` +
          `(or class probabilities summing to 1), or ${argument} to be class indices`,
      );
    }
  }
}
