/**
 * Sample weights, class weights and kernel regularisation against a float64
 * reference written with plain loops (weights-reference.ts): every epoch's
 * loss within 1e-9 relative, on both backends, and on two threads the
 * same bits as one.
 */
import { describe, expect, it } from 'vitest';
import { engineOf } from '../src/engine.js';
import { createNetwork, fromArrays, type LayerConfig, type Network, type NetworkConfig } from '../src/index.js';
import { prng } from './helpers.js';
import { type RefLayer, type RefLoss, referenceFit, referenceLoss } from './weights-reference.js';

const random = prng(7);
const ROWS = 13;
const x = Array.from({ length: ROWS }, () => [random() * 2 - 1, random() * 2 - 1, random() * 2 - 1]);
const weights = Array.from({ length: ROWS }, (_, i) => (i % 4 === 0 ? 0 : 0.25 + random() * 2));
const binary = x.map(([a, b]) => [a + b > 0 ? 1 : 0]);
const classes = x.map(([a, b, c]) => (a > b ? (a > c ? 0 : 2) : b > c ? 1 : 2));
const oneHot = classes.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
const target = x.map(([a, b, c]) => [a - 2 * b + c * c, a * b]);

interface Case {
  name: string;
  loss: RefLoss;
  output: LayerConfig;
  y: number[][];
}

const CASES: Case[] = [
  { name: 'binaryCrossentropy', loss: 'binaryCrossentropy', output: { units: 1, activation: 'sigmoid' }, y: binary },
  { name: 'categoricalCrossentropy', loss: 'categoricalCrossentropy', output: { units: 3, activation: 'softmax' }, y: oneHot },
  { name: 'meanSquaredError', loss: 'meanSquaredError', output: { units: 2, activation: 'tanh' }, y: target },
];

function config(
  c: Case,
  backend: 'wasm' | 'js',
  hidden: Partial<LayerConfig> = {},
  output: Partial<LayerConfig> = {},
): NetworkConfig {
  return {
    inputs: 3,
    layers: [
      { units: 4, activation: 'tanh', ...hidden },
      { ...c.output, ...output },
    ],
    loss: c.loss,
    backend,
    dtype: 'float64',
    seed: 3,
  };
}

/** The network's layers as the reference takes them, its initial weights included. */
function refLayers(net: Network, factors: { l1?: number; l2?: number }[] = []): RefLayer[] {
  return net.getWeights().map(({ W, b }, l) => ({
    W: W.map((row) => [...row]),
    b: [...b],
    activation: net.layers[l].activation as RefLayer['activation'],
    ...factors[l],
  }));
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    expect(Math.abs(v - expected[i]) / Math.abs(expected[i])).toBeLessThanOrEqual(1e-9);
  });
}

const FIT = { epochs: 4, batchSize: 5, learningRate: 0.3 };

