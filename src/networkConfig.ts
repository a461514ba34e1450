/**
 * A NetworkConfig checked completely before anything is allocated, with its
 * defaults filled in: createNetwork builds from this, and loadNetwork checks
 * a saved architecture with it.
 */
import { BACKENDS, type BackendName, checkThreads, DTYPES, type DType } from './backend/backend.js';
import { checkKeys, checkPositiveInteger, describeValue } from './checks.js';
import { checkValue, element, listLength } from './data.js';
import { checkDropoutEntry, checkLayerConfig, type DenseConfig, isDropoutEntry } from './layerConfig.js';
import { checkLossPairing, LOSS_NAMES, type LossName } from './losses.js';
import { checkMetrics, type MetricName } from './metrics.js';
import type { NetworkConfig } from './network.js';
import { checkNormalization, type Normalizer } from './normalization.js';
import { randomSeed } from './random.js';

/** The most layers a network has: far more than any dense network trains well with, and a bound on checking a config. */
export const MAX_LAYERS = 1000;

/** A NetworkConfig checked, with its defaults filled in; each layer's config frozen. */
export interface CheckedNetworkConfig {
  inputs: number;
  layers: DenseConfig[];
  /** The rate of the dropout entry after each dense layer, or undefined where there is none. */
  dropout: (number | undefined)[];
  loss: LossName;
  backend: BackendName;
  dtype: DType;
  seed: number;
  threads: number;
  /** The inputs' normalisation, or null for none. */
  normalization: Normalizer | null;
  /** What the history and evaluate report besides the loss: the config's, or the loss's default. */
  metrics: MetricName[];
}

/**
 * Checks a NetworkConfig completely, allocating nothing, each field read once.
 *
 * @param where - The caller's name, which starts every message (createNetwork).
 * @param config - The config as given.
 * @returns The config as read and checked, with its defaults: the seed drawn if none was given.
 * @throws Error naming the first bad field.
 */
export function checkNetworkConfig(where: string, config: NetworkConfig): CheckedNetworkConfig {
  checkKeys(where, config, ['inputs', 'layers', 'loss', 'backend', 'dtype', 'seed', 'threads', 'normalization', 'metrics']);
  // Each field read once: a getter may answer a second read otherwise, and the network is built from what was checked.
  const {
    inputs,
    layers: given,
    loss,
    backend: backendGiven,
    dtype: dtypeGiven,
    seed: seedGiven,
    threads: threadsGiven,
    normalization: normalizationGiven,
    metrics: metricsGiven,
  } = config;
  checkPositiveInteger(`${where}: inputs`, inputs);
  // Emptiness judged on the layers as read: a proxy's length, read again, may say 0 after 1.
  const { layers, dropout } = Array.isArray(given) ? checkLayers(where, given) : { layers: [], dropout: [] };
  if (layers.length === 0) {
    throw new Error(`${where}: layers must be a non-empty array of { units, activation }, got ${describeValue(given)}`);
  }
  if (!LOSS_NAMES.includes(loss)) {
    throw new Error(`${where}: loss ${describeValue(loss)} is unknown; expected one of ${LOSS_NAMES.join(', ')}`);
  }
  checkLossPairing(where, loss, layers);
  const metrics = checkMetrics(where, metricsGiven, loss, layers[layers.length - 1]);
  // Only a missing option takes its default: null is a value, and refused like any other bad one.
  const seed = seedGiven === undefined ? randomSeed() : seedGiven;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`${where}: seed must be an integer in [0, 2^32), got ${describeValue(seed)}`);
  }
  const threads = threadsGiven === undefined ? 1 : threadsGiven;
  checkThreads(where, threads);
  const backend = backendGiven === undefined ? 'wasm' : backendGiven;
  if (!BACKENDS.includes(backend))
    throw new Error(`${where}: Unknown backend ${describeValue(backend)}: expected one of ${BACKENDS.join(', ')}`);
  if (threads > 1 && backend !== 'wasm') {
    throw new Error(`${where}: threads ${threads} needs the wasm backend, got backend ${describeValue(backend)}`);
  }
  const dtype = dtypeGiven === undefined ? 'float32' : dtypeGiven;
  if (!DTYPES.includes(dtype))
    throw new Error(`${where}: Unknown dtype ${describeValue(dtype)}: expected one of ${DTYPES.join(', ')}`);
  layers.forEach((layer, i) => {
    if (layer.alpha !== undefined) checkValue(`${where}: layers[${i}].alpha`, '', layer.alpha, dtype);
  });
  const normalization = normalizationGiven === undefined ? null : checkNormalization(where, normalizationGiven, inputs, dtype);
  return { inputs, layers, dropout, loss, backend, dtype, seed, threads, normalization, metrics };
}

/**
 * Each layer checked, in an index loop after a check of the length alone:
 * map would walk all of a sparse array's declared 2^32 - 1 indices, and
 * keep a hole for Dense to trip over. A dropout entry belongs to the dense
 * layer before it, which may not be the last.
 */
function checkLayers(where: string, given: readonly unknown[]): { layers: DenseConfig[]; dropout: (number | undefined)[] } {
  const count = listLength(`${where}: layers`, given, MAX_LAYERS);
  const layers: DenseConfig[] = [];
  const dropout: (number | undefined)[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${where}: layers[${i}]`;
    const entry = element(`${where}: layers`, given, i);
    if (!isDropoutEntry(entry)) {
      layers.push(checkLayerConfig(name, entry));
      dropout.push(undefined);
      continue;
    }
    const rate = checkDropoutEntry(name, entry);
    if (layers.length === 0 || dropout[layers.length - 1] !== undefined || i === count - 1) {
      throw new Error(
        `${name}: a dropout entry must follow a dense layer and precede one (not first, last, or after another dropout)`,
      );
    }
    dropout[layers.length - 1] = rate;
  }
  return { layers, dropout };
}

/** The layers entries as createNetwork takes them back: each dense config, then its dropout entry if it has one. */
export function layerEntries(
  layers: readonly DenseConfig[],
  dropout: readonly (number | undefined)[],
): (DenseConfig | { dropout: number })[] {
  return layers.flatMap((layer, l) => {
    const rate = dropout[l];
    return rate === undefined ? [{ ...layer }] : [{ ...layer }, { dropout: rate }];
  });
}
