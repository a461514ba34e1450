/**
 * Faults injected where they can happen: out of memory at each allocation,
 * hooks that throw or never settle. Each case asserts that this network and
 * every other network in the same memory keep their weights bit for bit,
 * and that no kernel is ever handed a buffer that is not a live block.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, seedLabels } from '../data/seed.js';
import { allocationCount, failAllocation } from '../src/backend/arena.js';
import type { DType } from '../src/backend/backend.js';
import { engineOf } from '../src/engine.js';
import { createNetwork, loadNetwork, type Network } from '../src/index.js';
import { installKernelGuard, type KernelGuard } from './backend/kernel-guard.js';

let guard: KernelGuard;
beforeAll(() => {
  guard = installKernelGuard();
});
afterAll(() => {
  guard.uninstall();
  failAllocation(0);
  expect(guard.failure).toBeUndefined();
  expect(guard.calls).toBeGreaterThan(1000);
});

const X = seed.X;
const Y = seedLabels();
/** More rows than any batch planned below, so a predict over them must allocate. */
const BIG = Array.from({ length: 300 }, (_, i) => [Math.sin(i), Math.cos(i)]);

type Backend = 'wasm' | 'js';

function config(backend: Backend, dtype: DType, seedValue: number) {
  return {
    inputs: 2,
    layers: [8, 4, 1].map((units) => ({ units, activation: 'sigmoid' as const })),
    loss: 'binaryCrossentropy' as const,
    backend,
    dtype,
    seed: seedValue,
  };
}

/** Every parameter as stored, W then b, layer by layer: compared bit for bit. */
function parameters(network: Network): number[] {
  const net = engineOf(network);
  return net.layers.flatMap((layer) => [
    ...net.backend.view(layer.weights, layer.inputs * layer.units),
    ...net.backend.view(layer.bias, layer.units),
  ]);
}

/** A network in the same memory that must not notice anything: its parameters and predictions. */
async function bystander(backend: Backend, dtype: DType) {
  const net = await createNetwork(config(backend, dtype, 99));
  await net.fit(X, Y, { epochs: 3, learningRate: 1, batchSize: 64 });
  const weights = parameters(net);
  const predictions = Array.from(net.predict(X));
  return {
    net,
    check() {
      expect(parameters(net)).toEqual(weights);
      expect(Array.from(net.predict(X))).toEqual(predictions);
    },
  };
}

const FIT = { epochs: 4, learningRate: 1, batchSize: 50, optimizer: 'adam' as const, shuffle: true };

describe.each([
  ['wasm', 'float32'],
  ['wasm', 'float64'],
  ['js', 'float32'],
  ['js', 'float64'],
] as const)('%s %s', (backend, dtype) => {
  it('a predict or evaluate that runs out of memory inside a running fit leaves the fit and the other networks as they were', async () => {
    const other = await bystander(backend, dtype);
    const reference = await createNetwork(config(backend, dtype, 1));
    await reference.fit(X, Y, FIT);
    const expected = parameters(reference);
    const expectedPredictions = Array.from(reference.predict(BIG));
    reference.dispose();

    // predict(BIG) allocates its inputs, then two batch buffers per layer
    // (evaluate its labels too): fail each of those allocations in turn,
    // from inside both hooks.
    const labels = BIG.map(([a]) => [a > 0 ? 1 : 0]);
    const inference = { predict: (net: Network) => net.predict(BIG), evaluate: (net: Network) => net.evaluate(BIG, labels) };
    for (const [name, allocations] of [
      ['predict', 7],
      ['evaluate', 8],
    ] as const)
      for (let k = 1; k <= allocations; k++) {
        for (const hook of ['onBatchEnd', 'onEpochEnd'] as const) {
          const net = await createNetwork(config(backend, dtype, 1));
          let failures = 0;
          await net.fit(X, Y, {
            ...FIT,
            callbacks: {
              [hook]: (index: number) => {
                if (index !== 1) return;
                failAllocation(k);
                expect(() => inference[name](net)).toThrow(/memory/);
                failAllocation(0);
                failures++;
              },
            },
          });
          expect(failures).toBe(hook === 'onEpochEnd' ? 1 : 4);
          expect(parameters(net), `${name}: allocation ${k}, ${hook}`).toEqual(expected);
          expect(Array.from(net.predict(BIG))).toEqual(expectedPredictions);
          expect(engineOf(net).batchCapacity).toBe(300);
          net.dispose();
          other.check();
        }
      }
    other.net.dispose();
  });
});

