/**
 * The training loop: batches, shuffling, validation, callbacks, early
 * stopping, divergence, reproducibility, yielding.
 */
import { describe, expect, it } from 'vitest';
import { seed, seedLabels, seedWeights } from '../data/seed.js';
import { engineOf } from '../src/engine.js';
import { type Callback, createNetwork, earlyStopping, type Network, type NetworkConfig } from '../src/index.js';

const SEED_CONFIG: NetworkConfig = {
  inputs: 2,
  layers: [8, 4, 1].map((units) => ({ units, activation: 'sigmoid' as const })),
  loss: 'binaryCrossentropy',
  dtype: 'float64',
};

async function seedNet(backend: 'wasm' | 'js' = 'wasm', extra: Partial<NetworkConfig> = {}): Promise<Network> {
  const net = await createNetwork({ ...SEED_CONFIG, backend, ...extra });
  net.setWeights(seedWeights('init'));
  return net;
}

describe.each(['wasm', 'js'] as const)('fit on %s', (backend) => {
  it('mini-batches: loss and acc are the batch-size-weighted means of each batch, before its update', async () => {
    const net = await seedNet(backend);
    const batches: { size: number; loss: number; acc: number }[] = [];
    const history = await net.fit(seed.X, seedLabels(), {
      epochs: 1,
      learningRate: 0.5,
      batchSize: 64,
      callbacks: {
        onBatchEnd: (_batch, logs) => {
          batches.push({ size: logs!.size, loss: logs!.loss, acc: logs!.acc });
        },
      },
    });
    expect(batches.map((b) => b.size)).toEqual([64, 64, 64, 8]);
    const weighted = batches.reduce((sum, b) => sum + b.loss * b.size, 0) / 200;
    expect(history.history.loss[0]).toBeCloseTo(weighted, 14);
    // The first batch's loss is the initial network's loss on the first 64 rows.
    const fresh = await seedNet(backend);
    expect(batches[0].loss).toBeCloseTo(fresh.evaluate(seed.X.slice(0, 64), seedLabels().slice(0, 64)).loss, 14);
    expect(batches[0].acc).toBeCloseTo(fresh.evaluate(seed.X.slice(0, 64), seedLabels().slice(0, 64)).acc!, 14);
    net.dispose();
    fresh.dispose();
  });

  it('is reproducible: same seed, data and options give bit-identical weights', async () => {
    const run = async () => {
      const net = await createNetwork({ ...SEED_CONFIG, backend, dtype: 'float32', seed: 1234 });
      const history = await net.fit(seed.X, seedLabels(), { epochs: 20, learningRate: 1, batchSize: 16, shuffle: true });
      const weights = net.getWeights();
      net.dispose();
      return { weights, history };
    };
    const [a, b] = [await run(), await run()];
    expect(a.weights).toEqual(b.weights);
    expect(a.history).toEqual(b.history);
  });

  it('shuffle changes the batches but keeps every row once per epoch', async () => {
    const net = await seedNet(backend);
    const ordered = await seedNet(backend);
    const shuffled = await net.fit(seed.X, seedLabels(), { epochs: 3, learningRate: 1, batchSize: 10, shuffle: true });
    const inOrder = await ordered.fit(seed.X, seedLabels(), { epochs: 3, learningRate: 1, batchSize: 10 });
    expect(shuffled.history.loss[0]).not.toBe(inOrder.history.loss[0]);
    // Full-batch: shuffling only reorders the sum, so the result barely moves.
    const full = await seedNet(backend);
    const fullShuffled = await seedNet(backend);
    const h1 = await full.fit(seed.X, seedLabels(), { epochs: 5, learningRate: 20 });
    const h2 = await fullShuffled.fit(seed.X, seedLabels(), { epochs: 5, learningRate: 20, shuffle: true });
    h1.history.loss.forEach((v, k) => expect(h2.history.loss[k]).toBeCloseTo(v, 12));
    for (const n of [net, ordered, full, fullShuffled]) n.dispose();
  });

  it('validationSplit holds out the last rows, as Keras', async () => {
    const net = await seedNet(backend);
    // Blob rows come ordered by class; the last 25% are all one class.
    const history = await net.fit(seed.X, seedLabels(), { epochs: 3, learningRate: 5, validationSplit: 0.25 });
    expect(Object.keys(history.history).sort()).toEqual(['acc', 'learning_rate', 'loss', 'val_acc', 'val_loss']);
    const reference = await seedNet(backend);
    const trained = await reference.fit(seed.X.slice(0, 150), seedLabels().slice(0, 150), { epochs: 3, learningRate: 5 });
    expect(history.history.loss).toEqual(trained.history.loss);
    // val_* are measured after the epoch's updates.
    expect(history.history.val_loss[2]).toBe(reference.evaluate(seed.X.slice(150), seedLabels().slice(150)).loss);
    net.dispose();
    reference.dispose();
  });

  it('validationData reports val_loss and val_acc after each epoch', async () => {
    const net = await seedNet(backend);
    const vx = seed.X.filter((_, i) => i % 7 === 0);
    const vy = seedLabels().filter((_, i) => i % 7 === 0);
    const seen: number[] = [];
    const history = await net.fit(seed.X, seedLabels(), {
      epochs: 4,
      learningRate: 20,
      validationData: [vx, vy],
      onEpochEnd: () => {
        seen.push(net.evaluate(vx, vy).loss);
      },
    });
    expect(history.history.val_loss).toEqual(seen);
    expect(history.history.val_acc).toHaveLength(4);
    net.dispose();
  });

  it('calls hooks in order, with epochs from 0, and awaits async hooks', async () => {
    const net = await seedNet(backend);
    const events: string[] = [];
    const callback: Callback = {
      onTrainBegin: () => {
        events.push('trainBegin');
      },
      onEpochBegin: async (epoch) => {
        await new Promise((r) => setTimeout(r, 1));
        events.push(`epochBegin ${epoch}`);
      },
      onBatchEnd: (batch) => {
        events.push(`batchEnd ${batch}`);
      },
      onEpochEnd: (epoch, logs) => {
        events.push(`epochEnd ${epoch} ${Object.keys(logs!).join(',')}`);
      },
      onTrainEnd: () => {
        events.push('trainEnd');
      },
    };
    await net.fit(seed.X, seedLabels(), { epochs: 2, learningRate: 1, batchSize: 150, callbacks: [callback] });
    expect(events).toEqual([
      'trainBegin',
      'epochBegin 0',
      'batchEnd 0',
      'batchEnd 1',
      'epochEnd 0 loss,acc,learning_rate',
      'epochBegin 1',
      'batchEnd 0',
      'batchEnd 1',
      'epochEnd 1 loss,acc,learning_rate',
      'trainEnd',
    ]);
    net.dispose();
  });

  it('a callback stops training by setting net.stopTraining', async () => {
    const net = await seedNet(backend);
    const history = await net.fit(seed.X, seedLabels(), {
      epochs: 100,
      learningRate: 1,
      callbacks: {
        onEpochEnd: (epoch) => {
          if (epoch === 4) net.stopTraining = true;
        },
      },
    });
    expect(history.epoch).toEqual([0, 1, 2, 3, 4]);
    net.dispose();
  });

  it('net.stopTraining set in onBatchEnd ends training after that batch, as TensorFlow.js', async () => {
    const rows = seed.X.length;
    const stopped = await seedNet(backend);
    const losses: number[] = [];
    const events: string[] = [];
    const history = await stopped.fit(seed.X, seedLabels(), {
      epochs: 5,
      learningRate: 1,
      batchSize: 50,
      callbacks: {
        onBatchEnd: (batch, logs) => {
          losses.push(logs!.loss);
          if (batch === 1) stopped.stopTraining = true;
        },
        onEpochEnd: (epoch) => {
          events.push(`epochEnd ${epoch}`);
        },
      },
    });
    expect(losses).toHaveLength(2);
    expect(events).toEqual(['epochEnd 0']); // the epoch still ends, with the batches it had
    expect(history.history.loss).toEqual([(losses[0] * 50 + losses[1] * 50) / 100]);
    // Exactly the updates of the first two batches: as training on those 100 rows alone.
    const alone = await seedNet(backend);
    await alone.fit(seed.X.slice(0, 100), seedLabels().slice(0, 100), { epochs: 1, learningRate: 1, batchSize: 50 });
    expect(stopped.getWeights()).toEqual(alone.getWeights());
    expect(rows).toBeGreaterThan(100);
    stopped.dispose();
    alone.dispose();
  });

  it('earlyStopping with a baseline: as Keras 3, the best epoch counts even when the baseline is not beaten', async () => {
    const net = await seedNet(backend);
    const run = (values: number[], options: Parameters<typeof earlyStopping>[0]) => {
      const stopper = earlyStopping({ monitor: 'loss', ...options });
      stopper.setNetwork(net, ['loss']);
      stopper.onTrainBegin();
      for (let epoch = 0; epoch < values.length && !net.stopTraining; epoch++) stopper.onEpochEnd(epoch, { loss: values[epoch] });
      net.stopTraining = false;
      return { best: stopper.bestEpoch, stopped: stopper.stoppedEpoch };
    };
    // Improving but never below the baseline: no stop while it improves, then at the first miss.
    expect(run([0.9, 0.8, 0.7, 0.75, 0.6], { baseline: 0.5, patience: 2 })).toEqual({ best: 2, stopped: 3 });
    // Beating the baseline restarts the wait.
    expect(run([0.9, 0.4, 0.45, 0.46, 0.47], { baseline: 0.5, patience: 2 })).toEqual({ best: 1, stopped: 3 });
    // Patience 0 stops at the first miss, but never at the first epoch.
    expect(run([NaN, 0.9, 1.0], { patience: 0 })).toEqual({ best: 1, stopped: 2 });
    expect(run([0.5, 0.6], { patience: 0 })).toEqual({ best: 0, stopped: 1 });
    // minDelta with Keras 3's arithmetic, current + minDelta < best: 0.3 + 0.1 is 0.4, not below it (as
    // 0.3 < 0.4 - 0.1 = 0.30000000000000004 would say); in mode max, current - minDelta > best
    // (0.4 - 0.1 is 0.30000000000000004, above 0.3).
    expect(run([0.8, 0.4, 0.3, 0.4], { minDelta: 0.1 })).toEqual({ best: 1, stopped: 2 });
    expect(run([0.3, 0.4, 0.45], { minDelta: 0.1, mode: 'max' })).toEqual({ best: 1, stopped: 2 });
    net.dispose();
  });

  it('restoreBestWeights puts back the best epoch even when the baseline was never beaten', async () => {
    const net = await seedNet(backend);
    const snapshots: ReturnType<Network['getWeights']>[] = [];
    const stopper = earlyStopping({ monitor: 'loss', baseline: 1e-9, patience: 100, restoreBestWeights: true });
    const history = await net.fit(seed.X, seedLabels(), {
      epochs: 30,
      learningRate: 50,
      callbacks: [
        stopper,
        {
          onEpochEnd: () => {
            snapshots.push(net.getWeights());
          },
        },
      ],
    });
    const loss = history.history.loss;
    const best = loss.indexOf(Math.min(...loss));
    expect(stopper.bestEpoch).toBe(best);
    expect(best).toBeLessThan(29); // this learning rate overshoots: the last epoch is not the best
    expect(net.getWeights()).toEqual(snapshots[best]);
    net.dispose();
  });

  it('stops with an error naming the epoch when its last update leaves the weights non-finite, and puts back the weights and momentum from before it', async () => {
    const net = await createNetwork({
      inputs: 1,
      layers: [{ units: 1, activation: 'linear' }],
      loss: 'meanSquaredError',
      dtype: 'float32',
      backend,
      seed: 1,
    });
    // The loss (about 1e60, summed in float64) is finite before each update, but
    // lr * gradient (1e10 * ~1e30) is beyond float32: the first update overflows.
    const x = [[1], [2]],
      y = [[1e30], [2e30]];
    await net.fit([[1], [2]], [[1], [2]], { epochs: 3, learningRate: 0.1, optimizer: { type: 'sgd', momentum: 0.5 } });
    const before = { weights: net.getWeights(), state: engineOf(net).optimizer!.getWeights() };
    expect(before.state.iterations).toBe(3);
    expect(before.state.slots.velocity[0][0]).not.toBe(0);
    await expect(net.fit(x, y, { epochs: 1, learningRate: 1e10, optimizer: { type: 'sgd', momentum: 0.5 } })).rejects.toThrow(
      /^fit: the weights diverged \(layer 0 W\[0\]\[0\] is -?(Infinity|NaN)\) in epoch 1's last update; try a smaller learningRate \(10000000000\), .*; the weights are as they were before epoch 1$/,
    );
    expect(net.getWeights()).toEqual(before.weights);
    expect(engineOf(net).optimizer!.getWeights()).toEqual(before.state);
    expect(Array.from(net.predict([[1]])).every(Number.isFinite)).toBe(true);
    net.dispose();
  });

  it('stops with an error naming the epoch when the loss becomes NaN', async () => {
    const net = await seedNet(backend);
    // Weights that overflow: 1e308 * 10 - 1e308 * 10 = Infinity - Infinity = NaN in the first layer.
    const weights = net.getWeights();
    weights[0].W = weights[0].W.map((row) => row.map(() => 1e308));
    net.setWeights(weights);
    const x = seed.X.map((_, i) => (i < 150 ? [0, 0] : [10, -10]));
    await expect(net.fit(x, seedLabels(), { epochs: 5, learningRate: 1, batchSize: 50 })).rejects.toThrow(
      'fit: the loss diverged to NaN at epoch 1 (batch 4); try a smaller learningRate (1), or standardised inputs (and targets, for a regression)',
    );
    net.dispose();
  });
});

