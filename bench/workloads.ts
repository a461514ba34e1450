/**
 * The workloads, each written for every library the way that library's own
 * documentation recommends: wasmlp through createNetwork/fit and its Backend,
 * TensorFlow.js through tfjs-core ops and tfjs-layers. Every library starts
 * each run from the same state (reset, untimed) and reports what it computed
 * (output), which the bench checks across libraries.
 */

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { seed, seedLabels, seedWeights } from '../data/seed.js';
import type { Backend, BackendName } from '../src/backend/backend.js';
import { createBackend } from '../src/backend/index.js';
import { createNetwork, type DType, type LayerWeights, type Network } from '../src/index.js';
import { Random } from '../src/random.js';
import type { Prepared } from './harness.js';
import { tunedSigmoidMlp } from './tf-tuned.js';
import { type TfBackend, tf, useTf } from './tfjs.js';

/** wasmlp's variants: a backend, and for wasm optionally a thread count. */
export interface WasmlpVariant {
  backend: BackendName;
  threads?: number;
}

// ---------------------------------------------------------------- W1: seed

export const SEED_EPOCHS = 2000;
/** The seed notebook's lr 0.1 on summed gradients of 200 points, as a mean-gradient rate. */
const SEED_LR = 20;

export async function seedWasmlp(variant: WasmlpVariant, dtype: DType = 'float32'): Promise<Prepared> {
  const net = await createNetwork({
    inputs: 2,
    layers: [8, 4, 1].map((units) => ({ units, activation: 'sigmoid' as const })),
    loss: 'binaryCrossentropy',
    backend: variant.backend,
    dtype,
    ...threadsOption(variant),
  });
  const x = seed.X,
    y = seedLabels(),
    init = seedWeights('init');
  return {
    reset: () => net.setWeights(init),
    run: () => net.fit(x, y, { epochs: SEED_EPOCHS, learningRate: SEED_LR }),
    output: () => flatWeights(net.getWeights()),
    dispose: () => net.dispose(),
  };
}

/** The Pythons tried for NumPy, in order: $PYTHON, the one on PATH, the system's (Debian's python3-numpy). */
export const PYTHONS = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => Boolean(p));

const SEED_NUMPY = fileURLToPath(new URL('./seed-numpy.py', import.meta.url));
const SEED_FIXTURE = fileURLToPath(new URL('../data/seed-numpy.json', import.meta.url));

/**
 * The seed notebook's own loop in NumPy float64 (seed-numpy.py), on the
 * fixture's data and initial weights, timed inside Python: each turn is one
 * Python process, started untimed. Undefined when no Python has NumPy.
 */
export function seedNumpy(): (Prepared & { version: string; python: string }) | undefined {
  for (const python of PYTHONS) {
    try {
      execFileSync(python, ['-c', 'import numpy'], { stdio: 'ignore' });
    } catch {
      continue; // no such Python, or no NumPy in it
    }
    const train = (ms: number, runs: number) =>
      JSON.parse(execFileSync(python, [SEED_NUMPY, SEED_FIXTURE, String(ms), String(runs)], { encoding: 'utf8' })) as {
        ms: number[];
        weights: number[];
        numpy: string;
      };
    // One run first, untimed: what it trained is the row's output, and it names NumPy's version.
    const { weights, numpy: version } = train(0, 1);
    const selfTimed = (ms: number, runs: number): number[] => train(ms, runs).ms;
    return {
      python,
      version,
      run: () => selfTimed(0, 1),
      selfTimed,
      output: () => weights,
    };
  }
  return undefined;
}

/** Weights as one array: each layer's W (row-major, inputs x units) then b. */
function flatWeights(layers: LayerWeights[]): number[] {
  return layers.flatMap(({ W, b }) => [...W.flat(), ...b]);
}

/** tf variables' values in the same order. */
function flatTfWeights(tensors: tf.Tensor[]): number[] {
  return tensors.flatMap((t) => Array.from(t.dataSync()));
}

/**
 * TensorFlow.js's custom training loop (its guide's "optimizer.minimize"):
 * variables, a model function, and a loss on the logits (sigmoidCrossEntropy,
 * its stable form of binary cross-entropy on a sigmoid output), full batch.
 */
