/**
 * scikit-learn models as skl2onnx writes them: a classifier's network
 * predicts the model's probabilities as onnxruntime computes them, Cast
 * nodes are read where they keep the numbers and refused where they would
 * change them, and what a network cannot be is refused naming the node.
 */
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { fromONNX } from '../../src/formats/index.js';
import { onnx } from '../../src/formats/onnx-proto.js';
import { networkJSONFromONNX } from '../../src/formats/onnx-read.js';
import { fixtureBytes, relativeError } from './networks.js';

ort.env.wasm.numThreads = 1;

const { DataType } = onnx.TensorProto;

/** The fixture decoded, changed by `edit`, and encoded again (string and INT32 constants, unread, are dropped). */
function edited(name: string, edit: (graph: onnx.GraphProto) => void): Uint8Array {
  const model = onnx.ModelProto.decode(fixtureBytes(name));
  edit(model.graph as onnx.GraphProto);
  return onnx.ModelProto.encode(model).finish();
}

function node(graph: onnx.GraphProto, name: string): onnx.INodeProto {
  return graph.node.find((n) => n.name === name)!;
}

/** Rows of a fixed pseudo-random input. */
function rows(n: number, features: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: features }, (_, j) => Math.sin(i * 7.1 + j * 3.3) * 3));
}

/** What onnxruntime computes: the probabilities (added as an output where only ZipMap reads them) and the labels. */
async function runtime(bytes: Uint8Array, x: number[][], dtype: 'float32' | 'float64', label: string) {
  const model = onnx.ModelProto.decode(bytes);
  const extra = model.graph!.output!.some((o) => o.name === 'probabilities')
    ? new Uint8Array(0)
    : onnx.ModelProto.encode({ graph: { output: [{ name: 'probabilities' }] } }).finish();
  const session = await ort.InferenceSession.create(new Uint8Array([...bytes, ...extra]));
  try {
    const data = dtype === 'float32' ? Float32Array.from(x.flat()) : Float64Array.from(x.flat());
    const out = await session.run({ X: new ort.Tensor(dtype, data, [x.length, x[0].length]) }, ['probabilities', label]);
    return { probabilities: Float64Array.from(out.probabilities.data as Float32Array), labels: out[label].data };
  } finally {
    await session.release();
  }
}

describe('skl2onnx classifiers', () => {
  const cases = [
    { name: 'skl2onnx-binary', dtype: 'float32', classes: [0, 1], label: 'output_label' },
    { name: 'skl2onnx-binary-double', dtype: 'float64', classes: [0, 1], label: 'label' },
    { name: 'skl2onnx-multiclass', dtype: 'float32', classes: ['cat', 'dog', 'fish'], label: 'output_label' },
    { name: 'skl2onnx-multiclass-nozipmap', dtype: 'float32', classes: [3, 5, 7, 9], label: 'label' },
  ] as const;

  it.each(cases)('$name: predict is the probabilities onnxruntime computes, its argmax the label', async (c) => {
    const bytes = fixtureBytes(c.name);
    const features = onnx.ModelProto.decode(bytes).graph!.input![0].type!.tensorType!.shape!.dim![1].dimValue as number;
    const x = rows(1000, features);
    const expected = await runtime(bytes, x, c.dtype, c.label);
    const net = await fromONNX(bytes);
    try {
      const y = net.predict(x);
      expect(net.toJSON().loss).toBe('categoricalCrossentropy');
      expect(relativeError(y, expected.probabilities, 0.1)).toBeLessThanOrEqual(c.dtype === 'float32' ? 1e-5 : 1e-12);
      const width = c.classes.length;
      for (let r = 0; r < x.length; r++) {
        const row = Array.from(y.subarray(r * width, (r + 1) * width));
        const label = expected.labels[r];
        expect(c.classes[row.indexOf(Math.max(...row))]).toBe(typeof label === 'bigint' ? Number(label) : label);
      }
    } finally {
      net.dispose();
    }
  });

  it('a multi-label model: a sigmoid per class, its label the Binarizer of them', async () => {
    const bytes = fixtureBytes('skl2onnx-multilabel');
    const x = rows(200, 4);
    const expected = await runtime(bytes, x, 'float32', 'label');
    const net = await fromONNX(bytes);
    try {
      expect(net.toJSON().layers.at(-1)).toMatchObject({ units: 3, activation: 'sigmoid' });
      expect(net.toJSON().loss).toBe('binaryCrossentropy');
      const y = net.predict(x);
      expect(relativeError(y, expected.probabilities, 0.1)).toBeLessThanOrEqual(1e-5);
      expect(Array.from(expected.labels as BigInt64Array, Number)).toEqual(Array.from(y, (p) => (p > 0.5 ? 1 : 0)));
    } finally {
      net.dispose();
    }
  });

  it("a binary model's sigmoid unit p becomes a softmax over [0, z], which is [1 - p, p]", () => {
    const json = networkJSONFromONNX(fixtureBytes('skl2onnx-binary'));
    expect(json.layers).toEqual([
      { units: 6, activation: 'relu' },
      { units: 2, activation: 'softmax' },
    ]);
    const model = onnx.ModelProto.decode(fixtureBytes('skl2onnx-binary'));
    const W = model.graph!.initializer!.find((t) => t.name === 'coefficient1')!.floatData;
    expect(json.weights[1].W.map((row) => row[0])).toEqual(new Array(6).fill(0));
    expect(json.weights[1].W.map((row) => row[1])).toEqual(W);
    expect(json.weights[1].b[0]).toBe(0);
  });
});