it('stops a diverging regression with an error naming the epoch, keeping what came before', async () => {
  const net = await createNetwork({
    inputs: 1,
    layers: [{ units: 1, activation: 'linear' }],
    loss: 'meanSquaredError',
    dtype: 'float64',
    backend: 'wasm',
    seed: 1,
  });
  const x = [[1], [2], [3], [4]];
  const y = [[2], [4], [6], [8]];
  const losses: number[] = [];
  let atEpochBegin: { weights: unknown; state: unknown } | undefined;
  // lr 10 on this quadratic multiplies the error by about -100 per epoch: Infinity near epoch 150.
  const failure = net.fit(x, y, {
    epochs: 1000,
    learningRate: 10,
    optimizer: { type: 'sgd', momentum: 0.1 },
    callbacks: {
      onEpochBegin: () => {
        atEpochBegin = { weights: net.getWeights(), state: engineOf(net).optimizer!.getWeights() };
      },
      onEpochEnd: (_e, logs) => {
        losses.push(logs!.loss);
      },
    },
  });
  const message = await failure.then(
    () => 'resolved',
    (error: Error) => error.message,
  );
  expect(message).toMatch(
    /fit: the loss diverged to (Infinity|NaN) at epoch (\d+) \(batch 1\); .*; the weights are as they were before epoch \d+$/,
  );
  const epoch = Number(message.match(/epoch (\d+)/)![1]);
  expect(message.endsWith(`before epoch ${epoch}`)).toBe(true);
  expect(epoch).toBe(losses.length + 1);
  expect(epoch).toBeGreaterThan(10);
  expect(losses.every(Number.isFinite)).toBe(true);
  // Restored: the weights and the momentum as the failing epoch began, finite, the step count with them.
  expect({ weights: net.getWeights(), state: engineOf(net).optimizer!.getWeights() }).toEqual(atEpochBegin);
  expect((atEpochBegin!.state as { iterations: number }).iterations).toBe(epoch - 1);
  expect(Number.isFinite(net.predict([[1]])[0])).toBe(true);
  net.dispose();
});

