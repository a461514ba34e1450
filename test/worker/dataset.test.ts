/**
 * A worker network's fitDataset: batches pulled one at a time from this
 * thread (never the whole dataset), to a Network's weights and history bit
 * for bit, with its messages for bad options, batches and datasets, and its
 * hooks run on this thread.
 */
import { describe, expect, it } from 'vitest';
import {
  createNetwork,
  createWorkerNetwork,
  earlyStopping,
  fromArrays,
  type Network,
  type NetworkConfig,
  type WorkerNetwork,
} from '../../src/index.js';
import { Random } from '../../src/random.js';
import { randomLabels, randomMatrix } from '../helpers.js';

const CONFIG: NetworkConfig = {
  inputs: 3,
  layers: [
    { units: 6, activation: 'tanh' },
    { units: 2, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossentropy',
  seed: 11,
};

const random = new Random(5);
const x = randomMatrix(random, 90, 3, 2);
const y = randomLabels(random, 90, 2);
const validation = { x: randomMatrix(random, 30, 3, 2), y: randomLabels(random, 30, 2) };

function slices(size: number): { x: number[][]; y: number[][] }[] {
  const batches: { x: number[][]; y: number[][] }[] = [];
  for (let start = 0; start < x.length; start += size)
    batches.push({ x: x.slice(start, start + size), y: y.slice(start, start + size) });
  return batches;
}

async function messageOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error.message,
  );
}

describe.each([
  ['wasm', 'float32'],
  ['js', 'float64'],
] as const)('WorkerNetwork.fitDataset on %s %s', (backend, dtype) => {
  const both = async (): Promise<[WorkerNetwork, Network]> => [
    await createWorkerNetwork({ ...CONFIG, backend, dtype }),
    await createNetwork({ ...CONFIG, backend, dtype }),
  ];

  it("trains to a Network's fitDataset weights and history bit for bit, pulling one batch at a time", async () => {
    const [remote, local] = await both();
    const options = { epochs: 3, learningRate: 0.05, optimizer: 'adam' as const };
    let pulled = 0;
    let inFlight = 0;
    let mostInFlight = 0;
    // Each batch is made when asked for: the worker holds at most the batch it trains on.
    const dataset = async function* () {
      for (const batch of slices(16)) {
        pulled++;
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        yield {
          x: { data: new Float64Array(batch.x.flat()), shape: [batch.x.length, 3] as [number, number] },
          y: batch.y,
        };
        inFlight--;
      }
    };
    const epochs: number[] = [];
    const remoteHistory = await remote.fitDataset(dataset, {
      ...options,
      validationData: [{ x: validation.x, y: validation.y }],
      onEpochEnd: (epoch) => void epochs.push(epoch),
    });
    const localHistory = await local.fitDataset(slices(16), { ...options, validationData: [validation.x, validation.y] });
    expect(remoteHistory.history).toEqual(localHistory.history);
    expect(remoteHistory).toBeInstanceOf(localHistory.constructor);
    expect(await remote.getWeights()).toEqual(local.getWeights());
    expect(epochs).toEqual([0, 1, 2]);
    expect(pulled).toBe(3 * 6);
    expect(mostInFlight).toBe(1);
    // fromArrays, and validation as [x, y], as a Network's fit gives them.
    const seeded = () => fromArrays(x, y, { batchSize: 20, shuffle: true, seed: 3 });
    const withPair = { ...options, validationData: [validation.x, validation.y] as [number[][], number[][]] };
    expect((await remote.fitDataset(seeded(), withPair)).history).toEqual((await local.fitDataset(seeded(), withPair)).history);
    expect(await remote.getWeights()).toEqual(local.getWeights());
    await remote.dispose();
    local.dispose();
  });
});

describe('WorkerNetwork.fitDataset', () => {
  it("refuses bad options, datasets and batches with a Network's messages", async () => {
    const remote = await createWorkerNetwork(CONFIG);
    const local = await createNetwork(CONFIG);
    const base = { epochs: 2, learningRate: 0.1 };
    const good = slices(30);
    const cases: [string, (net: Network | WorkerNetwork) => Promise<unknown>][] = [
      ['batchSize', (net) => net.fitDataset(good, { ...base, batchSize: 3 } as never)],
      ['epochs', (net) => net.fitDataset(good, { ...base, epochs: -1 })],
      ['not a dataset', (net) => net.fitDataset(12 as never, base)],
      ['a bad batch', (net) => net.fitDataset([good[0], { x: [[1, 2]], y: [[0, 1]] }], base)],
      ['a batch that is not an object', (net) => net.fitDataset([good[0], good[1], 'b' as never], base)],
      ['sampleWeight', (net) => net.fitDataset([{ ...good[0], sampleWeight: [1] as never }], base)],
      ['NaN', (net) => net.fitDataset([{ x: [[1, NaN, 2]], y: [[0, 1]] }], base)],
      [
        'a throwing dataset',
        (net) =>
          net.fitDataset(async function* () {
            yield good[0];
            throw new Error('no more');
          }, base),
      ],
      ['an empty dataset', (net) => net.fitDataset([], base)],
      ['a bad validation batch', (net) => net.fitDataset(good, { ...base, validationData: [{ x: [[1]], y: [[1]] }] })],
    ];
    for (const [name, call] of cases) {
      const expected = await messageOf(call(local));
      expect(await messageOf(call(remote)), name).toBe(expected);
    }
    // Both trained the same batches before each failure: the same weights still.
    expect(await remote.getWeights()).toEqual(local.getWeights());
    // A batch that cannot be posted fails its pull, naming it.
    const fn = () => 0;
    expect(await messageOf(remote.fitDataset([{ x: [[1, 2, 3]], y: [[0, 1]], extra: fn } as never], base))).toMatch(
      /^fitDataset, epoch 1, batch 1: the dataset threw: batch: the batch holds a function or symbol, which cannot be sent to the worker/,
    );
    await remote.dispose();
    local.dispose();
  });

  it('runs hooks on this thread, stops early with earlyStopping in the worker, and closes the passes it leaves', async () => {
    const remote = await createWorkerNetwork(CONFIG);
    let closed = 0;
    const dataset = async function* () {
      try {
        yield* slices(10);
      } finally {
        closed++;
      }
    };
    const stopper = earlyStopping({ monitor: 'loss', patience: 0 });
    const history = await remote.fitDataset(dataset, { epochs: 300, learningRate: 20, callbacks: [stopper] });
    expect(stopper.stoppedEpoch).toBeGreaterThan(0);
    expect(history.epoch).toHaveLength(stopper.stoppedEpoch + 1);
    expect(closed).toBe(history.epoch.length);

    // A throwing hook rejects with its error; the dataset's open pass is closed.
    closed = 0;
    const error = await messageOf(
      remote.fitDataset(dataset, {
        epochs: 50,
        learningRate: 0.1,
        onEpochEnd: () => {
          throw new Error('hook failed');
        },
      }),
    );
    expect(error).toBe('hook failed');
    expect(remote.isTraining).toBe(false);
    await expect(
      remote.fitDataset(dataset, { epochs: 1, learningRate: 0.1, callbacks: { onBatchEnd() {} } as never }),
    ).rejects.toThrow('fitDataset: callbacks[0].onBatchEnd cannot follow training in a worker');
    await remote.dispose();
    await expect(remote.fitDataset(dataset, { epochs: 1, learningRate: 0.1 })).rejects.toThrow(
      'fitDataset: this network has been disposed',
    );
  });
});
