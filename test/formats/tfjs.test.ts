/**
 * TensorFlow.js layers format: tfjs-layers loads the export and agrees with
 * the network; models tfjs-layers saved import; a round trip is exact.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromTFJS, toTFJS } from '../../src/formats/index.js';
import type { TFJSModelJSON } from '../../src/formats/tfjs-model.js';
import { networkJSONFromTFJS } from '../../src/formats/tfjs-read.js';
import { tfjsFromNetworkJSON } from '../../src/formats/tfjs-write.js';
import { inputs, type LayerSpec, predict, relativeError, savedNetwork } from './networks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** model.json's content and weights.bin's bytes, as tf.LayersModel.save writes them. */
async function saved(model: tfl.LayersModel): Promise<{ modelJSON: TFJSModelJSON; weights: Uint8Array }> {
  let result: { modelJSON: TFJSModelJSON; weights: Uint8Array } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      result = {
        modelJSON: {
          modelTopology: artifacts.modelTopology,
          format: artifacts.format,
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        } as unknown as TFJSModelJSON,
        weights: new Uint8Array(artifacts.weightData as ArrayBuffer),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return result!;
}

async function load({ modelJSON, weights }: { modelJSON: TFJSModelJSON; weights: Uint8Array }): Promise<tfl.LayersModel> {
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJSON as unknown as tf.io.ModelJSON, async (manifest) => [
    manifest.flatMap((group) => group.weights),
    weights.slice().buffer,
  ]);
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts));
}

function tfPredict(model: tfl.LayersModel, x: number[][]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor2d(x)) as tf.Tensor).dataSync() as Float32Array);
}

const ACTIVATIONS: LayerSpec[] = [
  { units: 4, activation: 'sigmoid' },
  { units: 4, activation: 'tanh' },
  { units: 4, activation: 'relu' },
  { units: 4, activation: 'leakyRelu', alpha: 0.01 },
  { units: 4, activation: 'leakyRelu', alpha: 0.3 },
  { units: 4, activation: 'linear' },
  { units: 4, activation: 'softmax' },
];

