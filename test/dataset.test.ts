/**
 * Datasets: fitDataset trains as fit does on the same batches (bit for bit),
 * evaluateDataset and predictDataset give evaluate's and predict's numbers,
 * fromArrays shuffles reproducibly, memory follows the largest batch, and
 * bad datasets and batches fail clearly, leaving what is promised.
 */
import { describe, expect, it } from 'vitest';
import {
  type Batch,
  createNetwork,
  type DType,
  earlyStopping,
  fromArrays,
  type LayerWeights,
  type Logs,
  type Network,
  type NetworkConfig,
} from '../src/index.js';
import { Random } from '../src/random.js';
import { randomLabels, randomMatrix } from './helpers.js';

const CONFIG: NetworkConfig = {
  inputs: 3,
  layers: [
    { units: 6, activation: 'tanh' },
    { units: 2, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossentropy',
  seed: 11,
};

function data(rows: number, seed = 5): { x: number[][]; y: number[][] } {
  const random = new Random(seed);
  return { x: randomMatrix(random, rows, 3, 2), y: randomLabels(random, rows, 2) };
}

/** fit's batches with shuffle false: consecutive slices, the last one short. */
function slices(x: number[][], y: number[][], size: number): Batch[] {
  const batches: Batch[] = [];
  for (let start = 0; start < x.length; start += size) {
    batches.push({ x: x.slice(start, start + size), y: y.slice(start, start + size) });
  }
  return batches;
}

/** Every weight's bits, to compare exactly (toEqual would take -0 for 0). */
function bits(weights: LayerWeights[]): string {
  const floats = new Float64Array(weights.flatMap(({ W, b }) => [...W.flat(), ...b]));
  return Array.from(new BigUint64Array(floats.buffer), (v) => v.toString(16)).join(',');
}

const FIT = { epochs: 4, learningRate: 0.05, optimizer: 'adam' } as const;

describe.each([
  ['wasm', 'float32'],
  ['wasm', 'float64'],
  ['js', 'float32'],
  ['js', 'float64'],
] as const)('fitDataset on %s %s', (backend, dtype) => {
  const make = () => createNetwork({ ...CONFIG, backend, dtype });

  it("gives fit's weights, history and batch logs bit for bit on the same batches", async () => {
    const { x, y } = data(103);
    const validation = data(40, 9);
    const reference = await make();
    const fitBatches: Logs[] = [];
    const expected = await reference.fit(x, y, {
      ...FIT,
      batchSize: 16,
      validationData: [validation.x, validation.y],
      callbacks: { onBatchEnd: (_, logs) => void fitBatches.push({ ...logs }) },
    });
    const weights = bits(reference.getWeights());
    reference.dispose();

    const batches = slices(x, y, 16);
    expect(batches.at(-1)!.x).toHaveLength(7);
    const datasets = {
      array: batches,
      'async generator function': async function* () {
        yield* batches;
      },
      'object with Symbol.asyncIterator': {
        async *[Symbol.asyncIterator]() {
          yield* batches;
        },
      },
      fromArrays: fromArrays(x, y, { batchSize: 16 }),
    };
    for (const [kind, dataset] of Object.entries(datasets)) {
      for (const validationData of [
        [validation.x, validation.y] as [number[][], number[][]],
        [{ x: validation.x, y: validation.y }], // one batch: measured as fit measures [x, y]
      ]) {
        const net = await make();
        const seen: Logs[] = [];
        const history = await net.fitDataset(dataset, {
          ...FIT,
          validationData,
          callbacks: { onBatchEnd: (_, logs) => void seen.push({ ...logs }) },
        });
        expect(bits(net.getWeights()), kind).toBe(weights);
        expect(history.epoch).toEqual(expected.epoch);
        expect(history.history, kind).toEqual(expected.history);
        expect(seen).toEqual(fitBatches);
        net.dispose();
      }
    }
  });

  it("evaluateDataset gives evaluate's numbers; predictDataset gives predict's, a block per batch", async () => {
    const net = await make();
    const { x, y } = data(2500, 3);
    // evaluate measures 1024 rows at a time; batches of that size add up in the same order.
    expect(await net.evaluateDataset(slices(x, y, 1024))).toEqual(net.evaluate(x, y));
    const small = data(50, 4);
    expect(await net.evaluateDataset([{ x: small.x, y: small.y }])).toEqual(net.evaluate(small.x, small.y));
    // Size-weighted: two unequal batches give the mean over all rows (to rounding).
    const split = await net.evaluateDataset(slices(small.x, small.y, 40));
    expect(split.loss).toBeCloseTo(net.evaluate(small.x, small.y).loss, 12);

    const blocks: Float32Array[] | Float64Array[] = [];
    const inputs = [
      { x: x.slice(0, 7) },
      x.slice(7, 1500),
      { x: { data: new Float64Array(x.slice(1500).flat()), shape: [1000, 3] }, y: [] },
    ];
    for await (const block of net.predictDataset(inputs as never)) (blocks as unknown[]).push(block);
    expect(blocks.map((b) => b.length)).toEqual([14, 2986, 2000]);
    const whole = net.predict(x);
    const joined = dtype === 'float32' ? new Float32Array(whole.length) : new Float64Array(whole.length);
    let at = 0;
    for (const block of blocks) {
      expect(block).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
      joined.set(block, at);
      at += block.length;
    }
    expect(joined).toEqual(whole);
    net.dispose();
  });
});

describe('fitDataset', () => {
  it('logs are means over the epoch weighted by each batch size; batches may differ in size', async () => {
    const net = await createNetwork(CONFIG);
    const { x, y } = data(60);
    const batches = [slices(x, y, 60)[0]].flatMap(({ x: bx, y: by }) => [
      { x: (bx as number[][]).slice(0, 5), y: (by as number[][]).slice(0, 5) },
      { x: (bx as number[][]).slice(5, 45), y: (by as number[][]).slice(5, 45) },
      { x: (bx as number[][]).slice(45), y: (by as number[][]).slice(45) },
    ]);
    const logs: Logs[] = [];
    const history = await net.fitDataset(batches, {
      epochs: 1,
      learningRate: 0.1,
      callbacks: { onBatchEnd: (_, l) => void logs.push({ ...l }) },
    });
    expect(logs.map((l) => l.size)).toEqual([5, 40, 15]);
    const mean = (key: string) => logs.reduce((sum, l) => sum + l[key] * l.size, 0) / 60;
    expect(history.history.loss[0]).toBeCloseTo(mean('loss'), 14);
    expect(history.history.acc[0]).toBeCloseTo(mean('acc'), 14);
    net.dispose();
  });

  it('stopTraining ends the epoch after the batch, closes the iterator, and early stopping works', async () => {
    const net = await createNetwork(CONFIG);
    const { x, y } = data(64);
    let closed = 0;
    const dataset = async function* () {
      try {
        yield* slices(x, y, 8);
      } finally {
        closed++;
      }
    };
    const sizes: number[] = [];
    const history = await net.fitDataset(dataset, {
      epochs: 5,
      learningRate: 0.1,
      callbacks: {
        onBatchEnd: (batch, logs) => {
          sizes.push(logs!.size);
          if (batch === 2) net.stopTraining = true;
        },
      },
    });
    expect(history.epoch).toEqual([0]);
    expect(sizes).toEqual([8, 8, 8]);
    expect(closed).toBe(1);

    const stopper = earlyStopping({ monitor: 'val_loss', patience: 0 });
    const long = await net.fitDataset(dataset, {
      epochs: 200,
      learningRate: 5,
      validationData: fromArrays(x, y, { batchSize: 10 }),
      callbacks: [stopper],
    });
    expect(stopper.stoppedEpoch).toBeGreaterThan(0);
    expect(long.epoch.length).toBe(stopper.stoppedEpoch + 1);
    net.dispose();
  });
});

describe('fromArrays', () => {
  const rows = 37;
  const x = Array.from({ length: rows }, (_, i) => [i, -i]);
  const y = Array.from({ length: rows }, (_, i) => i % 3);
  const order = (pass: Iterable<Batch>) =>
    [...pass].flatMap((batch) => Array.from((batch.x as { data: Float64Array }).data.filter((_, k) => k % 2 === 0)));

  it('batches in order, the last short; labels as given, class indices as a flat array', () => {
    const dataset = fromArrays(x, y, { batchSize: 10 });
    expect(dataset.rows).toBe(rows);
    const batches = [...dataset];
    expect(batches.map((b) => (b.x as { shape: number[] }).shape)).toEqual([
      [10, 2],
      [10, 2],
      [10, 2],
      [7, 2],
    ]);
    expect(order(dataset)).toEqual(x.map(([v]) => v));
    expect(batches.flatMap((b) => b.y as number[])).toEqual(y);
    expect([...fromArrays(x, x, {})]).toHaveLength(1);
  });

  it('shuffled: a permutation per pass, a new one each pass, the same orders for the same seed', () => {
    const a = fromArrays(x, y, { batchSize: 8, shuffle: true, seed: 42 });
    const b = fromArrays(x, y, { batchSize: 8, shuffle: true, seed: 42 });
    const c = fromArrays(x, y, { batchSize: 8, shuffle: true, seed: 43 });
    const passes = [order(a), order(a), order(a)];
    for (const pass of passes) expect([...pass].sort((p, q) => p - q)).toEqual(x.map(([v]) => v));
    expect(passes[0]).not.toEqual(passes[1]);
    expect(passes[1]).not.toEqual(passes[2]);
    expect([order(b), order(b), order(b)]).toEqual(passes);
    expect(order(c)).not.toEqual(passes[0]);
    // Rows keep their labels.
    for (const batch of fromArrays(x, y, { batchSize: 5, shuffle: true, seed: 1 })) {
      const xs = (batch.x as { data: Float64Array }).data;
      (batch.y as number[]).forEach((label, i) => expect(label).toBe(xs[2 * i] % 3));
    }
  });

  it('checks x, y and its options as fit does', () => {
    expect(() => fromArrays([[1], [2, 3]], [[0], [1]])).toThrow('fromArrays: x is ragged');
    expect(() => fromArrays([[1, NaN]], [[0]])).toThrow('fromArrays: x[0][1] is NaN');
    expect(() => fromArrays([], [])).toThrow('fromArrays: x is empty');
    expect(() => fromArrays([[1], [2]], [[0]])).toThrow('fromArrays: x has 2 rows but y has 1');
    expect(() => fromArrays([[1]], [0, 1])).toThrow('fromArrays: x has 1 rows but y has 2');
    expect(() => fromArrays([[1]], [[Infinity]])).toThrow('fromArrays: y[0][0] is Infinity');
    expect(() => fromArrays([[1]], [[0]], { batchSize: 0 })).toThrow('fromArrays: batchSize must be a positive integer');
    expect(() => fromArrays([[1]], [[0]], { shuffle: 'yes' as never })).toThrow('fromArrays: shuffle must be true or false');
    expect(() => fromArrays([[1]], [[0]], { seed: -1 })).toThrow('fromArrays: seed must be an integer');
    expect(() => fromArrays([[1]], [[0]], { batch: 3 } as never)).toThrow('fromArrays: unknown option "batch"');
  });
});

describe('bad datasets and batches', () => {
  async function trained(): Promise<Network> {
    return createNetwork({ ...CONFIG, dtype: 'float64' as DType });
  }
  const { x, y } = data(40);
  const good = slices(x, y, 8);

  it('bad options and datasets are refused before anything changes', async () => {
    const net = await trained();
    const before = bits(net.getWeights());
    const cases: [unknown, unknown, RegExp | string][] = [
      [good, { ...FIT, batchSize: 8 }, 'fitDataset: batchSize is not an option: the dataset decides the batches'],
      [good, { ...FIT, shuffle: true }, 'fitDataset: shuffle is not an option: the dataset decides the order'],
      [
        good,
        { ...FIT, validationSplit: 0.2 },
        'fitDataset: validationSplit is not an option: the dataset decides the rows (validate with validationData)',
      ],
      [good, { ...FIT, verbose: 1 }, 'fitDataset: unknown option "verbose"'],
      [good, { ...FIT, epochs: 0 }, 'fitDataset: epochs must be a positive integer, got 0'],
      [good, { ...FIT, callbacks: [{}] }, 'fitDataset: callbacks[0] has none of the hooks'],
      [
        good,
        { ...FIT, validationData: 3 },
        'fitDataset: validationData must be an iterable or async iterable of batches, or a function returning one; got 3',
      ],
      [good, { ...FIT, validationData: [[[1, 2]], [[0, 1]]] }, 'fitDataset: validationData x has 2 columns'],
      [7, FIT, 'fitDataset: dataset must be an iterable or async iterable of batches, or a function returning one; got 7'],
      ['abc', FIT, 'fitDataset: dataset must be'],
      [{ x, y }, FIT, 'fitDataset: dataset must be'],
      [null, FIT, 'fitDataset: dataset must be'],
    ];
    for (const [dataset, options, message] of cases) {
      await expect(net.fitDataset(dataset as never, options as never)).rejects.toThrow(message);
      expect(bits(net.getWeights())).toBe(before);
      expect(net.toJSON({ includeOptimizer: true }).optimizer).toBeUndefined();
      expect(net.isTraining).toBe(false);
    }
    await expect(net.evaluateDataset(5 as never)).rejects.toThrow('evaluateDataset: dataset must be');
    expect(() => net.predictDataset({} as never)).toThrow('predictDataset: dataset must be');
    net.dispose();
  });

  it('a bad batch names its epoch and batch; the weights are those after the last completed batch', async () => {
    const bad: [string, unknown, RegExp | string][] = [
      ['wrong columns', { x: [[1, 2]], y: [[0, 1]] }, 'x has 2 columns, but the network expects 3 inputs'],
      ['NaN', { x: [[1, NaN, 2]], y: [[0, 1]] }, 'x[0][1] is NaN: values must be finite numbers'],
      ['NaN in a typed array', { x: { data: new Float64Array([1, 2, NaN]), shape: [1, 3] }, y: [[0, 1]] }, 'x[0][2] is NaN'],
      ['an empty x', { x: [], y: [] }, 'x is empty'],
      [
        'rows that differ',
        {
          x: [[1, 2, 3]],
          y: [
            [0, 1],
            [1, 0],
          ],
        },
        'x has 1 rows but y has 2',
      ],
      ['a label out of range', { x: [[1, 2, 3]], y: [[0, 2]] }, 'y'],
      ['not an object', 42, 'the batch is 42, expected a batch { x, y }'],
      ['null', null, 'the batch is null'],
      ['an array', [[1, 2, 3]], 'the batch is an array of length 1, expected a batch { x, y }'],
      ['no y', { x: [[1, 2, 3]] }, 'the batch has no y'],
      ['an unknown key', { x: [[1, 2, 3]], y: [[0, 1]], w: 1 }, 'the batch has an unknown key "w"'],
      [
        'sampleWeight of the wrong length',
        { x: [[1, 2, 3]], y: [[0, 1]], sampleWeight: [1, 2] },
        'sampleWeight has 2 weights, expected one per row: 1',
      ],
    ];
    for (const [what, batch, message] of bad) {
      const net = await trained();
      let last = '';
      let closed = false;
      const dataset = async function* () {
        try {
          yield* good.slice(0, 2);
          yield batch as Batch;
          yield* good.slice(2);
        } finally {
          closed = true;
        }
      };
      let epochs = 0;
      const error = await net
        .fitDataset(dataset, {
          ...FIT,
          callbacks: {
            onBatchEnd: () => {
              last = bits(net.getWeights());
            },
            onEpochEnd: () => {
              epochs++;
            },
          },
        })
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(error, what).toBeInstanceOf(Error);
      expect(error!.message, what).toContain('fitDataset, epoch 1, batch 3: ');
      expect(error!.message, what).toContain(message);
      expect(error!.message).toMatch(/the weights are as the last completed batch left them$/);
      expect(bits(net.getWeights()), what).toBe(last);
      expect(closed).toBe(true);
      expect(epochs).toBe(0);
      expect(net.isTraining).toBe(false);
      // The network trains on afterwards.
      await net.fitDataset(good, { epochs: 1, learningRate: 0.1 });
      net.dispose();
    }
  });

  it('a dataset that throws, gives nothing, or runs only once fails naming the epoch and batch', async () => {
    const net = await trained();
    let before = bits(net.getWeights());
    let count = 0;
    const throwing: Iterable<Batch> = {
      [Symbol.iterator]() {
        let i = 0;
        return {
          next(): IteratorResult<Batch> {
            if (++count === 14) throw new Error('disk on fire'); // epoch 3's second batch (a pass is 5 batches and its end)
            return i < 5 ? { done: false, value: good[i++] } : { done: true, value: undefined };
          },
        };
      },
    };
    let last = '';
    await expect(
      net.fitDataset(throwing, {
        ...FIT,
        callbacks: {
          onBatchEnd: () => {
            last = bits(net.getWeights());
          },
        },
      }),
    ).rejects.toThrow('fitDataset, epoch 3, batch 2: the dataset threw: disk on fire');
    expect(bits(net.getWeights())).toBe(last);

    before = bits(net.getWeights());
    await expect(net.fitDataset([], FIT)).rejects.toThrow('fitDataset, epoch 1: the dataset gave no batches');
    expect(bits(net.getWeights())).toBe(before);

    const once = (async function* () {
      yield* good;
    })();
    await expect(net.fitDataset(once, FIT)).rejects.toThrow(
      'fitDataset, epoch 2: the dataset gave no batches (a generator runs once: pass its function)',
    );
    await expect(net.fitDataset(() => 5 as never, FIT)).rejects.toThrow(
      'fitDataset, epoch 1, batch 1: the dataset threw: fitDataset: dataset() returned 5, not an iterator of batches',
    );
    await expect(
      net.fitDataset(good, {
        ...FIT,
        validationData: () => [good[0], { x: [[1]], y: [[1]] }] as never,
      }),
    ).rejects.toThrow('fitDataset: validationData, epoch 1, batch 2: x has 1 columns, but the network expects 3 inputs');
    await expect(net.evaluateDataset([good[0], 7] as never)).rejects.toThrow('evaluateDataset: batch 2: the batch is 7');
    const predicted = net.predictDataset([x, [[1, 2]]]);
    await predicted.next();
    await expect(predicted.next()).rejects.toThrow('predictDataset: batch 2: x has 2 columns, but the network expects 3 inputs');
    net.dispose();
  });

  it('a loss that diverges puts back the weights of before the epoch, as fit does', async () => {
    const net = await createNetwork({ ...CONFIG, loss: 'meanSquaredError', layers: [{ units: 2, activation: 'linear' }] });
    let before = '';
    const error = await net
      .fitDataset(
        [
          { x: [[1e18, 1e18, 1e18]], y: [[0, 0]] },
          { x: [[1e18, 1e18, 1e18]], y: [[0, 0]] },
        ],
        {
          epochs: 3,
          learningRate: 1,
          callbacks: {
            onEpochBegin: () => {
              before = bits(net.getWeights());
            },
          },
        },
      )
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(error?.message).toMatch(/^fitDataset: the (loss|weights) diverged .* the weights are as they were before epoch \d+$/);
    expect(bits(net.getWeights())).toBe(before);
    net.dispose();
  });

  it('a network disposed while the dataset is awaited rejects fitDataset', async () => {
    const net = await trained();
    const dataset = async function* () {
      yield good[0];
      net.dispose();
      yield good[1];
    };
    await expect(net.fitDataset(dataset, FIT)).rejects.toThrow('this network has been disposed');
  });
});
