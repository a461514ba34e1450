/**
 * A saved network (toJSON()'s object, or its JSON text) checked whole,
 * allocating nothing: the format, the architecture as createNetwork checks
 * a config, and every layer's weights against it. loadNetwork
 * (serialize.ts) and loadPredictor (predict/) read a file through this one
 * check; the optimiser's config and slots, which only training reads, are
 * loadNetwork's to check.
 */
import { type BackendName, DTYPES } from './backend/backend.js';
import { checkKeys, describeValue } from './checks.js';
import { parseModelText } from './modelText.js';
import type { NetworkJSON } from './network.js';
import { type CheckedNetworkConfig, checkNetworkConfig } from './networkConfig.js';
import { checkLayerWeights, type LayerShape } from './weights.js';

/** The format's name, in every saved network. */
export const FORMAT: NetworkJSON['format'] = 'wasmlp-network';
/** The format version this wasmlp writes and reads. */
export const FORMAT_VERSION: NetworkJSON['version'] = 1;

/** A saved network as checked: what a network or a predictor is built from. */
export interface SavedNetwork {
  /** The architecture with the backend and threads to run on (seed 0: the weights come from the file). */
  config: CheckedNetworkConfig;
  /** Each layer's inputs and units. */
  shapes: LayerShape[];
  /** Every layer's W and b, checked and copied, ready to write. */
  weights: ReturnType<typeof checkLayerWeights>;
  /** The saved optimiser as the file has it, not checked; undefined if none was saved. */
  optimizer: unknown;
  /** The application's data as the file has it, not checked (wasmlp never reads it); undefined if none. */
  metadata: unknown;
}

/**
 * Checks a saved network and reads it.
 *
 * @param where - The caller (loadNetwork, loadPredictor), which starts every message.
 * @param json - The saved network or its text, as the caller's caller gave it.
 * @param run - The backend and threads to run on, as given (checked here, as createNetwork checks them).
 * @returns The checked architecture and weights, and the optimiser as saved.
 * @throws Error starting "`where`:" naming what is wrong, or a caller's getter's own throw.
 */
export function readSavedNetwork(where: string, json: unknown, run: { backend?: BackendName; threads?: number }): SavedNetwork {
  const saved: unknown = typeof json === 'string' ? parseModelText(json, where) : json;
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) {
    throw new Error(`${where}: expected a saved network object, got ${describeValue(saved)}`);
  }
  const { format, version, inputs, layers, loss, dtype, weights, optimizer, normalization, metrics, metadata } =
    saved as Partial<NetworkJSON>;
  if (format !== FORMAT)
    throw new Error(`${where}: not a saved wasmlp network (format is ${describeValue(format)}, expected "${FORMAT}")`);
  if (version !== FORMAT_VERSION) {
    throw new Error(
      `${where}: format version ${describeValue(version)} is not supported; this wasmlp reads version ${FORMAT_VERSION}`,
    );
  }
  checkKeys(where, saved, [
    'format',
    'version',
    'inputs',
    'layers',
    'loss',
    'dtype',
    'normalization',
    'metrics',
    'weights',
    'optimizer',
    'metadata',
  ]);
  // Each is required: a default (float32 for a missing dtype) would silently change the model.
  for (const key of ['inputs', 'layers', 'loss', 'dtype', 'weights']) {
    if ((saved as Record<string, unknown>)[key] === undefined) throw new Error(`${where}: the saved network has no "${key}"`);
  }
  // The file's own field, named as such (createNetwork's check would name createNetwork's argument).
  if (!DTYPES.includes(dtype!))
    throw new Error(`${where}: Unknown dtype ${describeValue(dtype)} in the saved network: expected one of ${DTYPES.join(', ')}`);
  try {
    const config = checkNetworkConfig('createNetwork', {
      inputs: inputs!,
      layers: layers!,
      loss: loss!,
      dtype: dtype!,
      backend: run.backend,
      threads: run.threads,
      seed: 0,
      normalization,
      metrics,
    });
    const shapes: LayerShape[] = [];
    let fanIn = config.inputs;
    for (const { units } of config.layers) {
      shapes.push({ inputs: fanIn, units });
      fanIn = units;
    }
    return { config, shapes, weights: checkLayerWeights(weights, shapes, config.dtype), optimizer, metadata };
  } catch (error) {
    throw prefixed(where, error);
  }
}

/**
 * An error from a check, its message prefixed with the caller's name. A
 * value that is no Error (a caller's getter may throw null or a string)
 * passes on as it is: reading .message from it would be a TypeError of our own.
 */
export function prefixed(where: string, error: unknown): unknown {
  return error instanceof Error ? new Error(`${where}: ${error.message}`) : error;
}