export async function seedTf(backend: TfBackend): Promise<Prepared> {
  await useTf(backend);
  const xs = tf.tensor2d(seed.X);
  const ys = tf.tensor2d(seedLabels());
  const init = seedWeights('init').map(({ W, b }) => ({ W: tf.tensor2d(W), b: tf.tensor1d(b) }));
  const vars = init.map(({ W, b }) => ({ W: tf.variable(W), b: tf.variable(b) }));
  const optimizer = tf.train.sgd(SEED_LR);
  const logits = (x: tf.Tensor2D): tf.Tensor2D => {
    let a = x;
    vars.forEach(({ W, b }, l) => {
      const z = tf.add(tf.matMul(a, W), b) as tf.Tensor2D;
      a = l < vars.length - 1 ? tf.sigmoid(z) : z;
    });
    return a;
  };
  return {
    reset: () =>
      vars.forEach((v, l) => {
        v.W.assign(init[l].W);
        v.b.assign(init[l].b);
      }),
    run: () => {
      for (let epoch = 1; epoch <= SEED_EPOCHS; epoch++) {
        // Read the loss where the notebook prints it, every 400 epochs.
        const cost = optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(ys, logits(xs)) as tf.Scalar, epoch % 400 === 0);
        if (cost) {
          cost.dataSync();
          cost.dispose();
        }
      }
    },
    output: () => flatTfWeights(vars.flatMap(({ W, b }) => [W, b])),
    dispose: () => {
      tf.dispose([xs, ys]);
      optimizer.dispose();
      for (const { W, b } of [...init, ...vars]) tf.dispose([W, b]);
    },
  };
}

/** The seed step written out by hand in tf ops (tf-tuned.ts), the loss read back every 400 epochs as the notebook prints it. */
export async function seedTfTuned(backend: TfBackend): Promise<Prepared> {
  await useTf(backend);
  return tunedSigmoidMlp({
    x: seed.X,
    y: seedLabels(),
    init: seedWeights('init'),
    learningRate: SEED_LR,
    steps: SEED_EPOCHS,
    lossEvery: 400,
  });
}

// ---------------------------------------------------------------- W2: mlp

export const MLP = { inputs: 784, hidden: [256, 128], classes: 10, samples: 10_000, batch: 64, lr: 0.1 };

export interface MlpData {
  x: Float32Array;
  y: Float32Array;
  labels: Int32Array;
}

/** 10,000 samples in [0, 1)^784, labelled by the argmax of a fixed random projection (learnable). */
export function mlpData(): MlpData {
  const { inputs, classes, samples } = MLP;
  const random = new Random(784);
  const x = new Float32Array(samples * inputs);
  for (let i = 0; i < x.length; i++) x[i] = random.uniform();
  const projection = new Float32Array(inputs * classes);
  for (let i = 0; i < projection.length; i++) projection[i] = random.uniform() - 0.5;
  const y = new Float32Array(samples * classes);
  const labels = new Int32Array(samples);
  for (let s = 0; s < samples; s++) {
    let best = 0,
      bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let score = 0;
      for (let i = 0; i < inputs; i++) score += x[s * inputs + i] * projection[i * classes + c];
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    labels[s] = best;
    y[s * classes + best] = 1;
  }
  return { x, y, labels };
}

/** Glorot-uniform weights and zero biases (as tf.layers.dense's defaults), drawn once: every library starts each epoch from these. */
export function mlpInitialWeights(): LayerWeights[] {
  const sizes = [MLP.inputs, ...MLP.hidden, MLP.classes];
  const random = new Random(7);
  return sizes.slice(1).map((units, l) => {
    const fanIn = sizes[l],
      limit = Math.sqrt(6 / (fanIn + units));
    const W = Array.from({ length: fanIn }, () =>
      Array.from({ length: units }, () => Math.fround((2 * random.uniform() - 1) * limit)),
    );
    return { W, b: new Array<number>(units).fill(0) };
  });
}

