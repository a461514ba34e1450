/**
 * A saved network in TensorFlow.js's layers format: the content of a
 * model.json as tf.LayersModel.save writes it (a Sequential of Dense layers,
 * with a LeakyReLU layer after a leaky one, since a Dense layer has no leaky
 * activation) and the bytes of its weights.bin. TensorFlow.js computes in
 * float32, so a float64 network's weights are rounded to float32. A
 * normalization of the inputs is folded into the first layer's weights (a
 * layers model has no standard layer for it that every loader knows).
 */
import type { ActivationName } from '../activations.js';
import { checkKeys, describeValue } from '../checks.js';
import type { NetworkJSON } from '../network.js';
import {
  castValues,
  checkNormalization,
  denseLayers,
  foldNormalization,
  type Normalization,
  ownNormalization,
} from './network-json.js';
import type { TFJSLayer, TFJSModelJSON, TFJSWeightSpec } from './tfjs-model.js';
import { WEIGHTS_PATH } from './written.js';

const TFJS_ACTIVATION: Readonly<Record<ActivationName, string>> = {
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  leakyRelu: 'linear',
  linear: 'linear',
  softmax: 'softmax',
};

/** Options of {@link toTFJS} and {@link tfjsFromNetworkJSON}. */
export interface TFJSExportOptions {
  /**
   * Standardise the inputs, `(x - mean) / std`, one mean and std per input:
   * folded into the first Dense layer's kernel and bias (foldNormalization).
   */
  normalization?: Normalization;
  /** model.json's userDefinedMetadata, which tf.loadLayersModel keeps and the model does not read. */
  metadata?: Readonly<Record<string, unknown>>;
}

/** model.json's content and weights.bin's bytes. */
export function tfjsFromNetworkJSON(
  json: NetworkJSON,
  options: TFJSExportOptions = {},
): { modelJSON: TFJSModelJSON; weights: Uint8Array } {
  const where = 'toTFJS';
  checkKeys(`${where} options`, options, ['normalization', 'metadata']);
  const saved = denseLayers(where, json);
  const given = ownNormalization(where, json, options.normalization) ?? options.normalization;
  if (given !== undefined) {
    const normalization = checkNormalization(`${where} options`, given, saved.inputs);
    saved.layers[0] = foldNormalization(saved.layers[0], normalization);
  }
  const { metadata } = options;
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)))
    throw new Error(`${where}: metadata must be an object, got ${describeValue(metadata)}`);
  const layers: TFJSLayer[] = [];
  const specs: TFJSWeightSpec[] = [];
  const arrays: Float64Array[] = [];
  saved.layers.forEach((layer, l) => {
    const name = `dense_${l}`;
    layers.push({
      class_name: 'Dense',
      config: {
        name,
        trainable: true,
        ...(l === 0 ? { batch_input_shape: [null, saved.inputs], dtype: 'float32' } : {}),
        units: layer.units,
        activation: TFJS_ACTIVATION[layer.activation],
        use_bias: true,
      },
    });
    if (layer.activation === 'leakyRelu') {
      layers.push({ class_name: 'LeakyReLU', config: { name: `leaky_re_lu_${l}`, trainable: true, alpha: layer.alpha } });
    }
    if (layer.dropout !== undefined) {
      layers.push({ class_name: 'Dropout', config: { name: `dropout_${l}`, trainable: true, rate: layer.dropout } });
    }
    specs.push({ name: `${name}/kernel`, shape: [layer.inputs, layer.units], dtype: 'float32' });
    specs.push({ name: `${name}/bias`, shape: [layer.units], dtype: 'float32' });
    arrays.push(
      castValues(`${where}: weights[${l}].W`, layer.W, 'float32'),
      castValues(`${where}: weights[${l}].b`, layer.b, 'float32'),
    );
  });
  const modelJSON: TFJSModelJSON = {
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'sequential', layers },
    },
    format: 'layers-model',
    generatedBy: 'wasmlp',
    convertedBy: null,
    weightsManifest: [{ paths: [WEIGHTS_PATH], weights: specs }],
    ...(metadata === undefined ? {} : { userDefinedMetadata: { ...metadata } }),
  };
  return { modelJSON, weights: float32Bytes(arrays) };
}

/** The arrays one after another, as little-endian float32 (weights.bin's layout). */
function float32Bytes(arrays: readonly Float64Array[]): Uint8Array {
  const bytes = new Uint8Array(arrays.reduce((n, a) => n + a.length * 4, 0));
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const array of arrays) {
    for (const v of array) {
      view.setFloat32(at, v, true);
      at += 4;
    }
  }
  return bytes;
}
