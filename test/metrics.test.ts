/**
 * Metrics: each against a direct computation over the network's own
 * outputs (AUC against a brute-force count of pairs, ties included), over
 * all of an epoch's rows rather than a mean of batches, under Keras's keys
 * with val_ for validation, in evaluate and evaluateDataset, the same on
 * every backend, dtype and thread count; earlyStopping on val_auc; saved
 * and loaded; bad configs refused.
 */
import { describe, expect, it } from 'vitest';
import {
  createNetwork,
  type DType,
  earlyStopping,
  type FloatArray,
  fromArrays,
  loadNetwork,
  type Network,
  type NetworkConfig,
  reduceLROnPlateau,
} from '../src/index.js';
import { Random } from '../src/random.js';
import { randomLabels, randomMatrix } from './helpers.js';

function rowsOf(flat: FloatArray, cols: number): number[][] {
  return Array.from({ length: flat.length / cols }, (_, r) => Array.from(flat.subarray(r * cols, (r + 1) * cols)));
}

/** Precision and recall of 0/1 decisions over every element: tp / (tp + fp) and tp / (tp + fn), 0 when empty. */
function binaryPrecisionRecall(out: number[][], y: number[][]): { precision: number; recall: number } {
  let tp = 0,
    fp = 0,
    fn = 0;
  out.forEach((row, r) =>
    row.forEach((value, c) => {
      const predicted = value > 0.5,
        actual = y[r][c] === 1;
      if (predicted && actual) tp++;
      if (predicted && !actual) fp++;
      if (!predicted && actual) fn++;
    }),
  );
  return { precision: tp + fp ? tp / (tp + fp) : 0, recall: tp + fn ? tp / (tp + fn) : 0 };
}

const argmax = (row: number[]) => row.indexOf(Math.max(...row));

/** Each class's precision and recall by argmax, averaged over the classes. */
function macroPrecisionRecall(out: number[][], labels: number[]): { precision: number; recall: number } {
  const classes = out[0].length;
  let precision = 0,
    recall = 0;
  for (let c = 0; c < classes; c++) {
    const predicted = out.map(argmax);
    const tp = predicted.filter((p, r) => p === c && labels[r] === c).length;
    const asC = predicted.filter((p) => p === c).length;
    const areC = labels.filter((l) => l === c).length;
    precision += asC ? tp / asC : 0;
    recall += areC ? tp / areC : 0;
  }
  return { precision: precision / classes, recall: recall / classes };
}

/** Every (positive, negative) pair, counting 1 when the positive scores higher and 1/2 on a tie. */
function bruteForceAuc(scores: number[], labels: number[]): number {
  let pairs = 0,
    count = 0;
  scores.forEach((p, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((n, j) => {
      if (labels[j] !== 0) return;
      count++;
      pairs += p > n ? 1 : p === n ? 0.5 : 0;
    });
  });
  return pairs / count;
}

function mae(out: number[][], y: number[][]): number {
  let sum = 0;
  out.forEach((row, r) => row.forEach((v, c) => (sum += Math.abs(v - y[r][c]))));
  return sum / (out.length * out[0].length);
}

/** 1 - SS_res / SS_tot per output, averaged over the outputs. */
function r2(out: number[][], y: number[][]): number {
  const cols = y[0].length;
  let total = 0;
  for (let c = 0; c < cols; c++) {
    const mean = y.reduce((s, row) => s + row[c], 0) / y.length;
    const res = y.reduce((s, row, r) => s + (row[c] - out[r][c]) ** 2, 0);
    const tot = y.reduce((s, row) => s + (row[c] - mean) ** 2, 0);
    total += 1 - res / tot;
  }
  return total / cols;
}

