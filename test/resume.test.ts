/**
 * Saving the optimiser with the network (toJSON({ includeOptimizer: true })):
 * a run stopped, saved as JSON text, loaded and resumed ends with exactly the
 * weights of an uninterrupted one; malformed optimiser state is refused with a
 * message and leaks nothing; and loadNetwork({ threads }).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { seed, seedLabels } from '../data/seed.js';
import type { Arena } from '../src/backend/arena.js';
import type { BackendName, DType } from '../src/backend/backend.js';
import { stopThreads } from '../src/backend/threads.js';
import { engineOf } from '../src/engine.js';
import {
  createNetwork,
  type LayerWeights,
  loadNetwork,
  type NetworkConfig,
  type NetworkJSON,
  type OptimizerJSON,
  type OptimizerSpec,
} from '../src/index.js';
import { prng } from './helpers.js';

afterAll(() => stopThreads());

const CONFIG: NetworkConfig = {
  inputs: 2,
  layers: [
    { units: 6, activation: 'tanh' },
    { units: 3, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossentropy',
  seed: 11,
};
const labels3 = seedLabels().map(([v], i) => [v, 1 - v, i % 2]);
/** Seven batches an epoch, the last one short, so an epoch is several steps. */
const BATCH = 32;
const EPOCHS = 6,
  STOP = 2;

const OPTIMIZERS: [string, OptimizerSpec, number][] = [
  ['adam', 'adam', 0.05],
  ['sgd with momentum', { type: 'sgd', momentum: 0.9 }, 0.5],
  ['sgd with nesterov momentum', { type: 'sgd', momentum: 0.9, nesterov: true }, 0.5],
  ['plain sgd', 'sgd', 2],
];

async function trainUninterrupted(
  backend: BackendName,
  dtype: DType,
  optimizer: OptimizerSpec,
  learningRate: number,
): Promise<LayerWeights[]> {
  const net = await createNetwork({ ...CONFIG, backend, dtype });
  await net.fit(seed.X, labels3, { epochs: EPOCHS, learningRate, optimizer, batchSize: BATCH, shuffle: false });
  const weights = net.getWeights();
  net.dispose();
  return weights;
}

/** STOP epochs, a save through JSON text, a load, then the remaining epochs with the same options. */
async function trainResumed(
  backend: BackendName,
  dtype: DType,
  optimizer: OptimizerSpec,
  learningRate: number,
  includeOptimizer: boolean,
): Promise<{ weights: LayerWeights[]; saved: NetworkJSON }> {
  const net = await createNetwork({ ...CONFIG, backend, dtype });
  await net.fit(seed.X, labels3, { epochs: STOP, learningRate, optimizer, batchSize: BATCH, shuffle: false });
  const text = JSON.stringify(net.toJSON({ includeOptimizer }));
  net.dispose();
  const loaded = await loadNetwork(text, { backend });
  await loaded.fit(seed.X, labels3, { epochs: EPOCHS - STOP, learningRate, optimizer, batchSize: BATCH, shuffle: false });
  const weights = loaded.getWeights();
  loaded.dispose();
  return { weights, saved: JSON.parse(text) };
}

describe.each(['wasm', 'js'] as const)('resuming from a save on %s', (backend) => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [name, optimizer, learningRate] of OPTIMIZERS) {
      it(`${dtype}, ${name}: ends with exactly the weights of an uninterrupted run`, async () => {
        const whole = await trainUninterrupted(backend, dtype, optimizer, learningRate);
        const { weights, saved } = await trainResumed(backend, dtype, optimizer, learningRate, true);
        expect(weights).toEqual(whole);
        expect(saved.optimizer!.iterations).toBe(STOP * Math.ceil(seed.X.length / BATCH));

        const { weights: fresh, saved: plain } = await trainResumed(backend, dtype, optimizer, learningRate, false);
        expect(plain.optimizer).toBeUndefined();
        // Without its state a fresh optimiser takes other steps; plain SGD has no state to lose.
        if (name === 'plain sgd') expect(fresh).toEqual(whole);
        else expect(fresh).not.toEqual(whole);
      });
    }
  }
});

