/**
 * Property-based tests (fast-check, fixed seeds): random architectures, data
 * shapes, batch sizes and optimisers, where the wasm backend must agree with
 * the js reference (float64 tightly, float32 within a bound derived below),
 * two threads must equal one bit for bit, the same seed must give the same
 * weights bit for bit, predict must give a row the same numbers whatever
 * rows come with it, and backward()'s gradient must match central finite
 * differences of evaluate()'s loss (and be the step fit() takes).
 *
 * Failures print fast-check's counterexample: a Case, plain data from which
 * the network and its data (seeded) are rebuilt exactly.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { DType } from '../src/backend/backend.js';
import { stopThreads, type ThreadedWasmBackend, threadsAvailable } from '../src/backend/threads.js';
import { engineOf } from '../src/engine.js';
import { createNetwork, type Network, type NetworkConfig } from '../src/index.js';
import type { OptimizerSpec } from '../src/optimizers.js';
import type { FitOptions } from '../src/train.js';
import { analyticGradients, prng } from './helpers.js';

afterAll(() => stopThreads());

// ---------------------------------------------------------------- generators

type Elementwise = 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'linear';
const ELEMENTWISE: readonly Elementwise[] = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'linear'];

interface Layer {
  units: number;
  activation: Elementwise | 'softmax';
  alpha?: number;
}

/** A network and a data set for it, as plain data (fast-check prints it as the counterexample). */
interface Case {
  dtype: DType;
  inputs: number;
  layers: Layer[];
  loss: NetworkConfig['loss'];
  seed: number;
  rows: number;
  /** Seeds x and y (mulberry32), so the counterexample stays short. */
  dataSeed: number;
  /** categoricalCrossentropy only: class indices instead of one-hot rows. */
  indexLabels: boolean;
  fit: {
    epochs: number;
    learningRate: number;
    batchSize?: number;
    optimizer: OptimizerSpec;
    shuffle: boolean;
    validationSplit?: number;
  };
}

/**
 * Uniform in [min, max] (fc.double spreads its draws evenly over the floats
 * between the bounds, so a range from 0 is mostly values below 1e-100).
 */
const uniform = (min: number, max: number): fc.Arbitrary<number> =>
  fc.integer({ min: 0, max: 1 << 20 }).map((i) => min + ((max - min) * i) / (1 << 20));

/** Log-uniform in [min, max]: learning rates. */
const logUniform = (min: number, max: number): fc.Arbitrary<number> => uniform(Math.log(min), Math.log(max)).map(Math.exp);

const hiddenLayer = (maxUnits: number, minUnits = 1): fc.Arbitrary<Layer> =>
  fc
    .record({
      units: fc.integer({ min: minUnits, max: maxUnits }),
      activation: fc.constantFrom(...ELEMENTWISE),
      // Drawn for every layer, kept only for leakyRelu (alpha is refused on the others).
      alpha: fc.oneof(uniform(0, 0.5), fc.constantFrom(0, 0.01, 0.3)),
    })
    .map(({ units, activation, alpha }) => (activation === 'leakyRelu' ? { units, activation, alpha } : { units, activation }));

/** The output layer and a loss it pairs with (losses.ts checkLossPairing). */
const outputHead = (maxUnits: number): fc.Arbitrary<{ layer: Layer; loss: NetworkConfig['loss'] }> =>
  fc.oneof(
    fc
      .integer({ min: 1, max: maxUnits })
      .map((units) => ({ layer: { units, activation: 'sigmoid' as const }, loss: 'binaryCrossentropy' as const })),
    fc
      .integer({ min: 2, max: maxUnits })
      .map((units) => ({ layer: { units, activation: 'softmax' as const }, loss: 'categoricalCrossentropy' as const })),
    hiddenLayer(maxUnits).map((layer) => ({ layer, loss: 'meanSquaredError' as const })),
  );

/**
 * Optimisers at sane learning rates: the agreement properties compare two
 * backends' arithmetic, not training stability, and a learning rate that
 * makes training chaotic would amplify float32's last-bit differences into
 * anything at all.
 */
