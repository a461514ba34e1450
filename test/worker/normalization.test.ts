/**
 * A worker network's inputs' normalisation: adapt() in the worker, the
 * statistics reported back, and the bits of a Network adapted alike. (Apart
 * from test/normalization.test.ts, whose onnxruntime-web import makes Node
 * look like a browser to the worker's start.)
 */
import { describe, expect, it } from 'vitest';
import { createNetwork, createWorkerNetwork, type NetworkConfig } from '../../src/index.js';
import { prng } from '../helpers.js';

const config: NetworkConfig = {
  inputs: 3,
  layers: [
    { units: 5, activation: 'relu' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossentropy',
  dtype: 'float64',
  seed: 4,
};

describe('a worker network', () => {
  it('adapts, reports its statistics and predicts the bits of a Network adapted the same way', async () => {
    const rand = prng(23);
    const x = Array.from({ length: 100 }, () => [rand() * 1000, rand() - 5, rand() * 0.01]);
    const remote = await createWorkerNetwork(config);
    const local = await createNetwork(config);
    try {
      await remote.adapt(x);
      local.adapt(x);
      expect(remote.normalization).toEqual(local.normalization);
      expect(await remote.predict(x)).toEqual(local.predict(x));
      expect((await remote.toJSON()).normalization).toEqual(local.normalization);
    } finally {
      await remote.dispose();
      local.dispose();
    }
  });
});
