/**
 * Losses, Keras definitions: means over every element. A loss computes its
 * gradient with respect to the output layer's logits, fused with the output
 * activation it requires (the fused form is both faster and better
 * conditioned: a - y, without dividing by a * (1 - a)).
 */
import type { Backend, FloatArray } from './backend/backend.js';
import type { ActivationName } from './activations.js';

export type LossName = 'binaryCrossentropy';

export interface Loss {
  readonly name: LossName;
  /** The output activation whose gradient this loss fuses. */
  readonly outputActivation: ActivationName;
  /** Throws if a label cannot be a target of this loss; `labels` is rows x cols. */
  checkLabels(labels: FloatArray, argument: string, cols: number): void;
  loss(backend: Backend, n: number, a: number, y: number): number;
  accuracy(backend: Backend, n: number, a: number, y: number): number;
  /** dL/dZ of the output layer, over all n = rows * cols elements. */
  outputGradient(backend: Backend, n: number, a: number, y: number, grad: number): void;
}

const binaryCrossentropy: Loss = {
  name: 'binaryCrossentropy',
  outputActivation: 'sigmoid',
  checkLabels(labels, argument, cols) {
    for (let i = 0; i < labels.length; i++) {
      const v = labels[i];
      if (!(v >= 0 && v <= 1)) {
        throw new Error(`${argument}[${Math.floor(i / cols)}][${i % cols}] is ${v}: binaryCrossentropy needs labels in [0, 1]`);
      }
    }
  },
  loss: (backend, n, a, y) => backend.binaryCrossentropy(n, a, y),
  accuracy: (backend, n, a, y) => backend.binaryAccuracy(n, a, y),
  outputGradient: (backend, n, a, y, grad) => backend.binaryCrossentropySigmoidBackward(n, a, y, grad),
};

export const LOSSES: Readonly<Record<LossName, Loss>> = { binaryCrossentropy };