describe('the saved optimizer field', () => {
  it('holds the config with its defaults, the step count and one array per parameter per slot', async () => {
    const net = await createNetwork({ ...CONFIG, dtype: 'float64' });
    expect(net.toJSON({ includeOptimizer: true }).optimizer).toBeUndefined(); // no fit, no optimiser
    await net.fit(seed.X, labels3, { epochs: 1, learningRate: 0.05, optimizer: 'adam' });
    const { optimizer } = net.toJSON({ includeOptimizer: true });
    expect(optimizer!.config).toEqual({ type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(optimizer!.iterations).toBe(1);
    const sizes = [2 * 6, 6, 6 * 3, 3];
    expect(Object.keys(optimizer!.slots)).toEqual(['m', 'v']);
    for (const slot of Object.values(optimizer!.slots)) expect(slot.map((p) => p.length)).toEqual(sizes);
    expect(optimizer!.slots.v.flat().some((v) => v > 0)).toBe(true);

    await net.fit(seed.X, labels3, { epochs: 1, learningRate: 0.5, optimizer: { type: 'sgd', momentum: 0.5 } });
    const momentum = net.toJSON({ includeOptimizer: true }).optimizer!;
    expect(momentum.config).toEqual({ type: 'sgd', momentum: 0.5, nesterov: false });
    expect(momentum.iterations).toBe(1); // a new config, a new optimiser
    expect(Object.keys(momentum.slots)).toEqual(['velocity']);

    await net.fit(seed.X, labels3, { epochs: 1, learningRate: 0.5 });
    expect(net.toJSON({ includeOptimizer: true }).optimizer).toEqual({
      config: { type: 'sgd', momentum: 0, nesterov: false },
      iterations: 1,
      slots: {},
    });
    // The default leaves it out, as before.
    expect(net.toJSON()).not.toHaveProperty('optimizer');
    expect(net.toJSON({ includeOptimizer: false })).toEqual(net.toJSON());
    net.dispose();
  });

  it('is read back as the optimizer fit() continues with (float32 values exact)', async () => {
    const net = await createNetwork({ ...CONFIG, backend: 'wasm', dtype: 'float32' });
    await net.fit(seed.X, labels3, { epochs: 2, learningRate: 0.05, optimizer: { type: 'adam', epsilon: 1e-4 }, batchSize: 50 });
    const json = net.toJSON({ includeOptimizer: true });
    const loaded = await loadNetwork(JSON.parse(JSON.stringify(json)), { backend: 'js' });
    expect(engineOf(loaded).optimizer!.config).toEqual(json.optimizer!.config);
    expect(loaded.toJSON({ includeOptimizer: true })).toEqual(json);
    for (const n of [net, loaded]) n.dispose();
  });

  it('JSON.stringify(net) still gives the plain save (it passes toJSON a key, not options)', async () => {
    const net = await createNetwork(CONFIG);
    await net.fit(seed.X, labels3, { epochs: 1, learningRate: 0.05, optimizer: 'adam' });
    expect(JSON.parse(JSON.stringify(net))).toEqual(net.toJSON());
    expect(JSON.parse(JSON.stringify({ network: net })).network).toEqual(net.toJSON());
    net.dispose();
  });

  it('refuses bad toJSON options', async () => {
    const net = await createNetwork(CONFIG);
    expect(() => net.toJSON({ includeOptimiser: true } as never)).toThrow(
      'toJSON: unknown option "includeOptimiser"; expected one of includeOptimizer',
    );
    expect(() => net.toJSON({ includeOptimizer: 'yes' } as never)).toThrow(
      'toJSON: includeOptimizer must be true or false, got "yes"',
    );
    expect(() => net.toJSON(null as never)).toThrow('toJSON: expected an options object, got null');
    net.dispose();
  });
});

describe('Optimizer.setWeights', () => {
  it('checks everything before writing anything', async () => {
    const net = await createNetwork({ ...CONFIG, dtype: 'float64' });
    await net.fit(seed.X, labels3, { epochs: 1, learningRate: 0.05, optimizer: 'adam' });
    const optimizer = engineOf(net).optimizer!;
    const before = optimizer.getWeights();
    const zeros = before.slots.m.map((p) => p.map(() => 0));
    const badV = before.slots.v.map((p, i) => (i === 3 ? [...p.slice(1), NaN] : p));
    expect(() => optimizer.setWeights({ iterations: 7, slots: { m: zeros, v: badV } })).toThrow(
      'optimizer (adam).setWeights: slots.v[3][2] is NaN, expected a finite float64 number',
    );
    expect(() =>
      optimizer.setWeights({ iterations: 7, slots: { m: zeros, v: before.slots.v.map((p) => p.map((x) => -x - 1)) } }),
    ).toThrow('optimizer (adam).setWeights: slots.v[0][0] is -1');
    expect(optimizer.getWeights()).toEqual(before);
    expect(optimizer.iterations).toBe(1);
    optimizer.setWeights({ iterations: 7, slots: { m: zeros, v: before.slots.v } });
    expect(optimizer.getWeights()).toEqual({ iterations: 7, slots: { m: zeros, v: before.slots.v } });
    net.dispose();
    expect(() => optimizer.getWeights()).toThrow('optimizer (adam).getWeights: the optimizer has been disposed');
  });

  it('rounds to float32, and refuses what float32 cannot hold', async () => {
    const net = await createNetwork({ ...CONFIG, dtype: 'float32' });
    await net.fit(seed.X, labels3, { epochs: 1, learningRate: 0.5, optimizer: { type: 'sgd', momentum: 0.9 } });
    const optimizer = engineOf(net).optimizer!;
    const velocity = optimizer.getWeights().slots.velocity.map((p) => p.map(() => 0.1));
    optimizer.setWeights({ iterations: 0, slots: { velocity } });
    expect(optimizer.getWeights().slots.velocity[0][0]).toBe(Math.fround(0.1));
    velocity[2][4] = 1e39;
    expect(() => optimizer.setWeights({ iterations: 0, slots: { velocity } })).toThrow(
      'optimizer (sgd).setWeights: slots.velocity[2][4] is 1e+39, expected a finite float32 number',
    );
    net.dispose();
  });
});

describe('malformed saved optimizers', () => {
  /** A float32 network after one Adam epoch (sizes 12, 6, 18, 3), saved with its optimiser. */
  const valid = async (optimizer: OptimizerSpec = 'adam'): Promise<NetworkJSON & { optimizer: OptimizerJSON }> => {
    const net = await createNetwork(CONFIG);
    await net.fit(seed.X, labels3, { epochs: 1, learningRate: 0.05, optimizer });
    const json = net.toJSON({ includeOptimizer: true });
    net.dispose();
    return JSON.parse(JSON.stringify(json));
  };
  type Saved = Awaited<ReturnType<typeof valid>>;
  const withOptimizer = (j: Saved, change: Record<string, unknown>) => ({ ...j, optimizer: { ...j.optimizer, ...change } });
  const withSlots = (j: Saved, slots: Record<string, unknown>) => withOptimizer(j, { slots });
  const prefix = 'loadNetwork: optimizer (adam).setWeights: ';
  const cases: [string, (json: Saved) => unknown, string | RegExp][] = [
    [
      'a slot of the wrong length',
      (j) => withSlots(j, { ...j.optimizer.slots, m: [j.optimizer.slots.m[0].slice(1), ...j.optimizer.slots.m.slice(1)] }),
      `${prefix}slots.m[0] must be an array of 12 numbers (parameter 0's size), got an array of length 11`,
    ],
    [
      'a slot for too few parameters',
      (j) => withSlots(j, { ...j.optimizer.slots, v: j.optimizer.slots.v.slice(0, 3) }),
      `${prefix}slots.v must be an array of 4 arrays (one per parameter), got an array of length 3`,
    ],
    ['a missing slot', (j) => withSlots(j, { m: j.optimizer.slots.m }), `${prefix}slot "v" is missing; its slots are m, v`],
    [
      'an extra slot',
      (j) => withSlots(j, { ...j.optimizer.slots, velocity: j.optimizer.slots.m }),
      `${prefix}unknown slot "velocity"; its slots are m, v`,
    ],
    [
      'a NaN in a slot',
      (j) => withSlots(j, { ...j.optimizer.slots, m: j.optimizer.slots.m.map((p, i) => (i === 1 ? [0, 0, NaN, 0, 0, 0] : p)) }),
      `${prefix}slots.m[1][2] is NaN, expected a finite float32 number`,
    ],
    [
      'a null (NaN through JSON text) in a slot',
      (j) => withSlots(j, { ...j.optimizer.slots, m: j.optimizer.slots.m.map((p, i) => (i === 3 ? [0, null, 0] : p)) }),
      `${prefix}slots.m[3][1] is null, expected a finite float32 number`,
    ],
    [
      'negative iterations',
      (j) => withOptimizer(j, { iterations: -1 }),
      `${prefix}iterations must be a non-negative integer, got -1`,
    ],
    [
      'non-integer iterations',
      (j) => withOptimizer(j, { iterations: 2.5 }),
      `${prefix}iterations must be a non-negative integer, got 2.5`,
    ],
    [
      'missing iterations',
      (j) => withOptimizer(j, { iterations: undefined }),
      `${prefix}iterations must be a non-negative integer, got undefined`,
    ],
    [
      'slots that are not an object',
      (j) => withOptimizer(j, { slots: [] }),
      `${prefix}slots must be an object of slot name to arrays, got an array of length 0`,
    ],
    [
      'an unknown optimiser',
      (j) => withOptimizer(j, { config: { type: 'nadam' } }),
      `loadNetwork: optimizer.config.type "nadam" is unknown; expected one of 'sgd', 'adam', 'rmsprop', 'adagrad', 'adamw'`,
    ],
    [
      'a config out of range',
      (j) => withOptimizer(j, { config: { ...j.optimizer.config, beta1: 1.5 } }),
      'loadNetwork: optimizer.config.beta1 must be a number in [0, 1), got 1.5',
    ],
    [
      'a config option of another optimiser',
      (j) => withOptimizer(j, { config: { ...j.optimizer.config, momentum: 0.9 } }),
      'loadNetwork: optimizer.config (adam): unknown option "momentum"; expected one of type, beta1, beta2, epsilon',
    ],
    [
      'a missing config',
      (j) => withOptimizer(j, { config: undefined }),
      "loadNetwork: optimizer.config must be 'sgd', 'adam', 'rmsprop', 'adagrad', 'adamw' or an object { type: 'sgd' | 'adam' | 'rmsprop' | 'adagrad' | 'adamw', ... }, got undefined",
    ],
    [
      'state of another optimiser',
      (j) => withOptimizer(j, { config: { type: 'sgd', momentum: 0.9, nesterov: false } }),
      'loadNetwork: optimizer (sgd).setWeights: unknown slot "m"; its slots are velocity',
    ],
    [
      'slots for plain SGD',
      (j) => withOptimizer(j, { config: { type: 'sgd', momentum: 0, nesterov: false } }),
      'loadNetwork: optimizer (sgd).setWeights: unknown slot "m"; it has no slots',
    ],
    [
      'an unknown key',
      (j) => withOptimizer(j, { learningRate: 0.05 }),
      'loadNetwork: optimizer: unknown option "learningRate"; expected one of config, iterations, slots',
    ],
    ['null', (j) => ({ ...j, optimizer: null }), 'loadNetwork: optimizer must be { config, iterations, slots }, got null'],
  ];
  it.each(cases)('%s', async (_name, corrupt, message) => {
    const json = corrupt(await valid());
    const probe = await createNetwork({ ...CONFIG, backend: 'wasm' });
    const arena = (engineOf(probe).backend as unknown as { heap: { arena: Arena } }).heap.arena;
    const inUse = arena.bytesInUse;
    await expect(loadNetwork(json as NetworkJSON)).rejects.toThrow(message);
    expect(arena.bytesInUse).toBe(inUse); // the half-built network and its optimiser were freed
    probe.dispose();
  });

  it('accepts an optimizer saved before any step (iterations 0, zero slots)', async () => {
    const json = await valid();
    const zero = json.optimizer.slots.m.map((p) => p.map(() => 0));
    const net = await loadNetwork({ ...json, optimizer: { ...json.optimizer, iterations: 0, slots: { m: zero, v: zero } } });
    expect(engineOf(net).optimizer!.getWeights()).toEqual({ iterations: 0, slots: { m: zero, v: zero } });
    net.dispose();
  });
});

describe('loadNetwork({ threads })', () => {
  const rand = prng(21);
  const inputs = 100;
  const x = Array.from({ length: 300 }, () => Array.from({ length: inputs }, () => rand() - 0.5));
  const y = x.map((row) => [row[0] > row[1] ? 1 : 0]);
  const big: NetworkConfig = {
    inputs,
    layers: [
      { units: 96, activation: 'tanh' },
      { units: 1, activation: 'sigmoid' },
    ],
    loss: 'binaryCrossentropy',
    seed: 4,
  };

  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: predicts bit for bit what one thread does, and resumes training identically`, async () => {
      const net = await createNetwork({ ...big, dtype });
      const fitOptions = { epochs: 2, learningRate: 0.01, optimizer: 'adam' as const, batchSize: 150 };
      await net.fit(x, y, fitOptions);
      const json = net.toJSON({ includeOptimizer: true });
      const one = await loadNetwork(json);
      const two = await loadNetwork(JSON.stringify(json), { threads: 2 });
      expect(one.threads).toBe(1);
      expect(two.threads).toBe(2);
      // 300 x 100 x 96 is above the size the threaded backend splits.
      expect(Array.from(two.predict(x))).toEqual(Array.from(one.predict(x)));
      for (const n of [net, one, two]) await n.fit(x, y, fitOptions);
      expect(two.getWeights()).toEqual(net.getWeights());
      expect(one.getWeights()).toEqual(net.getWeights());
      for (const n of [net, one, two]) n.dispose();
    });
  }

  it('refuses threads without the wasm backend, a bad count and unknown options', async () => {
    const net = await createNetwork(CONFIG);
    const json = net.toJSON();
    net.dispose();
    await expect(loadNetwork(json, { backend: 'js', threads: 2 })).rejects.toThrow(
      'loadNetwork: createNetwork: threads 2 needs the wasm backend, got backend "js"',
    );
    await expect(loadNetwork(json, { threads: 0 })).rejects.toThrow(
      'loadNetwork: createNetwork: threads must be an integer from 1 to 64, got 0',
    );
    await expect(loadNetwork(json, { workers: 2 } as never)).rejects.toThrow(
      'loadNetwork options: unknown option "workers"; expected one of backend, threads',
    );
    const loaded = await loadNetwork(json, { backend: 'js', threads: 1 });
    expect(loaded.threads).toBe(1);
    loaded.dispose();
  });
});
