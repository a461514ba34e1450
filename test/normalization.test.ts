/**
 * The inputs' normalisation (createNetwork's `normalization`, adapt()):
 * a network that normalises computes, bit for bit, what the same network
 * without it computes on inputs normalised by hand with the same rounding;
 * it is saved, loaded, predicted by wasmlp/predict and exported to ONNX
 * with it; and bad statistics or inputs are refused, leaving the network
 * as it was. test/worker/normalization.test.ts: the same in a worker.
 */
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import type { BackendName, DType } from '../src/backend/backend.js';
import { fromONNX, toONNX } from '../src/formats/index.js';
import { createNetwork, loadNetwork, type NetworkConfig } from '../src/network.js';
import { loadPredictor } from '../src/predict/index.js';
import { prng } from './helpers.js';

ort.env.wasm.numThreads = 1;

/** Features far from mean 0 and scale 1, one of them constant, as raw measurements are. */
const MEAN = [5.8, -120, 0.003, 7];
const VARIANCE = [0.64, 1225, 1.21e-6, 0];

function rawInputs(rows: number, seed = 5): number[][] {
  const rand = prng(seed);
  return Array.from({ length: rows }, () => MEAN.map((m, c) => m + (rand() * 2 - 1) * Math.sqrt(VARIANCE[c] || 1e-14)));
}

/** What the network should compute first, by hand: each step rounded to the dtype, the deviation floored at 1e-7. */
function normalisedByHand(x: number[][], dtype: DType): number[][] {
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const mean = MEAN.map(round);
  const std = VARIANCE.map((v) => round(Math.max(Math.sqrt(v), 1e-7)));
  return x.map((row) => row.map((v, c) => round(round(round(v) - mean[c]) / std[c])));
}

function config(backend: BackendName, dtype: DType, normalization?: NetworkConfig['normalization']): NetworkConfig {
  return {
    inputs: 4,
    layers: [
      { units: 6, activation: 'tanh' },
      { units: 2, activation: 'softmax' },
    ],
    loss: 'categoricalCrossentropy',
    backend,
    dtype,
    seed: 11,
    ...(normalization && { normalization }),
  };
}

const labels = (rows: number) => Array.from({ length: rows }, (_, r) => (r % 3 === 0 ? [1, 0] : [0, 1]));

describe.each([
  ['wasm', 'float32'],
  ['wasm', 'float64'],
  ['js', 'float32'],
  ['js', 'float64'],
] as const)('normalization on %s, %s', (backend, dtype) => {
  it('predicts and trains to the bits of the same network on inputs normalised by hand', async () => {
    const x = rawInputs(300);
    const net = await createNetwork(config(backend, dtype, { mean: MEAN, variance: VARIANCE }));
    const plain = await createNetwork(config(backend, dtype));
    try {
      expect(net.normalization).toEqual({ mean: MEAN, variance: VARIANCE });
      expect(plain.normalization).toBeNull();
      expect(net.predict(x)).toEqual(plain.predict(normalisedByHand(x, dtype)));
      const options = { epochs: 3, batchSize: 32, learningRate: 0.1, shuffle: true };
      const history = await net.fit(x, labels(300), options);
      const expected = await plain.fit(normalisedByHand(x, dtype), labels(300), options);
      expect(history.history.loss).toEqual(expected.history.loss);
      expect(net.getWeights()).toEqual(plain.getWeights());
      expect(net.evaluate(x, labels(300))).toEqual(plain.evaluate(normalisedByHand(x, dtype), labels(300)));
    } finally {
      net.dispose();
      plain.dispose();
    }
  });

  it('adapt() learns each feature’s mean and population variance, in float64 from the dtype’s values', async () => {
    const x = rawInputs(257, 9);
    const net = await createNetwork(config(backend, dtype));
    try {
      net.adapt(x);
      const round = dtype === 'float32' ? Math.fround : (v: number) => v;
      const values = x.map((row) => row.map(round));
      const mean = MEAN.map((_, c) => values.reduce((sum, row) => sum + row[c], 0) / values.length);
      const variance = MEAN.map((_, c) => values.reduce((sum, row) => sum + (row[c] - mean[c]) ** 2, 0) / values.length);
      expect(net.normalization).toEqual({ mean, variance });
      // A second adapt replaces the first.
      net.adapt([
        [1, 2, 3, 4],
        [3, 2, 1, 0],
      ]);
      expect(net.normalization).toEqual({ mean: [2, 2, 2, 2], variance: [1, 0, 1, 4] });
    } finally {
      net.dispose();
    }
  });

  it('is saved by toJSON, and loadNetwork, loadPredictor and an ONNX round trip predict the same bits', async () => {
    const x = rawInputs(50, 13);
    const net = await createNetwork(config(backend, dtype));
    try {
      net.adapt(rawInputs(400, 17));
      await net.fit(x, labels(50), { epochs: 2, learningRate: 0.1 });
      const json = net.toJSON();
      expect(json.normalization).toEqual(net.normalization);
      const expected = net.predict(x);
      const loaded = await loadNetwork(JSON.parse(JSON.stringify(json)), { backend });
      const predictor = await loadPredictor(JSON.stringify(json), { backend });
      const fromOnnx = await fromONNX(toONNX(net), { backend });
      try {
        expect(loaded.normalization).toEqual(net.normalization);
        expect(loaded.predict(x)).toEqual(expected);
        expect(predictor.predict(x)).toEqual(expected);
        // The exported Sub and Div come back as the network's own normalisation, exactly.
        expect(fromOnnx.normalization).toEqual({
          mean: net.normalization!.mean.map(dtype === 'float32' ? Math.fround : (v) => v),
          variance: net.normalization!.variance.map((v) => {
            const std = Math.max(Math.sqrt(v), 1e-7);
            const rounded = dtype === 'float32' ? Math.fround(std) : std;
            return rounded * rounded;
          }),
        });
        expect(fromOnnx.predict(x)).toEqual(expected);
      } finally {
        loaded.dispose();
        predictor.dispose();
        fromOnnx.dispose();
      }
    } finally {
      net.dispose();
    }
  });
});

