/** Saved networks with seeded weights, their predictions, and the fixtures, for the format tests. */
import { readFileSync } from 'node:fs';
import type { ActivationName } from '../../src/activations.js';
import type { DType } from '../../src/backend/backend.js';
import type { LossName } from '../../src/losses.js';
import { loadNetwork, type NetworkJSON } from '../../src/network.js';
import { Random } from '../../src/random.js';
import { randomMatrix } from '../helpers.js';

export interface LayerSpec {
  units: number;
  activation: ActivationName;
  alpha?: number;
}

/** A saved network with weights drawn from `seed`, exact in `dtype`. */
export function savedNetwork(inputs: number, layers: LayerSpec[], dtype: DType, seed = 1): NetworkJSON {
  const random = new Random(seed);
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  let fanIn = inputs;
  const weights = layers.map(({ units }) => {
    const W = randomMatrix(random, fanIn, units, 1 / Math.sqrt(fanIn)).map((row) => row.map(round));
    const b = randomMatrix(random, 1, units, 0.5)[0].map(round);
    fanIn = units;
    return { W, b };
  });
  const output = layers[layers.length - 1].activation;
  const loss: LossName =
    output === 'sigmoid' ? 'binaryCrossentropy' : output === 'softmax' ? 'categoricalCrossentropy' : 'meanSquaredError';
  return { format: 'wasmlp-network', version: 1, inputs, layers, loss, dtype, weights };
}

export function inputs(rows: number, cols: number, seed = 2): number[][] {
  return randomMatrix(new Random(seed), rows, cols, 3);
}

/** What the network predicts for x, flat, row by row. */
export async function predict(json: NetworkJSON, x: number[][]): Promise<Float64Array> {
  const net = await loadNetwork(json);
  try {
    return Float64Array.from(net.predict(x));
  } finally {
    net.dispose();
  }
}

/** The largest |actual - expected| / max(|expected|, floor): a relative error, with a floor for values near 0. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor: number): number {
  if (actual.length !== expected.length) throw new Error(`lengths differ: ${actual.length} and ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor));
  }
  return worst;
}

/** The bytes of test/formats/fixtures/<name>.onnx. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`fixtures/${name}.onnx`, import.meta.url)));
}
