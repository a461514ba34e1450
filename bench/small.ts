/**
 * The small-shapes sweep: a width-w-1 sigmoid network (w inputs, a hidden
 * layer of w units, one output; binaryCrossentropy, SGD) trained on a batch
 * of b rows, for b in BATCHES and w in WIDTHS: time per training step, on
 * wasmlp's wasm and js backends and TensorFlow.js's wasm backend (the W1
 * hand-tuned step, written for any width). Each run is `steps` full-batch
 * epochs of one `fit` call (wasmlp) or of one tf.tidy each (tfjs), so the
 * table shows where small products, not the epoch's bookkeeping, still lag.
 */
import { createNetwork, type LayerWeights } from '../src/index.js';
import { Random } from '../src/random.js';
import type { Metric, Prepared } from './harness.js';
import { tunedSigmoidMlp } from './tf-tuned.js';
import { useTf } from './tfjs.js';
import type { WasmlpVariant } from './workloads.js';

export const BATCHES = [1, 8, 32, 200] as const;
export const WIDTHS = [2, 8, 16, 32, 64] as const;

const LR = 0.5;

/** Steps per run: fewer for the larger batches, whose steps are long. */
export function stepsFor(batch: number): number {
  return batch >= 200 ? 20 : batch >= 32 ? 50 : 100;
}

/** Microseconds per training step, from a run's milliseconds. */
export function perStep(steps: number): Metric {
  return { unit: 'µs/step', fromMs: (ms) => (ms * 1000) / steps, higherIsBetter: false };
}

interface SmallData {
  x: number[][];
  y: number[][];
  init: LayerWeights[];
}

/** Inputs in [-1, 1), labels from the sign of their sum, Glorot-uniform weights: fixed per shape. */
export function smallData(batch: number, width: number): SmallData {
  const random = new Random(batch * 1000 + width);
  const x = Array.from({ length: batch }, () => Array.from({ length: width }, () => 2 * random.uniform() - 1));
  const y = x.map((row) => [row.reduce((s, v) => s + v, 0) > 0 ? 1 : 0]);
  const layer = (inputs: number, units: number): LayerWeights => {
    const limit = Math.sqrt(6 / (inputs + units));
    return {
      W: Array.from({ length: inputs }, () =>
        Array.from({ length: units }, () => Math.fround((2 * random.uniform() - 1) * limit)),
      ),
      b: new Array<number>(units).fill(0),
    };
  };
  return { x, y, init: [layer(width, width), layer(width, 1)] };
}

export async function smallWasmlp(variant: WasmlpVariant, data: SmallData, steps: number): Promise<Prepared> {
  const width = data.x[0].length;
  const net = await createNetwork({
    inputs: width,
    layers: [
      { units: width, activation: 'sigmoid' },
      { units: 1, activation: 'sigmoid' },
    ],
    loss: 'binaryCrossentropy',
    backend: variant.backend,
  });
  return {
    reset: () => net.setWeights(data.init),
    run: () => net.fit(data.x, data.y, { epochs: steps, batchSize: data.x.length, learningRate: LR }),
    output: () => net.getWeights().flatMap(({ W, b }) => [...W.flat(), ...b]),
    dispose: () => net.dispose(),
  };
}

/** The hand-tuned tf-ops step (tf-tuned.ts, as W1's). */
export async function smallTf(data: SmallData, steps: number): Promise<Prepared> {
  await useTf('tfjs-wasm');
  return {
    ...tunedSigmoidMlp({ ...data, learningRate: LR, steps }),
    activate: () => useTf('tfjs-wasm'),
  };
}
