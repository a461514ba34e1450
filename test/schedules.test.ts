/**
 * Learning-rate schedules (src/schedules.ts) at chosen steps against Keras's
 * formulas; fit() evaluating them at the optimiser's iterations, across fit()
 * calls, into the `learning_rate` log; reduceLROnPlateau (src/callbacks.ts)
 * against a hand-worked sequence; both in a worker network; and the
 * options each refuses.
 */
import { describe, expect, it } from 'vitest';
import { engineOf } from '../src/engine.js';
import {
  cosineDecay,
  createNetwork,
  createWorkerNetwork,
  exponentialDecay,
  type FitOptions,
  fromArrays,
  type Network,
  type NetworkConfig,
  piecewiseConstantDecay,
  ReduceLROnPlateau,
  reduceLROnPlateau,
} from '../src/index.js';
import { learningRateAt } from '../src/schedules.js';
import { prng } from './helpers.js';

describe('schedules at chosen steps', () => {
  it('exponentialDecay: initial rate^(step / decaySteps), floored when staircase', () => {
    const smooth = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    const stairs = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expect(smooth).toEqual({
      type: 'exponentialDecay',
      initialLearningRate: 0.1,
      decaySteps: 10,
      decayRate: 0.5,
      staircase: false,
    });
    for (const step of [0, 1, 5, 9, 10, 11, 25, 1000]) {
      expect(learningRateAt(smooth, step), `step ${step}`).toBe(0.1 * 0.5 ** (step / 10));
    }
    expect([0, 9, 10, 19, 20, 25].map((step) => learningRateAt(stairs, step))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
    expect(learningRateAt(smooth, 20)).toBe(0.025);
  });

  it('cosineDecay: from the initial rate down to alpha times it over decaySteps, then flat', () => {
    const plain = cosineDecay({ initialLearningRate: 0.2, decaySteps: 100 });
    const floor = cosineDecay({ initialLearningRate: 0.2, decaySteps: 100, alpha: 0.1 });
    expect(plain.alpha).toBe(0);
    expect(learningRateAt(plain, 0)).toBe(0.2);
    expect(learningRateAt(plain, 50)).toBeCloseTo(0.1, 15);
    expect(learningRateAt(plain, 100)).toBeCloseTo(0, 15);
    expect(learningRateAt(plain, 250)).toBe(learningRateAt(plain, 100));
    for (const step of [0, 1, 25, 50, 99, 100, 101, 1e6]) {
      const s = Math.min(step, 100);
      const expected = 0.2 * (0.9 * 0.5 * (1 + Math.cos((Math.PI * s) / 100)) + 0.1);
      expect(learningRateAt(floor, step), `step ${step}`).toBeCloseTo(expected, 16);
    }
    expect(learningRateAt(floor, 100)).toBeCloseTo(0.02, 16);
  });

  it('piecewiseConstantDecay: values[i] for step in (boundaries[i - 1], boundaries[i]]', () => {
    const pieces = piecewiseConstantDecay({ boundaries: [10, 20], values: [1, 0.5, 0.1] });
    const at = (steps: number[]) => steps.map((step) => learningRateAt(pieces, step));
    expect(at([0, 9, 10])).toEqual([1, 1, 1]); // a boundary belongs to the piece before it
    expect(at([11, 15, 20])).toEqual([0.5, 0.5, 0.5]);
    expect(at([21, 1000])).toEqual([0.1, 0.1]);
    const fractional = piecewiseConstantDecay({ boundaries: [2.5], values: [0.3, 0.2] });
    expect([2, 3].map((step) => learningRateAt(fractional, step))).toEqual([0.3, 0.2]);
  });

  it('a schedule is frozen plain data, the same after a JSON round trip', () => {
    const pieces = piecewiseConstantDecay({ boundaries: [10, 20], values: [1, 0.5, 0.1] });
    expect(Object.isFrozen(pieces) && Object.isFrozen(pieces.boundaries)).toBe(true);
    expect(JSON.parse(JSON.stringify(pieces))).toEqual(pieces);
    expect(structuredClone(pieces)).toEqual(pieces);
  });

  it('refuses bad options with an Error naming each', () => {
    const cases: [() => unknown, RegExp][] = [
      [
        () => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 }),
        /exponentialDecay.decaySteps must be a positive finite number, got 0/,
      ],
      [
        () => exponentialDecay({ initialLearningRate: 0.1, decaySteps: -5, decayRate: 0.5 }),
        /decaySteps must be a positive finite number, got -5/,
      ],
      [
        () => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0 }),
        /exponentialDecay.decayRate must be a positive finite number, got 0/,
      ],
      [
        () => exponentialDecay({ initialLearningRate: -1, decaySteps: 10, decayRate: 0.5 }),
        /exponentialDecay.initialLearningRate must be a positive finite number, got -1/,
      ],
      [
        () => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: 1 as never }),
        /exponentialDecay.staircase must be true or false, got 1/,
      ],
      [
        () => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, steps: 3 } as never),
        /exponentialDecay: unknown option "steps"/,
      ],
      [
        () => cosineDecay({ initialLearningRate: 0.1, decaySteps: Infinity }),
        /cosineDecay.decaySteps must be a positive finite number, got Infinity/,
      ],
      [
        () => cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, alpha: 1.5 }),
        /cosineDecay.alpha must be a number in \[0, 1\], got 1.5/,
      ],
      [
        () => piecewiseConstantDecay({ boundaries: [10, 10], values: [1, 2, 3] }),
        /piecewiseConstantDecay.boundaries must be strictly increasing; boundaries\[1\] 10 follows 10/,
      ],
      [
        () => piecewiseConstantDecay({ boundaries: [10, 5], values: [1, 2, 3] }),
        /strictly increasing; boundaries\[1\] 5 follows 10/,
      ],
      [
        () => piecewiseConstantDecay({ boundaries: [10, 20], values: [1, 2] }),
        /piecewiseConstantDecay.values must hold one rate more than boundaries \(3\), got 2/,
      ],
      [
        () => piecewiseConstantDecay({ boundaries: [], values: [1] }),
        /piecewiseConstantDecay.boundaries must hold at least one step/,
      ],
      [
        () => piecewiseConstantDecay({ boundaries: [NaN], values: [1, 2] }),
        /piecewiseConstantDecay.boundaries\[0\] must be a finite number, got NaN/,
      ],
      [
        () => piecewiseConstantDecay({ boundaries: [1], values: [1, 0] }),
        /piecewiseConstantDecay.values\[1\] must be a positive finite number, got 0/,
      ],
      [
        () => piecewiseConstantDecay({ boundaries: '1' as never, values: [1, 0] }),
        /piecewiseConstantDecay.boundaries must be an array of numbers, got "1"/,
      ],
    ];
    for (const [make, message] of cases) expect(make, String(message)).toThrow(message);
  });
});

