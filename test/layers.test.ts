/**
 * Activations, losses and initialisers at the network level: finite-difference
 * gradient checks for every legal activation/loss pairing on both backends,
 * class-index labels, softmax outputs, initialiser statistics and seeding,
 * and the errors for configurations and labels that cannot work.
 */
import { describe, expect, it } from 'vitest';
import type { ActivationName } from '../src/activations.js';
import { createNetwork, type LabelInput, type LayerConfig, loadNetwork, type Network, type NetworkConfig } from '../src/index.js';
import { TRUNCATED_NORMAL_STDDEV } from '../src/initializers.js';
import type { LossName } from '../src/losses.js';
import { Random } from '../src/random.js';
import { analyticGradients, checkGradients, randomLabels, randomMatrix } from './helpers.js';

// ---------------------------------------------------------------- a float64 reference forward pass

/** Pre-activations of every layer for inputs x, in plain float64, from the network's weights. */
function preActivations(net: Network, x: number[][]): number[][][] {
  const result: number[][][] = [];
  let input = x;
  net.getWeights().forEach(({ W, b }, l) => {
    const { activation, alpha = 0 } = net.layers[l];
    const z = input.map((row) => b.map((bj, j) => row.reduce((s, v, i) => s + v * W[i][j], bj)));
    result.push(z);
    input = z.map((row) => {
      if (activation === 'softmax') {
        const max = Math.max(...row);
        const e = row.map((v) => Math.exp(v - max));
        const sum = e.reduce((s, v) => s + v, 0);
        return e.map((v) => v / sum);
      }
      return row.map(
        (v) =>
          ({
            sigmoid: 1 / (1 + Math.exp(-v)),
            tanh: Math.tanh(v),
            relu: Math.max(v, 0),
            leakyRelu: v > 0 ? v : alpha * v,
            linear: v,
          })[activation],
      );
    });
  });
  return result;
}

// ---------------------------------------------------------------- gradients

type Hidden = { activation: ActivationName; alpha?: number };
const HIDDEN: Hidden[] = [
  { activation: 'sigmoid' },
  { activation: 'tanh' },
  { activation: 'relu' },
  { activation: 'leakyRelu', alpha: 0.2 },
  { activation: 'linear' },
];
/** Every legal output activation for each loss. */
const HEADS: { loss: LossName; output: ActivationName }[] = [
  { loss: 'binaryCrossentropy', output: 'sigmoid' },
  { loss: 'categoricalCrossentropy', output: 'softmax' },
  ...(['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'] as const).map((output) => ({
    loss: 'meanSquaredError' as const,
    output,
  })),
];

/** Targets a loss can take: 0/1 for BCE, one-hot rows for CCE, any reals for MSE. */
function targets(random: Random, loss: LossName, rows: number, cols: number): number[][] {
  if (loss === 'binaryCrossentropy') return randomLabels(random, rows, cols);
  if (loss === 'meanSquaredError') return randomMatrix(random, rows, cols, 1.5);
  return Array.from({ length: rows }, () => {
    const row = new Array<number>(cols).fill(0);
    row[random.below(cols)] = 1;
    return row;
  });
}

/** Pre-activations at least this far from relu's kink: h (1e-6) times |x| moves them far less. */
const KINK_MARGIN = 1e-3;

