/**
 * Standardisation (z-scores), as scikit-learn's StandardScaler: each feature
 * minus its mean, over its population standard deviation, both measured on
 * the training rows only (validation rows must not leak into them). The
 * statistics are saved with the model so predict and evaluate transform new
 * rows exactly as training did.
 */
import type { NormalizationConfig } from '../index.js';
import { withDeviations } from '../normalization.js';
import type { Numbers } from './growable.js';

export interface Standardization {
  mean: number[];
  /** Never 0: a constant column gets 1, so it maps to 0 instead of NaN (or noise blown up). */
  std: number[];
}

/** The statistics of rows of numbers (each row the same width), as the library's users hold data. */
export function measureStandardization(rows: readonly (readonly number[])[]): Standardization {
  const columns = rows[0].map((_, c): Numbers => ({ length: rows.length, get: (r) => rows[r][c] }));
  return measureColumns(columns, Int32Array.from(rows.keys()));
}

/** Rows of numbers standardised with `stats`; `stats` undefined returns the rows as they are. */
export function standardize(rows: readonly number[][], stats: Standardization | undefined): number[][] {
  if (!stats) return rows as number[][];
  return rows.map((row) => row.map((v, c) => (v - stats.mean[c]) / stats.std[c]));
}

/** The statistics of each column (the command line's, read from a CSV), over the rows `rows` (the training rows' indices) only. */
export function measureColumns(columns: readonly Numbers[], rows: ArrayLike<number>): Standardization {
  const mean: number[] = [];
  const std: number[] = [];
  for (const values of columns) {
    const column = measureColumn(values, rows);
    mean.push(column.mean);
    std.push(column.std);
  }
  return { mean, std };
}

/**
 * One column's mean and std, measured on the values over a power of two near
 * their largest magnitude: sums of values near 1e154 or more overflow (the
 * squares first), and squares of values near 1e-162 or less underflow to 0.
 * Dividing and multiplying by a power of two is exact, so columns of
 * ordinary numbers get the same bits as without it.
 */
function measureColumn(values: Numbers, rows: ArrayLike<number>): { mean: number; std: number } {
  const n = rows.length;
  let largest = 0;
  for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(values.get(rows[i])));
  if (largest === 0) return { mean: 0, std: 1 };
  // At most 2^1023 (log2 of the largest doubles rounds to 1024); the scaled values are below 2, or a hair above.
  const scale = 2 ** Math.min(Math.floor(Math.log2(largest)), 1023);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values.get(rows[i]) / scale;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values.get(rows[i]) / scale - mean) ** 2;
  const variance = squares / n;
  // A std of 0 here is one of subnormal values (below 1e-308) that underflowed: as constant, too.
  return { mean: mean * scale, std: isConstant(variance, mean, n) ? 1 : Math.sqrt(variance) * scale || 1 };
}

/**
 * A column is constant if its variance is within the rounding error of
 * computing it: a column of 0.1s has a mean a bit off 0.1, so a variance of
 * about 1e-34, not 0, and would be blown up from noise to unit size.
 * scikit-learn's test (sklearn/preprocessing/_data.py, _is_constant_feature:
 * the bound on the two-pass algorithm's error, Chan, Golub and LeVeque),
 * which StandardScaler uses to give such a column scale 1.
 */
export function isConstant(variance: number, mean: number, n: number): boolean {
  const eps = Number.EPSILON;
  return variance <= n * eps * variance + (n * mean * eps) ** 2;
}

/**
 * The statistics as the network's own normalisation (variance = std², whose
 * square root is std again), or undefined where the network could not apply
 * the very same deviations: a std below the network's floor of 1e-7, or one
 * whose square, or a mean or a value of `columns`, float32 cannot hold. The
 * command line then standardises those inputs itself, before the network.
 */
export function networkNormalization(stats: Standardization, columns?: readonly Numbers[]): NormalizationConfig | undefined {
  const inFloat32 = (v: number): boolean => Number.isFinite(Math.fround(v));
  const normalization = withDeviations(stats.mean, stats.std);
  if (!normalization?.variance.every(inFloat32) || !stats.mean.every(inFloat32)) return undefined;
  for (const column of columns ?? []) {
    for (let r = 0; r < column.length; r++) if (!inFloat32(column.get(r))) return undefined;
  }
  return normalization;
}
