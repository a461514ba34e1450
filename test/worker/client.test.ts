/**
 * createWorkerNetwork and loadWorkerNetwork in Node (worker_threads), from
 * the built package and from source: the same numbers as a Network on this
 * thread, the same saved JSON, the same error messages, epoch logs and
 * training hooks on this thread, calls answered between epochs, threads > 1
 * on threads of the worker's own (or on one where threads cannot run), to the
 * numbers of one thread, and a clean stop.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { seed, seedLabels, seedWeights } from '../../data/seed.js';
import * as source from '../../src/index.js';
import { prng } from '../helpers.js';

type Library = typeof source;

const LAYERS = [
  { units: 8, activation: 'sigmoid' as const },
  { units: 4, activation: 'sigmoid' as const },
  { units: 1, activation: 'sigmoid' as const },
];
const config = (backend: 'wasm' | 'js', dtype: 'float32' | 'float64' = 'float64') => ({
  inputs: 2,
  layers: LAYERS,
  loss: 'binaryCrossentropy' as const,
  backend,
  dtype,
});

/** The built package (npm test builds it first); a URL so that tsc does not look for its types. */
const DIST = new URL('../../dist/wasmlp.js', import.meta.url).href;

/** MNIST's shape, 784-256-10, with batches of 128: every product and update large enough for threads to split it. */
const WIDE = {
  inputs: 784,
  layers: [
    { units: 256, activation: 'relu' as const },
    { units: 10, activation: 'softmax' as const },
  ],
  loss: 'categoricalCrossentropy' as const,
  seed: 19,
};
const wideData = (() => {
  const rand = prng(23);
  const rows = 256;
  const x = Array.from({ length: rows }, () => Array.from({ length: WIDE.inputs }, () => rand()));
  const y = Array.from({ length: rows }, (_, r) => Array.from({ length: 10 }, (_, c) => (c === r % 10 ? 1 : 0)));
  return { x, y };
})();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The bytes of a typed array: equal arrays of these are equal bit for bit (NaN payloads and -0 included). */
const bytesOf = (array: Float32Array | Float64Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

/** Trains both on the seed data: the same history and weights. Then disposes of both. */
async function expectTrainAlike(
  remote: source.WorkerNetwork,
  local: source.Network,
  options: source.WorkerFitOptions,
): Promise<void> {
  expect((await remote.fit(seed.X, seedLabels(), options)).history).toEqual(
    (await local.fit(seed.X, seedLabels(), options)).history,
  );
  expect(await remote.getWeights()).toEqual(local.getWeights());
  await remote.dispose();
  local.dispose();
}

async function messageOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
}

