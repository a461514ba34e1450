/**
 * What `evaluate` reports for a regression besides the loss: the mean
 * absolute error and the root mean squared error over every output, and R²
 * (1 - Σ(y - ŷ)² / Σ(y - ȳ)², each output's averaged, as scikit-learn's
 * r2_score), in the targets' units. Fed a block of rows at a time, in
 * float64, so a streamed file scores as one read whole. Not the library's
 * MetricState: a model file or an ONNX model carries its own metrics, or
 * none, and this report follows scikit-learn (RMSE; a constant target
 * predicted exactly scores R² 1) where the library follows Keras.
 */
export interface RegressionScores {
  mae: number;
  rmse: number;
  r2: number;
}

export class RegressionScoring {
  private rows = 0;
  private absolute = 0;
  private squared = 0;
  private readonly residuals: Float64Array;
  /** Each output's running mean of the targets and sum of squared deviations about it (Welford). */
  private readonly mean: Float64Array;
  private readonly spread: Float64Array;

  constructor(private readonly outputs: number) {
    this.residuals = new Float64Array(outputs);
    this.mean = new Float64Array(outputs);
    this.spread = new Float64Array(outputs);
  }

  /** `rows` rows of predictions and targets, each row-major, `outputs` wide. */
  add(predicted: ArrayLike<number>, actual: ArrayLike<number>, rows: number): void {
    const { outputs } = this;
    for (let r = 0; r < rows; r++) {
      this.rows++;
      for (let k = 0; k < outputs; k++) {
        const y = actual[r * outputs + k];
        const error = y - predicted[r * outputs + k];
        this.absolute += Math.abs(error);
        this.squared += error * error;
        this.residuals[k] += error * error;
        const delta = y - this.mean[k];
        this.mean[k] += delta / this.rows;
        this.spread[k] += delta * (y - this.mean[k]);
      }
    }
  }

  /** The scores; an output whose targets are all equal scores R² 1 if predicted exactly, else 0 (as scikit-learn). */
  scores(): RegressionScores {
    const elements = this.rows * this.outputs;
    let r2 = 0;
    for (let k = 0; k < this.outputs; k++) {
      const total = this.spread[k];
      r2 += total > 0 ? 1 - this.residuals[k] / total : this.residuals[k] === 0 ? 1 : 0;
    }
    return { mae: this.absolute / elements, rmse: Math.sqrt(this.squared / elements), r2: r2 / this.outputs };
  }
}