describe('fit option errors', () => {
  const cases: [string, object, RegExp][] = [
    ['validationSplit 1', { validationSplit: 1 }, /validationSplit must be a number strictly between 0 and 1, got 1/],
    ['validationSplit leaving no training rows', { validationSplit: 0.999 }, /leaves 0 to train and 200 to validate/],
    ['validationData without y', { validationData: [seed.X] }, /validationData must be \[x, y\]/],
    ['both validation options', { validationData: [seed.X, seedLabels()], validationSplit: 0.2 }, /not both/],
    ['validationData of the wrong width', { validationData: [[[1, 2, 3]], [[1]]] }, /validationData x has 3 columns/],
    ['a hook that is not a function', { callbacks: [{ onEpochEnd: 3 }] }, /callbacks\[0\].onEpochEnd must be a function/],
    ['a callback without hooks', { callbacks: [{ foo() {} }] }, /callbacks\[0\] has none of the hooks/],
    ['a null callback', { callbacks: [null] }, /callbacks\[0\] must be an object/],
    [
      'an unknown optimiser',
      { optimizer: 'nadam' },
      /fit: optimizer "nadam" is unknown; expected one of 'sgd', 'adam', 'rmsprop', 'adagrad', 'adamw'/,
    ],
    [
      'a bad optimiser option',
      { optimizer: { type: 'adam', beta1: 1.5 } },
      /fit: optimizer.beta1 must be a number in \[0, 1\), got 1.5/,
    ],
  ];
  it.each(cases)('%s', async (_name, extra, message) => {
    const net = await seedNet('js');
    const before = net.getWeights();
    await expect(net.fit(seed.X, seedLabels(), { epochs: 1, learningRate: 1, ...extra })).rejects.toThrow(message);
    expect(net.getWeights()).toEqual(before);
    net.dispose();
  });

  it('earlyStopping checks its options', () => {
    expect(() => earlyStopping({ patience: -1 })).toThrow(/patience must be an integer >= 0/);
    expect(() => earlyStopping({ mode: 'up' as never })).toThrow(/mode must be/);
    expect(() => earlyStopping({ patience: 1, minDelta: -1 })).toThrow(/minDelta/);
    expect(() => earlyStopping({ restoreBestWeights: 1 as never })).toThrow(/restoreBestWeights/);
    expect(() => earlyStopping({ monitr: 'loss' } as never)).toThrow(/unknown option "monitr"/);
  });
});

