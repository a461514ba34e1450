/**
 * ONNX import of models laid out as torch.onnx, tf2onnx and skl2onnx write
 * them (scripts/onnx-fixtures.py made them, and numpy their outputs): a
 * classifier's network predicts its probabilities.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/backend/backend.js';
import { fromONNX, toONNX } from '../../src/formats/index.js';
import { onnx } from '../../src/formats/onnx-proto.js';
import { networkJSONFromONNX } from '../../src/formats/onnx-read.js';
import { fixtureBytes, predict, relativeError } from './networks.js';

ort.env.wasm.numThreads = 1;

interface Fixture {
  dtype: DType;
  layers: { units: number; activation: string; alpha?: number }[];
  x: number[][];
  y: number[][];
  /** The tensor y is, where it is not the graph's first output (a classifier's probabilities). */
  output?: string;
}

function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`fixtures/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

const TOLERANCE: Record<DType, number> = { float32: 1e-5, float64: 1e-12 };

const FIXTURES = [
  'torch-relu-sigmoid',
  'torch-default-names',
  'torch-double-softmax',
  'tf2onnx-opset13',
  'tf2onnx-opset15',
  'skl2onnx-float',
  'skl2onnx-double',
  'skl2onnx-binary',
  'skl2onnx-multiclass',
  'skl2onnx-binary-double',
  'skl2onnx-multiclass-nozipmap',
  'skl2onnx-multilabel',
];

/**
 * The model with `name` among its graph outputs: onnxruntime-web returns
 * tensors only, so a ZipMap model's probabilities, which only feed the
 * ZipMap and the label, are asked for as an output of their own.
 */
function withOutput(bytes: Uint8Array, name: string): Uint8Array {
  if (onnx.ModelProto.decode(bytes).graph!.output!.some((o) => o.name === name)) return bytes;
  // A message read twice merges: a second graph holding only the output appends it to the first's outputs,
  // leaving the fields the generated schema does not know (the string classes) as they are.
  const extra = onnx.ModelProto.encode({ graph: { output: [{ name }] } }).finish();
  const out = new Uint8Array(bytes.length + extra.length);
  out.set(bytes);
  out.set(extra, bytes.length);
  return out;
}

describe.each(FIXTURES)('ONNX import: %s', (name) => {
  const bytes = fixtureBytes(name);
  const expected = fixture(name);

  it('reads the layers and predicts what numpy computed', async () => {
    const json = networkJSONFromONNX(bytes);
    expect(json.dtype).toBe(expected.dtype);
    expect(json.layers).toEqual(expected.layers);
    const y = await predict(json, expected.x);
    expect(relativeError(y, expected.y.flat(), 0.1)).toBeLessThanOrEqual(TOLERANCE[expected.dtype]);
  });

  it('onnxruntime runs the fixture to the same outputs', async () => {
    const session = await ort.InferenceSession.create(expected.output ? withOutput(bytes, expected.output) : bytes);
    const flat = expected.x.flat();
    const data = expected.dtype === 'float32' ? Float32Array.from(flat) : Float64Array.from(flat);
    const output = expected.output ?? session.outputNames[0];
    const out = await session.run(
      { [session.inputNames[0]]: new ort.Tensor(expected.dtype, data, [expected.x.length, expected.x[0].length]) },
      [output],
    );
    await session.release();
    const y = out[output].data as Float32Array;
    expect(relativeError(y, expected.y.flat(), 0.1)).toBeLessThanOrEqual(TOLERANCE[expected.dtype]);
  });
});

describe('ONNX import options', () => {
  it('the loss follows the output activation unless given', () => {
    expect(networkJSONFromONNX(fixtureBytes('torch-relu-sigmoid')).loss).toBe('binaryCrossentropy');
    expect(networkJSONFromONNX(fixtureBytes('tf2onnx-opset13')).loss).toBe('categoricalCrossentropy');
    expect(networkJSONFromONNX(fixtureBytes('skl2onnx-float')).loss).toBe('meanSquaredError');
    expect(networkJSONFromONNX(fixtureBytes('tf2onnx-opset15')).loss).toBe('meanSquaredError');
    expect(networkJSONFromONNX(fixtureBytes('torch-relu-sigmoid'), { loss: 'meanSquaredError' }).loss).toBe('meanSquaredError');
  });

  it('dtype casts a DOUBLE model to float32, and a FLOAT one to float64 exactly', () => {
    const double = networkJSONFromONNX(fixtureBytes('torch-double-softmax'));
    const single = networkJSONFromONNX(fixtureBytes('torch-double-softmax'), { dtype: 'float32' });
    expect(single.dtype).toBe('float32');
    expect(single.weights[1].W.flat()).toEqual(double.weights[1].W.flat().map(Math.fround));
    const widened = networkJSONFromONNX(fixtureBytes('tf2onnx-opset15'), { dtype: 'float64' });
    expect(widened.weights).toEqual(networkJSONFromONNX(fixtureBytes('tf2onnx-opset15')).weights);
    expect(widened.layers[0]).toEqual({ units: 8, activation: 'leakyRelu', alpha: Math.fround(0.3) });
  });

  it('fromONNX loads a network on the backend asked for, and toONNX writes it back', async () => {
    const { x, y } = fixture('skl2onnx-double');
    const net = await fromONNX(fixtureBytes('skl2onnx-double'), { backend: 'js' });
    try {
      expect(relativeError(net.predict(x), y.flat(), 0.1)).toBeLessThanOrEqual(1e-12);
      const back = networkJSONFromONNX(toONNX(net));
      expect(back.weights).toEqual(net.getWeights());
      expect(back.layers).toEqual(net.toJSON().layers.map(({ units, activation }) => ({ units, activation })));
    } finally {
      net.dispose();
    }
  });
});
