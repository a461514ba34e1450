/**
 * Saving and loading: a network as a plain JSON-able object (architecture,
 * loss, dtype, weights, format version). Weights are written as JavaScript
 * numbers, whose shortest round-trip text is exact for float32 and float64
 * alike, so a loaded network predicts bit for bit what the saved one did
 * (on the same backend).
 *
 * Optimiser state and the RNG stream are not saved: a loaded network
 * predicts identically, and training it again starts a fresh optimiser.
 */
import type { BackendName, DType } from './backend/backend.js';
import { describe } from './data.js';
import type { LossName } from './losses.js';
import { createNetwork, type LayerConfig, type LayerWeights, type Network } from './network.js';
import { checkKeys } from './options.js';

export const FORMAT = 'wasmlp-network';
export const FORMAT_VERSION = 1;

export interface NetworkJSON {
  format: typeof FORMAT;
  version: typeof FORMAT_VERSION;
  inputs: number;
  layers: LayerConfig[];
  loss: LossName;
  dtype: DType;
  weights: LayerWeights[];
}

export function networkToJSON(net: Network): NetworkJSON {
  return {
    format: FORMAT,
    version: FORMAT_VERSION,
    inputs: net.inputs,
    layers: net.layers.map((layer) => ({ ...layer.config })),
    loss: net.loss.name,
    dtype: net.dtype,
    weights: net.getWeights(),
  };
}

/** Rebuilds a network saved by toJSON(), from the object or its JSON text. */
export async function loadNetwork(json: NetworkJSON | string, options: { backend?: BackendName } = {}): Promise<Network> {
  checkKeys('loadNetwork options', options, ['backend']);
  let saved: unknown = json;
  if (typeof json === 'string') {
    try {
      saved = JSON.parse(json);
    } catch (error) {
      throw new Error(`loadNetwork: the text is not JSON (${(error as Error).message})`);
    }
  }
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) {
    throw new Error(`loadNetwork: expected a saved network object, got ${describe(saved)}`);
  }
  const { format, version, inputs, layers, loss, dtype, weights } = saved as Partial<NetworkJSON>;
  if (format !== FORMAT) throw new Error(`loadNetwork: not a saved wasmlp network (format is ${describe(format)}, expected "${FORMAT}")`);
  if (version !== FORMAT_VERSION) {
    throw new Error(`loadNetwork: format version ${describe(version)} is not supported; this wasmlp reads version ${FORMAT_VERSION}`);
  }
  checkKeys('loadNetwork', saved, ['format', 'version', 'inputs', 'layers', 'loss', 'dtype', 'weights']);
  let net: Network;
  try {
    net = await createNetwork({ inputs: inputs!, layers: layers!, loss: loss!, dtype: dtype!, backend: options.backend, seed: 0 });
  } catch (error) {
    throw new Error(`loadNetwork: ${(error as Error).message}`);
  }
  try {
    net.setWeights(weights!);
  } catch (error) {
    net.dispose();
    throw new Error(`loadNetwork: ${(error as Error).message}`);
  }
  return net;
}
