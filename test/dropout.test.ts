/**
 * Dropout entries: masks from the seeded generator (the same on every
 * backend and thread count), the gradient through them against a plain
 * float64 reference, the expectation kept, predict and evaluate untouched,
 * bad entries refused, and the entries saved, loaded and exported.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineOf } from '../src/engine.js';
import { fromTFJS, toONNX, toTFJS } from '../src/formats/index.js';
import type { TFJSModelJSON } from '../src/formats/tfjs-model.js';
import { createNetwork, loadNetwork, type NetworkConfig } from '../src/index.js';
import { loadPredictor } from '../src/predict/index.js';
import { prng } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const random = prng(11);
const x = Array.from({ length: 16 }, () => [random() * 2 - 1, random() * 2 - 1, random() * 2 - 1]);
const y = x.map(([a, b, c]) => [a * b - c, a + b]);

function config(over: Partial<NetworkConfig> = {}): NetworkConfig {
  return {
    inputs: 3,
    layers: [
      { units: 6, activation: 'tanh' },
      { dropout: 0.4 },
      { units: 5, activation: 'sigmoid' },
      { dropout: 0.25 },
      { units: 2, activation: 'linear' },
    ],
    loss: 'meanSquaredError',
    dtype: 'float64',
    seed: 5,
    ...over,
  };
}

const FIT = { epochs: 3, batchSize: 6, learningRate: 0.2, shuffle: true };

describe('dropout masks', () => {
  it.each(['float32', 'float64'] as const)('the same seed trains to the same bits on one thread and two (%s)', async (dtype) => {
    const run = async (threads: number) => {
      const net = await createNetwork(config({ dtype, threads }));
      const history = await net.fit(x, y, FIT);
      const out = { history: history.history, weights: net.getWeights() };
      net.dispose();
      return out;
    };
    const one = await run(1);
    expect(await run(1)).toEqual(one);
    expect(await run(2)).toEqual(one);
  });

  it('wasm and js draw the same masks, and train to the same weights within 1e-12 in float64', async () => {
    const masks = async (backend: 'wasm' | 'js') => {
      const net = await createNetwork(config({ backend }));
      const engine = engineOf(net);
      const data = engine.loadInputs(x);
      engine.reserveBatch(16);
      engine.forwardTraining(data.x, 16);
      const kept = engine.layers.map((layer) => Array.from(layer.kept.subarray(0, 16 * layer.units)));
      net.dispose();
      return kept;
    };
    const wasm = await masks('wasm');
    expect(await masks('js')).toEqual(wasm);
    expect(wasm[0].filter((k) => k === 0).length).toBeGreaterThan(0); // some dropped
    const trained = async (backend: 'wasm' | 'js') => {
      const net = await createNetwork(config({ backend }));
      await net.fit(x, y, FIT);
      const w = net.getWeights().flatMap(({ W, b }) => [...W.flat(), ...b]);
      net.dispose();
      return w;
    };
    const a = await trained('wasm');
    const b = await trained('js');
    a.forEach((v, i) => {
      expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v)));
    });
  });

  it('one SGD step through the masks matches a plain float64 reference within 1e-9', async () => {
    for (const backend of ['wasm', 'js'] as const) {
      const layers = [{ units: 4, activation: 'tanh' as const }, { dropout: 0.5 }, { units: 2, activation: 'linear' as const }];
      const net = await createNetwork({ inputs: 3, layers, loss: 'meanSquaredError', dtype: 'float64', seed: 9, backend });
      // A twin from the same seed draws the masks the fit will draw: its initial weights, then one pass's.
      const twin = await createNetwork({ inputs: 3, layers, loss: 'meanSquaredError', dtype: 'float64', seed: 9, backend });
      const engine = engineOf(twin);
      const data = engine.loadInputs(x);
      engine.reserveBatch(16);
      engine.forwardTraining(data.x, 16);
      const kept = Array.from(engine.layers[0].kept.subarray(0, 16 * 4));
      const [{ W: W1, b: b1 }, { W: W2, b: b2 }] = net.getWeights();
      const history = await net.fit(x, y, { epochs: 1, learningRate: 0.1 });

      // The reference: forward with the mask, mean squared error, backward, one step.
      const n = x.length;
      const g1 = W1.map((r) => r.map(() => 0));
      const gb1 = b1.map(() => 0);
      const g2 = W2.map((r) => r.map(() => 0));
      const gb2 = b2.map(() => 0);
      let loss = 0;
      x.forEach((row, i) => {
        const a1 = b1.map((bias, j) => Math.tanh(row.reduce((s, v, k) => s + v * W1[k][j], bias)));
        const d1 = a1.map((v, j) => (kept[i * 4 + j] ? v / 0.5 : 0));
        const out = b2.map((bias, j) => d1.reduce((s, v, k) => s + v * W2[k][j], bias));
        const dz2 = out.map((v, j) => (2 * (v - y[i][j])) / (n * 2));
        loss += out.reduce((s, v, j) => s + (v - y[i][j]) ** 2, 0) / 2;
        d1.forEach((v, k) => {
          dz2.forEach((d, j) => {
            g2[k][j] += v * d;
          });
        });
        dz2.forEach((d, j) => {
          gb2[j] += d;
        });
        const dd1 = d1.map((_, k) => dz2.reduce((s, d, j) => s + d * W2[k][j], 0));
        const dz1 = a1.map((v, k) => (kept[i * 4 + k] ? dd1[k] / 0.5 : 0) * (1 - v * v));
        row.forEach((v, k) => {
          dz1.forEach((d, j) => {
            g1[k][j] += v * d;
          });
        });
        dz1.forEach((d, j) => {
          gb1[j] += d;
        });
      });
      expect(Math.abs(history.history.loss[0] - loss / n) / (loss / n)).toBeLessThanOrEqual(1e-9);
      const [after1, after2] = net.getWeights();
      const expected = [
        ...W1.flatMap((r, k) => r.map((v, j) => v - 0.1 * g1[k][j])),
        ...b1.map((v, j) => v - 0.1 * gb1[j]),
        ...W2.flatMap((r, k) => r.map((v, j) => v - 0.1 * g2[k][j])),
        ...b2.map((v, j) => v - 0.1 * gb2[j]),
      ];
      const actual = [...after1.W.flat(), ...after1.b, ...after2.W.flat(), ...after2.b];
      actual.forEach((v, i) => {
        expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected[i])));
      });
      net.dispose();
      twin.dispose();
    }
  });

  it('keeps the expectation: over 4000 masks, the mean dropped output is within 5% of the undropped one', async () => {
    const net = await createNetwork(
      config({ layers: [{ units: 8, activation: 'sigmoid' }, { dropout: 0.5 }, { units: 2, activation: 'linear' }] }),
    );
    const engine = engineOf(net);
    const data = engine.loadInputs(x.slice(0, 2));
    engine.reserveBatch(2);
    const layer = engine.layers[0];
    const sum = new Float64Array(16);
    const draws = 4000;
    for (let t = 0; t < draws; t++) {
      engine.forwardTraining(data.x, 2);
      const dropped = engine.backend.view(layer.output, 16);
      for (let i = 0; i < 16; i++) sum[i] += dropped[i];
    }
    const undropped = engine.backend.view(layer.undropped, 16);
    // Each mean of 4000 values a/(1-rate) or 0 has a relative standard deviation of 1/sqrt(4000) ≈ 1.6%: 5% is 3 of them.
    for (let i = 0; i < 16; i++) expect(Math.abs(sum[i] / draws - undropped[i]) / undropped[i]).toBeLessThanOrEqual(0.05);
    net.dispose();
  });
});

describe('inference never drops', () => {
  it('predict and evaluate equal those of the same weights without dropout; fit validation too', async () => {
    const dropped = await createNetwork(config());
    const plain = await createNetwork(
      config({
        layers: [
          { units: 6, activation: 'tanh' },
          { units: 5, activation: 'sigmoid' },
          { units: 2, activation: 'linear' },
        ],
      }),
    );
    plain.setWeights(dropped.getWeights());
    expect(dropped.predict(x)).toEqual(plain.predict(x));
    expect(dropped.evaluate(x, y)).toEqual(plain.evaluate(x, y));
    // Validation runs after the epoch's last update, as evaluate() after fit() sees the weights.
    const history = await dropped.fit(x, y, { epochs: 1, learningRate: 0.1, validationData: [x, y] });
    plain.setWeights(dropped.getWeights());
    expect(history.history.val_loss[0]).toBe(plain.evaluate(x, y).loss);
    // A rate of 0 never draws: training equals training without the entry.
    const zero = await createNetwork(
      config({
        layers: [
          { units: 6, activation: 'tanh' },
          { dropout: 0 },
          { units: 5, activation: 'sigmoid' },
          { units: 2, activation: 'linear' },
        ],
      }),
    );
    const none = await createNetwork(
      config({
        layers: [
          { units: 6, activation: 'tanh' },
          { units: 5, activation: 'sigmoid' },
          { units: 2, activation: 'linear' },
        ],
      }),
    );
    await zero.fit(x, y, FIT);
    await none.fit(x, y, FIT);
    expect(zero.getWeights()).toEqual(none.getWeights());
    for (const net of [dropped, plain, zero, none]) net.dispose();
  });
});

describe('bad dropout entries', () => {
  const dense = { units: 3, activation: 'tanh' as const };
  const out = { units: 2, activation: 'linear' as const };
  it.each([
    ['a rate of 1', [dense, { dropout: 1 }, out], /layers\[1\]\.dropout must be a rate in \[0, 1\), got 1/],
    ['a negative rate', [dense, { dropout: -0.1 }, out], /layers\[1\]\.dropout must be a rate in \[0, 1\), got -0\.1/],
    ['a NaN rate', [dense, { dropout: Number.NaN }, out], /layers\[1\]\.dropout must be a rate in \[0, 1\), got NaN/],
    ['first', [{ dropout: 0.5 }, dense, out], /layers\[0\]: a dropout entry must follow a dense layer/],
    ['last', [dense, out, { dropout: 0.5 }], /layers\[2\]: a dropout entry must follow a dense layer and precede one/],
    ['two in a row', [dense, { dropout: 0.5 }, { dropout: 0.5 }, out], /layers\[2\]: a dropout entry must follow a dense layer/],
    ['an unknown key', [dense, { dropout: 0.5, seed: 1 }, out], /layers\[1\]: unknown option "seed"/],
  ])('%s', async (_, layers, message) => {
    await expect(createNetwork(config({ layers: layers as NetworkConfig['layers'] }))).rejects.toThrow(message);
  });
});

describe('saving and exporting', () => {
  it('toJSON records the entries; loadNetwork and loadPredictor read them; the weights are the dense layers', async () => {
    const net = await createNetwork(config());
    await net.fit(x, y, FIT);
    const json = net.toJSON();
    expect(json.layers).toEqual([
      { units: 6, activation: 'tanh', kernelInitializer: 'glorotUniform' },
      { dropout: 0.4 },
      { units: 5, activation: 'sigmoid', kernelInitializer: 'glorotUniform' },
      { dropout: 0.25 },
      { units: 2, activation: 'linear', kernelInitializer: 'glorotUniform' },
    ]);
    expect(json.weights.length).toBe(3);
    expect(
      net
        .summary()
        .split('\n')
        .filter((line) => line.includes('(Dropout)')),
    ).toEqual([
      'dropout (Dropout)            (None, 6)                 0',
      'dropout_1 (Dropout)          (None, 5)                 0',
    ]);
    expect(net.layers.length).toBe(3);
    const back = await loadNetwork(JSON.stringify(json));
    expect(back.toJSON()).toEqual(json);
    expect(back.predict(x)).toEqual(net.predict(x));
    const predictor = await loadPredictor(json);
    expect(predictor.predict(x)).toEqual(net.predict(x));
    // A loaded network drops as the saved one did: the same seed-free weights, masks from its own stream.
    await back.fit(x, y, { epochs: 1, learningRate: 0.1 });
    for (const n of [net, back]) n.dispose();
    predictor.dispose();
  });

  it('toTFJS writes Dropout layers tfjs-layers loads; fromTFJS keeps their rates; toONNX leaves them out', async () => {
    const net = await createNetwork(config());
    const exported = toTFJS(net);
    const classes = exported.modelJSON.modelTopology.config.layers.map((l) => l.class_name);
    expect(classes).toEqual(['Dense', 'Dropout', 'Dense', 'Dropout', 'Dense']);
    const artifacts = await tf.io.getModelArtifactsForJSON(exported.modelJSON as unknown as tf.io.ModelJSON, async (m) => [
      m.flatMap((group) => group.weights),
      exported.weights.slice().buffer,
    ]);
    const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(model.layers.map((l) => l.getClassName())).toEqual(classes);
    const back = await fromTFJS(exported.modelJSON as TFJSModelJSON, exported.weights, { dtype: 'float64' });
    expect(back.toJSON().layers.filter((l) => 'dropout' in l)).toEqual([{ dropout: 0.4 }, { dropout: 0.25 }]);
    const onnx = toONNX(net);
    expect(new TextDecoder().decode(onnx).includes('Dropout')).toBe(false);
    net.dispose();
    back.dispose();
  });
});
