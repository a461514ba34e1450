/**
 * Standardisation (z-scores), as scikit-learn's StandardScaler: each feature
 * minus its mean, over its population standard deviation, both measured on
 * the training rows only (validation rows must not leak into them). The
 * statistics are saved with the model so predict and evaluate transform new
 * rows exactly as training did.
 */
export interface Standardization {
  mean: number[];
  /** Never 0: a constant column gets 1, so it maps to 0 instead of NaN. */
  std: number[];
}

export function measureStandardization(rows: readonly number[][]): Standardization {
  const cols = rows[0].length;
  const mean = new Array<number>(cols).fill(0);
  const std = new Array<number>(cols).fill(0);
  for (const row of rows) for (let c = 0; c < cols; c++) mean[c] += row[c];
  for (let c = 0; c < cols; c++) mean[c] /= rows.length;
  for (const row of rows) for (let c = 0; c < cols; c++) std[c] += (row[c] - mean[c]) ** 2;
  for (let c = 0; c < cols; c++) std[c] = Math.sqrt(std[c] / rows.length) || 1;
  return { mean, std };
}

/** New rows, standardised; `stats` undefined returns the rows as they are. */
export function standardize(rows: readonly number[][], stats: Standardization | undefined): number[][] {
  if (!stats) return rows as number[][];
  return rows.map((row) => row.map((v, c) => (v - stats.mean[c]) / stats.std[c]));
}
