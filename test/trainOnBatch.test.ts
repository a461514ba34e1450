/**
 * trainOnBatch: one update that is fit() of one epoch of one batch, bit for
 * bit, on every backend and dtype; the optimiser's state shared with fit();
 * bad input refused with the network unchanged. And summary(): Keras's
 * table, exactly.
 */
import { describe, expect, it } from 'vitest';
import {
  createNetwork,
  type DType,
  exponentialDecay,
  type NetworkConfig,
  type OptimizerSpec,
  type TrainOnBatchOptions,
} from '../src/index.js';
import { Random } from '../src/random.js';
import { randomLabels, randomMatrix } from './helpers.js';

const config = (backend: 'wasm' | 'js', dtype: DType, threads = 1): NetworkConfig => ({
  inputs: 3,
  layers: [
    { units: 7, activation: 'tanh' },
    { units: 2, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossentropy',
  backend,
  dtype,
  threads,
  seed: 21,
  metrics: ['accuracy', 'precision', 'recall', 'mae'],
});

const random = new Random(4);
const x = randomMatrix(random, 13, 3, 2);
const y = randomLabels(random, 13, 2);

const SETUPS = [
  ['wasm', 'float32', 1],
  ['wasm', 'float64', 1],
  ['js', 'float32', 1],
  ['js', 'float64', 1],
  ['wasm', 'float32', 2],
] as const;

describe('trainOnBatch', () => {
  it.each(SETUPS)(
    '%s %s on %i thread(s): the weights and logs of fit() with one epoch of one batch',
    async (backend, dtype, threads) => {
      for (const optimizer of ['sgd', 'adam', { type: 'rmsprop', momentum: 0.5 }] as OptimizerSpec[]) {
        const a = await createNetwork(config(backend, dtype, threads));
        const b = await createNetwork(config(backend, dtype, threads));
        const history = await a.fit(x, y, { epochs: 1, learningRate: 0.05, optimizer });
        const logs = await b.trainOnBatch(x, y, { learningRate: 0.05, optimizer });
        expect(b.getWeights()).toEqual(a.getWeights());
        expect(Object.keys(logs)).toEqual(Object.keys(history.history));
        for (const [key, values] of Object.entries(history.history)) expect(logs[key]).toBe(values[0]);
        a.dispose();
        b.dispose();
      }
    },
  );

  it.each(SETUPS)(
    "%s %s on %i thread(s): sampleWeight and classWeight weigh the update as fit()'s do",
    async (backend, dtype, threads) => {
      const sampleWeight = Array.from({ length: 13 }, (_, i) => (i % 4) * 0.5);
      const weighings = [{ sampleWeight }, { classWeight: { 0: 0.25, 1: 3 } }, { classWeight: [2, 0.5] }];
      for (const weighing of weighings) {
        const a = await createNetwork(config(backend, dtype, threads));
        const b = await createNetwork(config(backend, dtype, threads));
        const plain = await createNetwork(config(backend, dtype, threads));
        const history = await a.fit(x, y, { epochs: 1, learningRate: 0.05, optimizer: 'adam', ...weighing });
        const logs = await b.trainOnBatch(x, y, { learningRate: 0.05, optimizer: 'adam', ...weighing });
        await plain.trainOnBatch(x, y, { learningRate: 0.05, optimizer: 'adam' });
        expect(b.getWeights()).toEqual(a.getWeights());
        expect(logs.loss).toBe(history.history.loss[0]);
        expect(b.getWeights()).not.toEqual(plain.getWeights());
        for (const net of [a, b, plain]) net.dispose();
      }
    },
  );

  it("continues fit()'s optimiser state and step count: fit, then trainOnBatch, is fit of two epochs", async () => {
    const learningRate = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 });
    const options: TrainOnBatchOptions = { learningRate, optimizer: 'adam' };
    const a = await createNetwork(config('wasm', 'float64'));
    const b = await createNetwork(config('wasm', 'float64'));
    const history = await a.fit(x, y, { epochs: 3, ...options });
    await b.fit(x, y, { epochs: 1, ...options });
    await b.trainOnBatch(x, y, options);
    const logs = await b.trainOnBatch(x, y, options);
    expect(b.getWeights()).toEqual(a.getWeights());
    expect(logs.loss).toBe(history.history.loss[2]);
    expect(logs.learning_rate).toBe(0.1 * 0.25);
    expect(b.toJSON({ includeOptimizer: true }).optimizer).toEqual(a.toJSON({ includeOptimizer: true }).optimizer);
    a.dispose();
    b.dispose();
  });

  it('refuses bad x, y and options, leaving the weights and the optimiser as they were', async () => {
    const net = await createNetwork(config('wasm', 'float32'));
    await net.trainOnBatch(x, y, { learningRate: 0.1, optimizer: 'adam' });
    const before = net.toJSON({ includeOptimizer: true });
    const cases: [unknown, unknown, unknown, string | RegExp][] = [
      [
        x,
        y,
        { learningRate: 0.1, epochs: 2 },
        'trainOnBatch: unknown option "epochs"; expected one of learningRate, optimizer, sampleWeight, classWeight',
      ],
      [x, y, { learningRate: 0.1, sampleWeight: [1, 2] }, 'trainOnBatch: sampleWeight has 2 weights, expected one per row: 13'],
      [x, y, { learningRate: 0.1, sampleWeight: x.map(() => -1) }, /^trainOnBatch: sampleWeight\[0\]/],
      [x, y, { learningRate: 0.1, classWeight: { 5: 1 } }, /^trainOnBatch: classWeight: class "5" does not exist/],
      [
        x,
        y,
        { learningRate: 0.1, sampleWeight: x.map(() => 1), classWeight: [1, 1] },
        'trainOnBatch: give sampleWeight or classWeight, not both',
      ],
      [x, y, undefined, 'trainOnBatch: expected an options object, got undefined'],
      [x, y, { learningRate: -1 }, 'trainOnBatch: learningRate must be a positive finite number, got -1'],
      [x, y, { learningRate: 0.1, optimizer: 'lbfgs' }, /^trainOnBatch: optimizer/],
      [x, y.slice(1), { learningRate: 0.1 }, 'x has 13 rows but y has 12'],
      [[[1, 2]], [[0, 1]], { learningRate: 0.1 }, 'x has 2 columns, but the network expects 3 inputs'],
      [x, y.map(() => [0, 2]), { learningRate: 0.1 }, /binaryCrossentropy needs labels in \[0, 1\]/],
    ];
    for (const [bx, by, options, message] of cases) {
      await expect(net.trainOnBatch(bx as never, by as never, options as never)).rejects.toThrow(message);
      expect(net.toJSON({ includeOptimizer: true })).toEqual(before);
    }
    expect(net.isTraining).toBe(false);
    net.dispose();
    await expect(net.trainOnBatch(x, y, { learningRate: 0.1 })).rejects.toThrow('trainOnBatch: this network has been disposed');
  });

  it('puts the weights back when the update diverges', async () => {
    const net = await createNetwork({
      inputs: 1,
      layers: [{ units: 1, activation: 'linear' }],
      loss: 'meanSquaredError',
      seed: 1,
    });
    const before = net.getWeights();
    await expect(net.trainOnBatch([[1e3], [2e3]], [[1e30], [-1e30]], { learningRate: 1e30 })).rejects.toThrow(
      /^trainOnBatch: the weights diverged \(layer 0 W\[0\]\[0\] is -Infinity\)/,
    );
    expect(net.getWeights()).toEqual(before);
    expect(net.isTraining).toBe(false);
    net.dispose();
  });

  it('is refused while fit() runs', async () => {
    const net = await createNetwork(config('js', 'float64'));
    const running = net.fit(x, y, {
      epochs: 2,
      learningRate: 0.1,
      onEpochEnd: async () => {
        await expect(net.trainOnBatch(x, y, { learningRate: 0.1 })).rejects.toThrow(
          'trainOnBatch: this network is already training (await the previous fit first)',
        );
      },
    });
    await running;
    net.dispose();
  });
});

