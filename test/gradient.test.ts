/**
 * The whole network's gradient against central finite differences of the
 * loss, for several architectures, on both backends (float64).
 */
import { describe, expect, it } from 'vitest';
import { createNetwork, type Network } from '../src/index.js';
import { Random } from '../src/random.js';
import { randomLabels, randomMatrix } from './helpers.js';

const ARCHITECTURES = {
  'one hidden layer': { inputs: 3, units: [5, 1] },
  'three hidden layers': { inputs: 4, units: [6, 5, 3, 1] },
  'several outputs': { inputs: 2, units: [7, 3] },
  'no hidden layer': { inputs: 5, units: [4] },
};

/** Analytic gradients from one forward/backward pass, layer by layer, W then b. */
function analyticGradients(net: Network, x: number[][], y: number[][]): Float64Array[] {
  const data = net.loadData(x, y);
  net.reserveBatch(data.rows);
  net.forward(data.x, data.rows);
  net.backward(data.x, data.y, data.rows);
  const grads = net.layers.flatMap((layer) => [
    Float64Array.from(net.backend.view(layer.weightGrad, layer.inputs * layer.units)),
    Float64Array.from(net.backend.view(layer.biasGrad, layer.units)),
  ]);
  net.backend.free(data.x);
  net.backend.free(data.y);
  return grads;
}

describe.each(['wasm', 'js'] as const)('finite-difference gradient check on %s', (backend) => {
  for (const [name, { inputs, units }] of Object.entries(ARCHITECTURES)) {
    it(name, async () => {
      const net = await createNetwork({
        inputs,
        layers: units.map((u) => ({ units: u, activation: 'sigmoid' as const })),
        loss: 'binaryCrossentropy',
        backend,
        dtype: 'float64',
        seed: 7,
      });
      const random = new Random(11);
      const rows = 9;
      const x = randomMatrix(random, rows, inputs, 2);
      const y = randomLabels(random, rows, units[units.length - 1]);
      // Non-zero biases, so their gradients are exercised away from the start.
      net.setWeights(net.getWeights().map(({ W, b }) => ({ W, b: b.map(() => random.uniform() - 0.5) })));
      const analytic = analyticGradients(net, x, y);

      const h = 1e-6;
      let checked = 0;
      net.layers.forEach((layer, l) => {
        for (const [p, offset, count] of [[0, layer.weights, layer.inputs * layer.units], [1, layer.bias, layer.units]] as const) {
          for (let i = 0; i < count; i++) {
            const params = net.backend.view(offset, count);
            const original = params[i];
            params[i] = original + h;
            const plus = net.evaluate(x, y).loss;
            net.backend.view(offset, count)[i] = original - h;
            const minus = net.evaluate(x, y).loss;
            net.backend.view(offset, count)[i] = original;
            const numeric = (plus - minus) / (2 * h);
            const exact = analytic[2 * l + p][i];
            expect(Math.abs(numeric - exact)).toBeLessThan(1e-7 * Math.max(1, Math.abs(exact)) + 1e-9);
            checked++;
          }
        }
      });
      expect(checked).toBe(net.layers.reduce((sum, layer) => sum + layer.parameterCount, 0));
      // The gradient is not trivially zero.
      expect(Math.max(...analytic.map((g) => Math.max(...g.map(Math.abs))))).toBeGreaterThan(1e-3);
      net.dispose();
    });
  }
});