describe('normalization in ONNX', () => {
  it.each(['float32', 'float64'] as const)('%s: onnxruntime runs the raw inputs to the network’s predictions', async (dtype) => {
    const net = await createNetwork(config('wasm', dtype, { mean: MEAN, variance: VARIANCE }));
    try {
      const x = rawInputs(1000, 21);
      const session = await ort.InferenceSession.create(toONNX(net));
      const data = dtype === 'float32' ? Float32Array.from(x.flat()) : Float64Array.from(x.flat());
      const { y } = await session.run({ x: new ort.Tensor(dtype, data, [x.length, 4]) });
      await session.release();
      const expected = net.predict(x);
      const actual = y.data as Float32Array | Float64Array;
      let worst = 0;
      for (let i = 0; i < expected.length; i++)
        worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.abs(expected[i]));
      expect(worst).toBeLessThanOrEqual(dtype === 'float32' ? 1e-5 : 1e-12);
    } finally {
      net.dispose();
    }
  });

  it('toONNX refuses a second normalization beside the network’s own', async () => {
    const net = await createNetwork(config('js', 'float64', { mean: MEAN, variance: VARIANCE }));
    try {
      expect(() => toONNX(net, { normalization: { mean: [0, 0, 0, 0], std: [1, 1, 1, 1] } })).toThrow(
        'toONNX: the network normalises its inputs itself; a normalization option would apply a second one',
      );
    } finally {
      net.dispose();
    }
  });
});

describe('normalization: bad statistics and inputs', () => {
  it.each([
    [{ mean: MEAN }, 'createNetwork: normalization.variance must be a non-empty array of numbers, got undefined'],
    [{ mean: [1, 2, 3], variance: VARIANCE }, 'createNetwork: normalization.mean has 3 values, expected 4'],
    [
      { mean: [1, Number.NaN, 3, 4], variance: VARIANCE },
      'createNetwork: normalization.mean[1] is NaN: values must be finite numbers',
    ],
    [{ mean: MEAN, variance: [1, -1, 1, 1] }, 'createNetwork: normalization.variance[1] is -1: a variance is at least 0'],
    [
      { mean: MEAN, variance: VARIANCE, std: VARIANCE },
      'createNetwork: normalization: unknown option "std"; expected one of mean, variance',
    ],
    [
      { mean: [1e39, 0, 0, 0], variance: VARIANCE },
      "createNetwork: normalization.mean[0] is 1e+39: too large for float32 (at most ±3.4028234663852886e+38); scale the data, or use dtype 'float64'",
    ],
  ])('createNetwork refuses %j', async (normalization, message) => {
    expect(await messageOf(createNetwork(config('js', 'float32', normalization as never)))).toBe(message);
  });

  it('adapt refuses empty or misshapen x, and fit-time calls, leaving the statistics as they were', async () => {
    const net = await createNetwork(config('wasm', 'float32', { mean: MEAN, variance: VARIANCE }));
    try {
      expect(() => net.adapt([])).toThrow('x is empty: it needs at least one row');
      expect(() => net.adapt([[1, 2, 3]])).toThrow('x has 3 columns, but the network expects 4 inputs');
      expect(() => net.adapt([[1, 2, Number.NaN, 4]])).toThrow(/x\[0\]\[2\] is NaN/);
      let during = '';
      const fitting = net.fit(rawInputs(64), labels(64), {
        epochs: 1,
        learningRate: 0.1,
        onEpochEnd: () => {
          during = messageOfSync(() => net.adapt(rawInputs(4)));
        },
      });
      await fitting;
      expect(during).toBe('adapt: fit() is running; adapt before or after it');
      expect(net.normalization).toEqual({ mean: MEAN, variance: VARIANCE });
      net.dispose();
      expect(() => net.adapt(rawInputs(4))).toThrow('adapt: this network has been disposed');
    } finally {
      if (!net.isDisposed) net.dispose();
    }
  });

  it('an input that normalisation takes beyond the dtype is an error naming it, and the network is unchanged', async () => {
    const net = await createNetwork(config('wasm', 'float32', { mean: MEAN, variance: VARIANCE }));
    try {
      const weights = net.getWeights();
      const x = rawInputs(3);
      x[2][3] = 3e38; // the constant feature's deviation is 1e-7
      expect(() => net.predict(x)).toThrow(
        'x[2][3] is 3.0000000054977558e+38: normalised (mean 7, deviation 1.0000000116860974e-7) it overflows',
      );
      expect(await messageOf(net.fit(x, labels(3), { epochs: 1, learningRate: 0.1 }))).toMatch(/^x\[2\]\[3\] is 3/);
      expect(net.getWeights()).toEqual(weights);
    } finally {
      net.dispose();
    }
  });
});

function messageOfSync(run: () => void): string {
  try {
    run();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
}
