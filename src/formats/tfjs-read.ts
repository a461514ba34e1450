/**
 * A dense network from a TensorFlow.js layers model: model.json's content
 * and the bytes of its weight files, one after another, as tf.LayersModel.save
 * writes them. The model must be a Sequential of InputLayer, Dense (with or
 * without bias), Activation, LeakyReLU and Dropout layers (Dropout does
 * nothing at inference); anything else is refused, naming the layer.
 */
import type { ActivationName } from '../activations.js';
import type { DType } from '../backend/backend.js';
import { checkKeys, describeValue } from '../checks.js';
import type { LossName } from '../losses.js';
import type { NetworkJSON } from '../network.js';
import { castValues, checkDtypeOption, type DenseLayer, lossFor, networkJSON } from './network-json.js';

/** Options of {@link fromTFJS} and {@link networkJSONFromTFJS}. */
export interface TFJSImportOptions {
  /** The network's dtype (default 'float32', TensorFlow.js's own). */
  dtype?: DType;
  /** The loss it trains with; by default the usual one for its output activation (as fromONNX). */
  loss?: LossName;
}

const WHERE = 'fromTFJS';

/** Keras's leaky ReLU slope when a LeakyReLU layer gives none (not wasmlp's default). */
const KERAS_LEAKY_RELU_ALPHA = 0.3;

const ACTIVATIONS: Readonly<Record<string, ActivationName>> = {
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  linear: 'linear',
  softmax: 'softmax',
};

type Config = Record<string, unknown>;

/** The saved-network object of a model.json (object or text) and its weights' bytes. */
export function networkJSONFromTFJS(
  modelJSON: unknown,
  weights: Uint8Array | ArrayBuffer,
  options: TFJSImportOptions = {},
): NetworkJSON {
  checkKeys(`${WHERE} options`, options, ['dtype', 'loss']);
  const dtype = checkDtypeOption(`${WHERE} options`, options.dtype) ?? 'float32';
  const model = parse(modelJSON);
  if (weights === undefined || weights === null)
    throw new Error(`${WHERE}: no weights: pass the bytes of the files model.json's weightsManifest names (weights.bin)`);
  const bytes = weights instanceof ArrayBuffer ? new Uint8Array(weights) : weights;
  if (!(bytes instanceof Uint8Array))
    throw new Error(`${WHERE}: expected the weights' bytes as a Uint8Array or ArrayBuffer, got ${describeValue(weights)}`);
  const values = readWeights(model.weightsManifest, bytes);
  const { inputs, layers } = readLayers(sequentialLayers(model.modelTopology), values);
  const cast = layers.map((layer) => ({
    ...layer,
    W: castValues(`${WHERE}: ${layer.name}/kernel`, layer.W, dtype),
    b: castValues(`${WHERE}: ${layer.name}/bias`, layer.b, dtype),
  }));
  return networkJSON(inputs, cast, dtype, lossFor(WHERE, layers[layers.length - 1].activation, options.loss));
}