const optimizerAndRate: fc.Arbitrary<{ optimizer: OptimizerSpec; learningRate: number }> = fc.oneof(
  fc.record({ optimizer: fc.constant<OptimizerSpec>('sgd'), learningRate: logUniform(1e-3, 0.1) }),
  fc.record({
    optimizer: fc.record({ type: fc.constant('sgd' as const), momentum: uniform(0, 0.9), nesterov: fc.boolean() }),
    learningRate: logUniform(1e-3, 0.05),
  }),
  fc.record({
    optimizer: fc.oneof(
      fc.constant<OptimizerSpec>('adam'),
      fc.record({ type: fc.constant('adam' as const), beta1: uniform(0.5, 0.95), beta2: uniform(0.9, 0.9999) }),
    ),
    learningRate: logUniform(1e-4, 1e-2),
  }),
  fc.record({
    optimizer: fc.oneof(
      fc.record({ type: fc.constant('rmsprop' as const), rho: uniform(0.8, 0.95), momentum: fc.constantFrom(0, 0.5) }),
      fc.record({ type: fc.constant('adamw' as const), weightDecay: uniform(0, 0.05) }),
    ),
    learningRate: logUniform(1e-4, 1e-2),
  }),
  fc.record({ optimizer: fc.constant<OptimizerSpec>({ type: 'adagrad' }), learningRate: logUniform(1e-3, 0.05) }),
  // Clipping on top of any of them: thresholds around the gradients' sizes, so that some clip and some do not.
  fc.record({
    optimizer: fc
      .tuple(
        fc.constantFrom('sgd', 'adam', 'rmsprop'),
        fc.constantFrom('clipvalue', 'clipnorm', 'globalClipnorm'),
        logUniform(0.01, 1),
      )
      .map(([type, clip, threshold]) => ({ type, [clip]: threshold }) as OptimizerSpec),
    learningRate: logUniform(1e-3, 1e-2),
  }),
);

/**
 * float32 runs take at most this many optimiser steps (batches are made
 * larger to fit). See FLOAT32_RTOL for why.
 */
const FLOAT32_MAX_STEPS = 24;

interface Shape {
  inputs: [number, number];
  hidden: [number, number];
  units: [number, number];
  rows: [number, number];
}
const SMALL: Shape = { inputs: [1, 40], hidden: [0, 3], units: [1, 40], rows: [1, 70] };

function caseArbitrary(shape: Shape = SMALL, dtypes: readonly DType[] = ['float32', 'float64']): fc.Arbitrary<Case> {
  return fc
    .record({
      dtype: fc.constantFrom(...dtypes),
      inputs: fc.integer({ min: shape.inputs[0], max: shape.inputs[1] }),
      hidden: fc.array(hiddenLayer(shape.units[1], shape.units[0]), { minLength: shape.hidden[0], maxLength: shape.hidden[1] }),
      head: outputHead(Math.min(shape.units[1], 40)),
      seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      rows: fc.integer({ min: shape.rows[0], max: shape.rows[1] }),
      dataSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      indexLabels: fc.boolean(),
      epochs: fc.integer({ min: 1, max: 3 }),
      rate: optimizerAndRate,
      // undefined (the whole set), or any size, also larger than the data.
      batch: fc.option(fc.integer({ min: 1, max: 80 }), { nil: undefined }),
      shuffle: fc.boolean(),
      // Validation on the last rows: measure() on a slice of the data, val_* in the history.
      validate: fc.boolean(),
    })
    .map(
      (r): Case => ({
        dtype: r.dtype,
        inputs: r.inputs,
        layers: [...r.hidden, r.head.layer],
        loss: r.head.loss,
        seed: r.seed,
        rows: r.rows,
        dataSeed: r.dataSeed,
        indexLabels: r.head.loss === 'categoricalCrossentropy' && r.indexLabels,
        fit: {
          epochs: r.epochs,
          learningRate: r.rate.learningRate,
          optimizer: r.rate.optimizer,
          shuffle: r.shuffle,
          ...(r.batch === undefined
            ? {}
            : {
                batchSize:
                  r.dtype === 'float32' ? Math.max(r.batch, Math.ceil((r.rows * r.epochs) / FLOAT32_MAX_STEPS)) : r.batch,
              }),
          ...(r.validate && r.rows >= 5 ? { validationSplit: 0.2 } : {}),
        },
      }),
    );
}