export async function mlpWasmlp(
  variant: WasmlpVariant,
  data: MlpData,
  init: LayerWeights[],
  optimizer: 'sgd' | 'adam' = 'sgd',
  { samples, batch }: { samples: number; batch: number } = MLP,
): Promise<Prepared> {
  const { inputs, hidden, classes, lr } = MLP;
  const net: Network = await createNetwork({
    inputs,
    layers: [
      ...hidden.map((units) => ({ units, activation: 'sigmoid' as const })),
      { units: classes, activation: 'softmax' as const },
    ],
    loss: 'categoricalCrossentropy',
    backend: variant.backend,
    seed: 1,
    ...threadsOption(variant),
  });
  const x = { data: data.x.subarray(0, samples * inputs), shape: [samples, inputs] as [number, number] };
  const y = { data: data.y.subarray(0, samples * classes), shape: [samples, classes] as [number, number] };
  return {
    reset: () => net.setWeights(init),
    // Adam's usual rate: SGD's 0.1 would make it diverge.
    run: () => net.fit(x, y, { epochs: 1, batchSize: batch, learningRate: optimizer === 'adam' ? 0.001 : lr, optimizer }),
    output: () => flatWeights(net.getWeights()),
    dispose: () => net.dispose(),
  };
}

function mlpTfTensors(data: MlpData) {
  const { inputs, classes, samples } = MLP;
  return { xs: tf.tensor2d(data.x, [samples, inputs]), ys: tf.tensor2d(data.y, [samples, classes]) };
}

/** The batches of a hand-written step, sliced (and the inputs transposed) once, before timing. */
function mlpTfBatches(xs: tf.Tensor2D, ys: tf.Tensor2D) {
  const { inputs, classes, samples, batch } = MLP;
  const batches: { x: tf.Tensor2D; y: tf.Tensor2D; xT: tf.Tensor2D }[] = [];
  for (let start = 0; start < samples; start += batch) {
    const size = Math.min(batch, samples - start);
    const x = tf.slice(xs, [start, 0], [size, inputs]) as tf.Tensor2D;
    batches.push({ x, y: tf.slice(ys, [start, 0], [size, classes]) as tf.Tensor2D, xT: tf.transpose(x) as tf.Tensor2D });
  }
  return batches;
}

/** The initial weights as tensors, and as variables a hand-written step trains. */
function mlpTfVariables(init: LayerWeights[]) {
  const tensors = init.map(({ W, b }) => ({ W: tf.tensor2d(W), b: tf.tensor1d(b) }));
  const vars = tensors.map(({ W, b }) => ({ W: tf.variable(W), b: tf.variable(b) }));
  return {
    vars,
    reset: () =>
      vars.forEach((v, l) => {
        v.W.assign(tensors[l].W);
        v.b.assign(tensors[l].b);
      }),
    output: () => flatTfWeights(vars.flatMap(({ W, b }) => [W, b])),
    dispose: () => {
      for (const { W, b } of [...tensors, ...vars]) tf.dispose([W, b]);
    },
  };
}

/** TensorFlow.js's layers API: tf.sequential, compile, model.fit for one epoch. */
export async function mlpTfLayers(backend: TfBackend, data: MlpData, init: LayerWeights[]): Promise<Prepared> {
  await useTf(backend);
  const tfl = await import('@tensorflow/tfjs-layers');
  const { inputs, hidden, classes, batch, lr } = MLP;
  const { xs, ys } = mlpTfTensors(data);
  const initial = init.flatMap(({ W, b }) => [tf.tensor2d(W), tf.tensor1d(b)]);
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [inputs], units: hidden[0], activation: 'sigmoid' }),
      tfl.layers.dense({ units: hidden[1], activation: 'sigmoid' }),
      tfl.layers.dense({ units: classes, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return {
    reset: () => model.setWeights(initial),
    run: () => model.fit(xs, ys, { epochs: 1, batchSize: batch, shuffle: false, verbose: 0 }),
    output: () => flatTfWeights(model.getWeights()),
    dispose: () => {
      model.dispose();
      tf.dispose([xs, ys, ...initial]);
    },
  };
}

/** A hand-written step with tf ops, as TensorFlow.js's custom-training guide: optimizer.minimize over a model function. */
export async function mlpTfMinimize(backend: TfBackend, data: MlpData, init: LayerWeights[]): Promise<Prepared> {
  await useTf(backend);
  const { xs, ys } = mlpTfTensors(data);
  const batches = mlpTfBatches(xs, ys);
  const { vars, reset, output, dispose } = mlpTfVariables(init);
  const optimizer = tf.train.sgd(MLP.lr);
  const last = vars.length - 1;
  const logits = (x: tf.Tensor2D): tf.Tensor2D => {
    let a = x;
    vars.forEach(({ W, b }, l) => {
      const z = tf.add(tf.matMul(a, W), b) as tf.Tensor2D;
      a = l < last ? tf.sigmoid(z) : z;
    });
    return a;
  };
  return {
    reset,
    run: () => {
      for (const { x, y } of batches) optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(x)) as tf.Scalar);
    },
    output,
    dispose: () => {
      tf.dispose([xs, ys]);
      optimizer.dispose();
      for (const b of batches) tf.dispose([b.x, b.y, b.xT]);
      dispose();
    },
  };
}

