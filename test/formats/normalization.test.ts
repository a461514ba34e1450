/**
 * Exports that standardise their inputs: ONNX with Sub and Div nodes,
 * TF.js folded into the first layer. Each runs raw inputs to what the
 * network predicts on standardised ones; the ONNX reader gives the
 * statistics back apart (onnxModelParts) or as the network's own
 * normalization (networkJSONFromONNX).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DType } from '../../src/backend/backend.js';
import type { Normalization } from '../../src/formats/network-json.js';
import { onnx } from '../../src/formats/onnx-proto.js';
import { networkJSONFromONNX, onnxModelParts } from '../../src/formats/onnx-read.js';
import { onnxFromNetworkJSON } from '../../src/formats/onnx-write.js';
import { tfjsFromNetworkJSON } from '../../src/formats/tfjs-write.js';
import { inputs, predict, relativeError, savedNetwork } from './networks.js';

ort.env.wasm.numThreads = 1;
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const LAYERS = [
  { units: 6, activation: 'tanh' as const },
  { units: 3, activation: 'softmax' as const },
];
/** Features far from mean 0 and scale 1, as raw measurements are. */
const STATS: Normalization = { mean: [5.8, -120, 0.003, 40], std: [0.8, 35, 0.0011, 12.5] };

function rawInputs(rows: number): number[][] {
  return inputs(rows, 4, 3).map((row) => row.map((z, c) => STATS.mean[c] + z * STATS.std[c]));
}

function standardised(x: number[][]): number[][] {
  return x.map((row) => row.map((v, c) => (v - STATS.mean[c]) / STATS.std[c]));
}

async function runONNX(bytes: Uint8Array, dtype: DType, x: number[][]): Promise<Float64Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const data = dtype === 'float32' ? Float32Array.from(x.flat()) : Float64Array.from(x.flat());
    const { y } = await session.run({ x: new ort.Tensor(dtype, data, [x.length, 4]) });
    return Float64Array.from(y.data as Float32Array | Float64Array);
  } finally {
    await session.release();
  }
}

describe.each(['float32', 'float64'] as const)('ONNX export with normalization, %s', (dtype) => {
  const json = savedNetwork(4, LAYERS, dtype, 3);
  const bytes = onnxFromNetworkJSON(json, { normalization: STATS, metadata: { 'wasmlp.note': 'kept' } });

  it('Sub and Div in the model dtype before the first Gemm; onnxruntime runs raw inputs to the predictions', async () => {
    const { graph, metadataProps } = onnx.ModelProto.decode(bytes);
    expect(graph!.node!.map(({ opType }) => opType)).toEqual(['Sub', 'Div', 'Gemm', 'Tanh', 'Gemm', 'Softmax']);
    const type = dtype === 'float32' ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.DOUBLE;
    expect(graph!.initializer!.slice(0, 2).map(({ name, dataType }) => [name, dataType])).toEqual([
      ['x.mean', type],
      ['x.std', type],
    ]);
    expect(metadataProps.map(({ key, value }) => [key, value])).toEqual([['wasmlp.note', 'kept']]);
    const x = rawInputs(500);
    const tolerance = dtype === 'float32' ? 1e-5 : 1e-12;
    expect(relativeError(await runONNX(bytes, dtype, x), await predict(json, standardised(x)), 0)).toBeLessThanOrEqual(tolerance);
  });

  it('onnxModelParts gives back the network, the statistics in the dtype and the metadata; networkJSONFromONNX keeps them as the network’s normalization', async () => {
    const parts = onnxModelParts(bytes);
    expect(parts.network).toEqual(json);
    const round = dtype === 'float32' ? Math.fround : (v: number) => v;
    expect(parts.normalization).toEqual({ mean: STATS.mean.map(round), std: STATS.std.map(round) });
    expect(parts.metadata).toEqual({ 'wasmlp.note': 'kept' });
    const folded = networkJSONFromONNX(bytes);
    expect(folded.normalization).toEqual({
      mean: parts.normalization!.mean,
      variance: parts.normalization!.std.map((s) => s * s),
    });
    const x = rawInputs(200);
    expect(relativeError(await predict(folded, x), await predict(json, standardised(x)), 0.1)).toBeLessThanOrEqual(
      dtype === 'float32' ? 1e-5 : 1e-12,
    );
  });
});