describe.each(['wasm', 'js'] as const)('finite-difference gradients of every activation and loss on %s (float64)', (backend) => {
  for (const hidden of HIDDEN) {
    for (const { loss, output } of HEADS) {
      it(`${hidden.activation} hidden layers, ${output} output, ${loss}`, async () => {
        const layers: LayerConfig[] = [
          { units: 5, ...hidden },
          { units: 4, ...hidden },
          { units: 3, activation: output },
        ];
        const net = await createNetwork({ inputs: 3, layers, loss, backend, dtype: 'float64', seed: 7 });
        const random = new Random(11);
        // Non-zero biases, so their gradients are exercised away from the start.
        net.setWeights(net.getWeights().map(({ W, b }) => ({ W, b: b.map(() => random.uniform() - 0.5) })));
        // Draw data until no pre-activation sits near a kink (relu, leakyRelu), so the
        // central difference never straddles one.
        let x: number[][];
        let attempts = 0;
        do {
          x = randomMatrix(random, 9, 3, 2);
          attempts++;
        } while (
          preActivations(net, x)
            .flat(2)
            .some((z) => Math.abs(z) < KINK_MARGIN) &&
          attempts < 100
        );
        expect(attempts).toBeLessThan(100);
        checkGradients(net, x, targets(random, loss, 9, 3));
        net.dispose();
      });
    }
  }

  it('categoricalCrossentropy with class-index labels has the one-hot gradient', async () => {
    const net = await createNetwork({
      inputs: 2,
      layers: [
        { units: 4, activation: 'tanh' },
        { units: 3, activation: 'softmax' },
      ],
      loss: 'categoricalCrossentropy',
      backend,
      dtype: 'float64',
      seed: 3,
    });
    const x = randomMatrix(new Random(5), 7, 2, 2);
    const indices = [0, 2, 1, 1, 0, 2, 2];
    checkGradients(net, x, indices);
    const oneHot = indices.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
    expect(analyticGradients(net, x, indices)).toEqual(analyticGradients(net, x, oneHot));
    net.dispose();
  });
});

// ---------------------------------------------------------------- labels and outputs

/** Three Gaussian blobs in the plane, one per class. */
function blobs(random: Random, perClass: number): { x: number[][]; classes: number[] } {
  const centres = [
    [-2, 0],
    [2, 0],
    [0, 2.5],
  ];
  const x: number[][] = [],
    classes: number[] = [];
  for (let i = 0; i < perClass * 3; i++) {
    const c = i % 3;
    x.push([centres[c][0] + 0.6 * random.normal(), centres[c][1] + 0.6 * random.normal()]);
    classes.push(c);
  }
  return { x, classes };
}

const CLASSIFIER: NetworkConfig = {
  inputs: 2,
  layers: [
    { units: 8, activation: 'relu', kernelInitializer: 'heNormal' },
    { units: 3, activation: 'softmax' },
  ],
  loss: 'categoricalCrossentropy',
  seed: 21,
};

describe.each(['wasm', 'js'] as const)('categorical networks on %s', (backend) => {
  const { x, classes } = blobs(new Random(4), 30);
  const oneHot = classes.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
  const options = { epochs: 40, learningRate: 0.5, batchSize: 16, shuffle: true };

  it('class indices, as number[] or one column, train exactly as one-hot rows', async () => {
    const runs = [];
    const labels: LabelInput[] = [
      oneHot,
      classes,
      classes.map((c) => [c]),
      { data: Float32Array.from(classes), shape: [classes.length, 1] },
    ];
    for (const y of labels) {
      const net = await createNetwork({ ...CLASSIFIER, backend });
      const history = await net.fit(x, y, options);
      runs.push({ history, weights: net.getWeights(), evaluation: net.evaluate(x, y) });
      net.dispose();
    }
    for (const run of runs.slice(1)) expect(run).toEqual(runs[0]);
    // And it learned: three separable blobs.
    expect(runs[0].evaluation.acc).toBeGreaterThan(0.9);
    expect(runs[0].history.history.acc).toBeDefined();
  });

  it.each(['float32', 'float64'] as const)(
    'softmax outputs are probabilities summing to 1 (%s), even for extreme inputs',
    async (dtype) => {
      const net = await createNetwork({ ...CLASSIFIER, backend, dtype });
      const extreme = [
        [1e6, -1e6],
        [-1e6, 1e6],
        [0, 1e7],
        [3, -4],
        [0, 0],
      ];
      const out = net.predict([...x.slice(0, 10), ...extreme]);
      for (let r = 0; r < out.length / 3; r++) {
        const row = Array.from(out.subarray(3 * r, 3 * r + 3));
        expect(
          row.every((p) => p >= 0 && p <= 1),
          `row ${r}: ${row}`,
        ).toBe(true);
        expect(Math.abs(row[0] + row[1] + row[2] - 1), `row ${r}: ${row}`).toBeLessThan(dtype === 'float32' ? 1e-6 : 1e-15);
      }
      net.dispose();
    },
  );

  it('meanSquaredError has no accuracy: evaluate gives { loss } only, and the loss is the mean over every element', async () => {
    const net = await createNetwork({
      inputs: 2,
      layers: [
        { units: 6, activation: 'tanh' },
        { units: 2, activation: 'linear' },
      ],
      loss: 'meanSquaredError',
      backend,
      dtype: 'float64',
      seed: 2,
    });
    const y = x.map(([a, b]) => [a + b, a * b]);
    const evaluation = net.evaluate(x, y);
    expect(Object.keys(evaluation)).toEqual(['loss']);
    const out = net.predict(x);
    const expected = y.flat().reduce((s, v, i) => s + (out[i] - v) ** 2, 0) / out.length;
    expect(Math.abs(evaluation.loss - expected)).toBeLessThan(1e-14 * expected);
    // Training reduces it.
    const history = await net.fit(x, y, { epochs: 50, learningRate: 0.05 });
    expect(history.history.loss[49]).toBeLessThan(history.history.loss[0] * 0.8);
    expect(history.history.acc).toBeUndefined();
    net.dispose();
  });

  it('a saved network with every new option loads to the same predictions', async () => {
    const net = await createNetwork({
      inputs: 2,
      layers: [
        { units: 5, activation: 'leakyRelu', alpha: 0.1, kernelInitializer: { normal: 0.3 } },
        { units: 4, activation: 'tanh', kernelInitializer: 'heNormal' },
        { units: 3, activation: 'softmax' },
      ],
      loss: 'categoricalCrossentropy',
      backend,
      seed: 8,
    });
    const loaded = await loadNetwork(JSON.stringify(net.toJSON()), { backend });
    expect(loaded.layers).toEqual(net.layers);
    expect(loaded.predict(x)).toEqual(net.predict(x));
    net.dispose();
    loaded.dispose();
  });
});

