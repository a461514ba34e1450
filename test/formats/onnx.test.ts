/**
 * ONNX export: onnxruntime runs the exported model and agrees with the
 * network, and a round trip through ONNX gives back the same weights.
 */
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/backend/backend.js';
import { onnx } from '../../src/formats/onnx-proto.js';
import { networkJSONFromONNX } from '../../src/formats/onnx-read.js';
import { int64 } from '../../src/formats/onnx-tensor.js';
import { onnxFromNetworkJSON } from '../../src/formats/onnx-write.js';
import { inputs, type LayerSpec, predict, relativeError, savedNetwork } from './networks.js';

ort.env.wasm.numThreads = 1;

const ACTIVATIONS: LayerSpec[] = [
  { units: 0, activation: 'sigmoid' },
  { units: 0, activation: 'tanh' },
  { units: 0, activation: 'relu' },
  { units: 0, activation: 'leakyRelu', alpha: 0.01 },
  { units: 0, activation: 'leakyRelu', alpha: 1.5 },
  { units: 0, activation: 'linear' },
  { units: 0, activation: 'softmax' },
];

/** depth layers of 5 units, the last with `outputs`; softmax only on the output layer. */
function stack({ activation, alpha }: LayerSpec, depth: number, outputs: number): LayerSpec[] {
  return Array.from({ length: depth }, (_, l) => {
    const last = l === depth - 1;
    const act = activation === 'softmax' && !last ? 'tanh' : activation;
    return { units: last ? outputs : 5, activation: act, ...(act === 'leakyRelu' ? { alpha } : {}) };
  });
}

async function runONNX(bytes: Uint8Array, dtype: DType, x: number[][]): Promise<Float64Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const flat = x.flat();
    const data = dtype === 'float32' ? Float32Array.from(flat) : Float64Array.from(flat);
    const { y } = await session.run({ x: new ort.Tensor(dtype, data, [x.length, x[0].length]) });
    expect(y.dims).toEqual([x.length, (y.data as Float32Array).length / x.length]);
    return Float64Array.from(y.data as Float32Array | Float64Array);
  } finally {
    await session.release();
  }
}

const TOLERANCE: Record<DType, number> = { float32: 1e-5, float64: 1e-12 };
/**
 * Outputs nearer 0 are compared as if they were 0.1: onnxruntime's float32
 * Tanh is an approximation a couple of ulps off (2e-7 near 0.6), and a layer
 * after it can land near 0 with that absolute error.
 */
const FLOOR = 0.1;

describe.each(['float32', 'float64'] as const)('ONNX export, %s', (dtype) => {
  for (const spec of ACTIVATIONS) {
    const name = spec.activation + (spec.alpha === undefined ? '' : ` ${spec.alpha}`);
    for (const outputs of spec.activation === 'softmax' ? [2, 4] : [1, 4]) {
      it(`${name}, ${outputs} outputs, depths 1 to 3: onnxruntime agrees on batches of 1 and 1000`, async () => {
        for (const depth of [1, 2, 3]) {
          const json = savedNetwork(6, stack(spec, depth, outputs), dtype, depth);
          const bytes = onnxFromNetworkJSON(json);
          for (const rows of [1, 1000]) {
            const x = inputs(rows, 6, rows);
            const expected = await predict(json, x);
            const actual = await runONNX(bytes, dtype, x);
            expect(actual.length).toBe(rows * outputs);
            expect(relativeError(actual, expected, FLOOR), `depth ${depth}, ${rows} rows`).toBeLessThanOrEqual(TOLERANCE[dtype]);
          }
        }
      });
    }
  }

  it('round trip: ONNX and back gives the same layers and weights, bit for bit', async () => {
    for (const spec of ACTIVATIONS) {
      const json = savedNetwork(4, stack(spec, 3, spec.activation === 'softmax' ? 3 : 2), dtype, 7);
      const back = networkJSONFromONNX(onnxFromNetworkJSON(json));
      expect(back).toEqual(json);
      const x = inputs(20, 4);
      expect(await predict(back, x)).toEqual(await predict(json, x));
    }
  });

  it('writes opset 13, IR version 8, x [N, inputs] and y [N, outputs] of its element type', () => {
    const model = onnx.ModelProto.decode(onnxFromNetworkJSON(savedNetwork(3, [{ units: 2, activation: 'relu' }], dtype)));
    expect(model.opsetImport.map(({ domain, version }) => [domain, Number(version)])).toEqual([['', 13]]);
    expect(Number(model.irVersion)).toBe(8);
    const type = dtype === 'float32' ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.DOUBLE;
    for (const [value, features] of [
      [model.graph!.input![0], 3],
      [model.graph!.output![0], 2],
    ] as const) {
      expect(value.type!.tensorType!.elemType).toBe(type);
      expect(value.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['N', features]);
    }
    expect(model.graph!.node!.map(({ opType }) => opType)).toEqual(['Gemm', 'Relu']);
  });
});

describe('ONNX export of a float64 network as FLOAT', () => {
  it('casts the weights to float32 and runs in onnxruntime within float32 rounding', async () => {
    const json = savedNetwork(6, stack({ units: 0, activation: 'leakyRelu', alpha: 0.1 }, 3, 3), 'float64');
    const bytes = onnxFromNetworkJSON(json, { dtype: 'float32' });
    const x = inputs(100, 6);
    const actual = await runONNX(bytes, 'float32', x);
    expect(relativeError(actual, await predict(json, x), FLOOR)).toBeLessThanOrEqual(1e-5);
    const back = networkJSONFromONNX(bytes);
    expect(back.dtype).toBe('float32');
    expect(back.weights[0].W[0][0]).toBe(Math.fround(json.weights[0].W[0][0]));
    expect(back.layers[0]).toEqual({ units: 5, activation: 'leakyRelu', alpha: 0.1 });
  });

  it('a float64 leaky ReLU is Mul and Max of DOUBLE tensors: onnxruntime has no DOUBLE LeakyRelu', () => {
    const bytes = onnxFromNetworkJSON(savedNetwork(2, [{ units: 3, activation: 'leakyRelu', alpha: 0.01 }], 'float64'));
    const { graph } = onnx.ModelProto.decode(bytes);
    expect(graph!.node!.map(({ opType }) => opType)).toEqual(['Gemm', 'Mul', 'Max']);
    expect(graph!.initializer!.map(({ name, dataType }) => [name, dataType])).toContainEqual([
      'dense_0.alpha',
      onnx.TensorProto.DataType.DOUBLE,
    ]);
  });
});

describe('64-bit fields', () => {
  it('read as numbers whether protobufjs gives a Long (long reachable) or a number (a bundle without it)', () => {
    const model = onnx.ModelProto.decode(onnxFromNetworkJSON(savedNetwork(3, [{ units: 2, activation: 'relu' }], 'float32')));
    expect(int64(model.irVersion)).toBe(8);
    expect(int64(8)).toBe(8);
    expect(int64({ toNumber: () => 13 })).toBe(13);
  });
});