/** x in [-2, 2), and labels the loss accepts: 0/1 (BCE), one-hot or indices (CCE), [-1, 1) (MSE). */
function dataFor(c: Case): { x: number[][]; y: number[][] | number[] } {
  const rand = prng(c.dataSeed);
  const outputs = c.layers[c.layers.length - 1].units;
  const x = Array.from({ length: c.rows }, () => Array.from({ length: c.inputs }, () => 4 * rand() - 2));
  if (c.loss === 'binaryCrossentropy') {
    return { x, y: Array.from({ length: c.rows }, () => Array.from({ length: outputs }, () => (rand() < 0.5 ? 0 : 1))) };
  }
  if (c.loss === 'categoricalCrossentropy') {
    const classes = Array.from({ length: c.rows }, () => Math.floor(rand() * outputs));
    if (c.indexLabels) return { x, y: classes };
    return { x, y: classes.map((k) => Array.from({ length: outputs }, (_, j) => (j === k ? 1 : 0))) };
  }
  return { x, y: Array.from({ length: c.rows }, () => Array.from({ length: outputs }, () => 2 * rand() - 1)) };
}

function build(c: Case, backend: 'wasm' | 'js', threads = 1): Promise<Network> {
  return createNetwork({ inputs: c.inputs, layers: c.layers, loss: c.loss, dtype: c.dtype, seed: c.seed, backend, threads });
}

// ---------------------------------------------------------------- comparisons

/** Every parameter, W then b, layer by layer, as flat arrays. */
function parameters(net: Network): number[][] {
  return net.getWeights().flatMap(({ W, b }) => [W.flat(), b]);
}

/** The first few elements that differ at all (Object.is: NaN equals NaN, 0 differs from -0). */
function bitDifferences(a: ArrayLike<number>, b: ArrayLike<number>, label: string): string[] {
  if (a.length !== b.length) return [`${label}: length ${a.length} != ${b.length}`];
  const bad: string[] = [];
  for (let i = 0; i < a.length && bad.length < 3; i++) if (!Object.is(a[i], b[i])) bad.push(`${label}[${i}]: ${a[i]} != ${b[i]}`);
  return bad;
}

/**
 * Elements where |a - b| > rtol * scale, scale being the larger of 1e-3 and
 * the largest magnitude in either array: a last-bit difference in a sum is
 * relative to the size of its terms, not to a result that cancelled to near
 * zero, so each array is judged against its own scale.
 */
function closeDifferences(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, label: string): string[] {
  if (a.length !== b.length) return [`${label}: length ${a.length} != ${b.length}`];
  let scale = 1e-3;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]), Math.abs(b[i]));
  const bad: string[] = [];
  for (let i = 0; i < a.length && bad.length < 3; i++) {
    if (!(Math.abs(a[i] - b[i]) <= rtol * scale))
      bad.push(`${label}[${i}]: ${a[i]} vs ${b[i]} (|diff| ${Math.abs(a[i] - b[i])} > ${rtol} * ${scale})`);
  }
  return bad;
}

const fitOptions = (c: Case): FitOptions => ({ ...c.fit });

/**
 * How far the wasm backend may drift from the js reference after up to 3
 * epochs, relative to each array's scale (closeDifferences).
 *
 * float64: the backends differ only in the order of additions inside the
 * SIMD gemm and in the last bit of exp (assembly/exp.ts against Math.exp),
 * about 1e-16 per operation. Over 6,500 random cases of this generator the
 * worst drift of weights, predictions or loss was 2.4e-13; 1e-10 leaves room
 * for more than two orders of magnitude of amplification by training, and still fails
 * at once for any real fault (a float32 accumulator in a float64 kernel
 * alone gives ~1e-7; a wrong Adam epsilon ~1e-6).
 *
 * float32: unit roundoff is 6e-8, a dot product of up to 40 terms costs ~1e-6
 * relative, and training amplifies it, worst with Adam, whose step
 * m / (sqrt(v) + epsilon) turns the rounding noise of a gradient that
 * cancelled to near zero into a full-sized step, and with relu/leakyRelu, where
 * a pre-activation within rounding of 0 takes the other branch in one backend
 * (a whole row's contribution to a gradient flips). Such drift grows with
 * the number of steps (a 116-step Adam run with batch size 1 drifted by 100%,
 * both backends being equally right), so float32 cases take at most
 * FLOAT32_MAX_STEPS steps; over 20,000 such cases the worst drift was 4e-4
 * (Adam), 2e-4 (SGD, one relu branch flip). 2e-3 is 5x that: it catches what
 * float32 alone can get wrong (SIMD tails, stale or unzeroed memory, a
 * missing bias or alpha: errors of order 1), while float64 catches the
 * subtle arithmetic.
 */
