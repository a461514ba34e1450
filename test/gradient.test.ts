/**
 * The whole network's gradient against central finite differences of the
 * loss, for several architectures, on both backends (float64).
 */
import { describe, it } from 'vitest';
import { createNetwork } from '../src/index.js';
import { Random } from '../src/random.js';
import { checkGradients, randomLabels, randomMatrix } from './helpers.js';

const ARCHITECTURES = {
  'one hidden layer': { inputs: 3, units: [5, 1] },
  'three hidden layers': { inputs: 4, units: [6, 5, 3, 1] },
  'several outputs': { inputs: 2, units: [7, 3] },
  'no hidden layer': { inputs: 5, units: [4] },
};

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
      checkGradients(net, x, y);
      net.dispose();
    });
  }
});