// ---------------------------------------------------------------- initialisers

describe('kernel initialisers', () => {
  /** Weights of a one-layer network as a flat list. */
  async function kernel(config: Partial<LayerConfig>, inputs: number, units: number, extra: Partial<NetworkConfig> = {}) {
    const net = await createNetwork({
      inputs,
      layers: [{ units, activation: 'linear', ...config }],
      loss: 'meanSquaredError',
      seed: 99,
      ...extra,
    });
    const [{ W, b }] = net.getWeights();
    net.dispose();
    return { w: W.flat(), b };
  }

  const stats = (w: number[]) => {
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const std = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length);
    return { mean, std, maxAbs: w.reduce((m, v) => Math.max(m, Math.abs(v)), 0) };
  };

  it('glorotUniform (the default) is uniform in ±sqrt(6 / (fanIn + fanOut)), biases zero', async () => {
    const fanIn = 300,
      fanOut = 200;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const { w, b } = await kernel({}, fanIn, fanOut, { dtype: 'float64' });
    const { mean, std, maxAbs } = stats(w);
    expect(maxAbs).toBeLessThanOrEqual(limit);
    expect(maxAbs).toBeGreaterThan(0.999 * limit);
    expect(Math.abs(mean)).toBeLessThan(0.01 * limit);
    expect(Math.abs(std / (limit / Math.sqrt(3)) - 1)).toBeLessThan(0.01);
    expect(b.every((v) => v === 0)).toBe(true);
    expect(w).toEqual((await kernel({ kernelInitializer: 'glorotUniform' }, fanIn, fanOut, { dtype: 'float64' })).w);
  });

  it("heNormal is Keras's: truncated at 2 stddevs of sqrt(2 / fanIn) / 0.8796..., so its std is sqrt(2 / fanIn)", async () => {
    const fanIn = 400,
      fanOut = 500;
    const target = Math.sqrt(2 / fanIn);
    const bound = (2 * target) / TRUNCATED_NORMAL_STDDEV;
    const { w, b } = await kernel({ kernelInitializer: 'heNormal' }, fanIn, fanOut, { dtype: 'float64' });
    const { mean, std, maxAbs } = stats(w);
    expect(Math.abs(std / target - 1)).toBeLessThan(0.01); // uncorrected, it would be 0.88 of this
    expect(maxAbs).toBeLessThanOrEqual(bound); // truncated...
    expect(maxAbs).toBeGreaterThan(0.99 * bound); // ...right at the bound, not below it
    expect(Math.abs(mean)).toBeLessThan(0.01 * target);
    expect(b.every((v) => v === 0)).toBe(true);
  });

  it('{ normal: stddev } is an untruncated normal with that stddev', async () => {
    const { w } = await kernel({ kernelInitializer: { normal: 0.3 } }, 400, 500, { dtype: 'float64' });
    const { mean, std, maxAbs } = stats(w);
    expect(Math.abs(std / 0.3 - 1)).toBeLessThan(0.01);
    expect(maxAbs).toBeGreaterThan(3 * 0.3); // tails beyond 2 stddevs survive
    expect(Math.abs(mean)).toBeLessThan(0.01 * 0.3);
  });

  it('the same seed gives the same weights on wasm and js; float32 rounds each float64 weight once', async () => {
    const layers: LayerConfig[] = [
      { units: 7, activation: 'relu', kernelInitializer: 'heNormal' },
      { units: 5, activation: 'leakyRelu', kernelInitializer: { normal: 0.3 } },
      { units: 3, activation: 'softmax' },
    ];
    const weights = async (backend: 'wasm' | 'js', dtype: 'float32' | 'float64', seed = 5) => {
      const net = await createNetwork({ inputs: 4, layers, loss: 'categoricalCrossentropy', backend, dtype, seed });
      const w = net.getWeights();
      net.dispose();
      return w;
    };
    const f64 = await weights('wasm', 'float64');
    expect(await weights('js', 'float64')).toEqual(f64);
    const f32 = await weights('wasm', 'float32');
    expect(await weights('js', 'float32')).toEqual(f32);
    expect(f32).toEqual(f64.map(({ W, b }) => ({ W: W.map((row) => row.map(Math.fround)), b })));
    expect(await weights('wasm', 'float64', 6)).not.toEqual(f64);
  });
});

