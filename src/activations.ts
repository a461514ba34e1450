/**
 * Activations: forward and backward side by side, each a call into the
 * backend. `backward` turns dL/dA into dL/dZ in place, from the layer's
 * output A (all of ours have derivatives expressible through their output).
 */
import type { Backend } from './backend/backend.js';

export type ActivationName = 'sigmoid';

export interface Activation {
  readonly name: ActivationName;
  forward(backend: Backend, n: number, z: number, out: number): void;
  backward(backend: Backend, n: number, a: number, grad: number): void;
}

const sigmoid: Activation = {
  name: 'sigmoid',
  forward: (backend, n, z, out) => backend.sigmoid(n, z, out),
  backward: (backend, n, a, grad) => backend.sigmoidBackward(n, a, grad),
};

export const ACTIVATIONS: Readonly<Record<ActivationName, Activation>> = { sigmoid };
