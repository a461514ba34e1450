/**
 * A worker network's metrics, trainOnBatch and summary: the numbers and
 * the text of a Network built alike.
 */
import { describe, expect, it } from 'vitest';
import { createNetwork, createWorkerNetwork, earlyStopping, type NetworkConfig } from '../../src/index.js';
import { Random } from '../../src/random.js';
import { randomLabels, randomMatrix } from '../helpers.js';

const config: NetworkConfig = {
  inputs: 3,
  layers: [
    { units: 5, activation: 'tanh' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossentropy',
  dtype: 'float64',
  seed: 6,
  metrics: ['accuracy', 'auc', 'precision', 'recall', 'mae'],
};

const random = new Random(8);
const x = randomMatrix(random, 30, 3, 2);
const y = randomLabels(random, 30, 1);

describe('a worker network', () => {
  it("logs a Network's metrics, trains on a batch to its bits, and prints its summary", async () => {
    const remote = await createWorkerNetwork(config);
    const local = await createNetwork(config);
    try {
      expect(remote.metrics).toEqual(config.metrics);
      const options = { epochs: 3, batchSize: 8, learningRate: 0.1, validationSplit: 0.3 };
      const stopper = { monitor: 'val_auc', patience: 5 };
      const remoteHistory = await remote.fit(x, y, { ...options, callbacks: earlyStopping(stopper) });
      const localHistory = await local.fit(x, y, { ...options, callbacks: earlyStopping(stopper) });
      expect(remoteHistory.history).toEqual(localHistory.history);
      expect(Object.keys(remoteHistory.history)).toContain('val_auc');
      const batch = { learningRate: 0.05, optimizer: 'adam' as const };
      expect(await remote.trainOnBatch(x, y, batch)).toEqual(await local.trainOnBatch(x, y, batch));
      expect(await remote.getWeights()).toEqual(local.getWeights());
      expect(await remote.evaluate(x, y)).toEqual(local.evaluate(x, y));
      expect(remote.summary()).toBe(local.summary());
      await expect(remote.trainOnBatch(x, y, { learningRate: 0 })).rejects.toThrow(
        'trainOnBatch: learningRate must be a positive finite number, got 0',
      );
    } finally {
      await remote.dispose();
      local.dispose();
    }
    expect(() => remote.summary()).toThrow('summary: this network has been disposed');
    await expect(remote.trainOnBatch(x, y, { learningRate: 0.1 })).rejects.toThrow(
      'trainOnBatch: this network has been disposed',
    );
  });
});