describe.each(['wasm', 'js'] as const)('weights on %s, float64, against the reference', (backend) => {
  describe.each(CASES)('$name', (c) => {
    it('sampleWeight: each epoch loss is the mean of Σ wᵢ·Lᵢ / rows over the batches', async () => {
      const net = await createNetwork(config(c, backend));
      const ref = refLayers(net);
      const history = await net.fit(x, c.y, { ...FIT, sampleWeight: weights });
      expectClose(history.history.loss, referenceFit(ref, c.loss, x, c.y, { ...FIT, weights }));
      const final = net.getWeights();
      ref.forEach(({ W }, l) => {
        expectClose(final[l].W.flat(), W.flat());
      });
      net.dispose();
    });

    it('kernelRegularizer l1 and l2: the penalty in the loss, its gradient in the step', async () => {
      const factors = [{ l1: 0.01, l2: 0.03 }, { l2: 0.05 }];
      const net = await createNetwork(config(c, backend, { kernelRegularizer: factors[0] }, { kernelRegularizer: factors[1] }));
      const ref = refLayers(net, factors);
      const history = await net.fit(x, c.y, FIT);
      expectClose(history.history.loss, referenceFit(ref, c.loss, x, c.y, FIT));
      // evaluate reports the penalty too, as Keras's loss does.
      expectClose([net.evaluate(x, c.y).loss], [referenceLoss(ref, c.loss, x, c.y)]);
      net.dispose();
    });

    it('l1 alone, with sample weights and a weighted validation set', async () => {
      const factors = [{ l1: 0.02 }];
      const net = await createNetwork(config(c, backend, { kernelRegularizer: factors[0] }));
      const ref = refLayers(net, factors);
      const history = await net.fit(x, c.y, {
        ...FIT,
        epochs: 1,
        sampleWeight: weights,
        validationData: [x.slice(0, 6), c.y.slice(0, 6), weights.slice(0, 6)],
      });
      expectClose(history.history.loss, referenceFit(ref, c.loss, x, c.y, { ...FIT, epochs: 1, weights }));
      expectClose(history.history.val_loss, [referenceLoss(ref, c.loss, x.slice(0, 6), c.y.slice(0, 6), weights.slice(0, 6))]);
      expectClose([net.evaluate(x, c.y, { sampleWeight: weights }).loss], [referenceLoss(ref, c.loss, x, c.y, weights)]);
      net.dispose();
    });
  });

  it('classWeight (an object) for one sigmoid output: each row weighs its 0/1 label class', async () => {
    const c = CASES[0];
    const net = await createNetwork(config(c, backend));
    const ref = refLayers(net);
    const history = await net.fit(x, c.y, { ...FIT, classWeight: { 0: 0.5, 1: 3 } });
    const rowWeights = binary.map(([label]) => (label === 1 ? 3 : 0.5));
    expectClose(history.history.loss, referenceFit(ref, c.loss, x, c.y, { ...FIT, weights: rowWeights }));
    net.dispose();
  });

  it('classWeight (an array) for softmax, labels as class indices; classes not listed weigh 1', async () => {
    const c = CASES[1];
    const net = await createNetwork(config(c, backend));
    const ref = refLayers(net);
    const history = await net.fit(x, classes, { ...FIT, classWeight: [2, 0.25] });
    const rowWeights = classes.map((k) => [2, 0.25, 1][k]);
    expectClose(history.history.loss, referenceFit(ref, c.loss, x, c.y, { ...FIT, weights: rowWeights }));
    // acc is not weighted: the same as an unweighted evaluation of the same outputs would count.
    expect(history.history.acc.every((a) => a >= 0 && a <= 1)).toBe(true);
    net.dispose();
  });

  it('shuffle moves each weight with its row', async () => {
    const c = CASES[1];
    const net = await createNetwork(config(c, backend));
    // A twin from the same seed holds the generator as fit() will find it: the shuffles it will draw.
    const twin = await createNetwork(config(c, backend));
    const random = engineOf(twin).random;
    const ref = refLayers(net);
    const history = await net.fit(x, c.y, { ...FIT, shuffle: true, sampleWeight: weights });
    const order = Int32Array.from({ length: ROWS }, (_, i) => i);
    const expected: number[] = [];
    for (let epoch = 0; epoch < FIT.epochs; epoch++) {
      random.shuffle(order);
      const rows = Array.from(order);
      expected.push(
        ...referenceFit(
          ref,
          c.loss,
          rows.map((i) => x[i]),
          rows.map((i) => c.y[i]),
          { ...FIT, epochs: 1, weights: rows.map((i) => weights[i]) },
        ),
      );
    }
    expectClose(history.history.loss, expected);
    net.dispose();
    twin.dispose();
  });

  it('validationSplit: sample weights split with their rows; class weights weigh training only', async () => {
    const c = CASES[0];
    const split = { ...FIT, epochs: 1, validationSplit: 0.3 };
    const trainRows = Math.floor(ROWS * 0.7);
    const vx = x.slice(trainRows);
    const vy = c.y.slice(trainRows);
    const a = await createNetwork(config(c, backend));
    const refA = refLayers(a);
    const weighted = await a.fit(x, c.y, { ...split, sampleWeight: weights });
    referenceFit(refA, c.loss, x.slice(0, trainRows), c.y.slice(0, trainRows), { ...split, weights });
    expectClose(weighted.history.val_loss, [referenceLoss(refA, c.loss, vx, vy, weights.slice(trainRows))]);
    const b = await createNetwork(config(c, backend));
    const refB = refLayers(b);
    const classed = await b.fit(x, c.y, { ...split, classWeight: [3, 1] });
    const rowWeights = binary.map(([label]) => (label === 1 ? 1 : 3));
    referenceFit(refB, c.loss, x.slice(0, trainRows), c.y.slice(0, trainRows), { ...split, weights: rowWeights });
    expectClose(classed.history.val_loss, [referenceLoss(refB, c.loss, vx, vy)]);
    a.dispose();
    b.dispose();
  });

  it('weights of 1 give the unweighted loss; acc is never weighted', async () => {
    const c = CASES[1];
    const a = await createNetwork(config(c, backend));
    const b = await createNetwork(config(c, backend));
    const plain = await a.fit(x, oneHot, { ...FIT, epochs: 1 });
    const ones = await b.fit(x, oneHot, { ...FIT, epochs: 1, sampleWeight: new Array(ROWS).fill(1) });
    expectClose(ones.history.loss, plain.history.loss);
    const c2 = await createNetwork(config(c, backend));
    const skewed = await c2.fit(x, oneHot, { ...FIT, epochs: 1, sampleWeight: weights });
    expect(skewed.history.acc).toEqual(plain.history.acc);
    for (const net of [a, b, c2]) net.dispose();
  });
});