describe('summary', () => {
  it("prints Keras's table: each layer's name, type, output shape and parameters, then the totals", async () => {
    const net = await createNetwork({
      inputs: 2,
      layers: [
        { units: 8, activation: 'sigmoid' },
        { units: 4, activation: 'sigmoid' },
        { units: 1, activation: 'sigmoid' },
      ],
      loss: 'binaryCrossentropy',
    });
    expect(net.summary()).toBe(
      [
        '_________________________________________________________________',
        'Layer (type)                 Output Shape              Param #',
        '=================================================================',
        'dense (Dense)                (None, 8)                 24',
        '_________________________________________________________________',
        'dense_1 (Dense)              (None, 4)                 36',
        '_________________________________________________________________',
        'dense_2 (Dense)              (None, 1)                 5',
        '=================================================================',
        'Total params: 65',
        'Trainable params: 65',
        'Non-trainable params: 0',
        '_________________________________________________________________',
      ].join('\n'),
    );
    net.dispose();
    expect(() => net.summary()).toThrow('summary: this network has been disposed');
  });

  it('shows a normalisation as a layer whose mean and variance are non-trainable parameters', async () => {
    const net = await createNetwork({
      inputs: 3,
      layers: [{ units: 2, activation: 'softmax' }],
      loss: 'categoricalCrossentropy',
      normalization: { mean: [0, 1, 2], variance: [1, 1, 1] },
    });
    expect(net.summary()).toBe(
      [
        '_________________________________________________________________',
        'Layer (type)                 Output Shape              Param #',
        '=================================================================',
        // Cut at its column as Keras cuts a long name.
        'normalization (Normalization (None, 3)                 6',
        '_________________________________________________________________',
        'dense (Dense)                (None, 2)                 8',
        '=================================================================',
        'Total params: 14',
        'Trainable params: 8',
        'Non-trainable params: 6',
        '_________________________________________________________________',
      ].join('\n'),
    );
    net.dispose();
  });
});
