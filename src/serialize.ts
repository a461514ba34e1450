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
import type { DType } from './backend/backend.js';
import { checkKeys, describeValue } from './checks.js';
import { buildEngine, type NetworkEngine } from './engine.js';
import type { LayerConfig } from './layerConfig.js';
import { defaultMetrics } from './metrics.js';
import { MAX_MODEL_DEPTH, nestingBeyond } from './modelText.js';
import type { LoadNetworkOptions, NetworkJSON, OptimizerJSON, ToJSONOptions } from './network.js';
import { layerEntries } from './networkConfig.js';
import {
  type CheckedOptimizerState,
  checkOptimizerForDtype,
  checkOptimizerState,
  type OptimizerConfig,
  parseOptimizer,
  slotNames,
} from './optimizers.js';
import { FORMAT, FORMAT_VERSION, prefixed, readSavedNetwork } from './savedNetwork.js';

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
    // Typed as dense layers: readers that take the last entry (never a dropout) stay as they were.
    layers: layerEntries(
      net.layers.map((layer) => layer.config),
      net.dropout,
    ) as LayerConfig[],
    loss: net.loss.name,
    dtype: net.dtype,
    ...(net.normalization && {
      normalization: { mean: [...net.normalization.config.mean], variance: [...net.normalization.config.variance] },
    }),
    ...(!sameNames(net.metrics, defaultMetrics(net.loss.name)) && { metrics: [...net.metrics] }),
    weights: net.getWeights(),
    ...(net.metadata && { metadata: structuredClone(net.metadata) }),
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
  const { config, shapes, weights, optimizer, metadata: savedMetadata } = readSavedNetwork('loadNetwork', json, options);
  const metadata = copyMetadata(savedMetadata);
  let savedOptimizer: { config: OptimizerConfig; state: CheckedOptimizerState } | undefined;
  try {
    if (optimizer !== undefined) {
      const sizes = shapes.flatMap(({ inputs: i, units }) => [i * units, units]);
      savedOptimizer = checkSavedOptimizer(optimizer, sizes, config.dtype);
    }
  } catch (error) {
    throw prefixed('loadNetwork', error);
  }
  let net: NetworkEngine;
  try {
    net = await buildEngine(config, false);
  } catch (error) {
    throw prefixed('loadNetwork', error);
  }
  try {
    net.writeWeights(weights);
    net.metadata = metadata;
    if (savedOptimizer) {
      net.useOptimizer(savedOptimizer.config);
      net.optimizer!.writeState(savedOptimizer.state);
    }
  } catch (error) {
    net.dispose();
    throw prefixed('loadNetwork', error);
  }
  return net;
}

/**
 * The saved metadata, copied: a plain object of JSON values, nested no
 * deeper than a model file may be (what toJSON() writes back as it is).
 */
function copyMetadata(metadata: unknown): Record<string, unknown> | undefined {
  if (metadata === undefined) return undefined;
  try {
    // Not an array, a Map or a class's instance; a cycle or a BigInt throws.
    const text = JSON.stringify(metadata);
    if (Object.getPrototypeOf(metadata) === Object.prototype && nestingBeyond(text, MAX_MODEL_DEPTH) < 0) return JSON.parse(text);
  } catch {}
  throw new Error(
    `loadNetwork: metadata must be a plain object of JSON values nested at most ${MAX_MODEL_DEPTH} deep, got ${describeValue(metadata)}`,
  );
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

/** Whether two lists of names are the same, in the same order. */
function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}