describe.each([
  ['dist/wasmlp.js', async () => (await import(DIST)) as Library],
  ['src (worker bundled on first use)', async () => source],
])('createWorkerNetwork from %s', (_, load) => {
  it.each(['wasm', 'js'] as const)(
    'trains the seed (float64, %s) to the same weights, bit for bit, as a Network on this thread',
    async (backend) => {
      const lib = await load();
      const local = await lib.createNetwork(config(backend));
      local.setWeights(seedWeights('init'));
      const expected = await local.fit(seed.X, seedLabels(), { epochs: 2000, learningRate: 20 });

      const remote = await lib.createWorkerNetwork(config(backend));
      expect([remote.inputs, remote.outputs, remote.dtype, remote.backend]).toEqual([2, 1, 'float64', backend]);
      await remote.setWeights(seedWeights('init'));
      const logs: [number, number][] = [];
      const history = await remote.fit(seed.X, seedLabels(), {
        epochs: 2000,
        learningRate: 20,
        onEpochEnd: (epoch, { loss }) => {
          logs.push([epoch, loss]);
        },
      });
      expect(history).toBeInstanceOf(lib.History);
      expect(history.history).toEqual(expected.history);
      expect(logs).toEqual(expected.history.loss.map((loss, epoch) => [epoch, loss]));
      expect(await remote.getWeights()).toEqual(local.getWeights());
      expect(await remote.predict(seed.X)).toEqual(local.predict(seed.X));
      expect(await remote.evaluate(seed.X, seedLabels())).toEqual(local.evaluate(seed.X, seedLabels()));
      await remote.dispose();
      local.dispose();
    },
  );

  it("rethrows the worker's errors with the messages a Network gives", async () => {
    const lib = await load();
    const badConfig = { ...config('wasm'), layers: [{ units: 0, activation: 'sigmoid' as const }] };
    expect(await messageOf(lib.createWorkerNetwork(badConfig))).toBe(await messageOf(lib.createNetwork(badConfig)));

    const local = await lib.createNetwork(config('wasm', 'float32'));
    const remote = await lib.createWorkerNetwork(config('wasm', 'float32'));
    const y = seedLabels();
    const cases: [string, (net: typeof local | typeof remote) => unknown][] = [
      ['bad fit options', (net) => net.fit(seed.X, y, { epochs: 0, learningRate: 1 })],
      ['an unknown fit option', (net) => net.fit(seed.X, y, { epochs: 1, learningRate: 1, momentum: 0.9 } as never)],
      ['a ragged x', (net) => net.fit([[1, 2], [3]], [[0], [1]], { epochs: 1, learningRate: 1 })],
      ['x too wide', (net) => net.predict([[1, 2, 3]])],
      ['a label out of range', (net) => net.evaluate([[1, 2]], [[2]])],
      ['a NaN in typed data', (net) => net.predict({ data: new Float32Array([1, NaN]), shape: [1, 2] })],
      ['bad weights', (net) => net.setWeights([])],
    ];
    for (const [, call] of cases) expect(await messageOf(() => call(remote))).toBe(await messageOf(() => call(local)));
    await remote.dispose();
    local.dispose();
    expect(await messageOf(remote.predict([[1, 2]]))).toBe('predict: this network has been disposed');
    expect(await messageOf(remote.fit(seed.X, y, { epochs: 1, learningRate: 1 }))).toBe('fit: this network has been disposed');
    await remote.dispose(); // twice is fine
  });

  it('takes class indices for y as a Network does (flat, or one column) in fit, validationData and evaluate, to the same weights bit for bit, and refuses bad ones with its messages', async () => {
    const lib = await load();
    const softmax = {
      inputs: 2,
      layers: [
        { units: 6, activation: 'tanh' as const },
        { units: 3, activation: 'softmax' as const },
      ],
      loss: 'categoricalCrossentropy' as const,
      seed: 13,
    };
    const classes = seed.X.map((_, i) => i % 3);
    // (MatrixInput, the declared type of y, does not admit the flat form docs/training.md describes: a cast.)
    const validation = [seed.X.slice(0, 50), classes.slice(0, 50)] as unknown as [source.MatrixInput, source.MatrixInput];
    const options = {
      epochs: 5,
      learningRate: 0.05,
      batchSize: 32,
      shuffle: true,
      optimizer: 'adam' as const,
      validationData: validation,
    };
    const labels: [string, source.MatrixInput | number[]][] = [
      ['a flat number[]', classes],
      ['one column', classes.map((c) => [c])],
      ['one typed column', { data: new Float32Array(classes), shape: [classes.length, 1] }],
    ];
    for (const [name, y] of labels) {
      const local = await lib.createNetwork(softmax);
      const remote = await lib.createWorkerNetwork(softmax);
      const expected = await local.fit(seed.X, y as source.MatrixInput, options);
      expect((await remote.fit(seed.X, y as source.MatrixInput, options)).history, name).toEqual(expected.history);
      expect(await remote.toJSON({ includeOptimizer: true }), name).toStrictEqual(local.toJSON({ includeOptimizer: true }));
      expect(await remote.evaluate(seed.X, y as source.MatrixInput), name).toEqual(
        local.evaluate(seed.X, y as source.MatrixInput),
      );
      await remote.dispose();
      local.dispose();
    }

    const local = await lib.createNetwork(softmax);
    const remote = await lib.createWorkerNetwork(softmax);
    const x = seed.X.slice(0, 4);
    const bad = [
      [0, 1, 2, 3],
      [0, 1, 2, -1],
      [0, 1.5, 2, 1],
      [0, '1', 2, 1],
      [0, NaN, 2, 1],
      [0, 1, 2],
      [0, [1], 2, 1],
      [],
      [0, , 2, 1],
    ];
    const calls: ((net: typeof local | typeof remote, y: never) => unknown)[] = [
      (net, y) => net.fit(x, y, { epochs: 1, learningRate: 1 }),
      (net, y) => net.fit(x, [0, 1, 2, 1] as never, { epochs: 1, learningRate: 1, validationData: [x, y] }),
      (net, y) => net.evaluate(x, y),
    ];
    for (const y of bad) {
      for (const call of calls) {
        const expected = await messageOf(() => call(local, y as never));
        expect(await messageOf(() => call(remote, y as never)), expected).toBe(expected);
      }
    }
    // A network with another loss refuses a flat y, as a Network does.
    const sigmoid = await lib.createWorkerNetwork(config('wasm'));
    const sigmoidLocal = await lib.createNetwork(config('wasm'));
    expect(await messageOf(sigmoid.fit(seed.X, seed.y as never, { epochs: 1, learningRate: 1 }))).toBe(
      await messageOf(sigmoidLocal.fit(seed.X, seed.y as never, { epochs: 1, learningRate: 1 })),
    );
    await Promise.all([remote.dispose(), sigmoid.dispose()]);
    local.dispose();
    sigmoidLocal.dispose();
  });

  it('refuses bad fit options, a function among them, with the messages a Network gives, before the data, as a Network does', async () => {
    const lib = await load();
    const seeded = { ...config('wasm', 'float32'), seed: 17 };
    const local = await lib.createNetwork(seeded);
    const remote = await lib.createWorkerNetwork(seeded);
    const fn = () => 1;
    const y = seedLabels();
    const base = { epochs: 1, learningRate: 1 };
    const cases: [string, (net: typeof local | typeof remote) => unknown][] = [
      ['no options', (net) => net.fit(seed.X, y, undefined as never)],
      ['null options', (net) => net.fit(seed.X, y, null as never)],
      ['a string for options', (net) => net.fit(seed.X, y, 'abc' as never)],
      ['an array for options', (net) => net.fit(seed.X, y, [] as never)],
      ['a function for options', (net) => net.fit(seed.X, y, fn as never)],
      ['a function for shuffle', (net) => net.fit(seed.X, y, { ...base, shuffle: fn as never })],
      ['a function in the optimizer', (net) => net.fit(seed.X, y, { ...base, optimizer: { type: 'adam', beta1: fn as never } })],
      ['a function for the optimizer', (net) => net.fit(seed.X, y, { ...base, optimizer: fn as never })],
      ['a symbol for epochs', (net) => net.fit(seed.X, y, { ...base, epochs: Symbol('epochs') as never })],
      ['a function for validationData', (net) => net.fit(seed.X, y, { ...base, validationData: fn as never })],
      ['bad options and a ragged x', (net) => net.fit([[1, 2], [3]], [[0], [1]], { ...base, epochs: 0 })],
      ['a ragged x and a bad learningRate', (net) => net.fit([[1, 2], [3]], [[0], [1]], { ...base, learningRate: -1 })],
      ['x too large for float32, y NaN', (net) => net.fit([[1e39, 0]], [[NaN]], base)],
      [
        'a learningRate that rounds to 0 in float32, and a ragged x',
        (net) => net.fit([[1, 2], [3]], [[0], [1]], { ...base, learningRate: 1e-50 }),
      ],
      [
        'an Adam epsilon that is subnormal in float32',
        (net) => net.fit(seed.X, y, { ...base, optimizer: { type: 'adam', epsilon: 1e-40 } }),
      ],
      ['a value too large for float32 before a NaN', (net) => net.predict([[1e39, NaN]])],
    ];
    for (const [name, call] of cases) {
      const expected = await messageOf(() => call(local));
      expect(await messageOf(() => call(remote)), name).toBe(expected);
    }
    // Nothing changed: both go on to train alike.
    await expectTrainAlike(remote, local, { epochs: 3, learningRate: 0.5, batchSize: 64, shuffle: true });
  });

  it('refuses a function (or a symbol) where data belongs, which cannot be posted, naming the method, and changes nothing', async () => {
    const lib = await load();
    const fn = () => 1;
    const seeded = { ...config('wasm'), seed: 23 };
    const local = await lib.createNetwork(seeded);
    const remote = await lib.createWorkerNetwork(seeded);
    const edited = (edit: (weights: source.LayerWeights[]) => void) => {
      const weights = local.getWeights();
      edit(weights);
      return weights;
    };
    const y = seedLabels();
    const base = { epochs: 1, learningRate: 1 };
    const cases: [string, string, () => Promise<unknown>][] = [
      [
        'setWeights',
        'weights',
        () =>
          remote.setWeights(
            edited((w) => {
              w[0].W[1][2] = fn as never;
            }),
          ),
      ],
      [
        'setWeights',
        'weights',
        () =>
          remote.setWeights(
            edited((w) => {
              w[1] = fn as never;
            }),
          ),
      ],
      ['setWeights', 'weights', () => remote.setWeights(fn as never)],
      ['predict', 'x', () => remote.predict(fn as never)],
      ['predict', 'x', () => remote.predict({ data: new Float64Array(4), shape: [2, fn] } as never)],
      ['evaluate', 'y', () => remote.evaluate(seed.X, [[Symbol('label')]] as never)],
      ['fit', 'options', () => remote.fit(seed.X, y, { ...base, validationData: [seed.X, fn as never] })],
      ['fit', 'options', () => remote.fit(seed.X, y, { ...base, validationData: [[[fn as never, 1]], [[0]]] })],
      ['toJSON', 'options', () => remote.toJSON({ includeOptimizer: fn as never })],
      ['createWorkerNetwork', 'config', () => lib.createWorkerNetwork({ ...seeded, inputs: fn } as never)],
      [
        'createWorkerNetwork',
        'config',
        () => lib.createWorkerNetwork({ ...seeded, layers: Object.assign([...LAYERS], { note: fn }) }),
      ],
      ['loadWorkerNetwork', 'json', () => lib.loadWorkerNetwork({ ...local.toJSON(), weights: [fn] } as never)],
    ];
    for (const [method, argument, call] of cases) {
      expect(await messageOf(call), method).toMatch(
        new RegExp(
          `^${method}: ${argument} holds a function or symbol, which cannot be sent to the worker \\(.*could not be cloned.*\\)$`,
        ),
      );
    }
    // Nothing reached the worker's network: it trains on as its twin does.
    await expectTrainAlike(remote, local, { epochs: 3, learningRate: 1 });
  });

  it('answers predict() during fit() between epochs, and stops when stopTraining is set', async () => {
    const lib = await load();
    const remote = await lib.createWorkerNetwork({ ...config('js'), seed: 3 });
    let predictions: unknown;
    let epochsAtStop = -1;
    const history = await remote.fit(seed.X, seedLabels(), {
      epochs: 1_000_000, // far more than it will run
      learningRate: 20,
      onEpochEnd: async (epoch) => {
        if (epoch === 100) predictions = await remote.predict(seed.X.slice(0, 3));
        if (predictions && epochsAtStop < 0) {
          epochsAtStop = epoch;
          remote.stopTraining = true;
        }
      },
    });
    expect(predictions).toBeInstanceOf(Float64Array);
    expect((predictions as Float64Array).length).toBe(3);
    expect(history.epoch.length).toBeGreaterThan(epochsAtStop);
    expect(history.epoch.length).toBeLessThan(1_000_000);
    expect(remote.isTraining).toBe(false);
    await remote.dispose();
  });

  it('runs earlyStopping in the worker and copies its outcome back; refuses hooks it cannot follow', async () => {
    const lib = await load();
    const remote = await lib.createWorkerNetwork({ ...config('wasm'), seed: 3 });
    const stopper = lib.earlyStopping({ monitor: 'acc', baseline: 2, patience: 3 }); // accuracy never beats 2
    const history = await remote.fit(seed.X, seedLabels(), { epochs: 50, learningRate: 20, callbacks: [stopper] });
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(stopper.stoppedEpoch).toBe(2);
    const fitWithBatchHook = remote.fit(seed.X, seedLabels(), {
      epochs: 1,
      learningRate: 1,
      // Refused by the type too: a worker network's callbacks have no onBatchEnd.
      // @ts-expect-error onBatchEnd
      callbacks: [{ onBatchEnd: () => {} }],
    });
    expect(await messageOf(fitWithBatchHook)).toMatch(/^fit: callbacks\[0\]\.onBatchEnd cannot follow training in a worker/);
    await remote.dispose();
  });

  it("copies inputs rather than detaching the caller's typed arrays", async () => {
    const lib = await load();
    const remote = await lib.createWorkerNetwork(config('wasm', 'float32'));
    const x = { data: new Float32Array(seed.X.flat()), shape: [200, 2] as [number, number] };
    const y = { data: new Float32Array(seed.y), shape: [200, 1] as [number, number] };
    await remote.fit(x, y, { epochs: 5, learningRate: 1 });
    const out = await remote.predict(x);
    expect(out).toBeInstanceOf(Float32Array);
    expect(x.data.length).toBe(400);
    expect(y.data.length).toBe(200);
    await remote.dispose();
  });

  it('rejects a running fit() with the disposed message when the network is disposed under it', async () => {
    const lib = await load();
    const remote = await lib.createWorkerNetwork(config('js'));
    const fit = remote.fit(seed.X, seedLabels(), { epochs: 1_000_000, learningRate: 1, onEpochEnd: () => {} });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await remote.dispose();
    expect(await messageOf(fit)).toMatch(/this network has been disposed/);
  });
  it('saves with toJSON() exactly what a Network saves after the same training from the same seed', async () => {
    const lib = await load();
    const seeded = { ...config('wasm', 'float32'), seed: 11 };
    const local = await lib.createNetwork(seeded);
    const remote = await lib.createWorkerNetwork(seeded);
    const options = { epochs: 30, learningRate: 0.05, batchSize: 32, shuffle: true, optimizer: 'adam' as const };
    await local.fit(seed.X, seedLabels(), options);
    await remote.fit(seed.X, seedLabels(), options);
    expect(await remote.toJSON()).toStrictEqual(local.toJSON());
    const withOptimizer = await remote.toJSON({ includeOptimizer: true });
    expect(withOptimizer.optimizer?.config.type).toBe('adam');
    expect(withOptimizer).toStrictEqual(local.toJSON({ includeOptimizer: true }));
    for (const bad of [{ includeOptimizer: 1 }, { optimizer: true }, null]) {
      expect(await messageOf(remote.toJSON(bad as never))).toBe(await messageOf(() => local.toJSON(bad as never)));
    }
    // JSON.stringify cannot wait for a promise: it would write "{}" without this.
    expect(() => JSON.stringify(remote)).toThrow(/^toJSON: a worker network's toJSON\(\) returns a promise/);
    await remote.dispose();
    local.dispose();
    expect(await messageOf(remote.toJSON())).toBe('toJSON: this network has been disposed');
  });

  it("loadWorkerNetwork() rebuilds a saved network that predicts, bit for bit, and resumes training as loadNetwork()'s", async () => {
    const lib = await load();
    const trained = await lib.createNetwork({ ...config('wasm', 'float32'), seed: 5 });
    const fitOptions = { epochs: 20, learningRate: 0.05, batchSize: 50, optimizer: 'adam' as const };
    await trained.fit(seed.X, seedLabels(), fitOptions);
    const json = trained.toJSON({ includeOptimizer: true });
    trained.dispose();
    const inputs = [...seed.X, [1e30, -1e30], [0, 0]];
    const variants: [string, source.NetworkJSON | string, source.LoadNetworkOptions | undefined][] = [
      ['the object', json, undefined],
      ['its text', JSON.stringify(json), undefined],
      ['the object, on the js backend', json, { backend: 'js' }],
      ['its text, float64 weights as saved', JSON.stringify({ ...json, dtype: 'float64' }), { threads: 1 }],
    ];
    for (const [name, saved, options] of variants) {
      const local = await lib.loadNetwork(saved, options);
      const remote = await lib.loadWorkerNetwork(saved, options);
      expect(
        [remote.inputs, remote.outputs, remote.layers, remote.loss, remote.dtype, remote.backend, remote.threads],
        name,
      ).toEqual([local.inputs, local.outputs, local.layers, local.loss, local.dtype, local.backend, local.threads]);
      expect(bytesOf(await remote.predict(inputs)), name).toEqual(bytesOf(local.predict(inputs)));
      expect(await remote.toJSON({ includeOptimizer: true }), name).toStrictEqual(local.toJSON({ includeOptimizer: true }));
      await local.fit(seed.X, seedLabels(), fitOptions);
      await remote.fit(seed.X, seedLabels(), fitOptions);
      expect(await remote.toJSON({ includeOptimizer: true }), name).toStrictEqual(local.toJSON({ includeOptimizer: true }));
      await remote.dispose();
      local.dispose();
    }
  });

  it("loadWorkerNetwork() rejects malformed JSON with loadNetwork()'s messages", async () => {
    const lib = await load();
    const net = await lib.createNetwork(config('wasm', 'float32'));
    const json = net.toJSON();
    net.dispose();
    const cases: [unknown, unknown?][] = [
      ['{"format": "wasmlp-network"'],
      ['[1, 2]'],
      [null],
      [{ ...json, format: 'keras' }],
      [{ ...json, version: 2 }],
      [{ ...json, extra: true }],
      [{ ...json, loss: 'hinge' }],
      [{ ...json, layers: [{ units: 0, activation: 'sigmoid' }] }],
      [{ ...json, weights: json.weights.slice(1) }],
      [{ ...json, weights: [{ ...json.weights[0], b: [NaN] }, ...json.weights.slice(1)] }],
      [{ ...json, optimizer: { config: { type: 'adam' }, iterations: -1, slots: [] } }],
      [json, { backend: 'gpu' }],
      [json, { thread: 2 }],
      [json, { threads: 0 }],
      [json, { backend: 'js', threads: 65 }],
    ];
    for (const [saved, options] of cases) {
      const expected = await messageOf(lib.loadNetwork(saved as never, options as never));
      expect(await messageOf(lib.loadWorkerNetwork(saved as never, options as never)), expected).toBe(expected);
    }
  });

  it.each(['sgd', 'adam'] as const)(
    'runs threads: 2 (%s) on two threads in its worker, to exactly the history, weights and predictions of one thread',
    async (optimizer) => {
      const lib = await load();
      const { x, y } = wideData;
      const local = await lib.createNetwork({ ...WIDE, threads: 1 });
      const remote = await lib.createWorkerNetwork({ ...WIDE, threads: 2 });
      expect([local.threads, remote.threads]).toEqual([1, 2]);
      const options = { epochs: 2, batchSize: 128, learningRate: optimizer === 'adam' ? 0.002 : 0.05, shuffle: true, optimizer };
      const expected = await local.fit(x, y, options);
      const history = await remote.fit(x, y, options);
      expect(expected.history.loss[1]).toBeLessThan(expected.history.loss[0]);
      expect(history.history).toEqual(expected.history);
      expect(await remote.getWeights()).toEqual(local.getWeights());
      expect(bytesOf(await remote.predict(x))).toEqual(bytesOf(local.predict(x)));
      await remote.dispose();
      local.dispose();
    },
  );

  it('loadWorkerNetwork(json, { threads: 2 }) runs on two threads, predicts and resumes training as loadNetwork() on one', async () => {
    const lib = await load();
    const { x, y } = wideData;
    const options = { epochs: 1, batchSize: 128, learningRate: 0.002, optimizer: 'adam' as const };
    const trained = await lib.createNetwork(WIDE);
    await trained.fit(x, y, options);
    const json = JSON.stringify(trained.toJSON({ includeOptimizer: true }));
    trained.dispose();
    const local = await lib.loadNetwork(json);
    const remote = await lib.loadWorkerNetwork(json, { threads: 2 });
    expect([local.threads, remote.threads]).toEqual([1, 2]);
    expect(bytesOf(await remote.predict(x))).toEqual(bytesOf(local.predict(x)));
    expect((await remote.fit(x, y, options)).history).toEqual((await local.fit(x, y, options)).history);
    expect(await remote.toJSON({ includeOptimizer: true })).toStrictEqual(local.toJSON({ includeOptimizer: true }));
    await remote.dispose();
    local.dispose();
  });

  it('falls back to one thread, as createNetwork does, where shared memory cannot reach workers', async () => {
    const lib = await load();
    const { x, y } = wideData;
    const options = { epochs: 1, batchSize: 128, learningRate: 0.05 };
    // What sharedMemoryPossible() looks for: without it, no threads for the worker (the chunk not even loaded).
    vi.stubGlobal('SharedArrayBuffer', undefined);
    let local: Awaited<ReturnType<typeof lib.createNetwork>>, remote: Awaited<ReturnType<typeof lib.createWorkerNetwork>>;
    try {
      local = await lib.createNetwork({ ...WIDE, threads: 2 });
      remote = await lib.createWorkerNetwork({ ...WIDE, threads: 2 });
    } finally {
      vi.unstubAllGlobals();
    }
    expect([local.threads, remote.threads]).toEqual([1, 1]);
    expect((await remote.fit(x, y, options)).history).toEqual((await local.fit(x, y, options)).history);
    expect(await remote.getWeights()).toEqual(local.getWeights());
    await remote.dispose();
    local.dispose();
  });

  it('refuses what createNetwork refuses with its messages, and runs threads: 1 on one thread', async () => {
    const lib = await load();
    const remote = await lib.createWorkerNetwork({ ...config('wasm'), threads: 1 });
    expect(remote.threads).toBe(1);
    await remote.dispose();
    for (const threads of [0, 1.5, 65, '2']) {
      const bad = { ...config('wasm'), threads } as never;
      expect(await messageOf(lib.createWorkerNetwork(bad))).toBe(await messageOf(lib.createNetwork(bad)));
    }
    const js = { ...config('js'), threads: 2 };
    expect(await messageOf(lib.createWorkerNetwork(js))).toBe(await messageOf(lib.createNetwork(js)));
  });

  it('runs onTrainBegin before the first epoch and onTrainEnd after the last, awaited, as a Network does', async () => {
    const lib = await load();
    const seeded = { ...config('wasm'), seed: 21 };
    const local = await lib.createNetwork(seeded);
    const remote = await lib.createWorkerNetwork(seeded);
    const initial = local.getWeights();
    const run = async (net: typeof local | typeof remote) => {
      const log: string[] = [];
      let weightsAtBegin: unknown;
      const history = await net.fit(seed.X, seedLabels(), {
        epochs: 300,
        learningRate: 20,
        callbacks: [
          {
            onTrainBegin: async () => {
              log.push('begin');
              await sleep(30); // long enough for the worker to run all 300 epochs, were it not waiting
              weightsAtBegin = await net.getWeights();
              log.push('begun');
            },
            onTrainEnd: async () => {
              await sleep(5);
              log.push('end');
            },
          },
          {
            onEpochEnd: (epoch) => {
              log.push(`epoch ${epoch}`);
            },
            onTrainEnd: () => {
              log.push('end 2');
            },
          },
        ],
      });
      return { log, history, weightsAtBegin, weights: await net.getWeights() };
    };
    const expected = await run(local);
    const actual = await run(remote);
    expect(actual.log).toEqual(expected.log);
    expect(actual.log.slice(0, 3)).toEqual(['begin', 'begun', 'epoch 0']);
    expect(actual.log.slice(-3)).toEqual(['epoch 299', 'end', 'end 2']);
    expect(actual.weightsAtBegin).toEqual(initial);
    expect(actual.history.history).toEqual(expected.history.history);
    expect(actual.weights).toEqual(expected.weights);
    await remote.dispose();
    local.dispose();
  });

  it('rejects fit() as a Network does when its onTrainBegin hook disposes the network', async () => {
    const lib = await load();
    const remote = await lib.createWorkerNetwork(config('wasm'));
    const fit = remote.fit(seed.X, seedLabels(), {
      epochs: 5,
      learningRate: 1,
      callbacks: {
        onTrainBegin: async () => {
          await remote.dispose();
        },
      },
    });
    expect(await messageOf(fit)).toBe('fit: this network was disposed while fit() awaited a callback');
    expect(remote.isDisposed).toBe(true);
  });

  it.each(['onTrainBegin', 'onEpochEnd', 'onTrainEnd'] as const)(
    'rejects fit() with the very error a throwing %s threw, as a Network does',
    async (hook) => {
      const lib = await load();
      const seeded = { ...config('wasm'), seed: 9 };
      const local = await lib.createNetwork(seeded);
      const remote = await lib.createWorkerNetwork(seeded);
      const run = async (net: typeof local | typeof remote) => {
        const error = new Error(`${hook} failed`);
        const log: string[] = [];
        let thrown: unknown;
        try {
          await net.fit(seed.X, seedLabels(), {
            epochs: 20,
            learningRate: 20,
            callbacks: {
              onTrainBegin: () => {
                log.push('begin');
                if (hook === 'onTrainBegin') throw error;
              },
              onEpochEnd: (epoch) => {
                log.push(`epoch ${epoch}`);
                if (hook === 'onEpochEnd' && epoch === 2) throw error;
              },
              onTrainEnd: () => {
                log.push('end');
                if (hook === 'onTrainEnd') throw error;
              },
            },
          });
        } catch (caught) {
          thrown = caught;
        }
        expect(thrown).toBe(error);
        return { log, training: net.isTraining, weights: await net.getWeights() };
      };
      const expected = await run(local);
      const actual = await run(remote);
      expect(actual.log).toEqual(expected.log);
      expect(actual.training).toBe(false);
      // onTrainBegin: not one epoch trained; onTrainEnd: all of them. A throwing
      // onEpochEnd stops the worker after its current epoch, which may be later.
      if (hook !== 'onEpochEnd') expect(actual.weights).toEqual(expected.weights);
      // Still a working network.
      expect((await remote.fit(seed.X, seedLabels(), { epochs: 2, learningRate: 1, onEpochEnd: () => {} })).epoch).toEqual([
        0, 1,
      ]);
      await remote.dispose();
      local.dispose();
    },
  );
});

/**
 * A process that starts worker networks on two threads, then disposes of one
 * and forgets the other, must end by itself: dispose() stops the worker and
 * the threads it started, and an idle worker keeps nothing alive.
 */
describe.each([
  ['dist/wasmlp.js', [], DIST],
  ['src', ['--import', 'tsx'], new URL('../../src/index.ts', import.meta.url).href],
])('a Node process with worker networks on two threads, from %s', (_, flags, library) => {
  // Options a worker cannot be given explicitly (V8's, the process's) but inherits quietly.
  it.each([[[]], [['--max-old-space-size=4096', '--expose-gc', '--title=wasmlp-test']]])(
    'exits by itself once they are done (node options %j)',
    async (nodeOptions) => {
      const script = `
      const { createNetwork, createWorkerNetwork } = await import(${JSON.stringify(library)});
      const config = ${JSON.stringify(WIDE)};
      const x = Array.from({ length: 128 }, (_, r) => Array.from({ length: 784 }, (_, c) => ((r * 31 + c * 17) % 101) / 101));
      const y = x.map((_, r) => Array.from({ length: 10 }, (_, c) => +(c === r % 10)));
      const threads = [];
      for (const dispose of [true, false]) {
        const net = await createWorkerNetwork({ ...config, threads: 2 });
        await net.fit(x, y, { epochs: 2, batchSize: 64, learningRate: 0.05 });
        threads.push(net.threads);
        if (dispose) await net.dispose();
      }
      const local = await createNetwork({ ...config, threads: 2 });
      threads.push(local.threads);
      local.dispose();
      console.log(JSON.stringify(threads));
    `;
      // As a one-liner would run it: workers inherit --input-type=module, and must still read their scripts as CommonJS.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [...flags, ...nodeOptions, '--input-type=module', '-e', script],
        { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 30_000, killSignal: 'SIGKILL' },
      );
      expect(JSON.parse(stdout)).toEqual([2, 2, 2]);
    },
  );

  it('runs its workers whatever options node was started with, when the script is a file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wasmlp-argv-'));
    const file = path.join(dir, 'main.mjs');
    await writeFile(
      file,
      `
      const { createNetwork, createWorkerNetwork, threadsAvailable } = await import(${JSON.stringify(library)});
      const config = ${JSON.stringify(WIDE)};
      const remote = await createWorkerNetwork({ ...config, threads: 2 });
      const local = await createNetwork({ ...config, threads: 2 });
      console.log(JSON.stringify([await threadsAvailable(), remote.threads, local.threads]));
      await remote.dispose();
      local.dispose();
    `,
    );
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [...flags, '--max-old-space-size=4096', '--expose-gc', '--title=wasmlp-test', file],
        { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 30_000, killSignal: 'SIGKILL' },
      );
      expect(JSON.parse(stdout)).toEqual([true, 2, 2]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
