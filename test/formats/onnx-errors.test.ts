/** ONNX import of what it cannot read: each error says what is wrong and where. */
import { describe, expect, it } from 'vitest';
import { onnx } from '../../src/formats/onnx-proto.js';
import { networkJSONFromONNX } from '../../src/formats/onnx-read.js';
import { onnxFromNetworkJSON } from '../../src/formats/onnx-write.js';
import { fixtureBytes, savedNetwork } from './networks.js';

/** The fixture decoded, changed by `edit`, and encoded again. */
function edited(name: string, edit: (model: onnx.ModelProto) => void): Uint8Array {
  const model = onnx.ModelProto.decode(fixtureBytes(name));
  edit(model);
  return onnx.ModelProto.encode(model).finish();
}

function initializer(model: onnx.ModelProto, name: string): onnx.ITensorProto {
  return model.graph!.initializer!.find((t) => t.name === name)!;
}

describe('ONNX import errors', () => {
  it('truncated bytes: says how many bytes and where decoding stopped', () => {
    const bytes = fixtureBytes('torch-relu-sigmoid');
    expect(() => networkJSONFromONNX(bytes.subarray(0, bytes.length - 9))).toThrow(
      `fromONNX: the ${bytes.length - 9} bytes are not a complete ONNX model (truncated or corrupt): ` +
        `the model's graph at byte 18 declares 1100 bytes, but only 1097 follow`,
    );
  });

  it('bytes that are no model, and no bytes', () => {
    const text = new TextEncoder().encode('{"format": "wasmlp-network"}');
    expect(() => networkJSONFromONNX(text)).toThrow(/^fromONNX: the 28 bytes are not a complete ONNX model/);
    expect(() => networkJSONFromONNX(new Uint8Array(0))).toThrow('fromONNX: the model is empty (0 bytes)');
    expect(() => networkJSONFromONNX([1, 2] as unknown as Uint8Array)).toThrow(/expected the model's bytes as a Uint8Array/);
  });

  it('an opset it does not know', () => {
    expect(() => networkJSONFromONNX(fixtureBytes('bad-opset-6'))).toThrow(
      'fromONNX: opset 6 is not supported: this reader knows ai.onnx opsets 7 to 28',
    );
    const future = edited('torch-relu-sigmoid', (m) => {
      m.opsetImport[0].version = 99;
    });
    expect(() => networkJSONFromONNX(future)).toThrow('fromONNX: opset 99 is not supported');
  });

  it('an op it does not know, naming the node', () => {
    expect(() => networkJSONFromONNX(fixtureBytes('bad-conv'))).toThrow(
      /^fromONNX: node "\/conv\/Conv" \(Conv\) is not supported: a dense network's ONNX graph may hold only Gemm, MatMul, Add/,
    );
  });

  it('a branch, naming the tensor and the nodes it feeds', () => {
    expect(() => networkJSONFromONNX(fixtureBytes('bad-branch'))).toThrow(
      'fromONNX: tensor "/fc/Gemm_output_0" feeds 2 nodes (node "/relu/Relu" (Relu), node "/Add" (Add)): branches are not supported',
    );
  });

  it('a bias whose shape does not match its weight', () => {
    expect(() => networkJSONFromONNX(fixtureBytes('bad-bias-shape'))).toThrow(
      'fromONNX: node "/2/Gemm" (Gemm): bias "2.bias" has dims [5], but the layer has 2 units: expected [2]',
    );
  });

  it('a weight whose shape does not match the layer before', () => {
    const bytes = edited('tf2onnx-opset13', (m) => {
      const W = initializer(m, 'sequential/dense_1/MatMul/ReadVariableOp:0');
      W.dims = [9, 3];
      W.rawData = new Uint8Array(9 * 3 * 4);
    });
    expect(() => networkJSONFromONNX(bytes)).toThrow(
      'fromONNX: node "sequential/dense_1/MatMul" (MatMul): weight "sequential/dense_1/MatMul/ReadVariableOp:0" has dims [9, 3], taking 9 features, but its input has 10',
    );
  });

  it('raw_data whose byte count does not match the dims', () => {
    const bytes = edited('torch-relu-sigmoid', (m) => {
      const W = initializer(m, '2.weight');
      W.rawData = W.rawData!.subarray(0, W.rawData!.length - 4);
    });
    expect(() => networkJSONFromONNX(bytes)).toThrow(
      'fromONNX: initializer "2.weight" (the weight of node "/2/Gemm" (Gemm)) has 188 bytes of raw_data, but dims [6, 8] of FLOAT need 192',
    );
  });

  it('typed data whose count does not match the dims', () => {
    const bytes = edited('skl2onnx-double', (m) => {
      initializer(m, 'intercepts').doubleData!.pop();
    });
    expect(() => networkJSONFromONNX(bytes)).toThrow(
      'fromONNX: initializer "intercepts" (the bias of node "Add" (Add)) has 8 values in double_data, but dims [1, 9] need 9',
    );
  });

  it('a weight that is not finite, naming the initializer and the element', () => {
    expect(() => networkJSONFromONNX(fixtureBytes('bad-nan-weight'))).toThrow(
      'fromONNX: initializer "0.weight" (the weight of node "/0/Gemm" (Gemm)) holds NaN at [1, 2]: every weight must be finite',
    );
  });

  it('weights of another type, or in an external file', () => {
    const half = edited('torch-relu-sigmoid', (m) => {
      initializer(m, '0.bias').dataType = onnx.TensorProto.DataType.FLOAT16;
    });
    expect(() => networkJSONFromONNX(half)).toThrow(
      'fromONNX: initializer "0.bias" (the bias of node "/0/Gemm" (Gemm)) is FLOAT16; only FLOAT and DOUBLE weights are supported',
    );
    const mixed = edited('torch-relu-sigmoid', (m) => {
      const b = initializer(m, '0.bias');
      b.dataType = onnx.TensorProto.DataType.DOUBLE;
      b.rawData = new Uint8Array(8 * 8);
    });
    expect(() => networkJSONFromONNX(mixed)).toThrow(
      'fromONNX: node "/0/Gemm" (Gemm): bias "0.bias" is DOUBLE, but the model\'s input is FLOAT',
    );
    const external = edited('torch-relu-sigmoid', (m) => {
      const W = initializer(m, '0.weight');
      W.rawData = new Uint8Array(0);
      W.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      W.externalData = [{ key: 'location', value: 'weights.bin' }];
    });
    expect(() => networkJSONFromONNX(external)).toThrow(
      'initializer "0.weight" (the weight of node "/0/Gemm" (Gemm)) is stored in an external file, which is not supported',
    );
  });

  it('what a dense layer cannot hold: Gemm scaling, two activations, a weight computed at run time', () => {
    const scaled = edited('torch-relu-sigmoid', (m) => {
      m.graph!.node![0].attribute!.find((a) => a.name === 'alpha')!.f = 2;
    });
    expect(() => networkJSONFromONNX(scaled)).toThrow('fromONNX: node "/0/Gemm" (Gemm): alpha 2 and beta 1 are not supported');
    const twice = edited('torch-relu-sigmoid', (m) => {
      const nodes = m.graph!.node!;
      nodes.splice(2, 0, { name: '/extra/Tanh', opType: 'Tanh', input: ['/1/Relu_output_0'], output: ['t'] });
      nodes[3].input![0] = 't';
    });
    expect(() => networkJSONFromONNX(twice)).toThrow(
      'fromONNX: node "/extra/Tanh" (Tanh) follows another activation; a dense layer has one',
    );
    const dynamic = edited('torch-relu-sigmoid', (m) => {
      m.graph!.initializer = m.graph!.initializer!.filter((t) => t.name !== '0.weight');
      m.graph!.input!.push({ name: '0.weight' });
    });
    expect(() => networkJSONFromONNX(dynamic)).toThrow(
      'fromONNX: the graph has 2 inputs ("input", "0.weight"); a dense network has one',
    );
  });

  it('an output that does not match the last layer', () => {
    const bytes = edited('torch-relu-sigmoid', (m) => {
      m.graph!.output![0].type!.tensorType!.shape!.dim![1].dimValue = 3;
    });
    expect(() => networkJSONFromONNX(bytes)).toThrow(
      'fromONNX: output "output" is declared with 3 features, but the last layer has 1 units',
    );
  });

  it('options it does not know, and a loss the output cannot train with', () => {
    const bytes = onnxFromNetworkJSON(savedNetwork(2, [{ units: 2, activation: 'relu' }], 'float32'));
    expect(() => networkJSONFromONNX(bytes, { dtype: 'float16' as 'float32' })).toThrow(
      "fromONNX options: dtype must be 'float32' or 'float64', got \"float16\"",
    );
    expect(() => networkJSONFromONNX(bytes, { loss: 'hinge' as 'meanSquaredError' })).toThrow(
      'fromONNX: loss "hinge" is unknown',
    );
    expect(() => networkJSONFromONNX(bytes, { backend: 'js' } as object)).toThrow('fromONNX options: unknown option "backend"');
  });
});

describe('ONNX export errors', () => {
  it('refuses what is not a saved network, and weights that do not fit', () => {
    expect(() => onnxFromNetworkJSON({} as never)).toThrow("toONNX: expected a saved wasmlp network (toJSON()'s object)");
    const json = savedNetwork(2, [{ units: 2, activation: 'relu' }], 'float64');
    json.weights[0].W[1] = [1];
    expect(() => onnxFromNetworkJSON(json)).toThrow('toONNX: weights[0].W[1] must have 2 values, got an array of length 1');
    const big = savedNetwork(2, [{ units: 2, activation: 'relu' }], 'float64');
    big.weights[0].b[1] = 1e300;
    expect(() => onnxFromNetworkJSON(big, { dtype: 'float32' })).toThrow(
      "toONNX: weights[0].b[1] is 1e+300, beyond float32's range",
    );
  });
});

describe('ONNX import of hostile graphs', () => {
  it('a cycle is refused, not followed forever', () => {
    const bytes = edited('torch-relu-sigmoid', (m) => {
      // /1/Relu feeds /0/Gemm again: input -> /0/Gemm -> /1/Relu -> /0/Gemm -> ...
      m.graph!.node![1].output = ['/0/Gemm_input'];
      m.graph!.node![0].input = ['/0/Gemm_input', '0.weight', '0.bias'];
      m.graph!.input![0].name = '/0/Gemm_input';
    });
    expect(() => networkJSONFromONNX(bytes)).toThrow('fromONNX: node "/0/Gemm" (Gemm) is reached twice: the graph has a cycle');
  });
});
