/**
 * createWorkerNetwork in Node (worker_threads), from the built package and
 * from source: the same numbers as a Network on this thread, the same error
 * messages, epoch logs posted back, calls answered between epochs, and a
 * clean stop.
 */
import { describe, expect, it } from 'vitest';
import * as source from '../src/index.js';
import { seed, seedLabels, seedWeights } from './seed.js';

type Library = typeof source;

const LAYERS = [
  { units: 8, activation: 'sigmoid' as const },
  { units: 4, activation: 'sigmoid' as const },
  { units: 1, activation: 'sigmoid' as const },
];
const config = (backend: 'wasm' | 'js', dtype: 'float32' | 'float64' = 'float64') =>
  ({ inputs: 2, layers: LAYERS, loss: 'binaryCrossentropy' as const, backend, dtype });

/** The built package (npm test builds it first); a URL so that tsc does not look for its types. */
const DIST = new URL('../dist/wasmlp.js', import.meta.url).href;

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
  it.each(['wasm', 'js'] as const)('trains the seed (float64, %s) to the same weights, bit for bit, as a Network on this thread', async (backend) => {
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
      onEpochEnd: (epoch, { loss }) => { logs.push([epoch, loss]); },
    });
    expect(history).toBeInstanceOf(lib.History);
    expect(history.history).toEqual(expected.history);
    expect(logs).toEqual(expected.history.loss.map((loss, epoch) => [epoch, loss]));
    expect(await remote.getWeights()).toEqual(local.getWeights());
    expect(await remote.predict(seed.X)).toEqual(local.predict(seed.X));
    expect(await remote.evaluate(seed.X, seedLabels())).toEqual(local.evaluate(seed.X, seedLabels()));
    await remote.dispose();
    local.dispose();
  });

  it('rethrows the worker\'s errors with the messages a Network gives', async () => {
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
    expect(await messageOf(remote.fit(seed.X, seedLabels(), { epochs: 1, learningRate: 1, callbacks: [{ onBatchEnd: () => {} }] })))
      .toMatch(/^fit: callbacks\[0\]\.onBatchEnd cannot follow training in a worker/);
    await remote.dispose();
  });

  it('copies inputs rather than detaching the caller\'s typed arrays', async () => {
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
});