it('the fault hook counts allocations and fails exactly the k-th', async () => {
  const before = allocationCount();
  const net = await createNetwork(config('js', 'float32', 1));
  expect(allocationCount() - before).toBe(12); // W, b and their gradients for 3 layers
  failAllocation(2);
  expect(() => net.predict(X)).toThrow(/allocation \d+ was made to fail/);
  expect(net.predict(X)).toHaveLength(200);
  net.dispose();
});

const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;
/** Calls with the index (epoch or batch) 1 fault; the train hooks fault on their one call. */
const faultsHere = (hook: string, index: unknown) => hook === 'onTrainBegin' || hook === 'onTrainEnd' || index === 1;
const SGD = { epochs: 3, learningRate: 1, batchSize: 50 };

/** A fresh network (same seed) given `weights`, trained 2 epochs of plain SGD (which has no state): the parameters after. */
async function freshContinuation(backend: Backend, dtype: DType, weights: ReturnType<Network['getWeights']>) {
  const fresh = await createNetwork(config(backend, dtype, 1));
  fresh.setWeights(weights);
  await fresh.fit(X, Y, SGD);
  const after = parameters(fresh);
  fresh.dispose();
  return after;
}

describe.each([
  ['wasm', 'float32'],
  ['js', 'float64'],
] as const)('hooks on %s %s', (backend, dtype) => {
  it.each(HOOKS)(
    'a %s hook that throws rejects fit with its error; the weights are those it saw, and training goes on',
    async (hook) => {
      const other = await bystander(backend, dtype);
      const net = await createNetwork(config(backend, dtype, 1));
      let seen: number[] | undefined;
      const fault = new Error(`${hook} failed`);
      const fitting = net.fit(X, Y, {
        ...SGD,
        callbacks: {
          [hook]: (index: unknown) => {
            if (faultsHere(hook, index)) {
              seen = parameters(net);
              throw fault;
            }
          },
        },
      });
      await expect(fitting).rejects.toBe(fault);
      expect(net.isTraining).toBe(false);
      expect(parameters(net)).toEqual(seen);
      other.check();
      const weights = net.getWeights();
      await net.fit(X, Y, SGD);
      expect(parameters(net)).toEqual(await freshContinuation(backend, dtype, weights));
      net.dispose();
      other.check();
      other.net.dispose();
    },
  );

  it.each(HOOKS)(
    'a %s hook that never settles: dispose() rejects the pending fit at once and frees all its memory',
    async (hook) => {
      const other = await bystander(backend, dtype);
      const arena = (engineOf(other.net).backend as unknown as { heap: { arena: { bytesInUse: number } } }).heap.arena;
      const inUse = arena.bytesInUse;
      const net = await createNetwork(config(backend, dtype, 1));
      let pending: (() => void) | undefined;
      const called = new Promise<void>((resolve) => {
        pending = resolve;
      });
      const fitting = net.fit(X, Y, {
        ...SGD,
        callbacks: {
          [hook]: (index: unknown) => (faultsHere(hook, index) ? (pending!(), new Promise<void>(() => {})) : undefined),
        },
      });
      await called;
      expect(net.isTraining).toBe(true);
      net.dispose();
      await expect(fitting).rejects.toThrow('fit: this network was disposed while fit() awaited a callback');
      expect(net.isTraining).toBe(false);
      expect(engineOf(net).backend.blockCount).toBe(0);
      expect(arena.bytesInUse).toBe(inUse);
      expect(() => net.predict(X)).toThrow(/disposed/);
      other.check();
      other.net.dispose();
    },
  );
});

