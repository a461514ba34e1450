/**
 * A dense network from an ONNX model, as exporters write one: PyTorch's
 * torch.onnx (Gemm with transB=1), tf2onnx and skl2onnx (MatMul then Add),
 * this library's own export. The graph must be one chain from its single
 * input to its single output; each dense layer a Gemm, or a MatMul with an
 * optional Add of a bias, with constant weights; then at most one activation:
 * Sigmoid, Tanh, Relu, LeakyRelu, PRelu with one slope, Softmax on the last
 * axis, or Mul by a constant slope and Max (Min above 1) with the input, the
 * leaky ReLU of a DOUBLE export. Identity, Flatten of the 2D input, a Cast to
 * the type the data has and a Reshape to the shape it has pass the data on
 * unchanged; a Cast of the inputs between FLOAT and DOUBLE sets the dtype.
 * A Sub and a Div by constants, one value per feature, before the first
 * layer are a standardisation of the inputs. A classifier's outputs as
 * skl2onnx writes them are read as its probabilities: the label (ArgMax and
 * what follows) and ZipMap outputs are left aside, and a one-unit sigmoid's
 * [1 - p, p] becomes a two-unit softmax. Anything else is refused, naming
 * the node.
 */

import protobuf from 'protobufjs/minimal.js';
import { type ActivationName, DEFAULT_LEAKY_RELU_ALPHA } from '../activations.js';
import type { DType } from '../backend/backend.js';
import { checkKeys, describeValue } from '../checks.js';
import type { LossName } from '../losses.js';
import type { NetworkJSON } from '../network.js';
import { withDeviations } from '../normalization.js';
import {
  castValues,
  checkDtypeOption,
  type DenseLayer,
  foldNormalization,
  lossFor,
  type Normalization,
  networkJSON,
} from './network-json.js';
import { onnx } from './onnx-proto.js';
import { dtypeOf, elemTypeName, int64, type ReadTensor, readInt64s, readTensor } from './onnx-tensor.js';

/** The ai.onnx opsets whose Gemm, MatMul, activations and Softmax this reader knows (onnx.proto's, 1.23). */
export const MIN_OPSET = 7;
export const MAX_OPSET = 28;

/** Options of {@link fromONNX} and {@link networkJSONFromONNX}. */
export interface ONNXImportOptions {
  /** The network's dtype; defaults to the model's (FLOAT is float32, DOUBLE float64). */
  dtype?: DType;
  /**
   * The loss it trains with. By default the usual one for its output:
   * binaryCrossentropy after sigmoid, categoricalCrossentropy after softmax,
   * meanSquaredError otherwise.
   */
  loss?: LossName;
}

const WHERE = 'fromONNX';

/**
 * The saved-network object of an ONNX model's bytes. A standardisation of
 * the inputs in the graph is folded into the first layer
 * (foldNormalization), so the network takes the inputs the model takes.
 */
export function networkJSONFromONNX(bytes: Uint8Array, options: ONNXImportOptions = {}): NetworkJSON {
  return readONNX(bytes, options, true).network;
}

/** An ONNX model's network, the standardisation of its inputs apart (null if it has none), and its metadata_props. */
export interface ONNXModelParts {
  /** The saved network, without the standardisation. */
  network: NetworkJSON;
  /** The graph's Sub and Div constants before the first layer, or null when it has none. */
  normalization: Normalization | null;
  /** The model's metadata_props. */
  metadata: Record<string, string>;
}

/** An ONNX model's network with its input standardisation kept apart, and its metadata. */
export function onnxModelParts(bytes: Uint8Array, options: ONNXImportOptions = {}): ONNXModelParts {
  return readONNX(bytes, options, false);
}

