/**
 * wasmlp/predict from source: a saved network loaded for inference predicts
 * exactly what the Network does (bit for bit, every activation, both dtypes
 * and backends, every input form, batches across the inference chunk), with
 * Network.predict's errors, a saved optimiser ignored, and dispose final.
 * test/package/dist.test.ts runs the built dist/wasmlp-predict.js.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES, type ActivationName } from '../../src/activations.js';
import { allocationCount, failAllocation } from '../../src/backend/arena.js';
import { FORWARD_KERNEL_NAMES } from '../../src/backend/backend.js';
import { INFERENCE_CHUNK } from '../../src/forward.js';
import { createNetwork, loadNetwork, type Network, type NetworkConfig, type NetworkJSON } from '../../src/index.js';
import { createForwardBackend } from '../../src/predict/backend.js';
import { loadPredictor, type Predictor } from '../../src/predict/index.js';
import { Random } from '../../src/random.js';
import { randomMatrix } from '../helpers.js';

const BACKENDS = ['wasm', 'js'] as const;
const DTYPES = ['float32', 'float64'] as const;

/** A network whose hidden layers and output use `activation` (softmax: the output only, after relu). */
function configFor(activation: ActivationName, inputs = 13): NetworkConfig {
  const hidden = activation === 'softmax' ? 'relu' : activation;
  const alpha = activation === 'leakyRelu' ? { alpha: 0.3 } : {};
  return {
    inputs,
    layers: [
      { units: 17, activation: hidden, ...alpha },
      { units: 9, activation: hidden, ...alpha },
      { units: 4, activation, ...alpha },
    ],
    loss:
      activation === 'softmax' ? 'categoricalCrossentropy' : activation === 'sigmoid' ? 'binaryCrossentropy' : 'meanSquaredError',
    seed: 11,
  };
}

/** The bytes of a typed array: equal exactly when every value is the same bits (-0 and NaN payloads included). */
function bits(values: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function expectSameBits(actual: Float32Array | Float64Array, expected: Float32Array | Float64Array): void {
  expect(actual.constructor).toBe(expected.constructor);
  expect(actual.length).toBe(expected.length);
  expect(bits(actual)).toEqual(bits(expected));
}

/** The message `call` throws with. */
function messageOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the call to throw');
}

const made: (Network | Predictor)[] = [];
afterAll(() => {
  for (const m of made) m.dispose();
});

async function networkAndPredictor(
  config: NetworkConfig,
  backend: 'wasm' | 'js',
  dtype: 'float32' | 'float64',
): Promise<{ net: Network; predictor: Predictor; json: NetworkJSON }> {
  const net = await createNetwork({ ...config, backend, dtype });
  const json = net.toJSON();
  const predictor = await loadPredictor(json, { backend });
  made.push(net, predictor);
  return { net, predictor, json };
}

