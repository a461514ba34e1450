/**
 * Saving and loading: a network as a plain JSON-able object (architecture,
 * loss, dtype, weights, format version). Weights are written as JavaScript
 * numbers, whose shortest round-trip text is exact for float32 and float64
 * alike, so a loaded network predicts bit for bit what the saved one did
 * (on the same backend).
 *
 * With toJSON({ includeOptimizer: true }) the optimiser's config, step count
 * and slots are saved too (optional, so still format version 1), and a fit()
 * after loading with an equal optimizer config continues exactly where the
 * saved one stopped. The RNG stream is never saved: a shuffled run resumed
 * from a file shuffles differently from an uninterrupted one.
 */
/**
 * Saving and loading: the work of Network.toJSON and loadNetwork, over an
 * engine (network.ts declares the format's types, NetworkJSON and its
 * options). Weights are written as JavaScript numbers, whose shortest
 * round-trip text is exact for float32 and float64 alike, so a loaded
 * network predicts bit for bit what the saved one did (on the same backend).
 *
 * With toJSON({ includeOptimizer: true }) the optimiser's config, step count
 * and slots are saved too (optional, so still format version 1), and a fit()
 * after loading with an equal optimizer config continues exactly where the
 * saved one stopped. The RNG stream is never saved: a shuffled run resumed
 * from a file shuffles differently from an uninterrupted one.
 */
import { DTYPES, type DType } from './backend/backend.js';
import { checkKeys, describeValue } from './checks.js';
import { buildEngine, type NetworkEngine } from './engine.js';
import { parseModelText } from './modelText.js';
import type { LoadNetworkOptions, NetworkJSON, OptimizerJSON, ToJSONOptions } from './network.js';
import { type CheckedNetworkConfig, checkNetworkConfig } from './networkConfig.js';
import {
  type CheckedOptimizerState,
  checkOptimizerForDtype,
  checkOptimizerState,
  type OptimizerConfig,
  parseOptimizer,
  slotNames,
} from './optimizers.js';
import { checkLayerWeights, type LayerShape } from './weights.js';

/** The format's name, in every saved network. */
export const FORMAT: NetworkJSON['format'] = 'wasmlp-network';
/** The format version this wasmlp writes and reads. */
export const FORMAT_VERSION: NetworkJSON['version'] = 1;

/**
 * The network as NetworkJSON, with its optimiser if `options` ask for it.
 *
 * @param net - The engine to save; alive (Network.toJSON checks).
 * @param options - ToJSONOptions as the caller gave them; a string (the key JSON.stringify passes) is none.
 * @returns The saved network, sharing nothing with the engine.
 * @throws Error if an option is unknown or not a boolean.
 */
export function networkToJSON(net: NetworkEngine, options: unknown = {}): NetworkJSON {
  // JSON.stringify(net) calls net.toJSON(key) with the property name: that is no options.
  if (typeof options === 'string') options = {};
  checkKeys('toJSON', options, ['includeOptimizer']);
  const { includeOptimizer = false } = options as ToJSONOptions;
  if (typeof includeOptimizer !== 'boolean')
    throw new Error(`toJSON: includeOptimizer must be true or false, got ${describeValue(includeOptimizer)}`);
  const json: NetworkJSON = {
    format: FORMAT,
    version: FORMAT_VERSION,
    inputs: net.inputs,
    layers: net.layers.map((layer) => ({ ...layer.config })),
    loss: net.loss.name,
    dtype: net.dtype,
    weights: net.getWeights(),
  };
  const optimizer = net.optimizer;
  if (includeOptimizer && optimizer) json.optimizer = { config: { ...optimizer.config }, ...optimizer.getWeights() };
  return json;
}

/**
 * Rebuilds the engine of a network saved by toJSON(), from the object or its
 * JSON text. The whole file is checked before anything is allocated: every
 * layer's W and b against the architecture, the optimiser's slots against
 * the parameters. The engine is then allocated once, and its weights are
 * written from the file, never drawn first.
 *
 * @param json - The saved network or its text, as loadNetwork's caller gave it.
 * @param options - LoadNetworkOptions, unchecked.
 * @returns A new engine with the saved weights (and optimiser, if saved).
 * @throws Error starting "loadNetwork:" naming what is wrong, or a caller's getter's own throw.
 */