// ---------------------------------------------------------------- in fit()

const CONFIG: NetworkConfig = {
  inputs: 2,
  layers: [
    { units: 6, activation: 'tanh' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossentropy',
  dtype: 'float64',
  seed: 3,
};

function data(rows: number): { x: number[][]; y: number[][] } {
  const rand = prng(8);
  const x = Array.from({ length: rows }, () => [rand() * 4 - 2, rand() * 4 - 2]);
  return { x, y: x.map(([a, b]) => [a * b > 0 ? 1 : 0]) };
}

describe('schedules in fit()', () => {
  const { x, y } = data(40);
  const BATCHES = 4; // batchSize 10

  it("learning_rate is the rate of each epoch's last update, the step counted across fit() calls", async () => {
    const schedule = exponentialDecay({ initialLearningRate: 0.5, decaySteps: 3, decayRate: 0.7 });
    const net = await createNetwork(CONFIG);
    const first = await net.fit(x, y, { epochs: 3, batchSize: 10, learningRate: schedule, optimizer: 'adam' });
    const second = await net.fit(x, y, { epochs: 2, batchSize: 10, learningRate: schedule, optimizer: 'adam' });
    const lastStep = (epoch: number) => (epoch + 1) * BATCHES - 1;
    expect(first.history.learning_rate).toEqual([0, 1, 2].map((e) => 0.5 * 0.7 ** (lastStep(e) / 3)));
    expect(second.history.learning_rate).toEqual([3, 4].map((e) => 0.5 * 0.7 ** (lastStep(e) / 3)));
    expect(engineOf(net).optimizer!.iterations).toBe(5 * BATCHES);
    // A constant rate is logged as it is.
    const constant = await net.fit(x, y, { epochs: 2, batchSize: 10, learningRate: 0.01, optimizer: 'adam' });
    expect(constant.history.learning_rate).toEqual([0.01, 0.01]);
    net.dispose();
  });

  it('each update takes the rate at its step: a piecewise schedule equals fits at each piece', async () => {
    // Steps 0-3 (epoch 1) at 0.3, steps 4-11 at 0.1: the boundary is step 3, inclusive.
    const scheduled = await createNetwork(CONFIG);
    const h = await scheduled.fit(x, y, {
      epochs: 3,
      batchSize: 10,
      learningRate: piecewiseConstantDecay({ boundaries: [3], values: [0.3, 0.1] }),
      optimizer: { type: 'sgd', momentum: 0.9 },
    });
    const stepped = await createNetwork(CONFIG);
    const optimizer = { type: 'sgd' as const, momentum: 0.9 };
    await stepped.fit(x, y, { epochs: 1, batchSize: 10, learningRate: 0.3, optimizer });
    await stepped.fit(x, y, { epochs: 2, batchSize: 10, learningRate: 0.1, optimizer });
    expect(h.history.learning_rate).toEqual([0.3, 0.1, 0.1]);
    expect(scheduled.getWeights()).toEqual(stepped.getWeights());
    scheduled.dispose();
    stepped.dispose();
  });

  it('fitDataset takes the same schedule and reduceLROnPlateau, to the numbers of fit', async () => {
    const options = () => ({
      epochs: 4,
      learningRate: cosineDecay({ initialLearningRate: 0.2, decaySteps: 10 }),
      optimizer: { type: 'adamw' as const, globalClipnorm: 1 },
    });
    const inMemory = await createNetwork(CONFIG);
    const streamed = await createNetwork(CONFIG);
    const expected = await inMemory.fit(x, y, { ...options(), batchSize: 10 });
    const actual = await streamed.fitDataset(fromArrays(x, y, { batchSize: 10 }), options());
    expect(actual.history).toEqual(expected.history);
    expect(streamed.getWeights()).toEqual(inMemory.getWeights());
    const reduced = await streamed.fitDataset(fromArrays(x, y, { batchSize: 10 }), {
      epochs: 4,
      learningRate: 0.1,
      callbacks: [reduceLROnPlateau({ monitor: 'loss', patience: 1, minDelta: 100, factor: 0.5 })],
    });
    expect(reduced.history.learning_rate).toEqual([0.1, 0.1, 0.05, 0.025]);
    inMemory.dispose();
    streamed.dispose();
  });

  it('a bad learningRate is an Error naming it; the network and its optimiser state are unchanged', async () => {
    const net = await createNetwork(CONFIG);
    await net.fit(x, y, { epochs: 1, batchSize: 10, learningRate: 0.1, optimizer: 'adagrad' });
    const before = net.toJSON({ includeOptimizer: true });
    const bad: [unknown, RegExp][] = [
      [
        { type: 'exponentialDecay', initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 },
        /fit: learningRate.decaySteps must be a positive finite number, got 0/,
      ],
      [
        { type: 'piecewiseConstantDecay', boundaries: [2, 1], values: [1, 2, 3] },
        /fit: learningRate.boundaries must be strictly increasing/,
      ],
      [
        { type: 'piecewiseConstantDecay', boundaries: [2], values: [1, 2, 3] },
        /fit: learningRate.values must hold one rate more than boundaries/,
      ],
      [{ type: 'linearDecay' }, /fit: learningRate.type "linearDecay" is unknown/],
      [{ type: 'cosineDecay', initialLearningRate: 1e-320, decaySteps: 5 }, /fit: learningRate 1e-320 is subnormal in float64/],
      [-0.1, /fit: learningRate must be a positive finite number, got -0.1/],
    ];
    for (const [learningRate, message] of bad) {
      await expect(net.fit(x, y, { epochs: 1, learningRate, optimizer: 'adagrad' } as unknown as FitOptions)).rejects.toThrow(
        message,
      );
      expect(net.toJSON({ includeOptimizer: true })).toEqual(before);
    }
    net.dispose();
  });
});

// ---------------------------------------------------------------- reduceLROnPlateau

/** A network whose optimiser fit() has set to `rate`: what reduceLROnPlateau reduces. */
async function trained(rate: number): Promise<Network> {
  const net = await createNetwork(CONFIG);
  const { x, y } = data(10);
  await net.fit(x, y, { epochs: 1, learningRate: rate });
  return net;
}

describe('reduceLROnPlateau', () => {
  it('follows a hand-worked sequence: patience, minDelta, cooldown and minLr', async () => {
    const net = await trained(1);
    const optimizer = engineOf(net).optimizer!;
    const callback = reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 2, minDelta: 0.01, cooldown: 2, minLr: 0.2 });
    callback.setNetwork(net, ['loss']);
    callback.onTrainBegin();
    // Each epoch's loss, and the rate after its onEpochEnd. As Keras, a cooldown epoch first counts the
    // cooldown down, then counts against the patience if that reached 0: cooldown 2 spares one epoch.
    const steps: [number, number][] = [
      [1.0, 1], // improves on Infinity: best 1, wait 0
      [0.995, 1], // not by more than minDelta: wait 1
      [0.992, 0.5], // wait 2 = patience: 1 * 0.5, cooldown 2, wait 0
      [0.995, 0.5], // cooldown 2 -> 1: still cooling, not counted
      [0.995, 0.5], // cooldown 1 -> 0: counted, wait 1
      [0.5, 0.5], // improves: best 0.5, wait 0
      [0.6, 0.5], // wait 1
      [0.6, 0.25], // wait 2: 0.5 * 0.5, cooldown 2
      [0.6, 0.25], // cooling
      [0.6, 0.25], // wait 1
      [0.6, 0.2], // wait 2: max(0.25 * 0.5, minLr)
      [0.6, 0.2], // cooling
      [0.6, 0.2], // wait 1
      [0.6, 0.2], // wait 2, but the rate is not above minLr: unchanged, the wait not reset
      [0.6, 0.2], // wait 3
      [0.4, 0.2], // improves: best 0.4
    ];
    const rates = steps.map(([loss], epoch) => {
      callback.onEpochEnd(epoch, { loss });
      return optimizer.learningRate;
    });
    expect(rates).toEqual(steps.map(([, rate]) => rate));
    net.dispose();
  });

  it("mode 'auto' is max for a log with acc in its name; onTrainBegin forgets the last fit", async () => {
    const net = await trained(0.1);
    const optimizer = engineOf(net).optimizer!;
    const callback = new ReduceLROnPlateau({ monitor: 'val_acc', patience: 1, minDelta: 0 });
    expect(callback.mode).toBe('max');
    callback.setNetwork(net, ['loss', 'val_acc']);
    callback.onTrainBegin();
    callback.onEpochEnd(0, { val_acc: 0.5 });
    callback.onEpochEnd(1, { val_acc: 0.6 });
    expect(optimizer.learningRate).toBe(0.1);
    callback.onEpochEnd(2, { val_acc: 0.6 });
    expect(optimizer.learningRate).toBeCloseTo(0.01, 17);
    callback.onTrainBegin();
    callback.onEpochEnd(0, { val_acc: 0.1 }); // a fresh best
    expect(optimizer.learningRate).toBeCloseTo(0.01, 17);
    net.dispose();
  });

  it('in fit(): the reduced rate trains the next epochs and shows in learning_rate', async () => {
    const { x, y } = data(40);
    const net = await createNetwork(CONFIG);
    // No epoch after the first improves by minDelta 100: the rate halves after every second epoch,
    // from the next epoch's updates on (each log shows the rate its epoch trained at).
    const history = await net.fit(x, y, {
      epochs: 6,
      learningRate: 0.4,
      optimizer: 'adam',
      callbacks: [reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 2, minDelta: 100 })],
    });
    expect(history.history.learning_rate).toEqual([0.4, 0.4, 0.4, 0.2, 0.2, 0.1]);
    net.dispose();
  });

  it('refuses bad options, a schedule, and a log fit() will not report', async () => {
    const cases: [unknown, RegExp][] = [
      [{ factor: 1 }, /reduceLROnPlateau: factor must be a number in \(0, 1\), got 1/],
      [{ factor: 0 }, /reduceLROnPlateau: factor must be a number in \(0, 1\), got 0/],
      [{ patience: -1 }, /reduceLROnPlateau: patience must be an integer >= 0, got -1/],
      [{ cooldown: 1.5 }, /reduceLROnPlateau: cooldown must be an integer >= 0, got 1.5/],
      [{ minLr: -1 }, /reduceLROnPlateau: minLr must be a finite number >= 0, got -1/],
      [{ minDelta: NaN }, /reduceLROnPlateau: minDelta must be a finite number >= 0, got NaN/],
      [{ mode: 'up' }, /reduceLROnPlateau: mode must be 'auto', 'min' or 'max', got "up"/],
      [{ monitor: 3 }, /reduceLROnPlateau: monitor must be a log name/],
      [{ min_lr: 0.1 }, /reduceLROnPlateau: unknown option "min_lr"/],
    ];
    for (const [options, message] of cases) expect(() => reduceLROnPlateau(options as never), String(message)).toThrow(message);
    const { x, y } = data(10);
    const net = await createNetwork(CONFIG);
    await net.fit(x, y, { epochs: 1, learningRate: 0.1, optimizer: 'rmsprop' });
    const before = net.toJSON({ includeOptimizer: true });
    await expect(
      net.fit(x, y, {
        epochs: 1,
        learningRate: cosineDecay({ initialLearningRate: 0.1, decaySteps: 10 }),
        optimizer: 'rmsprop',
        callbacks: [reduceLROnPlateau({ monitor: 'loss' })],
      }),
    ).rejects.toThrow(/reduceLROnPlateau: the learningRate is a schedule/);
    await expect(
      net.fit(x, y, { epochs: 1, learningRate: 0.1, optimizer: 'rmsprop', callbacks: [reduceLROnPlateau()] }),
    ).rejects.toThrow(
      /reduceLROnPlateau: monitor "val_loss" is not among this fit's logs \(loss, acc\); pass validationData or validationSplit/,
    );
    expect(net.toJSON({ includeOptimizer: true })).toEqual(before);
    net.dispose();
  });
});

