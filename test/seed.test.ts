/**
 * Parity with the NumPy seed notebook: from its initial weights, every one of
 * the 2000 epochs' loss and the final weights, on both backends.
 */
import { describe, expect, it } from 'vitest';
import { seed, seedLabels, seedWeights } from '../data/seed.js';
import { type BackendName, createNetwork, type DType } from '../src/index.js';

const SEED_LAYERS = [
  { units: 8, activation: 'sigmoid' as const },
  { units: 4, activation: 'sigmoid' as const },
  { units: 1, activation: 'sigmoid' as const },
];

/**
 * Trains 1999 epochs, predicts (the fixture's final_output is epoch 2000's
 * forward pass, before its update), then trains the 2000th.
 */
async function trainSeed(backend: BackendName, dtype: DType) {
  const net = await createNetwork({ inputs: 2, layers: SEED_LAYERS, loss: 'binaryCrossentropy', backend, dtype });
  net.setWeights(seedWeights('init'));
  // lr 0.1 on the sum of 200 per-sample gradients = 20 on their mean.
  const options = { learningRate: 20 };
  const first = await net.fit(seed.X, seedLabels(), { ...options, epochs: 1999 });
  const lastOutput = net.predict(seed.X);
  const last = await net.fit(seed.X, seedLabels(), { ...options, epochs: 1 });
  const loss = [...first.history.loss, ...last.history.loss];
  const acc = [...first.history.acc, ...last.history.acc];
  return { net, loss, acc, lastOutput };
}

function maxRelative(actual: number[], expected: number[]): number {
  return Math.max(...actual.map((v, i) => Math.abs(v - expected[i]) / Math.abs(expected[i])));
}

describe.each(['wasm', 'js'] as const)('seed parity on %s', (backend) => {
  it('float64 reproduces every epoch loss within 1e-9 relative, and the final weights within 1e-9', async () => {
    const { net, loss, acc, lastOutput } = await trainSeed(backend, 'float64');
    expect(loss).toHaveLength(2000);
    expect(maxRelative(loss, seed.loss)).toBeLessThan(1e-9);
    expect(acc).toEqual(seed.accuracy);
    lastOutput.forEach((v, i) => expect(Math.abs(v - seed.final_output[i])).toBeLessThan(1e-9));
    const final = seedWeights('final');
    net.getWeights().forEach((layer, l) => {
      layer.W.forEach((row, i) => row.forEach((w, j) => expect(Math.abs(w - final[l].W[i][j])).toBeLessThan(1e-9)));
      layer.b.forEach((b, j) => expect(Math.abs(b - final[l].b[j])).toBeLessThan(1e-9));
    });
    net.dispose();
  });

  it('float32 follows every epoch loss within 1e-3 relative and ends at accuracy 1', async () => {
    const { net, loss, acc } = await trainSeed(backend, 'float32');
    expect(maxRelative(loss, seed.loss)).toBeLessThan(1e-3);
    expect(acc[1999]).toBe(1);
    expect(net.evaluate(seed.X, seedLabels()).acc).toBe(1);
    net.dispose();
  });
});

it('prints the seed notebook lines from the float64 run', async () => {
  const { net, loss, acc } = await trainSeed('wasm', 'float64');
  net.dispose();
  const lines = [400, 800, 1200, 1600, 2000].map(
    (e) => `Epoch ${e}, Loss ${loss[e - 1].toFixed(4)}, Acc ${acc[e - 1].toFixed(3)}`,
  );
  expect(lines).toEqual(seed.printed);
});
