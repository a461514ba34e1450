/**
 * The inputs' normalisation, as Keras's Normalization layer: each feature
 * minus its mean, over its standard deviation, `(x - mean) /
 * max(sqrt(variance), 1e-7)`, before the first layer. The mean and the
 * deviation are rounded to the network's dtype, and each step is rounded to
 * it too, so that the result is the one an ONNX runtime computes with the
 * exported `Sub` and `Div` nodes, bit for bit.
 */
import type { DType, FloatArray } from './backend/backend.js';
import { checkKeys } from './checks.js';
import { checkVector } from './data.js';

/** Per-feature statistics, as `createNetwork`'s `normalization` takes them and `toJSON()` saves them. */
export interface NormalizationConfig {
  /** Each feature's mean. */
  mean: number[];
  /** Each feature's variance (at least 0). */
  variance: number[];
}

/** Keras's floor for the deviation (backend.epsilon()): a constant feature is centred, not divided by 0. */
export const NORMALIZATION_EPSILON = 1e-7;

/** A checked normalisation: the statistics as given, and the mean and deviation in the network's dtype. */
export interface Normalizer {
  readonly config: Readonly<NormalizationConfig>;
  readonly mean: FloatArray;
  readonly std: FloatArray;
}

/** The deviation a variance divides by, in double: what `std` holds, before rounding to the dtype. */
export function deviation(variance: number): number {
  return Math.max(Math.sqrt(variance), NORMALIZATION_EPSILON);
}

/**
 * The statistics whose deviations are exactly `std` (variance std², whose
 * square root is std again), or undefined where no variance gives one: a
 * std below the floor, or one whose square overflows.
 */
export function withDeviations(mean: readonly number[], std: readonly number[]): NormalizationConfig | undefined {
  const variance = std.map((s) => s * s);
  return std.every((s, i) => deviation(variance[i]) === s) ? { mean: [...mean], variance } : undefined;
}

/**
 * Checks `{ mean, variance }` against a network of `inputs` features and
 * `dtype`, each value read once: one finite mean and one variance >= 0 per
 * feature, each within the dtype's range.
 */
export function checkNormalization(where: string, given: unknown, inputs: number, dtype: DType): Normalizer {
  const name = `${where}: normalization`;
  checkKeys(name, given, ['mean', 'variance']);
  const read = (key: 'mean' | 'variance'): number[] => {
    const values = new Float64Array(inputs);
    checkVector(`${name}.${key}`, (given as Record<string, unknown>)[key], dtype, inputs).copyInto(values);
    return Array.from(values);
  };
  const mean = read('mean');
  const variance = read('variance');
  const negative = variance.findIndex((v) => v < 0);
  if (negative >= 0) throw new Error(`${name}.variance[${negative}] is ${variance[negative]}: a variance is at least 0`);
  return normalizer({ mean, variance }, dtype);
}

/** The normalizer of statistics already checked (or computed by adapt, whose values the dtype holds), in `dtype`. */
export function normalizer(config: NormalizationConfig, dtype: DType): Normalizer {
  const typed = (values: number[]): FloatArray => (dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values));
  return {
    config: Object.freeze({ mean: [...config.mean], variance: [...config.variance] }),
    mean: typed(config.mean),
    std: typed(config.variance.map(deviation)),
  };
}

/**
 * Normalises `rows` rows of `cols` features in place, rounding each step to
 * `values`' dtype (a float32 step is exact in double, then rounded once).
 * A value the division takes beyond the dtype's range is an Error naming it.
 */
export function normalizeRows(name: string, values: FloatArray, cols: number, by: Normalizer): void {
  const { mean, std } = by;
  const round = values instanceof Float32Array ? Math.fround : (v: number) => v;
  for (let i = 0; i < values.length; i++) {
    const c = i % cols;
    const x = values[i];
    values[i] = round(x - mean[c]) / std[c];
    if (!Number.isFinite(values[i]))
      throw new Error(
        `${name}[${Math.floor(i / cols)}][${c}] is ${x}: normalised (mean ${mean[c]}, deviation ${std[c]}) it overflows`,
      );
  }
}

/**
 * Each feature's mean and variance over `rows` rows (Keras's adapt): two
 * passes in float64, the variance the population's (divided by rows).
 */
export function adaptStatistics(values: FloatArray, rows: number, cols: number): NormalizationConfig {
  const mean = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows * cols; i++) mean[i % cols] += values[i];
  for (let c = 0; c < cols; c++) mean[c] /= rows;
  const variance = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows * cols; i++) {
    const d = values[i] - mean[i % cols];
    variance[i % cols] += d * d;
  }
  for (let c = 0; c < cols; c++) variance[c] /= rows;
  return { mean, variance };
}