function parse(modelJSON: unknown): { modelTopology: unknown; weightsManifest: unknown } {
  let model = modelJSON;
  if (typeof model === 'string') {
    try {
      model = JSON.parse(model);
    } catch (error) {
      throw new Error(`${WHERE}: model.json is not JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(model)) throw new Error(`${WHERE}: expected model.json's content, got ${describeValue(model)}`);
  if (model.format !== undefined && model.format !== 'layers-model') {
    throw new Error(
      `${WHERE}: format ${describeValue(model.format)} is not supported; only 'layers-model' (a graph model has no layers to read)`,
    );
  }
  if (!isObject(model.modelTopology)) throw new Error(`${WHERE}: model.json has no modelTopology`);
  return { modelTopology: model.modelTopology, weightsManifest: model.weightsManifest };
}

/** The layers of a Sequential topology (as tfjs writes it, or Keras's converter under model_config). */
function sequentialLayers(topology: unknown): unknown[] {
  const model = isObject(topology) && isObject(topology.model_config) ? topology.model_config : topology;
  if (!isObject(model) || model.class_name !== 'Sequential') {
    throw new Error(
      `${WHERE}: model class ${describeValue(isObject(model) ? model.class_name : model)} is not supported; only a Sequential model`,
    );
  }
  const layers = Array.isArray(model.config) ? model.config : isObject(model.config) ? model.config.layers : undefined;
  if (!Array.isArray(layers)) throw new Error(`${WHERE}: the Sequential model has no layers list`);
  return layers;
}

interface NamedLayer extends DenseLayer {
  name: string;
  activated: boolean;
}

function readLayers(
  list: unknown[],
  values: Map<string, { shape: number[]; values: Float64Array }>,
): { inputs: number; layers: NamedLayer[] } {
  const layers: NamedLayer[] = [];
  let width: number | undefined;
  list.forEach((item, i) => {
    const className = isObject(item) ? item.class_name : undefined;
    const config: Config = isObject(item) && isObject(item.config) ? item.config : {};
    const name = typeof config.name === 'string' ? config.name : `#${i}`;
    const where = `${WHERE}: layer "${name}" (${String(className)})`;
    const declared = inputShape(where, config);
    if (declared !== undefined) {
      if (layers.length > 0) throw new Error(`${where} declares an input shape after the first layer`);
      width = declared;
    }
    const last = layers[layers.length - 1];
    switch (className) {
      case 'InputLayer':
        if (i !== 0) throw new Error(`${where} is not the first layer`);
        if (declared === undefined) throw new Error(`${where} has no batch_input_shape`);
        break;
      case 'Dense': {
        const layer = dense(where, name, config, width, values);
        layers.push(layer);
        width = layer.units;
        break;
      }
      case 'Activation': {
        if (!last || last.activated) throw new Error(`${where} must follow a Dense layer with no activation of its own`);
        last.activation = activation(where, config.activation);
        last.activated = last.activation !== 'linear';
        break;
      }
      case 'LeakyReLU': {
        if (!last || last.activated) throw new Error(`${where} must follow a Dense layer with no activation of its own`);
        const alpha = config.alpha ?? config.negative_slope ?? KERAS_LEAKY_RELU_ALPHA;
        if (typeof alpha !== 'number' || !(alpha >= 0) || !Number.isFinite(alpha))
          throw new Error(`${where}: alpha must be a finite number >= 0, got ${describeValue(alpha)}`);
        last.activation = 'leakyRelu';
        last.alpha = alpha;
        last.activated = true;
        break;
      }
      case 'Dropout': {
        // Identity at inference. Its rate is kept for training where wasmlp has a place for it: after a dense layer.
        const rate = config.rate;
        if (last && last.dropout === undefined && typeof rate === 'number' && rate >= 0 && rate < 1) last.dropout = rate;
        break;
      }
      default:
        throw new Error(
          `${where} is not supported: a dense network has only InputLayer, Dense, Activation, LeakyReLU and Dropout layers`,
        );
    }
  });
  if (layers.length === 0) throw new Error(`${WHERE}: the model has no Dense layer`);
  delete layers[layers.length - 1].dropout; // after the output: nothing to drop while training either
  return { inputs: layers[0].inputs, layers };
}

function dense(
  where: string,
  name: string,
  config: Config,
  width: number | undefined,
  values: Map<string, { shape: number[]; values: Float64Array }>,
): NamedLayer {
  const units = config.units;
  if (typeof units !== 'number' || !Number.isSafeInteger(units) || units <= 0)
    throw new Error(`${where}: units must be a positive integer, got ${describeValue(units)}`);
  const kernel = weight(where, values, name, 'kernel');
  const [rows, cols] = kernel.shape;
  if (kernel.shape.length !== 2 || cols !== units || (width !== undefined && rows !== width)) {
    throw new Error(`${where}: kernel has shape [${kernel.shape.join(', ')}], expected [${width ?? 'inputs'}, ${units}]`);
  }
  let b: Float64Array = new Float64Array(units);
  if (config.use_bias ?? true) {
    const bias = weight(where, values, name, 'bias');
    if (bias.shape.length !== 1 || bias.shape[0] !== units)
      throw new Error(`${where}: bias has shape [${bias.shape.join(', ')}], expected [${units}]`);
    b = bias.values;
  }
  const act = activation(where, config.activation ?? 'linear');
  return { name, inputs: rows, units, activation: act, W: kernel.values, b, activated: act !== 'linear' };
}

function activation(where: string, name: unknown): ActivationName {
  const found = typeof name === 'string' ? ACTIVATIONS[name] : undefined;
  if (!found)
    throw new Error(
      `${where}: activation ${describeValue(name)} is not supported; expected one of ${Object.keys(ACTIVATIONS).join(', ')}`,
    );
  return found;
}

/** The features of batch_input_shape (tfjs, Keras 2) or batch_shape (Keras 3): [null, n]. */
function inputShape(where: string, config: Config): number | undefined {
  const shape = config.batch_input_shape ?? config.batch_shape;
  if (shape === undefined || shape === null) return undefined;
  if (!Array.isArray(shape) || shape.length !== 2 || !Number.isSafeInteger(shape[1]) || shape[1] <= 0) {
    throw new Error(`${where}: input shape ${describeValue(shape)} is not supported; a dense network takes [null, features]`);
  }
  return shape[1] as number;
}

/** A layer's weight by its manifest name, "<layer>/<kind>" with or without a scope before it. */
function weight(where: string, values: Map<string, { shape: number[]; values: Float64Array }>, layer: string, kind: string) {
  const exact = values.get(`${layer}/${kind}`);
  if (exact) return exact;
  const scoped = [...values.keys()].filter((name) => name.endsWith(`/${layer}/${kind}`));
  if (scoped.length !== 1)
    throw new Error(
      `${where}: weightsManifest has ${scoped.length === 0 ? 'no' : 'more than one'} weight named "${layer}/${kind}"`,
    );
  return values.get(scoped[0])!;
}

/**
 * Every weight the manifest lists, read from the bytes in its order, after
 * checking that the manifest accounts for exactly those bytes.
 */
function readWeights(manifest: unknown, bytes: Uint8Array): Map<string, { shape: number[]; values: Float64Array }> {
  if (!Array.isArray(manifest)) throw new Error(`${WHERE}: model.json has no weightsManifest`);
  const specs = manifest.flatMap((group, g) => {
    if (!isObject(group) || !Array.isArray(group.weights)) throw new Error(`${WHERE}: weightsManifest[${g}] has no weights list`);
    return group.weights as unknown[];
  });
  const checked = specs.map((spec, i) => {
    if (
      !isObject(spec) ||
      typeof spec.name !== 'string' ||
      !Array.isArray(spec.shape) ||
      !spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0)
    ) {
      throw new Error(`${WHERE}: weightsManifest weight ${i} is not { name, shape, dtype }: ${describeValue(spec)}`);
    }
    const where = `${WHERE}: weight "${spec.name}"`;
    if (spec.quantization !== undefined) throw new Error(`${where} is quantized, which is not supported`);
    if ((spec.dtype ?? 'float32') !== 'float32')
      throw new Error(`${where} is ${describeValue(spec.dtype)}; only float32 weights are supported`);
    return { name: spec.name, shape: spec.shape as number[], count: (spec.shape as number[]).reduce((a, b) => a * b, 1) };
  });
  const expected = checked.reduce((n, { count }) => n + count * 4, 0);
  if (expected !== bytes.byteLength) {
    throw new Error(
      `${WHERE}: weightsManifest describes ${expected} bytes (${checked.length} float32 weights), but the weights have ${bytes.byteLength} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Map<string, { shape: number[]; values: Float64Array }>();
  let at = 0;
  for (const { name, shape, count } of checked) {
    const array = new Float64Array(count);
    for (let i = 0; i < count; i++, at += 4) {
      array[i] = view.getFloat32(at, true);
      if (!Number.isFinite(array[i]))
        throw new Error(`${WHERE}: weight "${name}" holds ${array[i]} at index ${i} (byte ${at}): every weight must be finite`);
    }
    if (values.has(name)) throw new Error(`${WHERE}: weightsManifest names "${name}" twice`);
    values.set(name, { shape, values: array });
  }
  return values;
}

function isObject(value: unknown): value is Config {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
