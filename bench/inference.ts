/**
 * W4: inference, float32, one thread. Each library is handed a batch of rows
 * as a Float32Array and hands back the outputs as one: wasmlp through
 * Network.predict and the inference-only build's (wasmlp/predict)
 * Predictor.predict, onnxruntime-web (its wasm build, SIMD, one thread) on
 * the network exported by toONNX, TensorFlow.js on its wasm backend through
 * fused matMuls. Per call, every library checks or wraps its input, runs the
 * network and copies the outputs out.
 */
import * as ort from 'onnxruntime-web';
import { seed, seedWeights } from '../data/seed.js';
import { toONNX } from '../src/formats/index.js';
import { createNetwork, type LayerWeights, type Network } from '../src/index.js';
import { loadPredictor } from '../src/predict/index.js';
import { Random } from '../src/random.js';
import type { Prepared } from './harness.js';
import { type TfBackend, tf, useTf } from './tfjs.js';
import { MLP, type MlpData } from './workloads.js';

ort.env.wasm.numThreads = 1;

/** A network as every library builds it: inputs, layers (the last one's activation), weights. */
export interface InferenceNet {
  name: string;
  inputs: number;
  units: number[];
  output: 'sigmoid' | 'softmax';
  weights: LayerWeights[];
  /** Rows of input to take batches from (at least the largest batch). */
  x: Float32Array;
}

export const BATCHES = [1, 1024] as const;

/** W2's network with its initial weights, on W2's inputs. */
export function mlpNet(data: MlpData, weights: LayerWeights[]): InferenceNet {
  return {
    name: 'W2 784-256-128-10',
    inputs: MLP.inputs,
    units: [...MLP.hidden, MLP.classes],
    output: 'softmax',
    weights,
    x: data.x.subarray(0, Math.max(...BATCHES) * MLP.inputs),
  };
}

/** The seed network with the notebook's initial weights, on its 200 points and points drawn from the same range. */
export function seedNet(): InferenceNet {
  const rows = Math.max(...BATCHES);
  const x = new Float32Array(rows * 2);
  x.set(seed.X.flat());
  const random = new Random(2);
  for (let i = seed.X.length * 2; i < x.length; i++) x[i] = 8 * random.uniform() - 4;
  return { name: 'seed 2-8-4-1', inputs: 2, units: [8, 4, 1], output: 'sigmoid', weights: seedWeights('init'), x };
}

async function network(net: InferenceNet): Promise<Network> {
  const last = net.units.length - 1;
  const created = await createNetwork({
    inputs: net.inputs,
    layers: net.units.map((units, l) => ({ units, activation: l < last ? ('sigmoid' as const) : net.output })),
    // The loss plays no part in predict; this one goes with either output.
    loss: net.output === 'softmax' ? 'categoricalCrossentropy' : 'binaryCrossentropy',
    backend: 'wasm',
  });
  created.setWeights(net.weights);
  return created;
}

const batchOf = (net: InferenceNet, rows: number) => net.x.subarray(0, rows * net.inputs);

export async function predictWasmlp(net: InferenceNet, rows: number): Promise<Prepared> {
  const model = await network(net);
  const x = { data: batchOf(net, rows), shape: [rows, net.inputs] as [number, number] };
  let last: Float32Array | Float64Array = new Float32Array(0);
  return {
    run: () => {
      last = model.predict(x);
    },
    output: () => last,
    dispose: () => model.dispose(),
  };
}

/** wasmlp/predict's Predictor, loaded from the network's saved form, on its wasm backend. */
export async function predictWasmlpPredict(net: InferenceNet, rows: number): Promise<Prepared> {
  const model = await network(net);
  const predictor = await loadPredictor(model.toJSON(), { backend: 'wasm' });
  model.dispose();
  const x = { data: batchOf(net, rows), shape: [rows, net.inputs] as [number, number] };
  let last: Float32Array | Float64Array = new Float32Array(0);
  return {
    run: () => {
      last = predictor.predict(x);
    },
    output: () => last,
    dispose: () => predictor.dispose(),
  };
}

/** session.run on a tensor over the batch's rows; the output tensor's data is the result. */
export async function predictOnnx(net: InferenceNet, rows: number): Promise<Prepared> {
  const model = await network(net);
  const session = await ort.InferenceSession.create(toONNX(model));
  model.dispose();
  const data = batchOf(net, rows);
  let last: Float32Array = new Float32Array(0);
  return {
    run: async () => {
      const { y } = await session.run({ x: new ort.Tensor('float32', data, [rows, net.inputs]) });
      last = y.data as Float32Array;
      y.dispose();
    },
    output: () => last,
    dispose: () => void session.release(),
  };
}

/** Fused matMul + bias + sigmoid per layer (softmax after the last one's matMul), read back with dataSync. */
export async function predictTf(backend: TfBackend, net: InferenceNet, rows: number): Promise<Prepared> {
  await useTf(backend);
  const vars = net.weights.map(({ W, b }) => ({ W: tf.tensor2d(W), b: tf.tensor1d(b) }));
  const data = batchOf(net, rows);
  const last = vars.length - 1;
  const forward = () =>
    tf.tidy(() => {
      let a = tf.tensor2d(data, [rows, net.inputs]);
      vars.forEach(({ W, b }, l) => {
        const linear = l === last && net.output === 'softmax';
        const z = tf.fused.matMul({ a, b: W, bias: b, activation: linear ? 'linear' : 'sigmoid' });
        a = (linear ? tf.softmax(z) : z) as tf.Tensor2D;
      });
      return a.dataSync() as Float32Array;
    });
  let out: Float32Array = new Float32Array(0);
  return {
    run: () => {
      out = forward();
    },
    output: () => out,
    dispose: () => tf.dispose(vars.flatMap(({ W, b }) => [W, b])),
  };
}

export function ortVersion(): string {
  return ort.env.versions.web ?? 'unknown';
}