const binary = (metrics: NetworkConfig['metrics'], extra: Partial<NetworkConfig> = {}): NetworkConfig => ({
  inputs: 3,
  layers: [
    { units: 6, activation: 'tanh' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossentropy',
  seed: 3,
  metrics,
  ...extra,
});

function binaryData(rows: number, seed: number): { x: number[][]; y: number[][] } {
  const random = new Random(seed);
  return { x: randomMatrix(random, rows, 3, 2), y: randomLabels(random, rows, 1) };
}

describe('metrics against direct computations', () => {
  it('precision, recall and mae over every element of several sigmoid outputs', async () => {
    const net = await createNetwork({
      inputs: 3,
      layers: [
        { units: 5, activation: 'tanh' },
        { units: 3, activation: 'sigmoid' },
      ],
      loss: 'binaryCrossentropy',
      dtype: 'float64',
      seed: 8,
      metrics: ['precision', 'recall', 'mae'],
    });
    const random = new Random(2);
    const x = randomMatrix(random, 40, 3, 3);
    const y = randomLabels(random, 40, 3);
    const out = rowsOf(net.predict(x), 3);
    const evaluation = net.evaluate(x, y);
    expect(Object.keys(evaluation)).toEqual(['loss', 'precision', 'recall', 'mae']);
    const expected = binaryPrecisionRecall(out, y);
    expect(evaluation.precision).toBe(expected.precision);
    expect(evaluation.recall).toBe(expected.recall);
    expect(evaluation.mae).toBeCloseTo(mae(out, y), 14);
    net.dispose();
  });

  it('precision and recall macro-averaged over the classes of a softmax, by argmax', async () => {
    const net = await createNetwork({
      inputs: 3,
      layers: [
        { units: 5, activation: 'tanh' },
        { units: 4, activation: 'softmax' },
      ],
      loss: 'categoricalCrossentropy',
      dtype: 'float64',
      seed: 5,
      metrics: ['accuracy', 'precision', 'recall'],
    });
    const random = new Random(7);
    const x = randomMatrix(random, 60, 3, 3);
    const labels = Array.from({ length: 60 }, () => Math.floor(random.uniform() * 4));
    const out = rowsOf(net.predict(x), 4);
    const evaluation = net.evaluate(x, labels);
    const expected = macroPrecisionRecall(out, labels);
    expect(evaluation.precision).toBeCloseTo(expected.precision, 15);
    expect(evaluation.recall).toBeCloseTo(expected.recall, 15);
    expect(evaluation.acc).toBe(out.filter((row, r) => argmax(row) === labels[r]).length / 60);
    // Macro, not micro: the two differ on these rows.
    expect(evaluation.precision).not.toBeCloseTo(evaluation.acc!, 6);
    net.dispose();
  });

  it('auc: the exact share of (positive, negative) pairs ranked right, ties counted half', async () => {
    const net = await createNetwork(binary(['auc'], { dtype: 'float64' }));
    const { x, y } = binaryData(30, 4);
    // Each input repeated with the other label: scores tie across the classes.
    const xs = [...x, ...x.slice(0, 10)];
    const ys = [...y, ...y.slice(0, 10).map(([label]) => [1 - label])];
    const scores = Array.from(net.predict(xs));
    const labels = ys.map(([label]) => label);
    const expected = bruteForceAuc(scores, labels);
    expect(net.evaluate(xs, ys).auc).toBe(expected);
    // The ties matter: without them (as if each tie were lost) the count is lower.
    const strict = scores.reduce(
      (sum, p, i) => sum + (labels[i] === 1 ? scores.filter((n, j) => labels[j] === 0 && p > n).length : 0),
      0,
    );
    expect(strict / (labels.filter((l) => l === 1).length * labels.filter((l) => l === 0).length)).toBeLessThan(expected);
    net.dispose();
  });

  it('r2 and mae of a regression with two outputs, r2 averaged over the outputs', async () => {
    const net = await createNetwork({
      inputs: 3,
      layers: [
        { units: 5, activation: 'tanh' },
        { units: 2, activation: 'linear' },
      ],
      loss: 'meanSquaredError',
      dtype: 'float64',
      seed: 9,
      metrics: ['mae', 'r2'],
    });
    const random = new Random(3);
    const x = randomMatrix(random, 50, 3, 2);
    const y = x.map(([a, b, c]) => [a - b + 100, 0.5 * c * c]); // a large mean: r2 must not lose it to cancellation
    await net.fit(x, y, { epochs: 30, learningRate: 0.05, optimizer: 'adam' });
    const out = rowsOf(net.predict(x), 2);
    const evaluation = net.evaluate(x, y);
    expect(Object.keys(evaluation)).toEqual(['loss', 'mae', 'r2']);
    expect(evaluation.mae).toBeCloseTo(mae(out, y), 12);
    expect(evaluation.r2).toBeCloseTo(r2(out, y), 12);
    net.dispose();
  });
});

describe("an epoch's metrics are over all its rows at once", () => {
  it('equal a direct computation over the outputs each batch gave, not the mean of batch values', async () => {
    const config = binary(['accuracy', 'precision', 'recall', 'auc', 'mae'], { dtype: 'float64', backend: 'js' });
    const net = await createNetwork(config);
    const replica = await createNetwork(config);
    const { x, y } = binaryData(24, 6);
    const options = { learningRate: 0.5, optimizer: 'adam' as const };
    const history = await net.fit(x, y, { epochs: 2, batchSize: 5, ...options });
    // The replica takes the same steps one batch at a time, each batch's outputs read before its update.
    for (let epoch = 0; epoch < 2; epoch++) {
      const outs: number[][] = [];
      const batchPrecisions: number[] = [];
      const batchAucs: number[] = [];
      for (let start = 0; start < 24; start += 5) {
        const bx = x.slice(start, start + 5),
          by = y.slice(start, start + 5);
        const out = rowsOf(replica.predict(bx), 1);
        outs.push(...out);
        batchPrecisions.push(binaryPrecisionRecall(out, by).precision);
        batchAucs.push(bruteForceAuc(out.flat(), by.flat()));
        await replica.trainOnBatch(bx, by, options);
      }
      const whole = binaryPrecisionRecall(outs, y);
      expect(history.history.precision[epoch]).toBeCloseTo(whole.precision, 15);
      expect(history.history.recall[epoch]).toBeCloseTo(whole.recall, 15);
      expect(history.history.auc[epoch]).toBeCloseTo(bruteForceAuc(outs.flat(), y.flat()), 15);
      expect(history.history.mae[epoch]).toBeCloseTo(mae(outs, y), 14);
      // The batches' mean differs: the epoch's value is not it.
      const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
      expect(Math.abs(mean(batchPrecisions) - whole.precision)).toBeGreaterThan(1e-3);
      expect(Math.abs(mean(batchAucs) - history.history.auc[epoch])).toBeGreaterThan(1e-3);
    }
    expect(replica.getWeights()).toEqual(net.getWeights());
    net.dispose();
    replica.dispose();
  });

  it("an r2 over the epoch's rows, not averaged over batches", async () => {
    const config: NetworkConfig = {
      inputs: 2,
      layers: [{ units: 1, activation: 'linear' }],
      loss: 'meanSquaredError',
      dtype: 'float64',
      seed: 2,
      metrics: ['r2'],
    };
    const net = await createNetwork(config);
    const replica = await createNetwork(config);
    const random = new Random(5);
    const x = randomMatrix(random, 20, 2, 1);
    const y = x.map(([a, b]) => [3 * a - b + 0.1 * random.uniform()]);
    const history = await net.fit(x, y, { epochs: 1, batchSize: 8, learningRate: 0.1 });
    const outs: number[][] = [];
    for (let start = 0; start < 20; start += 8) {
      outs.push(...rowsOf(replica.predict(x.slice(start, start + 8)), 1));
      await replica.trainOnBatch(x.slice(start, start + 8), y.slice(start, start + 8), { learningRate: 0.1 });
    }
    expect(history.history.r2[0]).toBeCloseTo(r2(outs, y), 12);
    net.dispose();
    replica.dispose();
  });
});

describe('keys, validation and evaluation', () => {
  it("logs Keras's keys, accuracy as acc, with val_ for validation; evaluate and evaluateDataset agree", async () => {
    const net = await createNetwork(binary(['auc', 'accuracy', 'precision', 'recall', 'mae']));
    const { x, y } = binaryData(40, 1);
    const v = binaryData(17, 2);
    const history = await net.fit(x, y, { epochs: 3, batchSize: 8, learningRate: 0.1, validationData: [v.x, v.y] });
    expect(Object.keys(history.history).sort()).toEqual(
      ['loss', 'acc', 'auc', 'precision', 'recall', 'mae', 'learning_rate']
        .flatMap((key) => (key === 'learning_rate' ? [key] : [key, `val_${key}`]))
        .sort(),
    );
    const evaluation = net.evaluate(v.x, v.y);
    for (const [key, value] of Object.entries(evaluation)) expect(history.history[`val_${key}`][2]).toBe(value);
    const fromDataset = await net.evaluateDataset(fromArrays(v.x, v.y, { batchSize: 5 }));
    expect(Object.keys(fromDataset)).toEqual(Object.keys(evaluation));
    for (const key of ['acc', 'auc', 'precision', 'recall'] as const) expect(fromDataset[key]).toBe(evaluation[key]);
    expect(fromDataset.loss).toBeCloseTo(evaluation.loss, 6);
    expect(fromDataset.mae).toBeCloseTo(evaluation.mae!, 6);
    net.dispose();
  });

  it('fitDataset logs the same metrics as fit on the same batches, validation from a dataset included', async () => {
    const config = binary(['accuracy', 'auc', 'recall']);
    const a = await createNetwork(config);
    const b = await createNetwork(config);
    const { x, y } = binaryData(30, 3);
    const v = binaryData(12, 4);
    const fitted = await a.fit(x, y, { epochs: 2, batchSize: 7, learningRate: 0.1, validationData: [v.x, v.y] });
    const streamed = await b.fitDataset(fromArrays(x, y, { batchSize: 7 }), {
      epochs: 2,
      learningRate: 0.1,
      validationData: fromArrays(v.x, v.y, { batchSize: 1024 }),
    });
    expect(streamed.history).toEqual(fitted.history);
    a.dispose();
    b.dispose();
  });

  it('reports the default, accuracy as acc, when metrics are not given; metrics: [] reports the loss alone', async () => {
    const plain = await createNetwork(binary(undefined));
    const none = await createNetwork(binary([]));
    const { x, y } = binaryData(10, 1);
    expect(plain.metrics).toEqual(['accuracy']);
    expect(Object.keys(plain.evaluate(x, y))).toEqual(['loss', 'acc']);
    expect(Object.keys(none.evaluate(x, y))).toEqual(['loss']);
    const history = await none.fit(x, y, { epochs: 1, learningRate: 0.1 });
    expect(Object.keys(history.history)).toEqual(['loss', 'learning_rate']);
    plain.dispose();
    none.dispose();
  });
});

describe('the same metrics everywhere', () => {
  const metrics: NetworkConfig['metrics'] = ['accuracy', 'precision', 'recall', 'auc', 'mae'];
  async function run(backend: 'wasm' | 'js', dtype: DType, threads = 1) {
    const net = await createNetwork(binary(metrics, { backend, dtype, threads }));
    const { x, y } = binaryData(64, 9);
    const v = binaryData(20, 10);
    const history = await net.fit(x, y, { epochs: 3, batchSize: 16, learningRate: 0.05, validationData: [v.x, v.y] });
    return { net, history: history.history, v };
  }

  it.each(['float32', 'float64'] as const)('%s: any number of threads gives the bits of one', async (dtype) => {
    const one = await run('wasm', dtype);
    const two = await run('wasm', dtype, 2);
    expect(two.history).toEqual(one.history);
    one.net.dispose();
    two.net.dispose();
  });

  // The backends sum in different orders, so their outputs differ in the last bits; the metrics are a
  // function of the outputs alone: each backend's are exactly what its own outputs give.
  it.each(['float32', 'float64'] as const)('%s: wasm and js each give the metrics of their own outputs', async (dtype) => {
    for (const backend of ['wasm', 'js'] as const) {
      const { net, v } = await run(backend, dtype);
      const out = rowsOf(net.predict(v.x), 1);
      const evaluation = net.evaluate(v.x, v.y);
      const expected = binaryPrecisionRecall(out, v.y);
      expect(evaluation.precision).toBe(expected.precision);
      expect(evaluation.recall).toBe(expected.recall);
      expect(evaluation.auc).toBe(bruteForceAuc(out.flat(), v.y.flat()));
      expect(evaluation.mae).toBe(mae(out, v.y));
      net.dispose();
    }
  });
});

describe('wasm and js on the same outputs', () => {
  it.each(['float32', 'float64'] as const)('%s: the same bits give the same metrics', async (dtype) => {
    // Small integers everywhere: every sum is exact, so both backends' outputs are the same bits.
    const config: NetworkConfig = {
      inputs: 2,
      layers: [{ units: 2, activation: 'linear' }],
      loss: 'meanSquaredError',
      dtype,
      metrics: ['mae', 'r2'],
    };
    const weights = [
      {
        W: [
          [1, -2],
          [3, 1],
        ],
        b: [0.5, -1],
      },
    ];
    const random = new Random(3);
    const x = Array.from({ length: 50 }, () => [Math.floor(random.uniform() * 9) - 4, Math.floor(random.uniform() * 9) - 4]);
    const y = x.map(([a, b]) => [a + 2 * b, Math.floor(random.uniform() * 5)]);
    const results = [];
    for (const backend of ['wasm', 'js'] as const) {
      const net = await createNetwork({ ...config, backend });
      net.setWeights(weights);
      results.push({ out: Array.from(net.predict(x)), evaluation: net.evaluate(x, y) });
      net.dispose();
    }
    expect(results[1].out).toEqual(results[0].out);
    expect(results[1].evaluation).toEqual(results[0].evaluation);
  });
});

describe('callbacks on the new metrics', () => {
  it("resolves mode 'auto' to max for auc, precision, recall, r2 and acc, min for mae and losses", () => {
    for (const monitor of ['val_auc', 'auc', 'precision', 'val_recall', 'r2', 'val_acc']) {
      expect(earlyStopping({ monitor }).mode).toBe('max');
      expect(reduceLROnPlateau({ monitor }).mode).toBe('max');
    }
    for (const monitor of ['val_mae', 'mae', 'loss', 'val_loss']) expect(earlyStopping({ monitor }).mode).toBe('min');
  });

  it('earlyStopping on val_auc stops when it has not risen for `patience` epochs', async () => {
    const net = await createNetwork(binary(['auc'], { dtype: 'float64' }));
    const { x, y } = binaryData(40, 12);
    const v = binaryData(15, 13);
    const stopper = earlyStopping({ monitor: 'val_auc', patience: 1 });
    const history = await net.fit(x, y, {
      epochs: 200,
      learningRate: 0.5,
      optimizer: 'adam',
      validationData: [v.x, v.y],
      callbacks: stopper,
    });
    const aucs = history.history.val_auc;
    expect(aucs.length).toBeLessThan(200);
    // Replayed by hand: the best so far, and the epochs since it rose.
    let best = -Infinity,
      wait = 0,
      stopped = -1;
    for (let epoch = 0; epoch < aucs.length && stopped < 0; epoch++) {
      if (aucs[epoch] > best) {
        best = aucs[epoch];
        wait = 0;
      } else if (++wait >= 1) stopped = epoch;
    }
    expect(stopped).toBe(aucs.length - 1);
    expect(stopper.stoppedEpoch).toBe(stopped);
    net.dispose();
  });

  it('refuses a monitor the network does not log, listing those it does', async () => {
    const net = await createNetwork(binary(['accuracy']));
    const { x, y } = binaryData(8, 1);
    await expect(net.fit(x, y, { epochs: 1, learningRate: 0.1, callbacks: earlyStopping({ monitor: 'auc' }) })).rejects.toThrow(
      `earlyStopping: monitor "auc" is not among this fit's logs (loss, acc)`,
    );
    net.dispose();
  });
});

describe('metrics saved and loaded', () => {
  it('toJSON records metrics other than the default; loadNetwork restores them', async () => {
    const net = await createNetwork(binary(['auc', 'mae']));
    const json = net.toJSON();
    expect(json.metrics).toEqual(['auc', 'mae']);
    const again = await loadNetwork(JSON.stringify(json));
    expect(again.metrics).toEqual(['auc', 'mae']);
    const { x, y } = binaryData(10, 2);
    expect(again.evaluate(x, y)).toEqual(net.evaluate(x, y));
    const plain = await createNetwork(binary(undefined));
    expect('metrics' in plain.toJSON()).toBe(false);
    for (const n of [net, again, plain]) n.dispose();
  });

  it('refuses a saved metric that does not fit the saved loss', async () => {
    const net = await createNetwork(binary(['auc']));
    const json = { ...net.toJSON(), metrics: ['r2'] };
    await expect(loadNetwork(json as never)).rejects.toThrow(
      `loadNetwork: createNetwork: metrics[0] "r2" measures a regression: use it with meanSquaredError, not binaryCrossentropy`,
    );
    net.dispose();
  });
});

describe('bad metrics', () => {
  const cases: [string, Partial<NetworkConfig>, string][] = [
    [
      'an unknown name',
      { metrics: ['f1' as never] },
      `createNetwork: metrics[0] "f1" is unknown; expected one of accuracy, precision, recall, auc, mae, r2`,
    ],
    [
      'not an array',
      { metrics: 'auc' as never },
      `createNetwork: metrics must be an array of metric names (accuracy, precision, recall, auc, mae, r2), got "auc"`,
    ],
    ['a name twice', { metrics: ['auc', 'mae', 'auc'] }, `createNetwork: metrics[2] "auc" is given twice`],
    [
      'a sparse array of 2^32 - 1',
      { metrics: new Array(2 ** 32 - 1) },
      'createNetwork: metrics[0] is missing (a hole in the array)',
    ],
    [
      'a list whose length is a Symbol',
      { metrics: new Proxy(['accuracy'], { get: (t, k) => (k === 'length' ? Symbol('n') : Reflect.get(t, k)) }) },
      'createNetwork: metrics has a length of a symbol, which no array has',
    ],
    [
      'r2 with cross-entropy',
      { metrics: ['r2'] },
      `createNetwork: metrics[0] "r2" measures a regression: use it with meanSquaredError, not binaryCrossentropy`,
    ],
    [
      'auc with several outputs',
      { metrics: ['auc'], layers: [{ units: 2, activation: 'sigmoid' }] },
      `createNetwork: metrics[0] "auc" needs one sigmoid output with binaryCrossentropy (the network has 2 'sigmoid' outputs and binaryCrossentropy)`,
    ],
    [
      'auc with a softmax',
      { metrics: ['auc'], layers: [{ units: 3, activation: 'softmax' }], loss: 'categoricalCrossentropy' },
      `createNetwork: metrics[0] "auc" needs one sigmoid output with binaryCrossentropy (the network has 3 'softmax' outputs and categoricalCrossentropy)`,
    ],
    [
      'accuracy with meanSquaredError',
      { metrics: ['accuracy'], layers: [{ units: 1, activation: 'linear' }], loss: 'meanSquaredError' },
      `createNetwork: metrics[0] "accuracy" needs classes: use it with binaryCrossentropy or categoricalCrossentropy, not meanSquaredError`,
    ],
  ];
  it.each(cases)('refuses %s', async (_, change, message) => {
    await expect(createNetwork({ ...binary(undefined), ...change })).rejects.toThrow(message);
  });

  it('allows mae with any loss, as Keras', async () => {
    const net: Network = await createNetwork(binary(['mae']));
    expect(net.metrics).toEqual(['mae']);
    net.dispose();
  });
});