describe('weights across backends and threads', () => {
  it('shuffled, weighted and regularised: the same bits on one thread and on two', async () => {
    const c = CASES[1];
    const run = async (threads: number) => {
      const net = await createNetwork({
        ...config(c, 'wasm', { kernelRegularizer: { l1: 1e-3, l2: 1e-2 } }),
        threads,
      });
      const history = await net.fit(x, oneHot, { ...FIT, shuffle: true, sampleWeight: weights });
      const out = { loss: history.history.loss, weights: net.getWeights() };
      net.dispose();
      return out;
    };
    expect(await run(2)).toEqual(await run(1));
  });

  it('fitDataset with sampleWeight in its batches trains as fit with sampleWeight, bit for bit', async () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const c = CASES[2];
      const a = await createNetwork({ ...config(c, 'wasm', { kernelRegularizer: { l2: 0.01 } }), dtype });
      const b = await createNetwork({ ...config(c, 'wasm', { kernelRegularizer: { l2: 0.01 } }), dtype });
      const fitted = await a.fit(x, target, { ...FIT, sampleWeight: weights, validationData: [x, target, weights] });
      const batches = [0, 5, 10].map((start) => ({
        x: x.slice(start, start + 5),
        y: target.slice(start, start + 5),
        sampleWeight: weights.slice(start, start + 5),
      }));
      const { epochs, learningRate } = FIT;
      const streamed = await b.fitDataset(batches, { epochs, learningRate, validationData: [x, target, weights] });
      expect(streamed.history).toEqual(fitted.history);
      expect(b.getWeights()).toEqual(a.getWeights());
      // fromArrays carries the weights into its batches.
      const d = await createNetwork({ ...config(c, 'wasm', { kernelRegularizer: { l2: 0.01 } }), dtype });
      const fromDataset = await d.fitDataset(fromArrays(x, target, { batchSize: 5, sampleWeight: weights }), {
        epochs,
        learningRate,
      });
      expect(fromDataset.history.loss).toEqual(fitted.history.loss);
      for (const net of [a, b, d]) net.dispose();
    }
  });
});

describe('classWeight in fitDataset', () => {
  it('trains as fit with classWeight, bit for bit; a batch with sampleWeight too is refused', async () => {
    const c = CASES[1];
    const a = await createNetwork(config(c, 'js'));
    const b = await createNetwork(config(c, 'js'));
    const classWeight = { 1: 3, 2: 0.5 };
    const { epochs, learningRate, batchSize } = FIT;
    const fitted = await a.fit(x, classes, { epochs, learningRate, batchSize, classWeight });
    const streamed = await b.fitDataset(fromArrays(x, classes, { batchSize }), { epochs, learningRate, classWeight });
    expect(streamed.history).toEqual(fitted.history);
    expect(b.getWeights()).toEqual(a.getWeights());
    const before = b.getWeights();
    await expect(
      b.fitDataset(fromArrays(x, classes, { batchSize, sampleWeight: weights }), { epochs, learningRate, classWeight }),
    ).rejects.toThrow(/fitDataset, epoch 1, batch 1: the batch has sampleWeight, and fitDataset has classWeight/);
    expect(b.getWeights()).toEqual(before);
    await expect(b.fitDataset(fromArrays(x, classes), { epochs, learningRate, classWeight: { 3: 1 } })).rejects.toThrow(
      /fitDataset: classWeight: class "3" does not exist/,
    );
    a.dispose();
    b.dispose();
  });
});

