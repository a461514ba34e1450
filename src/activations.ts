/**
 * Activations. The elementwise ones run inside a dense layer's fused kernels
 * (Backend.denseForward: f after the bias; Backend.denseBackwardInput: f'
 * after the product that brings the gradient down), each with a derivative
 * expressible through its output A. Only an output layer's backward, under a
 * loss that is not fused with it, needs f' on its own: activationBackward.
 *
 * Softmax is the exception: it works on whole rows, and its Jacobian is not
 * diagonal, so it runs after a 'linear' fused kernel and its gradient is taken
 * only fused with categoricalCrossentropy (losses.ts). createNetwork allows it
 * only there, on the output layer.
 */
import type { Backend, ElementwiseActivation } from './backend/backend.js';

/**
 * A layer's activation: `'sigmoid'`, `'tanh'`, `'relu'`, `'leakyRelu'` (slope
 * `alpha` below zero, default 0.01), `'linear'`, or `'softmax'` (the output
 * layer only, with the categoricalCrossentropy loss).
 */
export type ActivationName = ElementwiseActivation | 'softmax';

/**
 * Every {@link ActivationName} this build accepts, for an interface that
 * offers them as choices.
 *
 * @example
 * A menu of hidden-layer activations (softmax is for an output layer only):
 * ```ts
 * const hidden = ACTIVATION_NAMES.filter((name) => name !== 'softmax');
 * select.replaceChildren(...hidden.map((name) => new Option(name, name)));
 * ```
 */
export const ACTIVATION_NAMES: readonly ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'linear', 'softmax'];

/**
 * leakyRelu's slope for z < 0 when none is given. (PyTorch's default; Keras
 * and TensorFlow.js default to 0.3, so give alpha: 0.3 to match them.)
 * alpha >= 0 (checked by layerConfig.ts): then a > 0 exactly when z > 0,
 * which the backward step relies on.
 */
export const DEFAULT_LEAKY_RELU_ALPHA = 0.01;

/** grad (n elements) becomes dL/dZ from dL/dA, in place, reading the output a. */
export function activationBackward(
  backend: Backend,
  activation: ActivationName,
  alpha: number,
  n: number,
  a: number,
  grad: number,
): void {
  switch (activation) {
    case 'sigmoid':
      return backend.sigmoidBackward(n, a, grad);
    case 'tanh':
      return backend.tanhBackward(n, a, grad);
    case 'relu':
      return backend.reluBackward(n, a, grad);
    case 'leakyRelu':
      return backend.leakyReluBackward(n, alpha, a, grad);
    case 'linear':
      return;
    case 'softmax':
      // Unreachable through createNetwork, which pairs softmax only with a loss that fuses it.
      throw new Error('softmax has no backward step of its own: its gradient is fused with categoricalCrossentropy');
  }
}