const RTOL: Record<DType, number> = { float64: 1e-10, float32: 2e-3 };

/**
 * Accuracy is a count of decisions (a > 0.5; argmax): a rounding difference
 * may flip a decision that sits on the boundary. The allowed difference is
 * the fraction of decisions within `margin` of it in `outputs` (rows x cols).
 */
function boundaryFraction(loss: Case['loss'], outputs: ArrayLike<number>, cols: number, margin: number): number {
  let near = 0;
  if (loss === 'binaryCrossentropy') {
    for (let i = 0; i < outputs.length; i++) if (Math.abs(outputs[i] - 0.5) <= margin) near++;
    return near / outputs.length;
  }
  const rows = outputs.length / cols;
  for (let r = 0; r < rows; r++) {
    const row = Array.from(outputs)
      .slice(r * cols, (r + 1) * cols)
      .sort((a, b) => b - a);
    if (row[0] - row[1] <= margin) near++;
  }
  return near / rows;
}

/** Fits `net`, returning its history (metric name to one value an epoch) or the error it threw. */
async function fitOutcome(net: Network, c: Case): Promise<{ history: Record<string, number[]> } | { error: string }> {
  const { x, y } = dataFor(c);
  try {
    const history = await net.fit(x, y as number[][], fitOptions(c));
    return { history: history.history };
  } catch (error) {
    return { error: String(error) };
  }
}

describe('wasm agrees with the js reference', () => {
  it(
    'on random architectures, data shapes, batch sizes and optimisers: initial weights bit for bit; ' +
      'fit history, weights, predict and evaluate within RTOL',
    async () => {
      let trained = 0;
      await fc.assert(
        fc.asyncProperty(caseArbitrary(), async (c) => {
          const wasm = await build(c, 'wasm');
          const js = await build(c, 'js');
          try {
            // Initial weights are drawn in TypeScript and stored once in the dtype: identical on both.
            const before = parameters(wasm),
              reference = parameters(js);
            expect(before.flatMap((p, i) => bitDifferences(p, reference[i], `initial parameter ${i}`))).toEqual([]);

            const rtol = RTOL[c.dtype];
            const [fw, fj] = [await fitOutcome(wasm, c), await fitOutcome(js, c)];
            // At these learning rates neither should diverge; if one does, both must, alike.
            expect('error' in fw ? fw.error : undefined, 'wasm fit').toBe('error' in fj ? fj.error : undefined);
            if ('error' in fw || 'error' in fj) return;
            trained++;
            const bad: string[] = [];
            expect(Object.keys(fw.history).sort()).toEqual(Object.keys(fj.history).sort());
            for (const [name, values] of Object.entries(fw.history)) {
              if (!name.endsWith('acc') || c.dtype === 'float64') {
                bad.push(...closeDifferences(values, fj.history[name], rtol, `history ${name}`));
                continue;
              }
              // float32 accuracies: a decision on the boundary may flip (see boundaryFraction); allow two an epoch.
              const validationRows = c.fit.validationSplit ? c.rows - Math.floor(c.rows * (1 - c.fit.validationSplit)) : 0;
              const rows = name.startsWith('val_') ? validationRows : c.rows - validationRows;
              const decisions = rows * (c.loss === 'binaryCrossentropy' ? c.layers[c.layers.length - 1].units : 1);
              values.forEach((v, epoch) => {
                if (!(Math.abs(v - fj.history[name][epoch]) <= 2 / decisions + 1e-12))
                  bad.push(`history ${name}[${epoch}]: ${v} vs ${fj.history[name][epoch]}`);
              });
            }
            const pw = parameters(wasm),
              pj = parameters(js);
            pw.forEach((p, i) =>
              bad.push(...closeDifferences(p, pj[i], rtol, `parameter ${i} (layer ${i >> 1} ${i & 1 ? 'b' : 'W'})`)),
            );
            const { x, y } = dataFor(c);
            // Also rows that fit() never saw, another count: predict's own chunking and SIMD tails.
            const fresh = dataFor({ ...c, rows: ((c.rows * 7) % 67) + 1, dataSeed: c.dataSeed ^ 0x5bd1e995 });
            const predictions = [wasm.predict(x), js.predict(x)];
            bad.push(...closeDifferences(predictions[0], predictions[1], rtol, 'predict(x)'));
            bad.push(...closeDifferences(wasm.predict(fresh.x), js.predict(fresh.x), rtol, 'predict(fresh x)'));
            const ew = wasm.evaluate(x, y as number[][]),
              ej = js.evaluate(x, y as number[][]);
            bad.push(...closeDifferences([ew.loss], [ej.loss], rtol, 'evaluate loss'));
            expect(ew.acc === undefined, 'acc present on one backend only').toBe(ej.acc === undefined);
            if (ew.acc !== undefined && ej.acc !== undefined) {
              const outputs = c.layers[c.layers.length - 1].units;
              const slack = boundaryFraction(c.loss, predictions[1], outputs, rtol);
              if (!(Math.abs(ew.acc - ej.acc) <= slack + 1e-12))
                bad.push(`evaluate acc: ${ew.acc} vs ${ej.acc} (slack ${slack})`);
            }
            expect(bad).toEqual([]);
          } finally {
            wasm.dispose();
            js.dispose();
          }
        }),
        { seed: 42, numRuns: 300 },
      );
      expect(trained, 'cases that trained on both backends').toBeGreaterThan(290);
    },
  );
});