/**
 * The hand-tuned tf-ops step: gradients written out by hand so that every
 * product is an untransposed matMul (XNNPACK's fast path; tfjs-wasm's
 * transposed products are scalar loops), with inputs pre-transposed per
 * batch, transposed weights maintained beside the weights, bias and
 * activation fused into the forward matMuls, and in-place variable updates.
 */
export async function mlpTfTuned(backend: TfBackend, data: MlpData, init: LayerWeights[]): Promise<Prepared> {
  await useTf(backend);
  const { xs, ys } = mlpTfTensors(data);
  const batches = mlpTfBatches(xs, ys);
  const variables = mlpTfVariables(init);
  const { vars } = variables;
  const transposed = vars.map(({ W }) => tf.variable(tf.transpose(W)));
  const lr = MLP.lr;
  const step = (x: tf.Tensor2D, xT: tf.Tensor2D, y: tf.Tensor2D) =>
    tf.tidy(() => {
      const a1 = tf.fused.matMul({ a: x, b: vars[0].W, bias: vars[0].b, activation: 'sigmoid' });
      const a2 = tf.fused.matMul({ a: a1, b: vars[1].W, bias: vars[1].b, activation: 'sigmoid' });
      const p = tf.softmax(tf.fused.matMul({ a: a2, b: vars[2].W, bias: vars[2].b }));
      const rows = x.shape[0];
      const d3 = tf.div(tf.sub(p, y), rows) as tf.Tensor2D;
      const d2 = tf.mul(tf.matMul(d3, transposed[2]), tf.mul(a2, tf.sub(1, a2))) as tf.Tensor2D;
      const d1 = tf.mul(tf.matMul(d2, transposed[1]), tf.mul(a1, tf.sub(1, a1))) as tf.Tensor2D;
      const grads = [
        [tf.matMul(xT, d1), tf.sum(d1, 0)],
        [tf.matMul(tf.transpose(a1), d2), tf.sum(d2, 0)],
        [tf.matMul(tf.transpose(a2), d3), tf.sum(d3, 0)],
      ];
      vars.forEach(({ W, b }, l) => {
        const [gW, gb] = grads[l];
        W.assign(tf.sub(W, tf.mul(gW, lr)));
        b.assign(tf.sub(b, tf.mul(gb, lr)));
        transposed[l].assign(tf.transpose(W));
      });
    });
  return {
    reset: () => {
      variables.reset();
      vars.forEach(({ W }, l) => transposed[l].assign(tf.transpose(W)));
    },
    run: () => {
      for (const { x, xT, y } of batches) step(x, xT, y);
    },
    output: variables.output,
    dispose: () => {
      tf.dispose([xs, ys]);
      for (const b of batches) tf.dispose([b.x, b.y, b.xT]);
      variables.dispose();
      tf.dispose(transposed);
    },
  };
}

// ---------------------------------------------------------------- W3: gemm

export type Transpose = 'NN' | 'NT' | 'TN';
const flags = (t: Transpose): [boolean, boolean] => [t === 'TN', t === 'NT'];

function filled(backend: Backend, random: Random, elements: number): number {
  const offset = backend.alloc(elements);
  const view = backend.view(offset, elements);
  for (let i = 0; i < view.length; i++) view[i] = 2 * random.uniform() - 1;
  return offset;
}

