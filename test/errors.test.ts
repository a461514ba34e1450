/**
 * Bad input: a clear Error naming the problem, and the network unchanged
 * (same weights, and it still trains to the same numbers afterwards).
 */
import { describe, expect, it } from 'vitest';
import { createBackend } from '../src/backend/index.js';
import { MAX_CALLBACKS } from '../src/callbacks.js';
import { describeValue } from '../src/checks.js';
import { engineOf } from '../src/engine.js';
import { createNetwork, loadNetwork, type Network, type NetworkConfig } from '../src/index.js';
import { MAX_LAYERS } from '../src/networkConfig.js';

const config: NetworkConfig = {
  inputs: 2,
  layers: [
    { units: 3, activation: 'sigmoid' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossentropy',
  seed: 1,
};
const x = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const y = [[0], [1], [1], [0]];
const fitOptions = { epochs: 3, learningRate: 0.5 };

/** Expects `act` to throw (or reject) matching `message`, and the network to be untouched. */
async function expectRejected(net: Network, act: () => unknown, message: RegExp) {
  const before = net.getWeights();
  await expect(async () => act()).rejects.toThrow(message);
  expect(net.getWeights()).toEqual(before);
}

describe.each(['wasm', 'js'] as const)('bad input on %s', (backend) => {
  const make = () => createNetwork({ ...config, backend });

  it('rejects data that does not fit the network, and leaves it as it was', async () => {
    const net = await make();
    const cases: [unknown, unknown, RegExp][] = [
      [[[1, 2, 3]], [[1]], /x has 3 columns, but the network expects 2 inputs/],
      [
        x,
        [
          [0, 1],
          [1, 0],
          [0, 0],
          [1, 1],
        ],
        /y has 2 columns, but the network expects 1 outputs/,
      ],
      [x, [[0], [1]], /x has 4 rows but y has 2/],
      [[[0, 0], [1]], [[0], [1]], /x is ragged: row 1 has 1 columns, row 0 has 2/],
      [[[0, NaN]], [[0]], /x\[0\]\[1\] is NaN/],
      [[[0, 0]], [[Infinity]], /y\[0\]\[0\] is Infinity/],
      [[[0, 0]], [[2]], /y\[0\]\[0\] is 2: binaryCrossentropy needs labels in \[0, 1\]/],
      [[[0, 0]], [[-0.5]], /labels in \[0, 1\]/],
      [[], [], /x is empty/],
      [{ data: new Float64Array(0), shape: [0, 2] }, [[0]], /x is empty/],
      [{ data: new Float64Array(3), shape: [2, 2] }, [[0], [1]], /x.data has 3 values, but shape \[2, 2\] needs 4/],
      [{ data: [0, 0], shape: [1, 2] }, [[0]], /x.data must be a Float32Array or Float64Array/],
      [[0, 1], [[0], [1]], /x must be a 2-D array.*wrap each value/],
      [x, [0, 1, 1, 0], /y must be a 2-D array/],
      [[['1', 2]], [[0]], /x\[0\]\[0\] is "1": values must be finite numbers/],
      [
        x,
        undefined,
        /y must be number\[\]\[\] or \{ data: Float32Array \| Float64Array, shape: \[rows, cols\] \}, got undefined/,
      ],
      [
        { data: new Float64Array(2), shape: [1, 2], shap: [1, 2] },
        [[0]],
        /x has an unknown key "shap"; expected \{ data, shape \}/,
      ],
    ];
    for (const [bx, by, message] of cases) {
      await expectRejected(net, () => net.fit(bx as number[][], by as number[][], fitOptions), message);
    }
    await expectRejected(
      net,
      () => net.fit(x, y, { ...fitOptions, validationData: [x, undefined as never] }),
      /validationData y must be number\[\]\[\] or .*, got undefined/,
    );
    await expectRejected(net, () => net.predict([[1, 2, 3]]), /x has 3 columns/);
    await expectRejected(net, () => net.evaluate(x, [[0], [1], [2], [0]]), /y\[2\]\[0\] is 2/);
    await expectRejected(net, () => net.evaluate(x, undefined as never), /y must be number\[\]\[\] or .*, got undefined/);
    net.dispose();
  });

  it('rejects bad fit options', async () => {
    const net = await make();
    const cases: [object, RegExp][] = [
      [{ epochs: 0, learningRate: 0.1 }, /epochs must be a positive integer, got 0/],
      [{ epochs: -2, learningRate: 0.1 }, /epochs must be a positive integer, got -2/],
      [{ epochs: 1.5, learningRate: 0.1 }, /epochs must be a positive integer, got 1.5/],
      [{ learningRate: 0.1 }, /epochs must be a positive integer, got undefined/],
      [{ epochs: 1, learningRate: 0 }, /learningRate must be a positive finite number, got 0/],
      [{ epochs: 1, learningRate: -1 }, /learningRate must be a positive finite number, got -1/],
      [{ epochs: 1, learningRate: NaN }, /learningRate must be a positive finite number, got NaN/],
      [{ epochs: 1, learningRate: 0.1, batchSize: 0 }, /batchSize must be a positive integer/],
      [{ epochs: 1, learningRate: 0.1, shuffle: 'yes' }, /shuffle must be true or false/],
      [{ epochs: 1, learningRate: 0.1, learning_rate: 0.1 }, /unknown option "learning_rate"/],
      [{ epochs: 1, learningRate: 0.1, onEpochEnd: 3 }, /onEpochEnd must be a function/],
      [{ epochs: 1, learningRate: 0.1, optimizer: null }, /optimizer.*null/],
    ];
    for (const [options, message] of cases) {
      await expectRejected(net, () => net.fit(x, y, options as never), message);
    }
    net.dispose();
  });

  it('rejects weights of the wrong shape, writing none of them', async () => {
    const net = await make();
    const good = net.getWeights();
    const cases: [unknown, RegExp][] = [
      [good.slice(0, 1), /expected an array of 2 layers/],
      [[good[0], { W: [[1, 2, 3]], b: [0] }], /layer 1 W is 1x3, expected 3x1/],
      [[{ W: good[0].W, b: [0, 0] }, good[1]], /layer 0 b has 2 values, expected 3/],
      [
        [
          {
            ...good[0],
            W: [
              [1, 2, 3],
              [4, NaN, 6],
            ],
          },
          good[1],
        ],
        /layer 0 W\[1\]\[1\] is NaN/,
      ],
      [
        [
          { W: good[0].W.map((row) => row.map((v) => v + 1)), b: good[0].b },
          { W: [[1]], b: [0] },
        ],
        /layer 1 W is 1x1/,
      ],
      [[good[0], null], /layer 1 must be \{ W, b \}/],
      [[{ ...good[0], b: [0, NaN, 0] }, good[1]], /layer 0 b\[1\] is NaN/],
      [[{ ...good[0], b: [] }, good[1]], /layer 0 b must be a non-empty array of numbers/],
      [[good[0], { W: [[1], [1e39], [1]], b: [0] }], /layer 1 W\[1\]\[0\] is 1e\+39: too large for float32/],
      [
        [good[0], { W: [[9], [9], [9]], b: { data: new Float64Array(2), shape: [2, 1] } }],
        /layer 1 b is 2x1, expected one row of 1 values/,
      ],
      [[{ ...good[0], bias: [0, 0, 0] }, good[1]], /layer 0 has an unknown key "bias"; expected \{ W, b \}/],
    ];
    for (const [weights, message] of cases) {
      await expectRejected(net, () => net.setWeights(weights as never), message);
    }
    net.dispose();
  });

  it('refuses every call on a disposed network', async () => {
    const net = await make();
    net.dispose();
    for (const [call, name] of [
      [() => net.fit(x, y, fitOptions), 'fit'],
      [() => net.predict(x), 'predict'],
      [() => net.evaluate(x, y), 'evaluate'],
      [() => net.getWeights(), 'getWeights'],
      [() => net.setWeights([]), 'setWeights'],
      [() => net.toJSON(), 'toJSON'],
    ] as const) {
      await expect(async () => call()).rejects.toThrow(`${name}: this network has been disposed`);
    }
    // fit is asynchronous: its refusal is a rejected promise, for fit(...).catch() to see, never a throw.
    const fitted = net.fit(x, y, fitOptions);
    expect(fitted).toBeInstanceOf(Promise);
    await expect(fitted).rejects.toThrow('fit: this network has been disposed');
    expect(() => net.dispose()).not.toThrow();
  });

  it('still trains to the same numbers after rejecting bad input', async () => {
    const clean = await make();
    const expected = await clean.fit(x, y, fitOptions);
    const net = await make();
    await expect(net.fit(x, [[0], [1], [1], [5]], fitOptions)).rejects.toThrow(/labels/);
    await expect(net.fit(x, y, { ...fitOptions, epochs: 0 })).rejects.toThrow(/epochs/);
    expect(await net.fit(x, y, fitOptions)).toEqual(expected);
    expect(net.getWeights()).toEqual(clean.getWeights());
    clean.dispose();
    net.dispose();
  });
});

describe.each(['wasm', 'js'] as const)('values a float32 network cannot hold, on %s', (backend) => {
  const tooLarge =
    /is 1e\+39: too large for float32 \(at most ±3.4028234663852886e\+38\); scale the data, or use dtype 'float64'/;

  it('are refused in x and y, from arrays and from Float64Arrays, leaving the network as it was', async () => {
    const net = await createNetwork({ ...config, backend });
    const regression = await createNetwork({
      ...config,
      backend,
      layers: [{ units: 1, activation: 'linear' }],
      loss: 'meanSquaredError',
    });
    await expectRejected(net, () => net.fit([[1e39, 0]], [[1]], fitOptions), /x\[0\]\[0\] is 1e\+39: too large/);
    await expectRejected(
      net,
      () => net.predict({ data: new Float64Array([0, 0, 0, -1e39]), shape: [2, 2] }),
      /x\[1\]\[1\] is -1e\+39: too large/,
    );
    await expectRejected(
      regression,
      () => regression.fit(x, [[0], [1], [1e39], [0]], fitOptions),
      /y\[2\]\[0\] is 1e\+39: too large/,
    );
    await expectRejected(
      net,
      () =>
        net.setWeights([
          {
            W: [
              [1e39, 0, 0],
              [0, 0, 0],
            ],
            b: [0, 0, 0],
          },
          net.getWeights()[1],
        ]),
      tooLarge,
    );
    // Just above the largest float32 but rounding to it is a float32 value, and a float64 network takes 1e39.
    await net.predict([[3.4028235e38, 0]]);
    const wide = await createNetwork({ ...config, backend, dtype: 'float64' });
    expect(wide.predict([[1e39, 0]])).toHaveLength(1);
    for (const n of [net, regression, wide]) n.dispose();
  });
});

describe('bad network configurations', () => {
  const cases: [unknown, RegExp][] = [
    [
      { ...config, layers: [{ units: 1, activation: 'tanhh' }] },
      /layers\[0\].activation "tanhh" is unknown; expected one of sigmoid/,
    ],
    [{ ...config, loss: 'mse' }, /loss "mse" is unknown; expected one of binaryCrossentropy/],
    [{ ...config, backend: 'gpu' }, /Unknown backend "gpu": expected one of wasm, js/],
    [{ ...config, dtype: 'float16' }, /Unknown dtype "float16": expected one of float32, float64/],
    [{ ...config, inputs: 0 }, /inputs must be a positive integer, got 0/],
    [{ ...config, layers: [] }, /layers must be a non-empty array/],
    [{ ...config, layers: [{ units: 2.5, activation: 'sigmoid' }] }, /layers\[0\].units must be a positive integer, got 2.5/],
    [{ ...config, seed: -1 }, /seed must be an integer in \[0, 2\^32\)/],
    // null is a value, not a missing option: a null seed must not quietly become a random one.
    [{ ...config, seed: null }, /seed must be an integer in \[0, 2\^32\), got null/],
    [{ ...config, backend: null }, /Unknown backend null/],
    [{ ...config, dtype: null }, /Unknown dtype null/],
    [{ ...config, threads: null }, /threads must be an integer from 1 to 64, got null/],
    [
      {
        ...config,
        layers: [
          { units: 3, activation: 'leakyRelu', alpha: 1e39 },
          { units: 1, activation: 'sigmoid' },
        ],
      },
      /layers\[0\].alpha is 1e\+39: too large for float32/,
    ],
    [
      { ...config, layers: [{ units: 1, activation: 'sigmoid', kernelInitializer: { normal: 1e39 } }] },
      /an initial weight is beyond float32's range \(layer 0 W\[0\]\[0\] is -?Infinity\): the kernelInitializer's stddev is too large/,
    ],
    [{ ...config, optimizer: 'adam' }, /unknown option "optimizer"/],
    [
      { ...config, layers: [{ units: 1, activation: 'softmax' }], loss: 'categoricalCrossentropy' },
      /layers\[0\]: a softmax over 1 unit always outputs 1/,
    ],
  ];
  it.each(cases)('%j', async (bad, message) => {
    await expect(createNetwork(bad as NetworkConfig)).rejects.toThrow(message);
  });
});

it('refuses a second fit while one is running', async () => {
  const net = await createNetwork({ ...config, backend: 'js' });
  let second: Promise<unknown> | undefined;
  await net.fit(x, y, {
    ...fitOptions,
    onEpochEnd: () => {
      second ??= net.fit(x, y, fitOptions);
    },
  });
  await expect(second).rejects.toThrow(/already training/);
  net.dispose();
});

describe.each(['wasm', 'js'] as const)('running out of memory on %s', (backend) => {
  type WithArena = { heap: { arena: { bytesInUse: number } } };
  const inUse = (net: Network) => (engineOf(net).backend as unknown as WithArena).heap.arena.bytesInUse;

  it('a batch too large for memory is refused, and this network and the others sharing its memory work on', async () => {
    const other = await createNetwork({ ...config, backend });
    const otherWeights = other.getWeights();
    // 25,000 rows of 50,000 activations are 5 GB, past the 4 GiB of linear memory.
    const wide = await createNetwork({
      inputs: 1,
      layers: [
        { units: 50_000, activation: 'tanh' },
        { units: 1, activation: 'sigmoid' },
      ],
      loss: 'binaryCrossentropy',
      backend,
      seed: 2,
    });
    const probe = [[0.5], [-0.25]];
    const before = wide.predict(probe);
    const rows = 25_000;
    const big = { data: new Float32Array(rows).fill(0.3), shape: [rows, 1] as [number, number] };
    const labels = { data: new Float32Array(rows).fill(1), shape: [rows, 1] as [number, number] };
    await expectRejected(
      wide,
      () => wide.fit(big, labels, { epochs: 1, learningRate: 0.1 }),
      /^fit: 25000 rows at a time do not fit in memory: wasmlp: \d+ bytes of memory needed, but it is capped at 4096 MiB; try a smaller batchSize$/,
    );
    expect(wide.predict(probe)).toEqual(before);
    expect(other.getWeights()).toEqual(otherWeights);
    // And it still trains, on a batch that fits.
    await wide.fit(
      { data: big.data.subarray(0, 100), shape: [100, 1] },
      { data: labels.data.subarray(0, 100), shape: [100, 1] },
      { epochs: 1, learningRate: 0.1 },
    );
    expect(wide.predict(probe)).not.toEqual(before);
    wide.dispose();
    other.dispose();
  });

  it('a network too large for memory is refused, and gives back what its first layers took', async () => {
    const other = await createNetwork({ ...config, backend });
    const held = inUse(other);
    // The second layer's 2e9 weights are 8 GB.
    await expect(
      createNetwork({
        inputs: 10,
        layers: [
          { units: 1000, activation: 'tanh' },
          { units: 2_000_000, activation: 'sigmoid' },
        ],
        loss: 'binaryCrossentropy',
        backend,
      }),
    ).rejects.toThrow(/bytes of memory needed, but it is capped at 4096 MiB/);
    expect(inUse(other)).toBe(held);
    other.dispose();
  });
});

describe.each(['wasm', 'js'] as const)('non-finite outputs on %s', (backend) => {
  it('predict and evaluate throw naming the first NaN or Infinity output, rather than returning it', async () => {
    // A linear float32 network: 1e20 * 1e20 overflows float32 to Infinity in the output.
    const net = await createNetwork({
      inputs: 1,
      layers: [{ units: 2, activation: 'linear' }],
      loss: 'meanSquaredError',
      backend,
      seed: 1,
    });
    net.setWeights([{ W: [[1, 1e20]], b: [0, 0] }]);
    expect(Array.from(net.predict([[1], [2]]))).toEqual([1, 1e20, 2, 2e20].map(Math.fround));
    expect(() => net.predict([[1], [2], [1e20]])).toThrow(
      "predict: the output at row 2, column 1 is Infinity; a layer's values overflowed float32's range: scale the inputs as the training data was scaled, or use dtype 'float64'",
    );
    expect(() =>
      net.evaluate(
        [[1], [1e20]],
        [
          [0, 0],
          [0, 0],
        ],
      ),
    ).toThrow(/^evaluate: the output at row 1, column 1 is Infinity; /);
    // A weight made non-finite behind the checks (directly in memory) is named.
    engineOf(net).backend.view(engineOf(net).layers[0].weights, 2)[0] = NaN;
    expect(() => net.predict([[1]])).toThrow(
      'predict: the output at row 0, column 0 is NaN; a weight is not finite (layer 0 W[0][0] is NaN): set finite weights',
    );
    net.dispose();
  });
});

describe.each(['float32', 'float64'] as const)('numbers that vanish in %s', (dtype) => {
  const tiny = dtype === 'float32' ? 1e-40 : 1e-310; // subnormal in the dtype
  const zero = dtype === 'float32' ? 1e-50 : 1e-330; // rounds to 0 (a double 0 for float64: refused as not positive)
  const smallest = dtype === 'float32' ? '1.18e-38' : '2.23e-308';
  it('are refused as a learning rate, an epsilon, a momentum or a beta, naming the dtype', async () => {
    const net = await createNetwork({ ...config, dtype });
    const cases: [object, string][] = [
      [
        { learningRate: tiny },
        `fit: learningRate ${tiny} ${dtype === 'float32' ? 'rounds to a subnormal' : 'is subnormal'} in ${dtype} (smallest normal ${smallest})`,
      ],
      [
        { optimizer: { type: 'adam', epsilon: tiny } },
        `fit: optimizer.epsilon ${tiny} ${dtype === 'float32' ? 'rounds to a subnormal' : 'is subnormal'} in ${dtype}`,
      ],
      [{ optimizer: { type: 'sgd', momentum: tiny } }, `fit: optimizer.momentum ${tiny}`],
      [{ optimizer: { type: 'adam', beta1: tiny } }, `fit: optimizer.beta1 ${tiny}`],
    ];
    if (dtype === 'float32') {
      cases.push([{ learningRate: zero }, 'fit: learningRate 1e-50 rounds to 0 in float32 (smallest normal 1.18e-38)']);
      cases.push([{ learningRate: 1e39 }, "fit: learningRate 1e+39 is beyond float32's range"]);
      cases.push([
        { optimizer: { type: 'sgd', momentum: 0.999999999 } },
        'fit: optimizer.momentum 0.999999999 rounds to 1 in float32',
      ]);
    }
    for (const [options, message] of cases)
      await expectRejected(
        net,
        () => net.fit(x, y, { ...fitOptions, ...options }),
        new RegExp(`^${message.replace(/[.()+]/g, '\\$&')}`),
      );
    // The smallest normal itself is accepted.
    await net.fit(x, y, { ...fitOptions, learningRate: dtype === 'float32' ? 2 ** -126 : 2 ** -1022 });
    net.dispose();
  });
});

describe('messages echo at most 100 characters of a value, and nothing a value says about itself', () => {
  it('a long string is cut, saying how long it was', async () => {
    const long = 'x'.repeat(5000);
    await expect(createNetwork({ ...config, loss: long as never })).rejects.toThrow(
      `createNetwork: loss "${'x'.repeat(100)}"… (5000 characters) is unknown`,
    );
    const net = await createNetwork(config);
    expect(() => net.predict([[0, long as never]])).toThrow(
      `x[0][1] is "${'x'.repeat(100)}"… (5000 characters): values must be finite numbers`,
    );
    await expect(net.fit(x, y, { ...fitOptions, optimizer: long as never })).rejects.toThrow(/\(5000 characters\) is unknown/);
    net.dispose();
  });

  it('an object is described by what it is, not by its constructor.name or toStringTag', async () => {
    const hostile = { constructor: { name: 'x'.repeat(10_000) }, [Symbol.toStringTag]: 'y'.repeat(10_000) };
    const net = await createNetwork(config);
    let message = '';
    try {
      net.predict(hostile as never);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('x must be number[][] or { data: Float32Array | Float64Array, shape: [rows, cols] }, got an object');
    const evil = Object.defineProperty(new Float32Array(2), Symbol.toStringTag, { value: 'z'.repeat(1000) });
    expect(() => net.predict({ data: new Int8Array(2), shape: [1, 2] } as never)).toThrow(
      'x.data must be a Float32Array or Float64Array, got an Int8Array',
    );
    expect(() => net.predict([evil as never])).toThrow('x must be a 2-D array (rows of numbers), but x[0] is a Float32Array');
    net.dispose();
  });
});

describe('describe() names any value without running into it', () => {
  /** An object whose every proxy trap throws, as a hostile caller can build. */
  const allTrapsThrow = () =>
    new Proxy(
      [],
      new Proxy(
        {},
        {
          get: () => () => {
            throw new Error('trap');
          },
        },
      ),
    );

  it.each<[string, () => unknown, string]>([
    ['a symbol', () => Symbol('s'), 'a symbol'],
    ['a bigint', () => 10n ** 30n, 'a bigint'],
    [
      'a revoked proxy of an array',
      () => {
        const { proxy, revoke } = Proxy.revocable([], {});
        revoke();
        return proxy;
      },
      'an object',
    ],
    [
      'a revoked proxy of a function',
      () => {
        const { proxy, revoke } = Proxy.revocable(() => 1, {});
        revoke();
        return proxy;
      },
      'a function',
    ],
    ['a proxy whose every trap throws', allTrapsThrow, 'an object'],
    [
      'a proxy whose getPrototypeOf throws',
      () =>
        new Proxy(
          {},
          {
            getPrototypeOf() {
              throw new Error('trap');
            },
          },
        ),
      'an object',
    ],
    [
      'an array proxy whose length is a long string',
      () => new Proxy([], { get: (t, k) => (k === 'length' ? 'L'.repeat(5000) : Reflect.get(t, k)) }),
      'an array',
    ],
    [
      'an array proxy whose length is a symbol',
      () => new Proxy([], { get: (t, k) => (k === 'length' ? Symbol('n') : Reflect.get(t, k)) }),
      'an array',
    ],
    [
      'an object whose getters throw',
      () =>
        Object.defineProperties(
          {},
          {
            constructor: {
              get() {
                throw new Error('getter');
              },
            },
            [Symbol.toStringTag]: {
              get() {
                throw new Error('getter');
              },
            },
            [Symbol.toPrimitive]: {
              get() {
                throw new Error('getter');
              },
            },
          },
        ),
      'an object',
    ],
    [
      'an object whose toString and valueOf throw',
      () => ({
        toString() {
          throw new Error('x');
        },
        valueOf() {
          throw new Error('x');
        },
      }),
      'an object',
    ],
    [
      'a cyclic array',
      () => {
        const a: unknown[] = [];
        a.push(a);
        return a;
      },
      'an array of length 1',
    ],
  ])('%s', (_name, make, expected) => {
    expect(describeValue(make())).toBe(expected);
  });
});

/**
 * An array declaring 2^32 - 1 elements, holding `first` at 0, that counts the
 * reads of its elements; past 1000 it throws, so that a walk over its length
 * fails the test at once rather than running for minutes.
 */
function sparseCounting(first: unknown): { array: unknown[]; reads: () => number } {
  const target: unknown[] = [];
  target.length = 2 ** 32 - 1;
  target[0] = first;
  let reads = 0;
  const count = (key: string | symbol) => {
    if (typeof key === 'string' && /^\d+$/.test(key) && ++reads > 1000) throw new Error('walked the declared length');
  };
  const array = new Proxy(target, {
    get(t, key, receiver) {
      count(key);
      return Reflect.get(t, key, receiver);
    },
    has(t, key) {
      count(key);
      return Reflect.has(t, key);
    },
    getOwnPropertyDescriptor(t, key) {
      count(key);
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
  });
  return { array, reads: () => reads };
}

describe('sparse arrays are refused on their length, before any element is read', () => {
  const layer = { units: 1, activation: 'sigmoid' };

  it('layers longer than MAX_LAYERS, in createNetwork and loadNetwork', async () => {
    const layers = sparseCounting(layer);
    await expect(createNetwork({ ...config, layers: layers.array as never })).rejects.toThrow(
      `createNetwork: layers has ${2 ** 32 - 1} elements, more than the ${MAX_LAYERS} allowed`,
    );
    const net = await createNetwork({ ...config, backend: 'js' });
    await expect(loadNetwork({ ...net.toJSON(), layers: layers.array as never })).rejects.toThrow(
      `loadNetwork: createNetwork: layers has ${2 ** 32 - 1} elements, more than the ${MAX_LAYERS} allowed`,
    );
    expect(layers.reads()).toBe(0);
    net.dispose();
    // The limit itself is accepted, one more refused.
    const deepest = await createNetwork({ ...config, backend: 'js', layers: new Array(MAX_LAYERS).fill(layer) });
    expect(deepest.layers).toHaveLength(MAX_LAYERS);
    deepest.dispose();
    await expect(createNetwork({ ...config, layers: new Array(MAX_LAYERS + 1).fill(layer) })).rejects.toThrow(
      `createNetwork: layers has ${MAX_LAYERS + 1} elements, more than the ${MAX_LAYERS} allowed`,
    );
  });

  it('callbacks longer than MAX_CALLBACKS, in fit', async () => {
    const net = await createNetwork({ ...config, backend: 'js' });
    const callbacks = sparseCounting({ onEpochEnd() {} });
    await expectRejected(
      net,
      () => net.fit(x, y, { ...fitOptions, callbacks: callbacks.array as never }),
      new RegExp(`^fit: callbacks has ${2 ** 32 - 1} elements, more than the ${MAX_CALLBACKS} allowed$`),
    );
    expect(callbacks.reads()).toBe(0);
    net.dispose();
  });

  it('a b of another length than the layer has units, in setWeights', async () => {
    const net = await createNetwork({ ...config, backend: 'js' });
    const [first, second] = net.getWeights();
    const b = sparseCounting(0);
    await expectRejected(
      net,
      () => net.setWeights([{ W: first.W, b: b.array as number[] }, second]),
      new RegExp(`^setWeights: layer 0 b has ${2 ** 32 - 1} values, expected 3$`),
    );
    expect(b.reads()).toBe(0);
    net.dispose();
  });
});

describe('a hole in an array is a library Error naming its index', () => {
  /* eslint-disable no-sparse-arrays */
  it('in createNetwork layers', async () => {
    const error = await createNetwork({ ...config, layers: [, { units: 1, activation: 'sigmoid' }] as never }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).constructor).toBe(Error); // not the TypeError of reading undefined.units
    expect((error as Error).message).toBe('createNetwork: layers[0] is missing (a hole in the array)');
  });

  it('in fit callbacks, leaving the network as it was', async () => {
    const net = await createNetwork({ ...config, backend: 'js' });
    await expectRejected(
      net,
      () => net.fit(x, y, { ...fitOptions, callbacks: [, { onEpochEnd() {} }] as never }),
      /^fit: callbacks\[0\] is missing \(a hole in the array\)$/,
    );
    net.dispose();
  });

  it('in setWeights, among the layers or in a b, writing nothing', async () => {
    const net = await createNetwork({ ...config, backend: 'js' });
    const [first, second] = net.getWeights();
    // A hole among the layers was skipped, and only the other layer written, without a word.
    await expectRejected(
      net,
      () => net.setWeights([, { W: second.W.map((r) => r.map((v) => v + 1)), b: second.b }] as never),
      /^setWeights: layer 0 is missing \(a hole in the array\)$/,
    );
    // A hole in b was written as NaN.
    await expectRejected(
      net,
      () => net.setWeights([{ W: first.W, b: [0, , 0] as number[] }, second]),
      /^setWeights: layer 0 b\[1\] is missing \(a hole in the array\)$/,
    );
    net.dispose();
  });

  it('in rows of data, where it read as undefined', async () => {
    const net = await createNetwork({ ...config, backend: 'js' });
    await expectRejected(net, () => net.predict([[0, 1], , [1, 1]] as number[][]), /^x\[1\] is missing \(a hole in the array\)$/);
    await expectRejected(net, () => net.predict([, [0, 1]] as number[][]), /^x\[0\] is missing \(a hole in the array\)$/);
    await expectRejected(
      net,
      () => net.fit(x, [[0], [1], [,], [0]] as number[][], fitOptions),
      /^y\[2\]\[0\] is missing \(a hole in the array\)$/,
    );
    // An undefined written out is not a hole.
    await expectRejected(
      net,
      () => net.predict([[0, undefined]] as never),
      /^x\[0\]\[1\] is undefined: values must be finite numbers$/,
    );
    net.dispose();
  });
  /* eslint-enable no-sparse-arrays */
});

describe('backend and dtype: any value is refused by createNetwork with a short message', () => {
  const cyclic = () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    return o;
  };
  it.each<[string, () => unknown, string]>([
    ['a bigint', () => 10n ** 30n, 'a bigint'],
    ['a cyclic object', cyclic, 'an object'],
    [
      'an array nested 100000 deep',
      () => {
        let v: unknown = [];
        for (let i = 0; i < 100_000; i++) v = [v];
        return v;
      },
      'an array of length 1',
    ],
    ['a long string', () => 'w'.repeat(100_000), `"${'w'.repeat(100)}"… (100000 characters)`],
  ])('%s', async (_name, make, described) => {
    await expect(createNetwork({ ...config, backend: make() as never })).rejects.toThrow(
      `createNetwork: Unknown backend ${described}: expected one of wasm, js`,
    );
    await expect(createNetwork({ ...config, dtype: make() as never })).rejects.toThrow(
      `createNetwork: Unknown dtype ${described}: expected one of float32, float64`,
    );
    // And createBackend's own check, for its other callers, names them alike (it once ran JSON.stringify on them).
    await expect(createBackend(make() as never, 'float32')).rejects.toThrow(
      `createBackend: Unknown backend ${described}: expected one of wasm, js`,
    );
    await expect(createBackend('js', make() as never)).rejects.toThrow(
      `createBackend: Unknown dtype ${described}: expected one of float32, float64`,
    );
  });
});

it("loadNetwork passes on what a caller's getter throws, as createNetwork does, even when it is not an Error", async () => {
  const net = await createNetwork({ ...config, backend: 'js' });
  const json = net.toJSON();
  net.dispose();
  for (const thrown of [null, undefined, 'a string', 42]) {
    const layer = Object.defineProperty({ ...json.layers[0] }, 'units', {
      get() {
        throw thrown;
      },
      enumerable: true,
    });
    // Not a TypeError of reading .message from it.
    await expect(
      loadNetwork({ ...json, layers: [layer, json.layers[1]] }).then(
        () => 'loaded',
        (e: unknown) => e,
      ),
    ).resolves.toBe(thrown);
    await expect(
      createNetwork({ ...config, layers: [layer, json.layers[1]] }).then(
        () => 'loaded',
        (e: unknown) => e,
      ),
    ).resolves.toBe(thrown);
  }
});

describe('an array whose length is not an array length (a proxy can claim any) is refused, naming it', () => {
  const claiming = (target: unknown[], length: unknown) =>
    new Proxy(target, { get: (t, k, r) => (k === 'length' ? length : Reflect.get(t, k, r)) });

  it('in data, layers, callbacks and b', async () => {
    const net = await createNetwork({ ...config, backend: 'js' });
    const [first, second] = net.getWeights();
    // Each was an engine TypeError ("Cannot convert a Symbol value to a number"), or taken as it came (-1 columns, 2.5 rows).
    await expectRejected(
      net,
      () => net.predict(claiming([[0, 1]], Symbol('n')) as never),
      /^x has a length of a symbol, which no array has$/,
    );
    await expectRejected(
      net,
      () => net.predict([claiming([0, 1], -1)] as never),
      /^x\[0\] has a length of -1, which no array has$/,
    );
    await expectRejected(
      net,
      () => net.predict(claiming([[0, 1]], 2 ** 32) as never),
      /^x has a length of 4294967296, which no array has$/,
    );
    await expectRejected(
      net,
      () => net.fit(x, y, { ...fitOptions, callbacks: claiming([{ onEpochEnd() {} }], Symbol('n')) as never }),
      /^fit: callbacks has a length of a symbol, which no array has$/,
    );
    await expectRejected(
      net,
      () => net.setWeights([{ W: first.W, b: claiming([0, 0, 0], 2.5) as never }, second]),
      /^setWeights: layer 0 b has a length of 2.5, which no array has$/,
    );
    await expectRejected(
      net,
      () => net.predict({ data: new Float64Array(2), shape: claiming([1, 2], Symbol('n')) } as never),
      /^x.shape must be \[rows, cols\] with non-negative integers, got an array$/,
    );
    await expect(
      createNetwork({ ...config, layers: claiming([{ units: 1, activation: 'sigmoid' }], '1') as never }),
    ).rejects.toThrow(/^createNetwork: layers has a length of "1", which no array has$/);
    net.dispose();
  });
});

describe('each row and value of x, y and W is read once: what is used is what was checked', () => {
  const isIndex = (k: PropertyKey) => typeof k === 'string' && /^\d+$/.test(k);
  /** A proxy of `list` whose elements read as given the first time and as `later` on every read after. */
  const firstReadOnly = <T>(list: T[], later: unknown): T[] => {
    const seen = new Set<PropertyKey>();
    return new Proxy(list, {
      get: (t, k, r) => (isIndex(k) && seen.has(k) ? later : (isIndex(k) && seen.add(k), Reflect.get(t, k, r))),
    });
  };
  /** A proxy of `row` whose length reads right the first time and `later` after. */
  const lengthChanging = (row: number[], later: number): number[] => {
    let reads = 0;
    return new Proxy(row, { get: (t, k, r) => (k === 'length' && reads++ > 0 ? later : Reflect.get(t, k, r)) });
  };
  /** x with row 1 replaced by `row(x[1])`. */
  const withRow = (rows: number[][], make: (row: number[]) => number[]) => rows.map((row, i) => (i === 1 ? make([...row]) : row));
  const hostileRows: [string, (rows: number[][]) => number[][]][] = [
    ['a row whose values read NaN after the first read', (rows) => withRow(rows, (row) => firstReadOnly(row, NaN))],
    ['a row whose length grows after the first read', (rows) => withRow(rows, (row) => lengthChanging(row, 1000))],
    ['a row whose length shrinks after the first read', (rows) => withRow(rows, (row) => lengthChanging(row, 1))],
    [
      'rows whose row 1 reads as NaNs after the first read',
      (rows) => {
        let reads = 0;
        return new Proxy(
          rows.map((row) => [...row]),
          { get: (t, k, r) => (k === '1' && reads++ > 0 ? [NaN, NaN] : Reflect.get(t, k, r)) },
        );
      },
    ],
  ];

  /**
   * `act` on the hostile input either gives what `plain` (the values of
   * the first reads) gives, or throws a library Error leaving the
   * network's weights bit for bit as they were.
   */
  async function firstReadsOrRefused(net: Network, act: () => unknown, plain: () => unknown): Promise<void> {
    const before = net.getWeights();
    let result: unknown;
    try {
      result = await act();
    } catch (error) {
      expect((error as Error).constructor, String(error)).toBe(Error); // a library check, not an engine TypeError or RangeError
      expect(net.getWeights()).toEqual(before);
      return;
    }
    const after = net.getWeights();
    net.setWeights(before);
    expect([result, after]).toEqual([await plain(), net.getWeights()]);
  }

  const mse: NetworkConfig = { inputs: 2, layers: [{ units: 2, activation: 'linear' }], loss: 'meanSquaredError', seed: 4 };
  const cce: NetworkConfig = {
    inputs: 2,
    layers: [{ units: 3, activation: 'softmax' }],
    loss: 'categoricalCrossentropy',
    seed: 5,
  };
  const xs = [
    [0.5, -1],
    [1.5, 2],
    [-0.25, 0.75],
    [1, 1],
  ];

  describe.each(['wasm', 'js'] as const)('on %s', (backend) => {
    it.each(hostileRows)('x, y and W: %s', async (_name, hostile) => {
      const net = await createNetwork({ ...config, backend });
      await firstReadsOrRefused(
        net,
        () => net.predict(hostile(xs)),
        () => net.predict(xs),
      );
      await firstReadsOrRefused(
        net,
        () => net.evaluate(hostile(xs), y),
        () => net.evaluate(xs, y),
      );
      await firstReadsOrRefused(
        net,
        () => net.fit(hostile(xs), y, fitOptions),
        () => net.fit(xs, y, fitOptions),
      );
      const [first, second] = net.getWeights();
      const W = first.W.map((row) => row.map((v) => Math.fround(v + 0.25)));
      await firstReadsOrRefused(
        net,
        () => net.setWeights([{ W: hostile(W), b: first.b }, second]),
        () => net.setWeights([{ W, b: first.b }, second]),
      );
      const json = net.toJSON();
      const loaded = await loadNetwork({ ...json, weights: [{ W: hostile(W), b: first.b }, second] }).then(
        (n) => {
          const weights = n.getWeights();
          n.dispose();
          return weights;
        },
        (error: unknown) => {
          expect((error as Error).constructor).toBe(Error);
          return undefined;
        },
      );
      if (loaded) expect(loaded).toEqual([{ W, b: first.b }, second]);
      net.dispose();

      const regression = await createNetwork({ ...mse, backend });
      const targets = xs.map(([a, b]) => [a + b, a - b]);
      await firstReadsOrRefused(
        regression,
        () => regression.evaluate(xs, hostile(targets)),
        () => regression.evaluate(xs, targets),
      );
      await firstReadsOrRefused(
        regression,
        () => regression.fit(xs, hostile(targets), fitOptions),
        () => regression.fit(xs, targets, fitOptions),
      );
      regression.dispose();

      const classifier = await createNetwork({ ...cce, backend });
      const oneHot = [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [0, 1, 0],
      ];
      await firstReadsOrRefused(
        classifier,
        () => classifier.evaluate(xs, hostile(oneHot)),
        () => classifier.evaluate(xs, oneHot),
      );
      const column = [[0], [1], [2], [1]];
      await firstReadsOrRefused(
        classifier,
        () => classifier.evaluate(xs, hostile(column)),
        () => classifier.evaluate(xs, column),
      );
      classifier.dispose();
    });

    it('class indices that read out of range after the first read', async () => {
      const net = await createNetwork({ ...cce, backend });
      // 2: a valid index, but not the one checked (it trained on [2, 2, 2, 2]).
      for (const later of [NaN, 3, -1, 0.5, 2]) {
        await firstReadsOrRefused(
          net,
          () => net.fit(xs, firstReadOnly([0, 1, 2, 1], later), fitOptions),
          () => net.fit(xs, [0, 1, 2, 1], fitOptions),
        );
      }
      net.dispose();
    });
  });
});

describe('a shaped matrix is read by what its typed array is, not by what it says', () => {
  it('a proxy posing as a Float32Array, an own length property, a shape that reads otherwise twice', async () => {
    const net = await createNetwork({ ...config, backend: 'js' });
    const data = new Float32Array([0, 1, 1, 0]);
    // Its reads were the caller's code: TypedArray.prototype.set read its length and values again.
    const posing = new Proxy(data, { get: (t, k) => (k === 'length' ? 4 : Reflect.get(t, k, t)) });
    await expectRejected(
      net,
      () => net.predict({ data: posing, shape: [2, 2] }),
      /^x.data must be a Float32Array or Float64Array, got an object$/,
    );
    const claimed = Object.defineProperty(new Float32Array([0, 1]), 'length', { value: 4 });
    await expectRejected(
      net,
      () => net.predict({ data: claimed, shape: [2, 2] }),
      /^x.data has 2 values, but shape \[2, 2\] needs 4$/,
    );
    // [2, 2] when checked, then [-2, -2] (also 4 values) when used.
    let reads = 0;
    const shape = new Proxy([2, 2], { get: (t, k, r) => ((k === '0' || k === '1') && reads++ >= 2 ? -2 : Reflect.get(t, k, r)) });
    expect(Array.from(net.predict({ data, shape: shape as [number, number] }))).toEqual(
      Array.from(
        net.predict([
          [0, 1],
          [1, 0],
        ]),
      ),
    );
    net.dispose();
  });
});

describe('categoricalCrossentropy labels whose length no array has are refused, naming it', () => {
  it.each([
    [Symbol('n'), 'a symbol'],
    [-1, '-1'],
    [1.5, '1.5'],
    [2 ** 32, '4294967296'],
    ['2', '"2"'],
    [2n, 'a bigint'],
  ])('a length of %s', async (length, described) => {
    const net = await createNetwork({
      inputs: 2,
      layers: [{ units: 3, activation: 'softmax' }],
      loss: 'categoricalCrossentropy',
      seed: 5,
      backend: 'js',
    });
    const labels = new Proxy([0, 1], { get: (t, k, r) => (k === 'length' ? length : Reflect.get(t, k, r)) });
    // A Symbol length was an engine TypeError ("Cannot convert a Symbol value to a number").
    await expectRejected(
      net,
      () =>
        net.fit(
          [
            [0, 1],
            [1, 0],
          ],
          labels,
          fitOptions,
        ),
      new RegExp(`^y has a length of ${described.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, which no array has$`),
    );
    net.dispose();
  });
});

describe('fit reads each option once: what trains is what was checked', () => {
  /** `options` with `key` a getter answering `first` on its first read and `later` after. */
  const answering = (options: object, key: string, first: unknown, later: unknown) => {
    let reads = 0;
    return Object.defineProperty({ ...options }, key, { get: () => (reads++ === 0 ? first : later), enumerable: true });
  };

  it.each<[string, unknown, unknown]>([
    // A batchSize of 0 never ended an epoch; 1e9 epochs ran on.
    ['batchSize', 2, 0],
    ['epochs', 2, 1e9],
    ['learningRate', 0.5, NaN],
    ['shuffle', false, 'yes'],
    ['validationData', [x, y], [[[NaN, NaN]], [[0]]]],
  ])('%s', async (key, first, later) => {
    const net = await createNetwork({ ...config, backend: 'js' });
    const twin = await createNetwork({ ...config, backend: 'js' });
    const options = { epochs: 2, learningRate: 0.5, [key]: first };
    const history = await Promise.race([
      net.fit(x, y, answering(options, key, first, later) as never),
      new Promise((_, reject) => setTimeout(() => reject(new Error('fit did not end')), 5000)),
    ]);
    expect(history).toEqual(await twin.fit(x, y, options as never));
    expect(net.getWeights()).toEqual(twin.getWeights());
    net.dispose();
    twin.dispose();
  });
});

describe('createNetwork reads each field of its config once: what is built is what was checked', () => {
  it.each<[string, unknown]>([
    ['inputs', -1],
    ['loss', 'meanSquaredError'],
    ['dtype', 'float16'],
    ['backend', 'gpu'],
    ['seed', -5],
    ['layers', []],
  ])('%s', async (key, later) => {
    const valid = { ...config, backend: 'js' as const, dtype: 'float64' as const, seed: 7 };
    let reads = 0;
    const first = (valid as Record<string, unknown>)[key];
    const given = Object.defineProperty({ ...valid }, key, { get: () => (reads++ === 0 ? first : later), enumerable: true });
    const net = await createNetwork(given);
    const twin = await createNetwork(valid);
    expect([net.inputs, net.layers, net.loss, net.dtype, net.backend, net.getWeights()]).toEqual([
      twin.inputs,
      twin.layers,
      twin.loss,
      twin.dtype,
      twin.backend,
      twin.getWeights(),
    ]);
    net.dispose();
    twin.dispose();
  });
});