it('yields to the event loop during a long fit', async () => {
  const net = await seedNet('wasm');
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
  }, 1);
  await net.fit(seed.X, seedLabels(), { epochs: 20000, learningRate: 20 });
  clearInterval(timer);
  // 20000 epochs take several hundred ms: the interval must have run meanwhile.
  expect(ticks).toBeGreaterThan(3);
  net.dispose();
});

it('yields to the event loop within one long epoch, not only between epochs', async () => {
  const net = await seedNet('js');
  let ticks = 0;
  const ticker = () => {
    ticks++;
    if (ticking) setImmediate(ticker);
  };
  let ticking = true;
  setImmediate(ticker);
  const spin = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  // One epoch of 200 batches, each made to take 1 ms: about 200 ms with no epoch boundary.
  await net.fit(seed.X, seedLabels(), {
    epochs: 1,
    learningRate: 1,
    batchSize: 1,
    onEpochEnd: () => {
      ticking = false;
    },
    callbacks: { onBatchEnd: () => spin(1) },
  });
  ticking = false;
  expect(ticks).toBeGreaterThanOrEqual(4); // a yield every 25 ms or so
  net.dispose();
});

it('refuses to go on when a callback disposes the network', async () => {
  const net = await seedNet('js');
  await expect(net.fit(seed.X, seedLabels(), { epochs: 5, learningRate: 1, onEpochEnd: () => net.dispose() })).rejects.toThrow(
    /fit \(after a callback\): this network has been disposed/,
  );
});