describe('bad weights and factors: a clear Error, the network unchanged', () => {
  const c = CASES[0];
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['a negative sample weight', { sampleWeight: weights.map((w, i) => (i === 2 ? -1 : w)) }, /sampleWeight\[2\] is -1/],
    ['a NaN sample weight', { sampleWeight: weights.map((w, i) => (i === 3 ? Number.NaN : w)) }, /sampleWeight\[3\] is NaN/],
    ['too few sample weights', { sampleWeight: weights.slice(1) }, /sampleWeight has 12 weights, expected one per row: 13/],
    [
      'sample and class weights both',
      { sampleWeight: weights, classWeight: { 0: 1 } },
      /give sampleWeight or classWeight, not both/,
    ],
    [
      'a class that does not exist',
      { classWeight: { 2: 1 } },
      /classWeight: class "2" does not exist; the network has classes 0 to 1/,
    ],
    ['a class that is no index', { classWeight: { yes: 1 } }, /classWeight: class "yes" does not exist/],
    ['too many class weights', { classWeight: [1, 2, 3] }, /classWeight has 3 weights, but the network has 2 classes/],
    ['an infinite class weight', { classWeight: { 1: Number.POSITIVE_INFINITY } }, /classWeight\[1\] is Infinity/],
    [
      'validation weights of the wrong length',
      { validationData: [x, binary, weights.slice(2)] },
      /validationData sampleWeight has 11 weights/,
    ],
  ];
  it.each(cases)('%s', async (_, options, message) => {
    const net = await createNetwork(config(c, 'wasm'));
    const before = net.getWeights();
    await expect(net.fit(x, binary, { ...FIT, ...options })).rejects.toThrow(message);
    expect(net.getWeights()).toEqual(before);
    expect(net.toJSON({ includeOptimizer: true }).optimizer).toBeUndefined();
    net.dispose();
  });

  it('classWeight with meanSquaredError, and evaluate with bad weights', async () => {
    const net = await createNetwork(config(CASES[2], 'js'));
    await expect(net.fit(x, target, { ...FIT, classWeight: [1, 2] })).rejects.toThrow(/classWeight needs a classification loss/);
    expect(() => net.evaluate(x, target, { sampleWeight: [1] })).toThrow(/evaluate: sampleWeight has 1 weights/);
    net.dispose();
  });

  it.each([
    [{ l1: -1 }, /kernelRegularizer\.l1 must be a finite number >= 0, got -1/],
    [{ l2: Number.NaN }, /kernelRegularizer\.l2 must be a finite number >= 0, got NaN/],
    [{ l3: 1 }, /kernelRegularizer: unknown option "l3"/],
  ])('kernelRegularizer %o', async (factors, message) => {
    await expect(createNetwork(config(c, 'js', { kernelRegularizer: factors as never }))).rejects.toThrow(message);
  });
});

describe('saving', () => {
  it('toJSON keeps kernelRegularizer; a loaded network trains on with the same penalty', async () => {
    const { loadNetwork } = await import('../src/index.js');
    const net = await createNetwork(config(CASES[0], 'wasm', { kernelRegularizer: { l2: 0.1 } }));
    const json = net.toJSON();
    expect(json.layers[0].kernelRegularizer).toEqual({ l1: 0, l2: 0.1 });
    const back = await loadNetwork(JSON.parse(JSON.stringify(json)));
    expect(back.evaluate(x, binary)).toEqual(net.evaluate(x, binary));
    net.dispose();
    back.dispose();
  });
});
