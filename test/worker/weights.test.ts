/**
 * A worker network trains with sample and class weights, kernel penalties
 * and dropout as a Network on this thread does, bit for bit (fit, fitDataset
 * and trainOnBatch), and evaluates
 * with sample weights as it does.
 */
import { describe, expect, it } from 'vitest';
import { createNetwork, createWorkerNetwork, fromArrays, type NetworkConfig } from '../../src/index.js';
import { prng } from '../helpers.js';

const random = prng(31);
const x = Array.from({ length: 20 }, () => [random(), random(), random()]);
const y = x.map(([a, b, c]) => (a + b > c ? 1 : a > b ? 0 : 2));
const w = x.map(() => random() * 2);

const CONFIG: NetworkConfig = {
  inputs: 3,
  layers: [
    { units: 6, activation: 'relu', kernelRegularizer: { l1: 1e-3, l2: 1e-2 } },
    { dropout: 0.3 },
    { units: 3, activation: 'softmax' },
  ],
  loss: 'categoricalCrossentropy',
  dtype: 'float64',
  seed: 4,
};

describe('a worker network with weights, penalties and dropout', () => {
  it('fit, fitDataset and evaluate give the same numbers as a Network', async () => {
    const local = await createNetwork(CONFIG);
    const remote = await createWorkerNetwork(CONFIG);
    const options = { epochs: 3, batchSize: 7, learningRate: 0.2, shuffle: true };
    const fitted = await local.fit(x, y, { ...options, sampleWeight: w, validationData: [x, y, w] });
    expect((await remote.fit(x, y, { ...options, sampleWeight: w, validationData: [x, y, w] })).history).toEqual(fitted.history);
    const classes = await local.fit(x, y, { ...options, classWeight: { 0: 2, 2: 0.5 } });
    expect((await remote.fit(x, y, { ...options, classWeight: { 0: 2, 2: 0.5 } })).history).toEqual(classes.history);
    const data = () => fromArrays(x, y, { batchSize: 8, sampleWeight: w });
    const streamed = await local.fitDataset(data(), { epochs: 2, learningRate: 0.1 });
    expect((await remote.fitDataset(data(), { epochs: 2, learningRate: 0.1 })).history).toEqual(streamed.history);
    const classed = await local.fitDataset(fromArrays(x, y, { batchSize: 8 }), {
      epochs: 1,
      learningRate: 0.1,
      classWeight: [1, 4],
    });
    expect(
      (await remote.fitDataset(fromArrays(x, y, { batchSize: 8 }), { epochs: 1, learningRate: 0.1, classWeight: [1, 4] }))
        .history,
    ).toEqual(classed.history);
    const batch = { learningRate: 0.1, optimizer: 'adamw' as const };
    const stepped = await local.trainOnBatch(x, y, { ...batch, sampleWeight: w });
    expect(await remote.trainOnBatch(x, y, { ...batch, sampleWeight: w })).toEqual(stepped);
    const classStep = await local.trainOnBatch(x, y, { ...batch, classWeight: { 1: 3 } });
    expect(await remote.trainOnBatch(x, y, { ...batch, classWeight: { 1: 3 } })).toEqual(classStep);
    await expect(remote.trainOnBatch(x, y, { ...batch, sampleWeight: [1] })).rejects.toThrow(
      'trainOnBatch: sampleWeight has 1 weights, expected one per row: 20',
    );
    expect(await remote.getWeights()).toEqual(local.getWeights());
    expect(await remote.evaluate(x, y, { sampleWeight: w })).toEqual(local.evaluate(x, y, { sampleWeight: w }));
    expect((await remote.toJSON()).layers).toEqual(local.toJSON().layers);
    expect(remote.summary()).toBe(local.summary());
    local.dispose();
    await remote.dispose();
  });
});