describe('TF.js export with normalization', () => {
  it.each(['float32', 'float64'] as const)('%s: folded into the first Dense, tfjs-layers predicts within 1e-5', async (dtype) => {
    const json = savedNetwork(4, LAYERS, dtype, 4);
    const { modelJSON, weights } = tfjsFromNetworkJSON(json, { normalization: STATS, metadata: { note: { kept: true } } });
    expect(modelJSON.userDefinedMetadata).toEqual({ note: { kept: true } });
    const artifacts = await tf.io.getModelArtifactsForJSON(modelJSON as unknown as tf.io.ModelJSON, async (manifest) => [
      manifest.flatMap((group) => group.weights),
      weights.slice().buffer,
    ]);
    const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    try {
      const x = rawInputs(500);
      const actual = tf.tidy(() => (model.predict(tf.tensor2d(x)) as tf.Tensor).dataSync() as Float32Array);
      expect(relativeError(actual, await predict(json, standardised(x)), 0)).toBeLessThanOrEqual(1e-5);
      expect(model.getUserDefinedMetadata()).toEqual({ note: { kept: true } });
    } finally {
      model.dispose();
    }
  });
});

describe('the normalization option, checked', () => {
  const json = savedNetwork(4, LAYERS, 'float32');
  it('one finite mean and one positive std per input', () => {
    expect(() => onnxFromNetworkJSON(json, { normalization: { mean: [0, 0], std: [1, 1, 1, 1] } })).toThrow(
      'toONNX options: normalization.mean must be 4 numbers (one per input), got an array of length 2',
    );
    expect(() => tfjsFromNetworkJSON(json, { normalization: { mean: [0, 0, 0, 0], std: [1, 0, 1, 1] } })).toThrow(
      'toTFJS options: normalization.std[1] must be a finite number > 0, got 0',
    );
    expect(() => onnxFromNetworkJSON(json, { normalization: { mean: [0, Number.NaN, 0, 0], std: [1, 1, 1, 1] } })).toThrow(
      'toONNX options: normalization.mean[1] must be a finite number, got NaN',
    );
    expect(() => onnxFromNetworkJSON(json, { metadata: { n: 1 as unknown as string } })).toThrow(
      'toONNX: metadata["n"] must be a string, got 1',
    );
  });
});

describe('standardisation the reader refuses', () => {
  const bytes = onnxFromNetworkJSON(savedNetwork(4, LAYERS, 'float64'), { normalization: STATS });
  const edited = (edit: (model: onnx.ModelProto) => void): Uint8Array => {
    const model = onnx.ModelProto.decode(bytes);
    edit(model);
    return onnx.ModelProto.encode(model).finish();
  };

  it('a deviation of 0, a mean of the wrong width, a Sub after the first layer', () => {
    const zero = edited((m) => {
      m.graph!.initializer![1].rawData = new Uint8Array(32);
    });
    expect(() => networkJSONFromONNX(zero)).toThrow(
      'fromONNX: node "normalize/Div" (Div): deviation "x.std" holds 0 at [0]; each must be > 0',
    );
    const wide = edited((m) => {
      m.graph!.initializer![0].dims = [2, 2];
    });
    expect(() => networkJSONFromONNX(wide)).toThrow(
      'fromONNX: node "normalize/Sub" (Sub): mean "x.mean" has dims [2, 2]; expected one value per feature, [4]',
    );
    const late = edited((m) => {
      const [sub, div, gemm] = m.graph!.node!;
      // x -> Gemm -> Sub -> Div -> Tanh ...: the standardisation after the layer.
      gemm.input![0] = 'x';
      sub.input![0] = 'dense_0/z';
      m.graph!.node![3].input![0] = div.output![0];
      m.graph!.node = [gemm, sub, div, ...m.graph!.node!.slice(3)];
    });
    expect(() => networkJSONFromONNX(late)).toThrow(
      'fromONNX: node "normalize/Sub" (Sub): only a standardisation of the inputs, before the first dense layer, is supported',
    );
  });
});