/**
 * Shapes where the threaded backend really splits work (src/backend/threads.ts):
 * a gemm splits at 2^17 multiply-adds (rows x inputs x units, forward and
 * backward), an optimiser step at 2^15 elements of one parameter (inputs x
 * units >= 32768: about half of these first layers). Rows not a multiple
 * of 4, 8 or 16 give every split its ragged last chunk.
 */
const THREADED: Shape = { inputs: [150, 260], hidden: [1, 2], units: [140, 200], rows: [33, 70] };

/** Bit-for-bit equality of everything two runs can show: history, weights, predict, evaluate. */
async function expectIdenticalRuns(a: Network, b: Network, c: Case): Promise<void> {
  const [fa, fb] = [await fitOutcome(a, c), await fitOutcome(b, c)];
  expect('error' in fa ? fa.error : undefined).toBe('error' in fb ? fb.error : undefined);
  const { x, y } = dataFor(c);
  const bad: string[] = [];
  if ('history' in fa && 'history' in fb) {
    expect(Object.keys(fa.history)).toEqual(Object.keys(fb.history));
    for (const name of Object.keys(fa.history))
      bad.push(...bitDifferences(fa.history[name], fb.history[name], `history ${name}`));
  }
  const pa = parameters(a),
    pb = parameters(b);
  pa.forEach((p, i) => bad.push(...bitDifferences(p, pb[i], `parameter ${i}`)));
  if ('history' in fa) {
    bad.push(...bitDifferences(a.predict(x), b.predict(x), 'predict'));
    const ea = a.evaluate(x, y as number[][]),
      eb = b.evaluate(x, y as number[][]);
    bad.push(...bitDifferences([ea.loss, ea.acc ?? -1], [eb.loss, eb.acc ?? -1], 'evaluate'));
  }
  expect(bad).toEqual([]);
}

