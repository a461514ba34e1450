/**
 * What the format converters share: the saved network's layers as they read
 * them (a kernel and a bias as flat arrays), the loss an imported model gets
 * (inference graphs carry none), and a check of a saved network before it is
 * exported, so a malformed object fails with a message rather than a model
 * with holes.
 */
import { type ActivationName, DEFAULT_LEAKY_RELU_ALPHA } from '../activations.js';
import type { DType } from '../backend/backend.js';
import { describeValue } from '../checks.js';
import { isDropoutEntry, type LayerConfig } from '../layerConfig.js';
import { LOSS_NAMES, type LossName } from '../losses.js';
import type { NetworkJSON } from '../network.js';
import { deviation } from '../normalization.js';

/** One dense layer: W row-major, inputs x units; b has units values. */
export interface DenseLayer {
  inputs: number;
  units: number;
  activation: ActivationName;
  alpha?: number;
  /** The rate of a dropout entry after the layer (never the last), if any. */
  dropout?: number;
  W: Float64Array;
  b: Float64Array;
}

/**
 * The loss a model trains with after import, unless `loss` names one: the
 * one each output activation is usually trained with.
 */
export function lossFor(where: string, output: ActivationName, loss: unknown): LossName {
  if (loss !== undefined) {
    if (!LOSS_NAMES.includes(loss as LossName))
      throw new Error(`${where}: loss ${describeValue(loss)} is unknown; expected one of ${LOSS_NAMES.join(', ')}`);
    return loss as LossName;
  }
  if (output === 'sigmoid') return 'binaryCrossentropy';
  if (output === 'softmax') return 'categoricalCrossentropy';
  return 'meanSquaredError';
}

export function checkDtypeOption(where: string, dtype: unknown): DType | undefined {
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`${where}: dtype must be 'float32' or 'float64', got ${describeValue(dtype)}`);
  }
  return dtype;
}

/** Values as `dtype` holds them; float32 casts are checked to stay finite. */
export function castValues(where: string, values: Float64Array, dtype: DType): Float64Array {
  if (dtype === 'float64') return values;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = Math.fround(values[i]);
    if (!Number.isFinite(out[i])) throw new Error(`${where}[${i}] is ${values[i]}, beyond float32's range`);
  }
  return out;
}

/** The saved network an importer hands to loadNetwork. */
export function networkJSON(inputs: number, layers: readonly DenseLayer[], dtype: DType, loss: LossName): NetworkJSON {
  return {
    format: 'wasmlp-network',
    version: 1,
    inputs,
    layers: layers.flatMap(({ units, activation, alpha, dropout }) => {
      const layer = activation === 'leakyRelu' ? { units, activation, alpha } : { units, activation };
      // Typed as NetworkJSON types its layers: dense ones, with dropout entries between them.
      return dropout === undefined ? [layer] : [layer, { dropout } as unknown as LayerConfig];
    }),
    loss,
    dtype,
    weights: layers.map(({ inputs: rows, units, W, b }) => ({
      W: Array.from({ length: rows }, (_, r) => Array.from(W.subarray(r * units, (r + 1) * units))),
      b: Array.from(b),
    })),
  };
}

/**
 * A saved network's layers, flattened, after checking what an exporter
 * relies on: the format, every layer's shape and every weight finite.
 * loadNetwork checks the rest (loss pairing, option keys) when it is read back.
 */
