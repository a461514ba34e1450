/**
 * Activations: forward and backward side by side, each a call into the
 * backend. `forward` turns a layer's Z into A in place; `backward` turns dL/dA
 * into dL/dZ in place, from the layer's output A (every elementwise one here
 * has a derivative expressible through its output).
 *
 * Softmax is the exception: it works on whole rows, and its Jacobian is not
 * diagonal, so its gradient is taken only fused with categoricalCrossentropy
 * (losses.ts). createNetwork allows it only there, on the output layer.
 */
import type { Backend } from './backend/backend.js';

export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'linear' | 'softmax';

export const ACTIVATION_NAMES: readonly ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'linear', 'softmax'];

/**
 * leakyRelu's slope for z < 0 when none is given. (PyTorch's default; Keras
 * and TensorFlow.js default to 0.3, so give alpha: 0.3 to match them.)
 */
export const DEFAULT_LEAKY_RELU_ALPHA = 0.01;

export interface Activation {
  readonly name: ActivationName;
  /** z (a rows x cols batch) becomes A = f(z), in place. */
  forward(backend: Backend, rows: number, cols: number, z: number): void;
  /** grad (n elements) becomes dL/dZ from dL/dA, in place, reading the output a. */
  backward(backend: Backend, n: number, a: number, grad: number): void;
}

const sigmoid: Activation = {
  name: 'sigmoid',
  forward: (backend, rows, cols, z) => backend.sigmoid(rows * cols, z, z),
  backward: (backend, n, a, grad) => backend.sigmoidBackward(n, a, grad),
};

const tanh: Activation = {
  name: 'tanh',
  forward: (backend, rows, cols, z) => backend.tanh(rows * cols, z, z),
  backward: (backend, n, a, grad) => backend.tanhBackward(n, a, grad),
};

const relu: Activation = {
  name: 'relu',
  forward: (backend, rows, cols, z) => backend.relu(rows * cols, z, z),
  backward: (backend, n, a, grad) => backend.reluBackward(n, a, grad),
};

/** alpha >= 0 (checked by layerConfig.ts): then a > 0 exactly when z > 0, which backward relies on. */
function leakyRelu(alpha: number): Activation {
  return {
    name: 'leakyRelu',
    forward: (backend, rows, cols, z) => backend.leakyRelu(rows * cols, alpha, z, z),
    backward: (backend, n, a, grad) => backend.leakyReluBackward(n, alpha, a, grad),
  };
}

/** The identity: A is Z, dL/dZ is dL/dA. */
const linear: Activation = {
  name: 'linear',
  forward: () => {},
  backward: () => {},
};

const softmax: Activation = {
  name: 'softmax',
  forward: (backend, rows, cols, z) => backend.softmax(rows, cols, z, z),
  backward: () => {
    // Unreachable through createNetwork, which pairs softmax only with a loss that fuses it.
    throw new Error('softmax has no backward step of its own: its gradient is fused with categoricalCrossentropy');
  },
};

const FIXED: Readonly<Record<Exclude<ActivationName, 'leakyRelu'>, Activation>> = { sigmoid, tanh, relu, linear, softmax };

/** The activation of a checked layer config (alpha is leakyRelu's, and only read there). */
export function createActivation(name: ActivationName, alpha = DEFAULT_LEAKY_RELU_ALPHA): Activation {
  return name === 'leakyRelu' ? leakyRelu(alpha) : FIXED[name];
}