export async function gemmWasmlp(variant: WasmlpVariant, n: number, t: Transpose): Promise<Prepared> {
  const backend = await createWasmlpBackend(variant);
  const random = new Random(n);
  const a = filled(backend, random, n * n),
    b = filled(backend, random, n * n),
    c = backend.alloc(n * n);
  const [ta, tb] = flags(t);
  return {
    run: () => backend.gemm(ta, tb, n, n, n, 1, a, b, 0, c),
    output: () => backend.view(c, n * n),
    dispose: () => {
      backend.free(a);
      backend.free(b);
      backend.free(c);
    },
  };
}

export async function gemmTf(backend: TfBackend, n: number, t: Transpose): Promise<Prepared> {
  await useTf(backend);
  const random = new Random(n);
  const values = () => new Float32Array(n * n).map(() => 2 * random.uniform() - 1);
  const a = tf.tensor2d(values(), [n, n]),
    b = tf.tensor2d(values(), [n, n]);
  const [ta, tb] = flags(t);
  // Both backends compute a kernel when it is called; the timed runs do not read the result back.
  return {
    run: () => tf.matMul(a, b, ta, tb).dispose(),
    output: () => tf.tidy(() => tf.matMul(a, b, ta, tb).dataSync()),
    dispose: () => tf.dispose([a, b]),
  };
}

// ---------------------------------------------------------------- kernels

export const KERNEL_ELEMENTS = 1 << 20;
export type ElementKernel = 'sigmoid' | 'sigmoidBackward' | 'tanh';

export async function kernelWasmlp(variant: WasmlpVariant, kernel: ElementKernel): Promise<Prepared> {
  const backend = await createWasmlpBackend(variant);
  const n = KERNEL_ELEMENTS;
  const random = new Random(3);
  const x = filled(backend, random, n),
    out = backend.alloc(n),
    grad = filled(backend, random, n);
  backend.sigmoid(n, x, out);
  const a = backend.view(out, n).slice(),
    dy = backend.view(grad, n).slice();
  if (kernel !== 'sigmoidBackward') {
    return {
      run: kernel === 'sigmoid' ? () => backend.sigmoid(n, x, out) : () => backend.tanh(n, x, out),
      output: () => backend.view(out, n),
      dispose: () => {
        for (const o of [x, out, grad]) backend.free(o);
      },
    };
  }
  // In place (grad *= a * (1 - a)): each run starts again from the same dy,
  // rather than shrinking it run after run into subnormals and zeros.
  return {
    reset: () => {
      backend.view(out, n).set(a);
      backend.view(grad, n).set(dy);
    },
    run: () => backend.sigmoidBackward(n, out, grad),
    output: () => backend.view(grad, n),
    dispose: () => {
      for (const o of [x, out, grad]) backend.free(o);
    },
  };
}

/** tf.sigmoid, its gradient as tfjs-core writes it (dy * (y * (1 - y))), and tf.tanh. */
export async function kernelTf(backend: TfBackend, kernel: ElementKernel): Promise<Prepared> {
  await useTf(backend);
  const random = new Random(3);
  const values = () => new Float32Array(KERNEL_ELEMENTS).map(() => 2 * random.uniform() - 1);
  const x = tf.tensor1d(values()),
    dy = tf.tensor1d(values());
  const y = tf.sigmoid(x);
  const compute = {
    sigmoid: () => tf.sigmoid(x),
    sigmoidBackward: () => tf.tidy(() => tf.mul(dy, tf.mul(y, tf.sub(1, y)))),
    tanh: () => tf.tanh(x),
  }[kernel];
  return {
    run: () => compute().dispose(),
    output: () => tf.tidy(() => compute().dataSync()),
    dispose: () => tf.dispose([x, dy, y]),
  };
}

// ---------------------------------------------------------------- wasmlp plumbing

function threadsOption(variant: WasmlpVariant): Record<string, number> {
  return variant.threads && variant.threads > 1 ? { threads: variant.threads } : {};
}

async function createWasmlpBackend(variant: WasmlpVariant): Promise<Backend> {
  return createBackend(variant.backend, 'float32', variant.threads ?? 1);
}