describe('TF.js export', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: tfjs-layers loads every activation and predicts within 1e-5`, async () => {
      for (const spec of ACTIVATIONS) {
        const hidden = spec.activation === 'softmax' ? 'tanh' : spec.activation;
        const layers: LayerSpec[] = [{ ...spec, activation: hidden, units: 7 }, { ...spec, activation: hidden, units: 5 }, spec];
        if (hidden !== 'leakyRelu') layers.forEach((layer) => delete layer.alpha);
        const json = savedNetwork(3, layers, dtype, 5);
        const model = await load(tfjsFromNetworkJSON(json));
        const x = inputs(200, 3);
        expect(relativeError(tfPredict(model, x), await predict(json, x), 0.1), spec.activation).toBeLessThanOrEqual(1e-5);
        model.dispose();
      }
    });
  }

  it('writes a layers-model of Dense layers, a LeakyReLU after a leaky one, and its weights.bin', () => {
    const { modelJSON, weights } = tfjsFromNetworkJSON(
      savedNetwork(
        3,
        [
          { units: 4, activation: 'leakyRelu', alpha: 0.2 },
          { units: 2, activation: 'softmax' },
        ],
        'float32',
      ),
    );
    expect(modelJSON.format).toBe('layers-model');
    expect(modelJSON.modelTopology.config.layers.map((l) => [l.class_name, l.config.activation ?? l.config.alpha])).toEqual([
      ['Dense', 'linear'],
      ['LeakyReLU', 0.2],
      ['Dense', 'softmax'],
    ]);
    expect(modelJSON.modelTopology.config.layers[0].config.batch_input_shape).toEqual([null, 3]);
    expect(modelJSON.weightsManifest).toEqual([
      {
        paths: ['weights.bin'],
        weights: [
          { name: 'dense_0/kernel', shape: [3, 4], dtype: 'float32' },
          { name: 'dense_0/bias', shape: [4], dtype: 'float32' },
          { name: 'dense_1/kernel', shape: [4, 2], dtype: 'float32' },
          { name: 'dense_1/bias', shape: [2], dtype: 'float32' },
        ],
      },
    ]);
    expect(weights.byteLength).toBe((12 + 4 + 8 + 2) * 4);
  });

  it('round trip: TF.js and back gives the same layers and weights, bit for bit (float64 rounded to float32)', async () => {
    for (const spec of ACTIVATIONS) {
      const json = savedNetwork(
        4,
        [{ ...spec, activation: spec.activation === 'softmax' ? 'relu' : spec.activation, units: 6 }, spec].map((layer) =>
          layer.activation === 'leakyRelu' ? layer : { units: layer.units, activation: layer.activation },
        ),
        'float32',
        9,
      );
      const { modelJSON, weights } = tfjsFromNetworkJSON(json);
      const back = networkJSONFromTFJS(JSON.parse(JSON.stringify(modelJSON)), weights);
      expect(back).toEqual(json);
      const x = inputs(30, 4);
      expect(await predict(back, x)).toEqual(await predict(json, x));
    }
    const double = savedNetwork(4, [{ units: 3, activation: 'tanh' }], 'float64');
    const back = networkJSONFromTFJS(...(Object.values(tfjsFromNetworkJSON(double)) as [TFJSModelJSON, Uint8Array]), {
      dtype: 'float64',
    });
    expect(back.weights[0].W).toEqual(double.weights[0].W.map((row) => row.map(Math.fround)));
  });
});

describe('TF.js import of models tfjs-layers saved', () => {
  it('InputLayer, Dense with and without bias, LeakyReLU, Dropout and Activation', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.inputLayer({ inputShape: [5] }),
        tfl.layers.dense({ units: 8, activation: 'relu', useBias: false }),
        tfl.layers.dropout({ rate: 0.5 }),
        tfl.layers.dense({ units: 6, biasInitializer: 'randomNormal' }),
        tfl.layers.leakyReLU({ alpha: 0.2 }),
        tfl.layers.dense({ units: 4, biasInitializer: 'randomNormal' }),
        tfl.layers.activation({ activation: 'softmax' }),
      ],
    });
    const files = await saved(model);
    const json = networkJSONFromTFJS(files.modelJSON, files.weights);
    expect(json.layers).toEqual([
      { units: 8, activation: 'relu' },
      { dropout: 0.5 },
      { units: 6, activation: 'leakyRelu', alpha: 0.2 },
      { units: 4, activation: 'softmax' },
    ]);
    expect(json.weights[0].b).toEqual(new Array(8).fill(0));
    expect(json.loss).toBe('categoricalCrossentropy');
    const x = inputs(100, 5);
    expect(relativeError(await predict(json, x), tfPredict(model, x), 0.1)).toBeLessThanOrEqual(1e-5);
  });

  it('a Dense with its own input shape, from model.json text through fromTFJS', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [3], units: 4, activation: 'tanh', biasInitializer: 'randomNormal' }),
        tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    const files = await saved(model);
    const net = await fromTFJS(JSON.stringify(files.modelJSON), files.weights.buffer as ArrayBuffer, {
      backend: 'js',
      loss: 'meanSquaredError',
    });
    try {
      expect(net.toJSON().loss).toBe('meanSquaredError');
      const x = inputs(50, 3);
      expect(relativeError(net.predict(x), tfPredict(model, x), 0.1)).toBeLessThanOrEqual(1e-5);
      const again = await load(toTFJS(net));
      expect(Array.from(tfPredict(again, x))).toEqual(Array.from(tfPredict(model, x)));
    } finally {
      net.dispose();
    }
  });
});

describe('TF.js import errors', () => {
  const files = tfjsFromNetworkJSON(
    savedNetwork(
      3,
      [
        { units: 4, activation: 'relu' },
        { units: 2, activation: 'linear' },
      ],
      'float32',
    ),
  );

  it('a manifest that does not match the bytes, with both counts', () => {
    expect(() => networkJSONFromTFJS(files.modelJSON, files.weights.subarray(0, 100))).toThrow(
      'fromTFJS: weightsManifest describes 104 bytes (4 float32 weights), but the weights have 100 bytes',
    );
    const longer = new Uint8Array(108);
    expect(() => networkJSONFromTFJS(files.modelJSON, longer)).toThrow(
      'weightsManifest describes 104 bytes (4 float32 weights), but the weights have 108 bytes',
    );
  });

  it('a layer or activation it does not know, naming the layer', async () => {
    const conv = await saved(
      tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 3 }), tfl.layers.batchNormalization()] }),
    );
    expect(() => networkJSONFromTFJS(conv.modelJSON, conv.weights)).toThrow(
      /^fromTFJS: layer "batch_normalization_BatchNormalization\d+" \(BatchNormalization\) is not supported: a dense network has only InputLayer, Dense/,
    );
    const elu = await saved(
      tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 3, activation: 'elu', name: 'hidden' })] }),
    );
    expect(() => networkJSONFromTFJS(elu.modelJSON, elu.weights)).toThrow(
      'fromTFJS: layer "hidden" (Dense): activation "elu" is not supported; expected one of sigmoid, tanh, relu, linear, softmax',
    );
  });

  it('a graph model, a missing weight, a non-finite weight, a kernel of the wrong shape', () => {
    expect(() => networkJSONFromTFJS({ ...files.modelJSON, format: 'graph-model' }, files.weights)).toThrow(
      'fromTFJS: format "graph-model" is not supported; only \'layers-model\'',
    );
    const renamed = structuredClone(files.modelJSON);
    renamed.weightsManifest[0].weights[3].name = 'other/bias';
    expect(() => networkJSONFromTFJS(renamed, files.weights)).toThrow(
      'fromTFJS: layer "dense_1" (Dense): weightsManifest has no weight named "dense_1/bias"',
    );
    const nan = files.weights.slice();
    new DataView(nan.buffer).setFloat32(4 * 13, NaN, true);
    expect(() => networkJSONFromTFJS(files.modelJSON, nan)).toThrow(
      'fromTFJS: weight "dense_0/bias" holds NaN at index 1 (byte 52): every weight must be finite',
    );
    const reshaped = structuredClone(files.modelJSON);
    reshaped.weightsManifest[0].weights[2].shape = [2, 4];
    expect(() => networkJSONFromTFJS(reshaped, files.weights)).toThrow(
      'fromTFJS: layer "dense_1" (Dense): kernel has shape [2, 4], expected [4, 2]',
    );
  });
});