it('stopTraining set while a hook is pending takes effect when the hook settles', async () => {
  const net = await createNetwork(config('wasm', 'float32', 1));
  let release: (() => void) | undefined;
  let batches = 0;
  const fitting = net.fit(X, Y, {
    ...SGD,
    callbacks: {
      onBatchEnd: () => {
        batches++;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    },
  });
  while (!release) await new Promise((resolve) => setImmediate(resolve));
  net.stopTraining = true; // the hook is still pending
  release();
  const history = await fitting;
  expect(batches).toBe(1);
  expect(history.epoch).toEqual([0]); // the epoch ends with the one batch it had
  net.dispose();
});

/**
 * Out of memory at every allocation an operation makes: count them in a
 * normal run, then fail the k-th for every k. Each failure is an Error
 * saying memory ran out; this network keeps its weights and optimiser state
 * and every block it had (no more), the other network keeps everything, and
 * this network then trains exactly as a fresh one with the same seed.
 */
describe.each([
  ['wasm', 'float32'],
  ['wasm', 'float64'],
  ['js', 'float32'],
  ['js', 'float64'],
] as const)('out of memory at each allocation on %s %s', (backend, dtype) => {
  const FITS = {
    'fit (shuffled, Adam, validationSplit)': {
      epochs: 2,
      learningRate: 0.1,
      batchSize: 32,
      shuffle: true,
      optimizer: 'adam' as const,
      validationSplit: 0.2,
    },
    'fit (momentum, validationData)': {
      epochs: 2,
      learningRate: 0.5,
      optimizer: { type: 'sgd' as const, momentum: 0.9 },
      validationData: [BIG, BIG.map(([a]) => [a > 0 ? 1 : 0])] as [number[][], number[][]],
    },
  };
  const AFTER = { epochs: 2, learningRate: 0.5, batchSize: 64, shuffle: true, optimizer: 'adam' as const };
  const operations: Record<string, (net: Network) => unknown> = {
    ...Object.fromEntries(Object.entries(FITS).map(([name, options]) => [name, (net: Network) => net.fit(X, Y, options)])),
    predict: (net) => net.predict(BIG),
    evaluate: (net) =>
      net.evaluate(
        BIG,
        BIG.map(([a]) => [a > 0 ? 1 : 0]),
      ),
    setWeights: (net) => net.setWeights(net.getWeights()),
    toJSON: (net) => net.toJSON({ includeOptimizer: true }),
  };

  /**
   * The state a failure must leave alone: parameters and optimiser state, bit
   * for bit, and the blocks the network holds besides its batch buffers (two
   * a layer once planned: a failed fit may leave them larger, for the next).
   */
  const state = (net: Network) => ({
    parameters: parameters(net),
    optimizer: engineOf(net).optimizer?.getWeights(),
    blocks: engineOf(net).backend.blockCount - (engineOf(net).batchCapacity > 0 ? 2 * net.layers.length : 0),
  });

  async function trainedAfter(net: Network) {
    await net.fit(X, Y, AFTER);
    return parameters(net);
  }

  it.each(Object.keys(operations))('%s', async (name) => {
    const operation = operations[name];
    const other = await bystander(backend, dtype);
    const fresh = await createNetwork(config(backend, dtype, 1));
    const expected = await trainedAfter(fresh);
    fresh.dispose();
    const counting = await createNetwork(config(backend, dtype, 1));
    const start = allocationCount();
    await operation(counting);
    const sites = allocationCount() - start;
    counting.dispose();
    if (name === 'setWeights' || name === 'toJSON') expect(sites).toBe(0);
    else expect(sites).toBeGreaterThanOrEqual(name === 'predict' ? 7 : 8);
    for (let k = 1; k <= sites; k++) {
      const net = await createNetwork(config(backend, dtype, 1));
      const before = state(net);
      failAllocation(k);
      await expect(async () => operation(net), `${name}: allocation ${k} of ${sites}`).rejects.toThrow(/memory/);
      failAllocation(0);
      expect(state(net), `${name}: allocation ${k} of ${sites}`).toEqual(before);
      other.check();
      expect(await trainedAfter(net)).toEqual(expected);
      net.dispose();
    }
    other.check();
    other.net.dispose();
  });

  it('createNetwork and loadNetwork: each allocation failing gives back the others', async () => {
    const other = await bystander(backend, dtype);
    const arena = (engineOf(other.net).backend as unknown as { heap: { arena: { bytesInUse: number } } }).heap.arena;
    const saved = await createNetwork(config(backend, dtype, 1));
    await saved.fit(X, Y, { epochs: 2, learningRate: 0.1, optimizer: 'adam' });
    const json = JSON.stringify(saved.toJSON({ includeOptimizer: true }));
    saved.dispose();
    const builds: [string, () => Promise<Network>, number][] = [
      ['createNetwork', () => createNetwork(config(backend, dtype, 1)), 12],
      ['loadNetwork', () => loadNetwork(json, { backend }), 12 + 12], // and Adam's m and v for 6 parameters
    ];
    for (const [name, build, sites] of builds) {
      const start = allocationCount();
      (await build()).dispose();
      expect(allocationCount() - start, name).toBe(sites);
      const inUse = arena.bytesInUse;
      for (let k = 1; k <= sites; k++) {
        failAllocation(k);
        await expect(build(), `${name}: allocation ${k}`).rejects.toThrow(/memory/);
        failAllocation(0);
        expect(arena.bytesInUse, `${name}: allocation ${k}`).toBe(inUse);
        other.check();
      }
    }
    other.net.dispose();
  });
});