// ---------------------------------------------------------------- errors

describe('configurations that cannot work are refused, naming the problem', () => {
  const base: NetworkConfig = {
    inputs: 2,
    layers: [
      { units: 3, activation: 'relu' },
      { units: 3, activation: 'softmax' },
    ],
    loss: 'categoricalCrossentropy',
    seed: 1,
  };
  const withLayer = (layer: object, output: object = { units: 3, activation: 'softmax' }) =>
    ({ ...base, layers: [layer, output] }) as NetworkConfig;
  const cases: [NetworkConfig, RegExp][] = [
    [
      withLayer({ units: 3, activation: 'swish' }),
      /layers\[0\]\.activation "swish" is unknown; expected one of sigmoid, tanh, relu, leakyRelu, linear, softmax/,
    ],
    [
      withLayer({ units: 3, activation: 'relu', alpha: 0.1 }),
      /layers\[0\]\.alpha is only for 'leakyRelu', but the activation is "relu"/,
    ],
    [withLayer({ units: 3, activation: 'leakyRelu', alpha: -0.1 }), /layers\[0\]\.alpha must be a finite number >= 0, got -0.1/],
    [withLayer({ units: 3, activation: 'leakyRelu', alpha: NaN }), /layers\[0\]\.alpha must be a finite number >= 0, got NaN/],
    [
      withLayer({ units: 3, activation: 'leakyRelu', alpha: '0.1' }),
      /layers\[0\]\.alpha must be a finite number >= 0, got "0.1"/,
    ],
    [
      withLayer({ units: 3, activation: 'relu', kernelInitializer: 'heUniform' }),
      /layers\[0\]\.kernelInitializer must be 'glorotUniform', 'heNormal' or \{ normal: stddev \}, got "heUniform"/,
    ],
    [
      withLayer({ units: 3, activation: 'relu', kernelInitializer: { normal: 0 } }),
      /layers\[0\]\.kernelInitializer\.normal must be a positive finite number, got 0/,
    ],
    [
      withLayer({ units: 3, activation: 'relu', kernelInitializer: { normal: 0.3, mean: 1 } }),
      /layers\[0\]\.kernelInitializer: unknown option "mean"/,
    ],
    [
      withLayer({ units: 3, activation: 'relu', kernel_initializer: 'heNormal' }),
      /layers\[0\]: unknown option "kernel_initializer"/,
    ],
    [withLayer({ units: 3, activation: 'softmax' }), /layers\[0\]: softmax is only supported on the output layer/],
    [
      withLayer({ units: 3, activation: 'relu' }, { units: 3, activation: 'sigmoid' }),
      /loss categoricalCrossentropy needs a 'softmax' output layer, but the last layer is 'sigmoid'/,
    ],
    [{ ...base, loss: 'meanSquaredError' }, /meanSquaredError cannot follow a softmax output/],
    [
      { ...base, loss: 'binaryCrossentropy' },
      /loss binaryCrossentropy needs a 'sigmoid' output layer, but the last layer is 'softmax'/,
    ],
    [
      { ...base, loss: 'hinge' as LossName },
      /loss "hinge" is unknown; expected one of binaryCrossentropy, categoricalCrossentropy, meanSquaredError/,
    ],
  ];
  it.each(cases)('%j', async (bad, message) => {
    await expect(createNetwork(bad)).rejects.toThrow(message);
  });

  it("keeps each layer's normalised config: defaults filled in, alpha only for leakyRelu", async () => {
    const net = await createNetwork({
      ...base,
      layers: [
        { units: 4, activation: 'leakyRelu' },
        { units: 3, activation: 'leakyRelu', alpha: 0.3, kernelInitializer: 'heNormal' },
        { units: 2, activation: 'tanh', kernelInitializer: { normal: 0.3 } },
        { units: 3, activation: 'softmax' },
      ],
      backend: 'js',
    });
    expect(net.layers).toEqual([
      { units: 4, activation: 'leakyRelu', alpha: 0.01, kernelInitializer: 'glorotUniform' },
      { units: 3, activation: 'leakyRelu', alpha: 0.3, kernelInitializer: 'heNormal' },
      { units: 2, activation: 'tanh', kernelInitializer: { normal: 0.3 } },
      { units: 3, activation: 'softmax', kernelInitializer: 'glorotUniform' },
    ]);
    net.dispose();
  });
});