export function denseLayers(where: string, json: NetworkJSON): { inputs: number; dtype: DType; layers: DenseLayer[] } {
  if (typeof json !== 'object' || json === null || json.format !== 'wasmlp-network') {
    throw new Error(`${where}: expected a saved wasmlp network (toJSON()'s object), got ${describeValue(json)}`);
  }
  const { inputs, dtype } = json;
  if (!Number.isSafeInteger(inputs) || inputs <= 0)
    throw new Error(`${where}: inputs must be a positive integer, got ${describeValue(inputs)}`);
  if (dtype !== 'float32' && dtype !== 'float64')
    throw new Error(`${where}: dtype must be 'float32' or 'float64', got ${describeValue(dtype)}`);
  // Dropout entries go with the dense layer before them: the weights are the dense layers'.
  const entries: readonly unknown[] = Array.isArray(json.layers) ? json.layers : [];
  const rates = new Map<number, number>();
  const given = entries.filter((entry, i) => {
    if (!isDropoutEntry(entry)) return true;
    rates.set(i - rates.size - 1, (entry as { dropout: number }).dropout);
    return false;
  }) as NetworkJSON['layers'];
  if (!Array.isArray(json.layers) || given.length === 0 || !Array.isArray(json.weights) || json.weights.length !== given.length) {
    throw new Error(
      `${where}: expected as many weights as layers (at least one), got ${describeValue(json.layers)} and ${describeValue(json.weights)}`,
    );
  }
  let fanIn = inputs;
  const layers = given.map(({ units, activation, alpha }, l): DenseLayer => {
    if (!Number.isSafeInteger(units) || units <= 0)
      throw new Error(`${where}: layers[${l}].units must be a positive integer, got ${describeValue(units)}`);
    const { W, b } = json.weights[l] ?? {};
    const name = `${where}: weights[${l}]`;
    if (!Array.isArray(W) || W.length !== fanIn) throw new Error(`${name}.W must have ${fanIn} rows, got ${describeValue(W)}`);
    const flat = new Float64Array(fanIn * units);
    W.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== units)
        throw new Error(`${name}.W[${r}] must have ${units} values, got ${describeValue(row)}`);
      row.forEach((v, c) => {
        flat[r * units + c] = finite(`${name}.W[${r}][${c}]`, v);
      });
    });
    if (!Array.isArray(b) || b.length !== units) throw new Error(`${name}.b must have ${units} values, got ${describeValue(b)}`);
    const bias = Float64Array.from(b, (v, c) => finite(`${name}.b[${c}]`, v));
    const layer: DenseLayer = { inputs: fanIn, units, activation, W: flat, b: bias };
    if (activation === 'leakyRelu') layer.alpha = alpha ?? DEFAULT_LEAKY_RELU_ALPHA;
    if (rates.has(l)) layer.dropout = rates.get(l);
    fanIn = units;
    return layer;
  });
  return { inputs, dtype, layers };
}

function finite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`${name} must be a finite number, got ${describeValue(value)}`);
  return value;
}

/**
 * A standardisation of the inputs before the first layer: each feature
 * minus its mean, over its standard deviation, as the command line's
 * `--standardize` applies it.
 */
export interface Normalization {
  /** Each feature's mean: subtracted first. */
  mean: readonly number[];
  /** Each feature's standard deviation (positive): divided by next. */
  std: readonly number[];
}

/**
 * The saved network's own normalisation as the writers take it (the
 * deviation Keras's way, floored), or undefined when it has none. A
 * `normalization` option beside one is refused: the two would apply twice.
 */
export function ownNormalization(where: string, json: NetworkJSON, option: unknown): Normalization | undefined {
  const own = json.normalization;
  if (own === undefined) return undefined;
  if (option !== undefined)
    throw new Error(`${where}: the network normalises its inputs itself; a normalization option would apply a second one`);
  return { mean: own.mean, std: own.variance.map(deviation) };
}

/** The option checked against the network's inputs: finite means, positive finite deviations. */
export function checkNormalization(where: string, normalization: unknown, inputs: number): Normalization {
  const n = normalization as Partial<Normalization> | null;
  const list = (key: 'mean' | 'std'): number[] => {
    const values = typeof n === 'object' && n !== null ? n[key] : undefined;
    if (!Array.isArray(values) || values.length !== inputs)
      throw new Error(`${where}: normalization.${key} must be ${inputs} numbers (one per input), got ${describeValue(values)}`);
    values.forEach((v, i) => {
      const ok = typeof v === 'number' && Number.isFinite(v) && (key === 'mean' || v > 0);
      if (!ok)
        throw new Error(
          `${where}: normalization.${key}[${i}] must be a ${key === 'mean' ? 'finite number' : 'finite number > 0'}, got ${describeValue(v)}`,
        );
    });
    return values;
  };
  return { mean: list('mean'), std: list('std') };
}

/**
 * The first layer with the normalization folded in, so that it takes raw
 * inputs: W'[r] = W[r] / std[r] and b' = b - sum over r of mean[r] W'[r],
 * in float64. The same function of the inputs as normalising then applying
 * the layer, up to rounding: in float64 a few ulps of the pre-activation
 * (more where the bias cancels most of the mean's terms), and once cast to
 * float32, float32's rounding of the new weights.
 */
export function foldNormalization(layer: DenseLayer, { mean, std }: Normalization): DenseLayer {
  const { inputs, units } = layer;
  const W = new Float64Array(layer.W.length);
  const b = Float64Array.from(layer.b);
  for (let r = 0; r < inputs; r++) {
    for (let c = 0; c < units; c++) {
      W[r * units + c] = layer.W[r * units + c] / std[r];
      b[c] -= mean[r] * W[r * units + c];
    }
  }
  return { ...layer, W, b };
}