describe('Cast nodes', () => {
  it('a Cast to the type the data has changes nothing, wherever it is', () => {
    const plain = networkJSONFromONNX(fixtureBytes('skl2onnx-float'));
    const bytes = edited('skl2onnx-float', (g) => {
      node(g, 'Add1').input![0] = 'cast_mul';
      g.node.push({
        name: 'CastMul',
        opType: 'Cast',
        input: ['mul_result1'],
        output: ['cast_mul'],
        attribute: [{ name: 'to', i: DataType.FLOAT }],
      });
    });
    expect(networkJSONFromONNX(bytes)).toEqual(plain);
  });

  it('a Cast of DOUBLE inputs to FLOAT makes a float32 network, which rounds its inputs the same way', async () => {
    const bytes = edited('skl2onnx-float', (g) => {
      g.input[0].type!.tensorType!.elemType = DataType.DOUBLE;
    });
    const json = networkJSONFromONNX(bytes);
    expect(json).toEqual(networkJSONFromONNX(fixtureBytes('skl2onnx-float')));
    const x = rows(50, 5).map((row) => row.map((v) => v + 1e-9));
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ X: new ort.Tensor('float64', Float64Array.from(x.flat()), [50, 5]) });
    await session.release();
    const net = await fromONNX(bytes);
    try {
      expect(relativeError(net.predict(x), out.variable.data as Float32Array, 0.1)).toBeLessThanOrEqual(1e-5);
    } finally {
      net.dispose();
    }
  });

  it('a Cast of FLOAT inputs to DOUBLE makes a float64 network', () => {
    const bytes = edited('skl2onnx-double', (g) => {
      g.input[0].type!.tensorType!.elemType = DataType.FLOAT;
    });
    expect(networkJSONFromONNX(bytes)).toEqual(networkJSONFromONNX(fixtureBytes('skl2onnx-double')));
  });

  it('a Cast that changes the precision between layers, or to integers, is refused', () => {
    const between = edited('skl2onnx-float', (g) => {
      node(g, 'Add1').input![0] = 'cast_mul';
      g.node.push({
        name: 'CastMul',
        opType: 'Cast',
        input: ['mul_result1'],
        output: ['cast_mul'],
        attribute: [{ name: 'to', i: DataType.DOUBLE }],
      });
    });
    expect(() => networkJSONFromONNX(between)).toThrow(
      'fromONNX: node "CastMul" (Cast) of FLOAT to DOUBLE is not supported: only a Cast to the same type, or of the inputs between FLOAT and DOUBLE before any layer, keeps a network in one dtype',
    );
    const integers = edited('skl2onnx-float', (g) => {
      node(g, 'Cast').attribute![0].i = DataType.INT64;
    });
    expect(() => networkJSONFromONNX(integers)).toThrow('fromONNX: node "Cast" (Cast) of FLOAT to INT64 is not supported');
  });
});

describe('skl2onnx graphs a network cannot be', () => {
  it("a two-target regressor: its Reshape to [-1, 1] spreads a row's values over rows", () => {
    expect(() => networkJSONFromONNX(fixtureBytes('bad-skl2onnx-two-targets'))).toThrow(
      'fromONNX: node "Reshape" (Reshape) of [batch, 2] to [-1, 1] is not supported: it must keep the shape',
    );
  });

  it('a label computed from a hidden layer, not from the probabilities', () => {
    const bytes = edited('skl2onnx-multiclass-nozipmap', (g) => {
      node(g, 'ArgMax').input![0] = 'next_activations';
    });
    expect(() => networkJSONFromONNX(bytes)).toThrow(
      'fromONNX: node "ArgMax" (ArgMax) reads "next_activations", not the probabilities "probabilities"',
    );
  });

  it('[1 - p, p] of what is no sigmoid probability', () => {
    const bytes = edited('skl2onnx-binary', (g) => {
      node(g, 'Relu1').opType = 'Tanh';
    });
    expect(() => networkJSONFromONNX(bytes)).toThrow(
      'fromONNX: node "Sub" (Sub) and node "Concat" (Concat): only [1 - p, p] over axis 1 of a one-unit sigmoid layer\'s p is supported',
    );
    const two = edited('skl2onnx-binary', (g) => {
      g.initializer.find((t) => t.name === 'unity')!.floatData = [2];
    });
    expect(() => networkJSONFromONNX(two)).toThrow('only [1 - p, p] over axis 1');
  });

  it('an output that is neither the probabilities nor computed from them', () => {
    const bytes = edited('skl2onnx-multiclass-nozipmap', (g) => {
      g.output.push({ name: 'next_activations' });
    });
    expect(() => networkJSONFromONNX(bytes)).toThrow(
      'fromONNX: the graph has 3 outputs ("label", "probabilities", "next_activations"); a dense network has one',
    );
  });
});
