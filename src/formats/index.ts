/**
 * Networks to and from ONNX and TensorFlow.js's layers format: the
 * converters over the saved-network object, and loadNetwork for the
 * direction that ends in a network.
 */
import { type LoadNetworkOptions, loadNetwork, type NetworkJSON } from '../network.js';
import { networkJSONFromONNX, type ONNXImportOptions, type ONNXModelParts, onnxModelParts } from './onnx-read.js';
import { type ONNXExportOptions, onnxFromNetworkJSON } from './onnx-write.js';
import type { TFJSModelJSON } from './tfjs-model.js';
import { networkJSONFromTFJS, type TFJSImportOptions } from './tfjs-read.js';
import { type TFJSExportOptions, tfjsFromNetworkJSON } from './tfjs-write.js';

export type { Normalization } from './network-json.js';
export type { ONNXExportOptions, ONNXImportOptions, ONNXModelParts, TFJSExportOptions, TFJSImportOptions, TFJSModelJSON };
export { networkJSONFromONNX, networkJSONFromTFJS, onnxFromNetworkJSON, onnxModelParts, tfjsFromNetworkJSON };

type LoadedNetwork = Awaited<ReturnType<typeof loadNetwork>>;

/** Anything that saves as a network: a Network, or a loaded one. */
export interface SavesNetwork {
  toJSON(): NetworkJSON;
}

/** The network as the bytes of a .onnx file. */
export function toONNX(net: SavesNetwork, options: ONNXExportOptions = {}): Uint8Array {
  return onnxFromNetworkJSON(net.toJSON(), options);
}

/** A network from the bytes of a .onnx file; `backend` and `threads` as loadNetwork's. */
export async function fromONNX(bytes: Uint8Array, options: ONNXImportOptions & LoadNetworkOptions = {}): Promise<LoadedNetwork> {
  const { backend, threads, ...convert } = options;
  return loadNetwork(networkJSONFromONNX(bytes, convert), { backend, threads });
}

/** The network as TensorFlow.js's model.json content and weights.bin bytes (float32). */
export function toTFJS(net: SavesNetwork, options: TFJSExportOptions = {}): { modelJSON: TFJSModelJSON; weights: Uint8Array } {
  return tfjsFromNetworkJSON(net.toJSON(), options);
}

/** A network from model.json's content (object or text) and weights.bin's bytes. */
export async function fromTFJS(
  modelJSON: unknown,
  weights: Uint8Array | ArrayBuffer,
  options: TFJSImportOptions & LoadNetworkOptions = {},
): Promise<LoadedNetwork> {
  const { backend, threads, ...convert } = options;
  return loadNetwork(networkJSONFromTFJS(modelJSON, weights, convert), { backend, threads });
}
