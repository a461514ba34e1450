/**
 * A saved network as a standard ONNX model: input `x` [N, inputs] with a
 * symbolic batch dimension N, output `y` [N, outputs]; each dense layer a
 * Gemm (weights and bias as initializers), each activation its standard op
 * (linear is none). Opset 13, IR version 8: onnxruntime reads it from 1.10 on.
 * A normalization of the inputs, if given, is a Sub and a Div before the
 * first Gemm; metadata goes to the model's metadata_props.
 */
import type { ActivationName } from '../activations.js';
import type { DType } from '../backend/backend.js';
import { checkKeys, describeValue } from '../checks.js';
import type { NetworkJSON } from '../network.js';
import {
  castValues,
  checkDtypeOption,
  checkNormalization,
  denseLayers,
  type Normalization,
  ownNormalization,
} from './network-json.js';
import { onnx } from './onnx-proto.js';
import { ELEM_TYPE, tensor } from './onnx-tensor.js';
import { OPSET } from './written.js';

const IR_VERSION = 8;
const Type = onnx.AttributeProto.AttributeType;

/** Options of {@link toONNX} and {@link onnxFromNetworkJSON}. */
export interface ONNXExportOptions {
  /**
   * The model's element type: FLOAT for 'float32', DOUBLE for 'float64'.
   * Defaults to the network's dtype; 'float32' casts a float64 network.
   */
  dtype?: DType;
  /**
   * Standardise the inputs in the graph: `(x - mean) / std` (a Sub and a
   * Div node, constants in the model's dtype) before the first layer, one
   * mean and std per input.
   */
  normalization?: Normalization;
  /** Key-value text in the model's metadata_props, which the graph does not read. */
  metadata?: Readonly<Record<string, string>>;
}

/** The network's ONNX model, as the bytes of a .onnx file. */
export function onnxFromNetworkJSON(json: NetworkJSON, options: ONNXExportOptions = {}): Uint8Array {
  const where = 'toONNX';
  checkKeys(`${where} options`, options, ['dtype', 'normalization', 'metadata']);
  const saved = denseLayers(where, json);
  const dtype = checkDtypeOption(`${where} options`, options.dtype) ?? saved.dtype;
  const nodes: onnx.INodeProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  let current = 'x';
  const normalization = ownNormalization(where, json, options.normalization) ?? options.normalization;
  if (normalization !== undefined) {
    const { mean, std } = checkNormalization(`${where} options`, normalization, saved.inputs);
    const scale = castValues(`${where}: normalization.std`, Float64Array.from(std), dtype);
    const tiny = scale.indexOf(0);
    if (tiny >= 0) throw new Error(`${where}: normalization.std[${tiny}] is ${std[tiny]}, 0 in float32`);
    initializers.push(
      tensor('x.mean', [saved.inputs], castValues(`${where}: normalization.mean`, Float64Array.from(mean), dtype), dtype),
      tensor('x.std', [saved.inputs], scale, dtype),
    );
    nodes.push(
      { name: 'normalize/Sub', opType: 'Sub', input: ['x', 'x.mean'], output: ['normalize/centered'] },
      { name: 'normalize/Div', opType: 'Div', input: ['normalize/centered', 'x.std'], output: ['normalize/x'] },
    );
    current = 'normalize/x';
  }
  saved.layers.forEach((layer, l) => {
    const last = l === saved.layers.length - 1;
    const prefix = `dense_${l}`;
    const W = castValues(`${where}: weights[${l}].W`, layer.W, dtype);
    const b = castValues(`${where}: weights[${l}].b`, layer.b, dtype);
    initializers.push(
      tensor(`${prefix}.W`, [layer.inputs, layer.units], W, dtype),
      tensor(`${prefix}.b`, [layer.units], b, dtype),
    );
    const { activation } = layer;
    const z = last && activation === 'linear' ? 'y' : `${prefix}/z`;
    nodes.push({ name: `${prefix}/Gemm`, opType: 'Gemm', input: [current, `${prefix}.W`, `${prefix}.b`], output: [z] });
    current = z;
    if (activation !== 'linear') {
      const a = last ? 'y' : `${prefix}/a`;
      nodes.push(...activationNodes(prefix, activation, layer.alpha, dtype, { input: current, output: a, initializers }));
      current = a;
    }
  });
  const outputs = saved.layers[saved.layers.length - 1].units;
  const model: onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'wasmlp',
    metadataProps: metadataProps(where, options.metadata),
    graph: {
      name: 'wasmlp',
      node: nodes,
      initializer: initializers,
      input: [valueInfo('x', dtype, saved.inputs)],
      output: [valueInfo('y', dtype, outputs)],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

/** The nodes of an activation from `input` to `output`; a slope tensor goes into `initializers`. */
function activationNodes(
  prefix: string,
  activation: Exclude<ActivationName, 'linear'>,
  alpha: number | undefined,
  dtype: DType,
  { input, output, initializers }: { input: string; output: string; initializers: onnx.ITensorProto[] },
): onnx.INodeProto[] {
  switch (activation) {
    case 'sigmoid':
      return [{ name: `${prefix}/Sigmoid`, opType: 'Sigmoid', input: [input], output: [output] }];
    case 'tanh':
      return [{ name: `${prefix}/Tanh`, opType: 'Tanh', input: [input], output: [output] }];
    case 'relu':
      return [{ name: `${prefix}/Relu`, opType: 'Relu', input: [input], output: [output] }];
    case 'softmax':
      return [
        {
          name: `${prefix}/Softmax`,
          opType: 'Softmax',
          input: [input],
          output: [output],
          attribute: [{ name: 'axis', type: Type.INT, i: -1 }],
        },
      ];
    case 'leakyRelu': {
      if (alpha === undefined) throw new Error(`${prefix}: a leakyRelu layer without its alpha`);
      if (dtype === 'float32') {
        return [
          {
            name: `${prefix}/LeakyRelu`,
            opType: 'LeakyRelu',
            input: [input],
            output: [output],
            attribute: [{ name: 'alpha', type: Type.FLOAT, f: alpha }],
          },
        ];
      }
      // LeakyRelu's alpha is a float attribute, and onnxruntime runs neither
      // LeakyRelu nor PRelu on DOUBLE: max(z, alpha z) (min for alpha > 1)
      // takes a DOUBLE slope and gives z > 0 ? z : alpha z exactly.
      initializers.push(tensor(`${prefix}.alpha`, [], Float64Array.of(alpha), dtype));
      const scaled = `${prefix}/alpha_z`;
      const pick = alpha > 1 ? 'Min' : 'Max';
      return [
        { name: `${prefix}/LeakyRelu/Mul`, opType: 'Mul', input: [input, `${prefix}.alpha`], output: [scaled] },
        { name: `${prefix}/LeakyRelu/${pick}`, opType: pick, input: [input, scaled], output: [output] },
      ];
    }
  }
}

function metadataProps(where: string, metadata: unknown): onnx.IStringStringEntryProto[] {
  if (metadata === undefined) return [];
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    throw new Error(`${where}: metadata must be an object of strings, got ${describeValue(metadata)}`);
  return Object.entries(metadata).map(([key, value]) => {
    if (typeof value !== 'string')
      throw new Error(`${where}: metadata[${JSON.stringify(key)}] must be a string, got ${describeValue(value)}`);
    return { key, value };
  });
}

function valueInfo(name: string, dtype: DType, features: number): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: ELEM_TYPE[dtype], shape: { dim: [{ dimParam: 'N' }, { dimValue: features }] } } },
  };
}