describe('threads and seeds', () => {
  it('threads: 2 equals threads: 1 bit for bit, on shapes above the split thresholds', async () => {
    expect(await threadsAvailable(2)).toBe(true); // Node always has them: never skip
    let splitRuns = 0,
      workerChunks = 0,
      runs = 0,
      splitBatches = 0,
      splitSteps = 0;
    await fc.assert(
      fc.asyncProperty(
        caseArbitrary(THREADED).map((c) => ({ ...c, fit: { ...c.fit, epochs: Math.min(c.fit.epochs, 2) } })),
        async (c) => {
          const one = await build(c, 'wasm', 1);
          const two = await build(c, 'wasm', 2);
          try {
            expect(two.threads).toBe(2);
            const backend = engineOf(two).backend as ThreadedWasmBackend;
            backend.resetThreadStats();
            await expectIdenticalRuns(one, two, c);
            const chunks = backend.threadStats();
            runs++;
            if (chunks.reduce((s, n) => s + n, 0) > 0) splitRuns++;
            workerChunks += chunks.slice(1).reduce((s, n) => s + n, 0);
            // The first layer's forward product is above the gemm threshold in every case here.
            expect(c.rows * c.inputs * c.layers[0].units).toBeGreaterThanOrEqual(1 << 17);
            const batch = Math.min(c.fit.batchSize ?? c.rows, c.rows);
            if (batch * c.inputs * c.layers[0].units >= 1 << 17) splitBatches++;
            if (c.inputs * c.layers[0].units >= 1 << 15) splitSteps++;
          } finally {
            one.dispose();
            two.dispose();
          }
        },
      ),
      { seed: 42, numRuns: 50 },
    );
    // The work really split, and the worker really computed some of it.
    expect(splitRuns).toBe(runs);
    expect(workerChunks).toBeGreaterThan(0);
    // Training's own products and optimiser steps split in a good share of the cases, not only predict's.
    expect(splitBatches).toBeGreaterThan(runs / 4);
    expect(splitSteps).toBeGreaterThan(runs / 4);
  });

  it('the same seed twice gives bit-identical weights, history and outputs (shuffled too), on each backend', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary(), fc.constantFrom('wasm' as const, 'js' as const), async (c, backend) => {
        const shuffled = { ...c, fit: { ...c.fit, shuffle: true } };
        const a = await build(shuffled, backend),
          b = await build(shuffled, backend);
        try {
          await expectIdenticalRuns(a, b, shuffled);
        } finally {
          a.dispose();
          b.dispose();
        }
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});

describe('predict', () => {
  it(
    'gives each row the numbers it gives that row alone (bit for bit, across the 1024-row chunks too), ' +
      'and a typed array the numbers of number[][]',
    async () => {
      // Up to 1,100 rows: predict runs 1,024 at a time when no larger batch is planned (src/network.ts INFERENCE_CHUNK).
      const arbitrary = fc.tuple(
        caseArbitrary({ ...SMALL, rows: [1, 1100] }),
        fc.constantFrom('wasm' as const, 'js' as const),
        fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
      );
      let chunked = 0;
      await fc.assert(
        fc.asyncProperty(arbitrary, async ([c, backend, picks]) => {
          const net = await build(c, backend);
          if (c.rows > 1024) chunked++;
          try {
            const { x } = dataFor(c);
            const outputs = c.layers[c.layers.length - 1].units;
            const all = net.predict(x);
            const bad: string[] = [];
            for (const r of new Set([...picks.map((p) => p % c.rows), c.rows - 1])) {
              bad.push(...bitDifferences(net.predict([x[r]]), all.subarray(r * outputs, (r + 1) * outputs), `row ${r}`));
            }
            const round = c.dtype === 'float32' ? Math.fround : (v: number) => v;
            const data = c.dtype === 'float32' ? Float32Array.from(x.flat()) : Float64Array.from(x.flat());
            bad.push(
              ...bitDifferences(
                net.predict({ data, shape: [c.rows, c.inputs] }),
                net.predict(x.map((row) => row.map(round))),
                'typed array input',
              ),
            );
            expect(bad).toEqual([]);
          } finally {
            net.dispose();
          }
        }),
        { seed: 42, numRuns: 100 },
      );
      expect(chunked, 'cases predicting more than one chunk').toBeGreaterThan(2);
    },
  );
});

// ---------------------------------------------------------------- gradients

/** Small networks for the finite-difference check: every parameter is perturbed twice. */
const GRADIENT: Shape = { inputs: [1, 5], hidden: [0, 2], units: [1, 6], rows: [1, 9] };

/**
 * Soft labels too: BCE in [0, 1], CCE rows of probabilities summing to 1
 * (the fused gradient a - y is exact for those), MSE in [-1, 1).
 */
function softData(c: Case): { x: number[][]; y: number[][] } {
  const rand = prng(c.dataSeed);
  const outputs = c.layers[c.layers.length - 1].units;
  const x = Array.from({ length: c.rows }, () => Array.from({ length: c.inputs }, () => 4 * rand() - 2));
  const y = Array.from({ length: c.rows }, () => {
    const row = Array.from({ length: outputs }, () => rand());
    if (c.loss === 'categoricalCrossentropy') {
      const sum = row.reduce((s, v) => s + v, 0);
      return row.map((v) => v / sum);
    }
    return c.loss === 'meanSquaredError' ? row.map((v) => 2 * v - 1) : row;
  });
  return { x, y };
}

describe('gradients', () => {
  it('backward() matches central finite differences of evaluate().loss (js, float64, random small networks)', async () => {
    let checked = 0,
      skipped = 0;
    await fc.assert(
      fc.asyncProperty(caseArbitrary(GRADIENT, ['float64']), fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (c, biasSeed) => {
        const net = await build(c, 'js');
        try {
          const { x, y } = softData(c);
          // Non-zero biases, so their gradients are exercised away from the start.
          const rand = prng(biasSeed);
          net.setWeights(net.getWeights().map(({ W, b }) => ({ W, b: b.map(() => rand() - 0.5) })));
          const analytic = analyticGradients(net, x, y);
          const loss = () => net.evaluate(x, y).loss;
          const f0 = loss();
          const h = 1e-6;
          const bad: string[] = [];
          const engine = engineOf(net);
          engine.layers.forEach((layer, l) => {
            for (const [p, offset, count] of [
              [0, layer.weights, layer.inputs * layer.units],
              [1, layer.bias, layer.units],
            ] as const) {
              for (let i = 0; i < count; i++) {
                const original = engine.backend.view(offset, count)[i];
                engine.backend.view(offset, count)[i] = original + h;
                const plus = loss();
                engine.backend.view(offset, count)[i] = original - h;
                const minus = loss();
                engine.backend.view(offset, count)[i] = original;
                // A relu/leakyRelu pre-activation crossing 0 within ±h puts a kink
                // between the two points: the one-sided slopes then disagree by the
                // jump, not by h f''. Such a parameter has no derivative to check here.
                if (Math.abs(plus - f0 - (f0 - minus)) / h > 1e-4 * Math.max(1, Math.abs(analytic[2 * l + p][i]))) {
                  skipped++;
                  continue;
                }
                checked++;
                const numeric = (plus - minus) / (2 * h);
                const exact = analytic[2 * l + p][i];
                // Finite-difference error: rounding ~1e-16 |L| / h ~ 1e-10, truncation h^2 f''' ~ 1e-11.
                if (!(Math.abs(numeric - exact) <= 1e-6 * Math.abs(exact) + 1e-8)) {
                  bad.push(`layer ${l} ${p ? 'b' : 'W'}[${i}]: numeric ${numeric}, backward ${exact}`);
                }
              }
            }
          });
          expect(bad.slice(0, 5)).toEqual([]);
        } finally {
          net.dispose();
        }
      }),
      { seed: 42, numRuns: 100 },
    );
    // Kinks are rare: nearly every parameter was really checked.
    expect(skipped).toBeLessThan(checked / 100);
    expect(checked).toBeGreaterThan(2000);
  });

  it("one full-batch SGD step of fit() is exactly W - learningRate * backward()'s gradient (js, float64)", async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary(GRADIENT, ['float64']), logUniform(1e-4, 0.5), async (c, learningRate) => {
        const net = await build(c, 'js');
        try {
          const { x, y } = softData(c);
          const before = parameters(net);
          const gradient = analyticGradients(net, x, y);
          await net.fit(x, y, { epochs: 1, learningRate, optimizer: 'sgd' });
          const after = parameters(net);
          const expected = before.map((p, i) => p.map((w, j) => w - learningRate * gradient[i][j]));
          expect(after.flatMap((p, i) => bitDifferences(p, expected[i], `parameter ${i}`))).toEqual([]);
        } finally {
          net.dispose();
        }
      }),
      { seed: 42, numRuns: 60 },
    );
  });
});
