/**
 * Networks to and from ONNX and TensorFlow.js's layers format: the
 * converters over the saved-network object, and loadNetwork for the
 * direction that ends in a network.
 */
import { type LoadNetworkOptions, loadNetwork, type Network, type NetworkJSON } from '../network.js';
import { networkJSONFromONNX, type ONNXImportOptions, type ONNXModelParts, onnxModelParts } from './onnx-read.js';
import { type ONNXExportOptions, onnxFromNetworkJSON } from './onnx-write.js';
import type { TFJSModelJSON } from './tfjs-model.js';
import { networkJSONFromTFJS, type TFJSImportOptions } from './tfjs-read.js';
import { type TFJSExportOptions, tfjsFromNetworkJSON } from './tfjs-write.js';

export type { Normalization } from './network-json.js';
export type { ONNXExportOptions, ONNXImportOptions, ONNXModelParts, TFJSExportOptions, TFJSImportOptions, TFJSModelJSON };
export { networkJSONFromONNX, networkJSONFromTFJS, onnxFromNetworkJSON, onnxModelParts, tfjsFromNetworkJSON };

/** Anything that saves as a network: a {@link Network}, or any object whose toJSON() gives a saved network. */
export interface SavesNetwork {
  /** The saved network: {@link Network.toJSON}'s object. */
  toJSON(): NetworkJSON;
}

/**
 * The network as the bytes of a .onnx file: input `x` [N, inputs], output
 * `y` [N, outputs], each dense layer a Gemm and each activation its
 * standard operator.
 *
 * @param net - The network (or anything with its toJSON()).
 * @param options - The model's element type, an input standardisation, metadata.
 * @returns The model's bytes, for a file or for onnxruntime.
 * @throws Error for bad options, or a weight beyond float32's range when casting.
 *
 * @example
 * ```ts
 * import { createNetwork } from 'wasmlp';
 * import { toONNX } from 'wasmlp/formats';
 *
 * const net = await createNetwork({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'binaryCrossentropy' });
 * const bytes: Uint8Array = toONNX(net);
 * ```
 */
export function toONNX(net: SavesNetwork, options: ONNXExportOptions = {}): Uint8Array {
  return onnxFromNetworkJSON(net.toJSON(), options);
}

/**
 * A network from the bytes of a .onnx file holding a dense network, as
 * PyTorch's, tf2onnx's and skl2onnx's exporters and {@link toONNX} write it.
 *
 * @param bytes - The file's bytes.
 * @param options - Its dtype and loss, and loadNetwork's `backend` and `threads`.
 * @returns A network that predicts what the model does, and trains on.
 * @throws Error naming the node, tensor or byte count, for a file it cannot read as a dense network.
 *
 * @example
 * ```ts
 * import { fromONNX } from 'wasmlp/formats';
 * import { readFile } from 'node:fs/promises';
 *
 * const net = await fromONNX(await readFile('model.onnx'), { loss: 'meanSquaredError' });
 * ```
 */
export async function fromONNX(bytes: Uint8Array, options: ONNXImportOptions & LoadNetworkOptions = {}): Promise<Network> {
  const { backend, threads, ...convert } = options;
  return loadNetwork(networkJSONFromONNX(bytes, convert), { backend, threads });
}

/**
 * The network as TensorFlow.js's layers format: model.json's content and
 * weights.bin's bytes, in float32, which `tf.loadLayersModel` reads.
 *
 * @param net - The network (or anything with its toJSON()).
 * @param options - An input standardisation (folded into the first layer) and metadata.
 * @returns `{ modelJSON, weights }`: write them as model.json and weights.bin.
 * @throws Error for bad options, or a weight beyond float32's range.
 *
 * @example
 * ```ts
 * import { createNetwork } from 'wasmlp';
 * import { toTFJS } from 'wasmlp/formats';
 *
 * const net = await createNetwork({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'binaryCrossentropy' });
 * const { modelJSON, weights } = toTFJS(net);
 * const text = JSON.stringify(modelJSON); // model.json; weights is weights.bin
 * ```
 */
export function toTFJS(net: SavesNetwork, options: TFJSExportOptions = {}): { modelJSON: TFJSModelJSON; weights: Uint8Array } {
  return tfjsFromNetworkJSON(net.toJSON(), options);
}

/**
 * A network from TensorFlow.js's layers format: a Sequential of InputLayer,
 * Dense, Activation, Dropout and LeakyReLU layers.
 *
 * @param modelJSON - model.json's content, as an object or as its text.
 * @param weights - weights.bin's bytes.
 * @param options - Its dtype and loss, and loadNetwork's `backend` and `threads`.
 * @returns A network that predicts what the model does, and trains on.
 * @throws Error naming the layer or the byte counts, for a model it cannot read.
 */
export async function fromTFJS(
  modelJSON: unknown,
  weights: Uint8Array | ArrayBuffer,
  options: TFJSImportOptions & LoadNetworkOptions = {},
): Promise<Network> {
  const { backend, threads, ...convert } = options;
  return loadNetwork(networkJSONFromTFJS(modelJSON, weights, convert), { backend, threads });
}