describe.each(['wasm', 'js'] as const)(
  'labels that cannot be targets are refused on %s, leaving the network as it was',
  (backend) => {
    const x = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    const cases: [unknown, RegExp][] = [
      [[0, 1, 3, 2], /y\[2\] is 3: class indices must be integers in \[0, 3\)/],
      [[0, 1, -1, 2], /y\[2\] is -1: class indices must be integers in \[0, 3\)/],
      [[0, 1.5, 1, 2], /y\[1\] is 1.5: class indices/],
      [[0, 'a', 1, 2], /y\[1\] is "a": class indices/],
      [[0, NaN, 1, 2], /y\[1\] is NaN: class indices/],
      [[[0], [1], [2], [7]], /y\[3\]\[0\] is 7: class indices must be integers in \[0, 3\)/],
      [{ data: Float64Array.from([0, 1, 2, 0.5]), shape: [4, 1] }, /y\[3\]\[0\] is 0.5: class indices/],
      [[0, 1, 2], /x has 4 rows but y has 3/],
      [
        [
          [1, 0, 0],
          [0, 1, 0],
          [1, 1, 0],
          [0, 0, 1],
        ],
        /y\[2\] sums to 2: categoricalCrossentropy needs each label row to be one-hot/,
      ],
      [
        [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 0],
          [0, 0, 1],
        ],
        /y\[2\] sums to 0/,
      ],
      [
        [
          [1, 0, 0],
          [2, -1, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
        /y\[1\]\[0\] is 2: categoricalCrossentropy needs labels in \[0, 1\]/,
      ],
      [
        [
          [1, 0],
          [0, 1],
          [1, 0],
          [0, 1],
        ],
        /y has 2 columns, but the network expects 3 outputs/,
      ],
    ];
    it.each(cases)('%j', async (y, message) => {
      const net = await createNetwork({
        inputs: 2,
        layers: [{ units: 3, activation: 'softmax' }],
        loss: 'categoricalCrossentropy',
        backend,
        seed: 1,
      });
      const before = net.getWeights();
      await expect(net.fit(x, y as number[][], { epochs: 1, learningRate: 0.1 })).rejects.toThrow(message);
      expect(() => net.evaluate(x, y as number[][])).toThrow(message);
      expect(net.getWeights()).toEqual(before);
      net.dispose();
    });

    it('still refuses flat labels for a single-output network', async () => {
      const net = await createNetwork({
        inputs: 2,
        layers: [{ units: 1, activation: 'sigmoid' }],
        loss: 'binaryCrossentropy',
        backend,
      });
      expect(() => net.evaluate(x, [0, 1, 1, 0] as never)).toThrow(/y must be a 2-D array/);
      net.dispose();
    });
  },
);