describe.each(BACKENDS)('loadPredictor on %s', (backend) => {
  describe.each(DTYPES)('%s', (dtype) => {
    it.each(ACTIVATION_NAMES)(
      '%s: predicts bit for bit what Network.predict does, every input form and batch size',
      async (activation) => {
        const { net, predictor } = await networkAndPredictor(configFor(activation), backend, dtype);
        expect([predictor.inputs, predictor.outputs, predictor.dtype, predictor.backend]).toEqual([13, 4, dtype, backend]);
        const random = new Random(5);
        for (const rows of [1, 2, 7, INFERENCE_CHUNK + 1, 2 * INFERENCE_CHUNK + 37]) {
          const x = randomMatrix(random, rows, 13, 4);
          const flat = {
            data: (dtype === 'float32' ? Float32Array : Float64Array).from(x.flat()),
            shape: [rows, 13] as [number, number],
          };
          const expected = net.predict(x);
          expectSameBits(predictor.predict(x), expected);
          expectSameBits(predictor.predict(flat), net.predict(flat));
          // A typed array of the other dtype is copied, as Network.predict copies it.
          const other = { data: (dtype === 'float32' ? Float64Array : Float32Array).from(x.flat()), shape: flat.shape };
          expectSameBits(predictor.predict(other), net.predict(other));
        }
      },
    );
  });

  it('predicts what a loaded network and a trained one predict, the product crossing a k-block (150 inputs)', async () => {
    const config = configFor('tanh', 150);
    const random = new Random(8);
    const x = randomMatrix(random, 300, 150);
    const y = randomMatrix(random, 300, 4);
    for (const dtype of DTYPES) {
      const net = await createNetwork({ ...config, backend, dtype });
      // A batch larger than the inference chunk: the network then predicts in chunks of 2048 rows.
      await net.fit(x, y, { epochs: 2, learningRate: 0.01, batchSize: 2048, optimizer: 'adam' });
      const json = net.toJSON({ includeOptimizer: true });
      expect(json.optimizer).toBeDefined();
      const loaded = await loadNetwork(json, { backend });
      const predictor = await loadPredictor(JSON.stringify(json), { backend });
      made.push(net, loaded, predictor);
      const big = randomMatrix(random, 2 * INFERENCE_CHUNK + 5, 150);
      expectSameBits(predictor.predict(big), loaded.predict(big));
      expectSameBits(predictor.predict(big), net.predict(big));
      expectSameBits(predictor.predict(x.slice(0, 1)), net.predict(x.slice(0, 1)));
    }
  });

  it('loads from the object, from its JSON text and from text with a byte-order mark, to the same predictions', async () => {
    const { net, json } = await networkAndPredictor(configFor('sigmoid'), backend, 'float64');
    const x = randomMatrix(new Random(3), 20, 13);
    for (const saved of [json, JSON.stringify(json), `\uFEFF${JSON.stringify(json, null, 2)}`]) {
      const predictor = await loadPredictor(saved, { backend });
      made.push(predictor);
      expectSameBits(predictor.predict(x), net.predict(x));
    }
  });

  it("refuses bad input with Network.predict's own errors, and is left working", async () => {
    const { net, predictor } = await networkAndPredictor(configFor('relu', 3), backend, 'float32');
    const bad: unknown[] = [
      [[1, 2]],
      [[1, 2, 3, 4]],
      [[1, Number.NaN, 3]],
      [[1, 2, Number.POSITIVE_INFINITY]],
      [[1, 2, 1e39]],
      [],
      [[]],
      [
        [1, 2, 3],
        [4, 5],
      ],
      { data: new Float32Array([1, 2, Number.NaN]), shape: [1, 3] },
      { data: new Float64Array([1, 2, 3, 4]), shape: [1, 4] },
      { data: new Float32Array(6), shape: [3, 3] },
      'not a matrix',
      null,
      undefined,
    ];
    for (const x of bad) {
      const expected = messageOf(() => net.predict(x as never));
      expect(() => predictor.predict(x as never), String(x)).toThrow(expected);
    }
    expectSameBits(predictor.predict([[1, 2, 3]]), net.predict([[1, 2, 3]]));
  });

  it('names an output that overflows as Network.predict does', async () => {
    const config = configFor('linear', 2);
    for (const dtype of DTYPES) {
      const { net, json } = await networkAndPredictor(config, backend, dtype);
      const huge = dtype === 'float32' ? 3e38 : 1.7e308;
      json.weights[0].W = json.weights[0].W.map((row) => row.map(() => huge));
      net.setWeights(json.weights);
      const predictor = await loadPredictor(json, { backend });
      made.push(predictor);
      const x = [
        [0.1, 0.2],
        [5, 5],
      ];
      const expected = messageOf(() => net.predict(x));
      expect(expected).toMatch(/^predict: the output at row 1, column \d is (-?Infinity|NaN); a layer's values overflowed/);
      expect(() => predictor.predict(x)).toThrow(expected);
    }
  });

  it('dispose frees it; predict then throws, and a second dispose does nothing', async () => {
    const { predictor } = await networkAndPredictor(configFor('tanh'), backend, 'float32');
    expect(predictor.isDisposed).toBe(false);
    predictor.dispose();
    expect(predictor.isDisposed).toBe(true);
    expect(() => predictor.predict([[...Array(13).keys()]])).toThrow('predict: this predictor has been disposed');
    expect(() => predictor.dispose()).not.toThrow();
  });
});

describe.each(BACKENDS)('out of memory on %s', (backend) => {
  it('each allocation of loadPredictor and of predict failing gives back the others, and the predictor works on', async () => {
    // Every predictor on this backend allocates from the one heap this backend object shows.
    const probe = await createForwardBackend(backend, 'float32');
    const arena = (probe as unknown as { heap: { arena: { bytesInUse: number } } }).heap.arena;
    const { net, json } = await networkAndPredictor(configFor('relu'), backend, 'float32');
    const x = randomMatrix(new Random(4), 30, 13);
    const before = arena.bytesInUse;
    // W and b of each of the three layers.
    const loadSites = 6;
    for (let k = 1; k <= loadSites; k++) {
      failAllocation(k);
      await expect(loadPredictor(json, { backend }), `allocation ${k}`).rejects.toThrow(
        /^loadPredictor: wasmlp: .*fault injection/,
      );
      failAllocation(0);
      expect(arena.bytesInUse, `allocation ${k}`).toBe(before);
    }
    const start = allocationCount();
    const predictor = await loadPredictor(json, { backend });
    made.push(predictor);
    expect(allocationCount() - start).toBe(loadSites);
    const loaded = arena.bytesInUse;
    // The input's copy, then each layer's output buffer.
    for (let k = 1; k <= 4; k++) {
      failAllocation(k);
      expect(() => predictor.predict(x), `allocation ${k}`).toThrow(/fault injection/);
      failAllocation(0);
      expect(arena.bytesInUse, `allocation ${k}`).toBe(loaded);
    }
    expectSameBits(predictor.predict(x), net.predict(x));
  });
});

describe("loadPredictor's checks of the file", () => {
  const config = configFor('sigmoid', 2);

  it('ignores a saved optimiser, even one loadNetwork would refuse', async () => {
    const net = await createNetwork({ ...config, loss: 'binaryCrossentropy' });
    made.push(net);
    await net.fit(
      [
        [0, 1],
        [1, 0],
      ],
      [
        [0, 1, 0, 1],
        [1, 0, 1, 0],
      ],
      { epochs: 3, learningRate: 0.1, optimizer: 'adam' },
    );
    const json = net.toJSON({ includeOptimizer: true });
    const broken = { ...json, optimizer: { config: { type: 'rmsprop' }, iterations: -1, slots: {} } } as unknown as NetworkJSON;
    await expect(loadNetwork(broken)).rejects.toThrow(/loadNetwork: optimizer/);
    for (const saved of [json, broken]) {
      const predictor = await loadPredictor(saved);
      made.push(predictor);
      expectSameBits(predictor.predict([[0.5, 0.25]]), net.predict([[0.5, 0.25]]));
    }
  });

  it("refuses what loadNetwork refuses, with loadNetwork's message under its own name", async () => {
    const net = await createNetwork(config);
    made.push(net);
    const json = net.toJSON();
    const cases: (NetworkJSON | string)[] = [
      '{"format": "wasmlp-network",',
      `${'['.repeat(100)}${']'.repeat(100)}`,
      '42',
      { ...json, format: 'keras' } as never,
      { ...json, version: 2 } as never,
      { ...json, history: {} } as never,
      { ...json, loss: undefined } as never,
      { ...json, dtype: 'int8' } as never,
      { ...json, layers: [{ units: 17, activation: 'swish' }, ...json.layers.slice(1)] } as never,
      { ...json, weights: json.weights.slice(1) },
      { ...json, weights: [{ ...json.weights[0], W: json.weights[0].W.slice(1) }, ...json.weights.slice(1)] },
      { ...json, weights: [{ ...json.weights[0], b: [Number.NaN, ...json.weights[0].b.slice(1)] }, ...json.weights.slice(1)] },
    ];
    for (const saved of cases) {
      const expected = await loadNetwork(saved).then(
        () => {
          throw new Error('loadNetwork accepted it');
        },
        (error: Error) => error.message,
      );
      expect(expected).toMatch(/^loadNetwork: /);
      await expect(loadPredictor(saved)).rejects.toThrow(expected.replace(/^loadNetwork: /, 'loadPredictor: '));
    }
  });

  it('takes the backend alone as an option', async () => {
    const json = JSON.stringify((await createNetwork(config)).toJSON());
    await expect(loadPredictor(json, { threads: 2 } as never)).rejects.toThrow(
      'loadPredictor options: unknown option "threads"; expected one of backend',
    );
    await expect(loadPredictor(json, { backend: 'gpu' } as never)).rejects.toThrow(
      'loadPredictor: createNetwork: Unknown backend "gpu": expected one of wasm, js',
    );
  });
});

describe('the forward-only modules, build/wasmlp.predict.f32.wasm and .f64.wasm', () => {
  it.each([
    ['f32', 'F32'],
    ['f64', 'F64'],
  ])('%s exports the forward kernels of its dtype, and nothing of training', async (dtype, suffix) => {
    const file = new URL(`../../build/wasmlp.predict.${dtype}.wasm`, import.meta.url);
    const exports = WebAssembly.Module.exports(await WebAssembly.compile(await readFile(file))).map((entry) => entry.name);
    expect(exports.sort()).toEqual(['heapBase', 'memory', ...FORWARD_KERNEL_NAMES.map((name) => name + suffix)].sort());
  });
});