function readONNX(bytes: Uint8Array, options: ONNXImportOptions, fold: boolean): ONNXModelParts {
  checkKeys(`${WHERE} options`, options, ['dtype', 'loss']);
  const dtypeOption = checkDtypeOption(`${WHERE} options`, options.dtype);
  const model = decodeModel(bytes);
  const graph = model.graph;
  if (!graph || (graph.node ?? []).length === 0)
    throw new Error(`${WHERE}: the ${bytes.length} bytes hold no graph with nodes: not an ONNX model`);
  const read = new ChainReader(graph, opsetOf(model)).read();
  const { inputs, modelDtype, normalization } = read;
  let { layers } = read;
  // The network's own normalisation where it gives the very deviations (sqrt(std²) is std, above
  // Keras's floor), so that a wasmlp network's export comes back as it was; otherwise folded.
  const kept = fold && normalization ? withDeviations(normalization.mean, normalization.std) : undefined;
  if (fold && normalization && !kept) layers = [foldNormalization(layers[0], normalization), ...layers.slice(1)];
  const dtype = dtypeOption ?? modelDtype;
  const cast = layers.map((layer, l) => ({
    ...layer,
    W: castValues(`${WHERE}: layer ${l}'s weights`, layer.W, dtype),
    b: castValues(`${WHERE}: layer ${l}'s bias`, layer.b, dtype),
    ...(layer.alpha !== undefined && dtype === 'float32' ? { alpha: shortestFloat32(Math.fround(layer.alpha)) } : {}),
  }));
  const output = layers[layers.length - 1].activation;
  const metadata: Record<string, string> = {};
  for (const { key, value } of model.metadataProps) metadata[key ?? ''] = value ?? '';
  const network = networkJSON(inputs, cast, dtype, lossFor(WHERE, output, options.loss));
  if (kept) network.normalization = kept;
  return { network, normalization: fold ? null : normalization, metadata };
}

function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  if (!(bytes instanceof Uint8Array))
    throw new Error(`${WHERE}: expected the model's bytes as a Uint8Array, got ${describeValue(bytes)}`);
  if (bytes.length === 0) throw new Error(`${WHERE}: the model is empty (0 bytes)`);
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new Error(
      `${WHERE}: the ${bytes.length} bytes are not a complete ONNX model (truncated or corrupt): ${overrun(bytes) ?? (error as Error).message}`,
    );
  }
}

const MODEL_FIELDS: Readonly<Record<number, string>> = { 7: 'graph', 8: 'opset_import' };

/**
 * Which of the model's own fields runs past the end, and by how much: the
 * usual sign of a truncated file (decode's own message often gives no place).
 */
