/**
 * Kernel regularisation, Keras's `kernel_regularizer=L1L2(l1, l2)`: the
 * penalty l1·Σ|W| + l2·ΣW² over each regularised layer's kernel (never its
 * bias) is added to every loss Keras reports with it (each batch's, the
 * epoch's, val_loss, evaluate's), and its gradient l1·sign(W) + 2·l2·W
 * (sign(0) = 0) to W's gradient after backward. Plain loops over the
 * weights as the backend holds them, in float64, in one order: the same
 * numbers on every backend and thread count.
 */
import type { Backend } from './backend/backend.js';
import type { Dense } from './dense.js';

/** The total penalty of every regularised layer's kernel, as it is now. */
export function kernelPenalty(backend: Backend, layers: readonly Dense[]): number {
  let total = 0;
  for (const layer of layers) {
    const factors = layer.config.kernelRegularizer;
    if (!factors) continue;
    const w = backend.view(layer.weights, layer.inputs * layer.units);
    let absolute = 0;
    let squares = 0;
    for (let i = 0; i < w.length; i++) {
      absolute += Math.abs(w[i]);
      squares += w[i] * w[i];
    }
    total += factors.l1 * absolute + factors.l2 * squares;
  }
  return total;
}

/** Adds the penalty's gradient to each regularised layer's kernel gradient. */
export function addPenaltyGradient(backend: Backend, layers: readonly Dense[]): void {
  for (const layer of layers) {
    const factors = layer.config.kernelRegularizer;
    if (!factors) continue;
    const { l1, l2 } = factors;
    const size = layer.inputs * layer.units;
    const w = backend.view(layer.weights, size);
    const g = backend.view(layer.weightGrad, size);
    for (let i = 0; i < size; i++) g[i] += l1 * Math.sign(w[i]) + 2 * l2 * w[i];
  }
}