export async function restoreEngine(json: NetworkJSON | string, options: LoadNetworkOptions = {}): Promise<NetworkEngine> {
  checkKeys('loadNetwork options', options, ['backend', 'threads']);
  const saved: unknown = typeof json === 'string' ? parseModelText(json) : json;
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) {
    throw new Error(`loadNetwork: expected a saved network object, got ${describeValue(saved)}`);
  }
  const { format, version, inputs, layers, loss, dtype, weights, optimizer } = saved as Partial<NetworkJSON>;
  if (format !== FORMAT)
    throw new Error(`loadNetwork: not a saved wasmlp network (format is ${describeValue(format)}, expected "${FORMAT}")`);
  if (version !== FORMAT_VERSION) {
    throw new Error(
      `loadNetwork: format version ${describeValue(version)} is not supported; this wasmlp reads version ${FORMAT_VERSION}`,
    );
  }
  checkKeys('loadNetwork', saved, ['format', 'version', 'inputs', 'layers', 'loss', 'dtype', 'weights', 'optimizer']);
  // Each is required: a default (float32 for a missing dtype) would silently change the model.
  for (const key of ['inputs', 'layers', 'loss', 'dtype', 'weights']) {
    if ((saved as Record<string, unknown>)[key] === undefined) throw new Error(`loadNetwork: the saved network has no "${key}"`);
  }
  // The file's own field, named as such (createNetwork's check would name createNetwork's argument).
  if (!DTYPES.includes(dtype!))
    throw new Error(
      `loadNetwork: Unknown dtype ${describeValue(dtype)} in the saved network: expected one of ${DTYPES.join(', ')}`,
    );
  let weightsChecked: ReturnType<typeof checkLayerWeights>;
  let savedOptimizer: { config: OptimizerConfig; state: CheckedOptimizerState } | undefined;
  let config: CheckedNetworkConfig;
  try {
    config = checkNetworkConfig('createNetwork', {
      inputs: inputs!,
      layers: layers!,
      loss: loss!,
      dtype: dtype!,
      backend: options.backend,
      threads: options.threads,
      seed: 0,
    });
    const shapes: LayerShape[] = [];
    let fanIn = config.inputs;
    for (const { units } of config.layers) {
      shapes.push({ inputs: fanIn, units });
      fanIn = units;
    }
    weightsChecked = checkLayerWeights(weights, shapes, config.dtype);
    if (optimizer !== undefined) {
      const sizes = shapes.flatMap(({ inputs: i, units }) => [i * units, units]);
      savedOptimizer = checkSavedOptimizer(optimizer, sizes, config.dtype);
    }
  } catch (error) {
    throw prefixed(error);
  }
  let net: NetworkEngine;
  try {
    net = await buildEngine(config, false);
  } catch (error) {
    throw prefixed(error);
  }
  try {
    net.writeWeights(weightsChecked);
    if (savedOptimizer) {
      net.useOptimizer(savedOptimizer.config);
      net.optimizer!.writeState(savedOptimizer.state);
    }
  } catch (error) {
    net.dispose();
    throw prefixed(error);
  }
  return net;
}

/**
 * An error from loadNetwork's checks, its message prefixed. A value that is
 * no Error (a caller's getter may throw null or a string) passes on as it
 * is: reading .message from it would be a TypeError of our own.
 */
function prefixed(error: unknown): unknown {
  return error instanceof Error ? new Error(`loadNetwork: ${error.message}`) : error;
}

/** A saved optimiser's config and state, checked against the parameter sizes. */
function checkSavedOptimizer(
  saved: unknown,
  sizes: readonly number[],
  dtype: DType,
): { config: OptimizerConfig; state: CheckedOptimizerState } {
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) {
    throw new Error(`optimizer must be { config, iterations, slots }, got ${describeValue(saved)}`);
  }
  checkKeys('optimizer', saved, ['config', 'iterations', 'slots']);
  const { config: spec, iterations, slots } = saved as Partial<OptimizerJSON>;
  const config = parseOptimizer(spec, 'optimizer.config');
  checkOptimizerForDtype('optimizer.config', config, dtype);
  const state = checkOptimizerState(
    `optimizer (${config.type}).setWeights`,
    { iterations, slots },
    slotNames(config),
    sizes,
    dtype,
  );
  return { config, state };
}