function overrun(bytes: Uint8Array): string | undefined {
  const reader = protobuf.Reader.create(bytes);
  try {
    while (reader.pos < reader.len) {
      const start = reader.pos;
      const tag = reader.uint32();
      if ((tag & 7) !== 2) {
        reader.skipType(tag & 7);
        continue;
      }
      const length = reader.uint32();
      const left = reader.len - reader.pos;
      if (length > left) {
        const field = MODEL_FIELDS[tag >>> 3] ?? `field ${tag >>> 3}`;
        return `the model's ${field} at byte ${start} declares ${length} bytes, but only ${left} follow`;
      }
      reader.skip(length);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function opsetOf(model: onnx.ModelProto): number {
  const imports = model.opsetImport.filter(({ domain }) => domain === '' || domain === 'ai.onnx');
  if (imports.length !== 1) {
    throw new Error(`${WHERE}: the model imports ${imports.length === 0 ? 'no' : imports.length} ai.onnx opsets; expected one`);
  }
  const version = int64(imports[0].version ?? 0);
  if (!(version >= MIN_OPSET && version <= MAX_OPSET)) {
    throw new Error(`${WHERE}: opset ${version} is not supported: this reader knows ai.onnx opsets ${MIN_OPSET} to ${MAX_OPSET}`);
  }
  return version;
}

interface Layer extends DenseLayer {
  /** Whether a bias was set (Gemm's C or an Add), and an activation applied, so neither comes twice. */
  hasBias: boolean;
  activated: boolean;
}

/** A node with its fields' defaults filled in (a decoded message types them all optional). */
interface Node {
  index: number;
  name: string;
  opType: string;
  domain: string;
  input: string[];
  output: string[];
  attribute: onnx.IAttributeProto[];
}

function nodes(graph: onnx.IGraphProto): Node[] {
  return (graph.node ?? []).map((node, index) => ({
    index,
    name: node.name ?? '',
    opType: node.opType ?? '',
    domain: node.domain ?? '',
    input: node.input ?? [],
    output: node.output ?? [],
    attribute: node.attribute ?? [],
  }));
}

/**
 * What a classifier computes from its probabilities, as skl2onnx writes it:
 * the label (ArgMax, then ArrayFeatureExtractor of the classes, Reshape and
 * Cast), ZipMap's sequence of maps, a multi-label Binarizer. A graph output
 * reached back through HEAD_STEPS from a HEAD_START is such an output.
 */
const HEAD_STARTS = new Set(['ArgMax', 'ai.onnx.ml:ZipMap', 'ai.onnx.ml:Binarizer']);
const HEAD_STEPS = new Set(['Cast', 'Reshape', 'Identity', 'ai.onnx.ml:ArrayFeatureExtractor']);

/** A node's operator with its domain, where it is not the default one: ai.onnx.ml:ZipMap. */
function opKey(node: Node): string {
  return node.domain === '' || node.domain === 'ai.onnx' ? node.opType : `${node.domain}:${node.opType}`;
}

/** A node as messages name it: node "/0/Gemm" (Gemm). */
function label(node: Node): string {
  return `node ${node.name ? `"${node.name}"` : `#${node.index}`} (${node.opType})`;
}

class ChainReader {
  private readonly constants = new Map<string, { tensor: onnx.ITensorProto; from: string }>();
  private readonly consumers = new Map<string, number[]>();
  private readonly producers = new Map<string, number>();
  private readonly visited = new Set<number>();
  private readonly layers: Layer[] = [];
  private modelDtype: DType = 'float32';
  /** The element type of the data along the chain, which a Cast may change before the first layer. */
  private dataType = 0;
  private width: number | undefined;
  /** The chain's last tensors that hold the same values, the latest last: those a classifier's label may be read from. */
  private tail: string[] = [];
  private mean: Float64Array | undefined;
  private std: Float64Array | undefined;

  private readonly nodes: Node[];

  constructor(
    private readonly graph: onnx.IGraphProto,
    private readonly opset: number,
  ) {
    for (const t of graph.initializer ?? []) this.constants.set(t.name ?? '', { tensor: t, from: `initializer "${t.name}"` });
    this.nodes = nodes(graph);
    this.nodes.forEach((node, i) => {
      const value = node.attribute.length === 1 && node.attribute[0].name === 'value' ? node.attribute[0].t : undefined;
      if (node.opType === 'Constant' && node.domain === '' && value && node.output.length === 1) {
        this.constants.set(node.output[0], { tensor: value, from: `the constant of ${label(node)}` });
        this.visited.add(i);
        return;
      }
      for (const name of node.output) this.producers.set(name, i);
      for (const name of node.input) {
        if (name === '' || this.constants.has(name)) continue;
        const list = this.consumers.get(name) ?? [];
        list.push(i);
        this.consumers.set(name, list);
      }
    });
  }

  read(): { inputs: number; modelDtype: DType; layers: DenseLayer[]; normalization: Normalization | null } {
    const { input, output, roots } = this.graphEnds();
    let current = input;
    this.tail = [input];
    while (current !== output) {
      const users = this.consumers.get(current) ?? [];
      if (users.length === 0)
        throw new Error(`${WHERE}: tensor "${current}" leads nowhere: the output "${output}" is not reached from the input`);
      if (users.length === 2 && this.isLeakyReluPair(users, current)) {
        current = this.leakyReluPair(users, current);
        this.tail = [current];
        continue;
      }
      const pair = users.length === 2 ? this.complement(users, current) : undefined;
      if (pair) {
        current = this.complementPair(pair, current);
        this.tail = [current];
        continue;
      }
      if (users.length > 1) {
        const names = users.map((i) => label(this.nodes[i])).join(', ');
        throw new Error(
          `${WHERE}: tensor "${current}" feeds ${users.length} nodes (${names}): branches are not supported, only a chain of dense layers`,
        );
      }
      const next = this.step(users[0], current);
      this.tail = next.same ? [...this.tail, next.output] : [next.output];
      current = next.output;
    }
    for (const { root, node } of roots) {
      if (!this.tail.includes(root))
        throw new Error(`${WHERE}: ${label(node)} reads "${root}", not the probabilities "${output}"`);
    }
    const unused = this.nodes.find(({ index }) => !this.visited.has(index));
    if (unused) throw new Error(`${WHERE}: ${label(unused)} is not on the chain from the input to the output`);
    if (this.layers.length === 0) throw new Error(`${WHERE}: the graph has no dense layer (Gemm or MatMul)`);
    this.checkShapes(input, output);
    const layers = this.layers.map(({ hasBias, activated, ...layer }) => layer);
    const inputs = layers[0].inputs;
    const normalization =
      this.mean || this.std
        ? {
            mean: Array.from(this.mean ?? new Float64Array(inputs)),
            std: Array.from(this.std ?? new Float64Array(inputs).fill(1)),
          }
        : null;
    return { inputs, modelDtype: this.modelDtype, layers, normalization };
  }

  /**
   * The one input (initializers listed as inputs, as IR < 4 did, aside) and
   * the one output, a classifier's label and ZipMap outputs aside (their
   * nodes are set apart, with the tensors they start from).
   */
  private graphEnds(): { input: string; output: string; roots: { root: string; node: Node }[] } {
    const inputs = (this.graph.input ?? []).filter(({ name }) => !this.constants.has(name ?? ''));
    const roots: { root: string; node: Node }[] = [];
    const outputs = (this.graph.output ?? []).filter(({ name }) => {
      const head = this.classifierHead(name ?? '');
      if (head) roots.push(head);
      return !head;
    });
    if (inputs.length !== 1) {
      throw new Error(
        `${WHERE}: the graph has ${inputs.length} inputs (${inputs.map(({ name }) => `"${name}"`).join(', ')}); a dense network has one`,
      );
    }
    // With ZipMap, the probabilities are no graph output: the tensor the label and the ZipMap read is.
    const output = outputs.length === 0 && roots.length > 0 ? roots[roots.length - 1].root : outputs[0]?.name;
    if (outputs.length > 1 || output === undefined) {
      const all = this.graph.output ?? [];
      throw new Error(
        `${WHERE}: the graph has ${all.length} outputs (${all.map(({ name }) => `"${name}"`).join(', ')}); a dense network has one`,
      );
    }
    const [x] = inputs;
    const type = x.type?.tensorType;
    const dtype = dtypeOf(type?.elemType ?? 0);
    if (!type || dtype === undefined) {
      throw new Error(
        `${WHERE}: input "${x.name}" is ${type ? elemTypeName(type.elemType ?? 0) : 'not a tensor'}; only FLOAT and DOUBLE tensors are supported`,
      );
    }
    this.modelDtype = dtype;
    this.dataType = type.elemType ?? 0;
    const dims = type.shape?.dim;
    if (dims?.length === 2) {
      const features = dims[1].dimValue;
      if (features !== null && features !== undefined) this.width = int64(features);
    }
    return { input: x.name ?? '', output: output ?? '', roots };
  }

  /**
   * The nodes that compute a classifier's label or ZipMap output, traced
   * back from the output through HEAD_STEPS to a HEAD_START: set apart,
   * with the tensor that start reads. Undefined for any other output.
   */
  private classifierHead(output: string): { root: string; node: Node } | undefined {
    const path: Node[] = [];
    let tensor = output;
    for (;;) {
      const index = this.producers.get(tensor);
      // Two outputs may share a head's nodes (the label and ZipMap's Cast of it): tracing again is harmless.
      if (index === undefined || path.some((node) => node.index === index)) return undefined;
      const node = this.nodes[index];
      const key = opKey(node);
      path.push(node);
      if (HEAD_STARTS.has(key)) {
        for (const { index: i, input } of path) {
          this.visited.add(i);
          for (const name of input) {
            const users = this.consumers.get(name);
            if (users)
              this.consumers.set(
                name,
                users.filter((u) => u !== i),
              );
          }
        }
        return { root: node.input[0], node };
      }
      if (!HEAD_STEPS.has(key)) return undefined;
      // ArrayFeatureExtractor picks from the classes (its first input) at the ArgMax's indices (its second).
      tensor = key === 'ai.onnx.ml:ArrayFeatureExtractor' ? node.input[1] : node.input[0];
    }
  }

  /** The node's output, and whether it holds the same values as its input. */
  private step(index: number, current: string): { output: string; same: boolean } {
    const node = this.nodes[index];
    const where = `${WHERE}: ${label(node)}`;
    this.visit(where, index);
    if (node.domain !== '' && node.domain !== 'ai.onnx') throw new Error(`${where} in domain "${node.domain}" is not supported`);
    if (node.output.length !== 1)
      throw new Error(`${where} has ${node.output.length} outputs; only one-output nodes are supported`);
    if (node.input[0] !== current && !(node.opType === 'Add' && node.input[1] === current)) {
      throw new Error(`${where} does not take "${current}" as its data input`);
    }
    let same = false;
    switch (node.opType) {
      case 'Gemm':
        this.gemm(where, node);
        break;
      case 'MatMul':
        this.matMul(where, node);
        break;
      case 'Add':
        this.add(where, node, current);
        break;
      case 'Sigmoid':
      case 'Tanh':
      case 'Relu':
        this.activate(where, node.opType.toLowerCase() as ActivationName);
        break;
      case 'LeakyRelu': {
        const alpha = this.floatAttribute(node, 'alpha') ?? Math.fround(DEFAULT_LEAKY_RELU_ALPHA);
        this.activate(where, 'leakyRelu', alpha);
        break;
      }
      case 'PRelu':
        this.activate(where, 'leakyRelu', this.slope(where, node));
        break;
      case 'Softmax': {
        const axis = this.intAttribute(node, 'axis') ?? (this.opset >= 13 ? -1 : 1);
        if (axis !== -1 && axis !== 1)
          throw new Error(`${where}: softmax over axis ${axis} is not supported; only over the features (axis -1 or 1)`);
        this.activate(where, 'softmax');
        break;
      }
      case 'Sub':
      case 'Div':
        this.normalize(where, node);
        break;
      case 'Identity':
        same = true;
        break;
      case 'Flatten': {
        const axis = this.intAttribute(node, 'axis') ?? 1;
        if (axis !== 1 && axis !== -1)
          throw new Error(`${where}: Flatten with axis ${axis} reshapes the [batch, features] data, which is not supported`);
        same = true;
        break;
      }
      case 'Cast':
        same = this.cast(where, node);
        break;
      case 'Reshape':
        this.reshape(where, node);
        same = true;
        break;
      default:
        throw new Error(
          `${where} is not supported: a dense network's ONNX graph may hold only Gemm, MatMul, Add, Sigmoid, Tanh, Relu, ` +
            'LeakyRelu, PRelu, Softmax, Mul and Max/Min (a leaky ReLU), Sub and Div (standardised inputs), Identity, Flatten, Cast and Reshape',
        );
    }
    return { output: node.output[0], same };
  }

  /**
   * A Cast to the data's own type changes nothing. One of the inputs between
   * FLOAT and DOUBLE, before any layer, sets the network's dtype: a float32
   * network rounds the values it is given as the Cast does, and a float64
   * one takes FLOAT values exactly. Anywhere else it would round (or widen)
   * values between layers, which one network in one dtype cannot do.
   */
  private cast(where: string, node: Node): boolean {
    const to = this.intAttribute(node, 'to') ?? 0;
    if (to === this.dataType) return true;
    const dtype = dtypeOf(to);
    if (dtype === undefined || this.layers.length > 0 || this.mean || this.std) {
      throw new Error(
        `${where} of ${elemTypeName(this.dataType)} to ${elemTypeName(to)} is not supported: only a Cast to the same type, ` +
          'or of the inputs between FLOAT and DOUBLE before any layer, keeps a network in one dtype',
      );
    }
    this.modelDtype = dtype;
    this.dataType = to;
    return false;
  }

  /** A Reshape to [batch, features] as the data already is: [-1, n] or [0, n], or [0, -1]. */
  private reshape(where: string, node: Node): void {
    const found = this.constants.get(node.input[1] ?? '');
    const shape = found && readInt64s(`${where}: shape "${node.input[1]}"`, found.tensor);
    const [rows, cols] = shape ?? [];
    const keeps = shape?.length === 2 && (rows === -1 || rows === 0) && (cols === this.width || (rows === 0 && cols === -1));
    if (!keeps || this.width === undefined)
      throw new Error(
        `${where} of [batch, ${this.width ?? '?'}] to [${shape?.join(', ') ?? '?'}] is not supported: it must keep the shape`,
      );
  }

  /** Marks a node read; a node reached twice closes a cycle, which a hostile file could loop on. */
  private visit(where: string, index: number): void {
    if (this.visited.has(index)) throw new Error(`${where} is reached twice: the graph has a cycle`);
    this.visited.add(index);
  }

  private gemm(where: string, node: Node): void {
    const alpha = this.floatAttribute(node, 'alpha') ?? 1,
      beta = this.floatAttribute(node, 'beta') ?? 1;
    if (alpha !== 1 || beta !== 1)
      throw new Error(`${where}: alpha ${alpha} and beta ${beta} are not supported; only 1 and 1 (a plain X W + b)`);
    if ((this.intAttribute(node, 'transA') ?? 0) !== 0)
      throw new Error(`${where}: transA=1 (features down the rows) is not supported`);
    const transB = (this.intAttribute(node, 'transB') ?? 0) !== 0;
    const B = this.constant(where, node.input[1], 'weight');
    if (B.dims.length !== 2)
      throw new Error(`${where}: weight "${node.input[1]}" has dims [${B.dims.join(', ')}]; expected a matrix`);
    const [inputs, units] = transB ? [B.dims[1], B.dims[0]] : B.dims;
    const W = transB ? transpose(B.values, units, inputs) : B.values;
    this.addLayer(where, node.input[1], B.dims, inputs, units, W);
    if (node.input.length > 2 && node.input[2] !== '') this.setBias(where, node.input[2]);
  }

  private matMul(where: string, node: Node): void {
    const B = this.constant(where, node.input[1], 'weight');
    if (B.dims.length !== 2)
      throw new Error(`${where}: weight "${node.input[1]}" has dims [${B.dims.join(', ')}]; expected a matrix`);
    this.addLayer(where, node.input[1], B.dims, B.dims[0], B.dims[1], B.values);
  }

  private add(where: string, node: Node, current: string): void {
    const other = node.input[0] === current ? node.input[1] : node.input[0];
    const layer = this.layers[this.layers.length - 1];
    if (!layer || layer.activated) throw new Error(`${where}: an Add must follow a Gemm or MatMul directly, as its bias`);
    if (layer.hasBias) throw new Error(`${where}: adds a second bias to the layer, which is not supported`);
    this.setBias(where, other);
  }

  private addLayer(where: string, name: string, dims: number[], inputs: number, units: number, W: Float64Array): void {
    if (this.width !== undefined && inputs !== this.width) {
      throw new Error(
        `${where}: weight "${name}" has dims [${dims.join(', ')}], taking ${inputs} features, but its input has ${this.width}`,
      );
    }
    if (inputs === 0 || units === 0)
      throw new Error(`${where}: weight "${name}" has dims [${dims.join(', ')}]; a layer needs at least one input and one unit`);
    this.layers.push({ inputs, units, activation: 'linear', W, b: new Float64Array(units), hasBias: false, activated: false });
    this.width = units;
  }

  private setBias(where: string, name: string): void {
    const layer = this.layers[this.layers.length - 1];
    const C = this.constant(where, name, 'bias');
    const fits =
      (C.dims.length === 1 && C.dims[0] === layer.units) || (C.dims.length === 2 && C.dims[0] === 1 && C.dims[1] === layer.units);
    if (!fits)
      throw new Error(
        `${where}: bias "${name}" has dims [${C.dims.join(', ')}], but the layer has ${layer.units} units: expected [${layer.units}]`,
      );
    layer.b = C.values;
    layer.hasBias = true;
  }

  /** Sub (the means), then Div (the deviations), of the inputs before the first layer. */
  private normalize(where: string, node: Node): void {
    const sub = node.opType === 'Sub';
    if (this.layers.length > 0)
      throw new Error(`${where}: only a standardisation of the inputs, before the first dense layer, is supported`);
    if (sub ? this.mean || this.std : this.std)
      throw new Error(`${where}: a second ${node.opType}; a standardisation subtracts the means once, then divides once`);
    const role = sub ? 'mean' : 'deviation';
    const { dims, values } = this.constant(where, node.input[1], role);
    const width = dims[dims.length - 1];
    const fits =
      (dims.length === 1 || (dims.length === 2 && dims[0] === 1)) && (this.width === undefined || width === this.width);
    if (!fits)
      throw new Error(
        `${where}: ${role} "${node.input[1]}" has dims [${dims.join(', ')}]; expected one value per feature${this.width === undefined ? '' : `, [${this.width}]`}`,
      );
    this.width = width;
    if (sub) this.mean = values;
    else {
      const bad = values.findIndex((v) => !(v > 0));
      if (bad >= 0) throw new Error(`${where}: deviation "${node.input[1]}" holds ${values[bad]} at [${bad}]; each must be > 0`);
      this.std = values;
    }
  }

  private activate(where: string, activation: ActivationName, alpha?: number): void {
    const layer = this.layers[this.layers.length - 1];
    if (!layer) throw new Error(`${where} comes before any dense layer; each activation must follow a Gemm or MatMul`);
    if (layer.activated) throw new Error(`${where} follows another activation; a dense layer has one`);
    if (alpha !== undefined && !(alpha >= 0))
      throw new Error(`${where}: slope ${alpha} is not supported; a leaky ReLU's slope must be >= 0`);
    layer.activation = activation;
    if (alpha !== undefined) layer.alpha = alpha;
    layer.activated = true;
  }

  /** PRelu's slope, one value however it is shaped. */
  private slope(where: string, node: Node): number {
    const { values } = this.constant(where, node.input[1], 'slope');
    if (values.length === 0 || values.some((v) => v !== values[0])) {
      throw new Error(`${where}: slope "${node.input[1]}" varies by unit; only one slope for all units is supported`);
    }
    return values[0];
  }

  /** Mul(z, alpha) and Max(z, alpha z) (Min above 1): a leaky ReLU in DOUBLE. */
  private isLeakyReluPair(users: number[], current: string): boolean {
    const [mul, pick] = this.mulFirst(users);
    return (
      mul.opType === 'Mul' &&
      (pick.opType === 'Max' || pick.opType === 'Min') &&
      pick.input.length === 2 &&
      pick.input.includes(current) &&
      pick.input.includes(mul.output[0]) &&
      mul.input.includes(current)
    );
  }

  private mulFirst(users: number[]): [Node, Node] {
    const [a, b] = users.map((i) => this.nodes[i]);
    return a.opType === 'Mul' ? [a, b] : [b, a];
  }

  private leakyReluPair(users: number[], current: string): string {
    const [mul, pick] = this.mulFirst(users);
    const where = `${WHERE}: ${label(mul)} and ${label(pick)}`;
    this.visit(where, mul.index);
    this.visit(where, pick.index);
    if ((this.consumers.get(mul.output[0]) ?? []).length !== 1)
      throw new Error(`${where}: the scaled tensor "${mul.output[0]}" feeds other nodes too`);
    const slopeName = mul.input[0] === current ? mul.input[1] : mul.input[0];
    const { values } = this.constant(where, slopeName, 'slope');
    if (values.length !== 1)
      throw new Error(`${where}: slope "${slopeName}" holds ${values.length} values; a leaky ReLU has one`);
    const alpha = values[0];
    // max(z, alpha z) is leaky ReLU only for alpha <= 1, min only for alpha >= 1.
    if (pick.opType === 'Max' ? alpha > 1 : alpha < 1)
      throw new Error(`${where}: ${pick.opType} with slope ${alpha} is not a leaky ReLU`);
    this.activate(where, 'leakyRelu', alpha);
    return pick.output[0];
  }

  /** Sub(1, p) and Concat of it with p: a binary classifier's [1 - p, p] (or [p, 1 - p]), as skl2onnx writes it. */
  private complement(users: number[], current: string): [Node, Node] | undefined {
    const [a, b] = users.map((i) => this.nodes[i]);
    const [sub, concat] = a.opType === 'Sub' ? [a, b] : [b, a];
    const { input } = concat;
    const found =
      sub.opType === 'Sub' &&
      concat.opType === 'Concat' &&
      sub.input[1] === current &&
      input.length === 2 &&
      input.includes(current);
    return found && input.includes(sub.output[0]) ? [sub, concat] : undefined;
  }

  /**
   * [1 - sigmoid(z), sigmoid(z)] is softmax([0, z]): the one-unit sigmoid
   * layer becomes a two-unit softmax, the complement's unit with zero
   * weights, so the network predicts what the model's probabilities are.
   * (A node that also reads 1 - p is left off the chain, and refused so.)
   */
  private complementPair([sub, concat]: [Node, Node], current: string): string {
    const where = `${WHERE}: ${label(sub)} and ${label(concat)}`;
    this.visit(where, sub.index);
    this.visit(where, concat.index);
    const { values } = this.constant(where, sub.input[0], 'unity');
    const axis = this.intAttribute(concat, 'axis');
    const layer = this.layers[this.layers.length - 1];
    if (
      values.length !== 1 ||
      values[0] !== 1 ||
      (axis !== 1 && axis !== -1) ||
      layer?.activation !== 'sigmoid' ||
      layer.units !== 1
    )
      throw new Error(`${where}: only [1 - p, p] over axis 1 of a one-unit sigmoid layer's p is supported`);
    const positive = concat.input[0] === current ? 0 : 1;
    const W = new Float64Array(layer.inputs * 2);
    for (let i = 0; i < layer.inputs; i++) W[i * 2 + positive] = layer.W[i];
    const b = new Float64Array(2);
    b[positive] = layer.b[0];
    Object.assign(layer, { units: 2, activation: 'softmax', W, b });
    this.width = 2;
    return concat.output[0];
  }

  private constant(where: string, name: string | undefined, role: string): ReadTensor {
    const found = name === undefined ? undefined : this.constants.get(name);
    if (!found)
      throw new Error(`${where}: its ${role} "${name}" is not an initializer or constant; only constant weights are supported`);
    const t = readTensor(`${WHERE}: ${found.from} (the ${role} of ${where.slice(WHERE.length + 2)})`, found.tensor);
    if (t.dtype !== this.modelDtype) {
      throw new Error(
        `${where}: ${role} "${name}" is ${elemTypeName(found.tensor.dataType ?? 0)}, but the model's input is ${this.modelDtype === 'float32' ? 'FLOAT' : 'DOUBLE'}`,
      );
    }
    return t;
  }

  /** The declared shapes, checked once the chain is known to be dense layers (a convolution is named as such first). */
  private checkShapes(input: string, output: string): void {
    const x = this.graph.input!.find(({ name }) => name === input)!;
    const rank = x.type?.tensorType?.shape?.dim?.length;
    if (rank !== undefined && rank !== 2)
      throw new Error(`${WHERE}: input "${input}" has ${rank} dimensions; a dense network takes [batch, features]`);
    const y = this.graph.output!.find(({ name }) => name === output);
    if (!y) return;
    const dims = y.type?.tensorType?.shape?.dim;
    const units = this.layers[this.layers.length - 1].units;
    const features = dims?.[dims.length - 1]?.dimValue;
    if (features !== null && features !== undefined && int64(features) !== units) {
      throw new Error(
        `${WHERE}: output "${y.name}" is declared with ${int64(features)} features, but the last layer has ${units} units`,
      );
    }
  }

  private attribute(node: Node, name: string): onnx.IAttributeProto | undefined {
    return node.attribute.find((a) => a.name === name);
  }

  private floatAttribute(node: Node, name: string): number | undefined {
    return this.attribute(node, name)?.f ?? undefined;
  }

  private intAttribute(node: Node, name: string): number | undefined {
    const a = this.attribute(node, name);
    return a?.i === undefined || a.i === null ? undefined : int64(a.i);
  }
}

function transpose(values: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

/**
 * The shortest decimal that rounds to the float32 f (0.01 for the float
 * nearest 0.01): a float32 network computes the same with either, and this
 * is the value an exporter was most likely given.
 */
function shortestFloat32(f: number): number {
  for (let digits = 1; digits < 10; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}