describe('in a worker network', () => {
  it('a schedule and reduceLROnPlateau give the numbers of a Network', async () => {
    const { x, y } = data(40);
    const options = (): FitOptions => ({
      epochs: 5,
      batchSize: 10,
      learningRate: 0.3,
      optimizer: { type: 'rmsprop', momentum: 0.5, clipnorm: 1 },
      validationSplit: 0.25,
      callbacks: [reduceLROnPlateau({ factor: 0.5, patience: 1, minDelta: 0.5 })],
    });
    const local = await createNetwork(CONFIG);
    const remote = await createWorkerNetwork(CONFIG);
    try {
      const expected = await local.fit(x, y, options());
      const actual = await remote.fit(x, y, options() as never);
      expect(actual.history).toEqual(expected.history);
      expect(expected.history.learning_rate.at(-1)).toBeLessThan(0.3);
      const schedule = {
        ...options(),
        callbacks: [],
        learningRate: cosineDecay({ initialLearningRate: 0.1, decaySteps: 12, alpha: 0.1 }),
      };
      expect((await remote.fit(x, y, schedule as never)).history).toEqual((await local.fit(x, y, schedule)).history);
      expect(await remote.getWeights()).toEqual(local.getWeights());
    } finally {
      local.dispose();
      remote.dispose();
    }
  });
});
