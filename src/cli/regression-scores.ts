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
import { TargetMoments } from './target-scaling.js';

export interface RegressionScores {
  mae: number;
  rmse: number;
  r2: number;
}

export class RegressionScoring {
  private absolute = 0;
  private squared = 0;
  private readonly residuals: Float64Array;
  /** The targets' sums of squared deviations about their means, R²'s denominators. */
  private readonly targets: TargetMoments;

  constructor(private readonly outputs: number) {
    this.residuals = new Float64Array(outputs);
    this.targets = new TargetMoments(outputs);
  }

  /** `rows` rows of predictions and targets, each row-major, `outputs` wide. */
  add(predicted: ArrayLike<number>, actual: ArrayLike<number>, rows: number): void {
    const { outputs } = this;
    this.targets.add(actual, rows);
    for (let i = 0; i < rows * outputs; i++) {
      const error = actual[i] - predicted[i];
      this.absolute += Math.abs(error);
      this.squared += error * error;
      this.residuals[i % outputs] += error * error;
    }
  }

  /** The scores; an output whose targets are all equal scores R² 1 if predicted exactly, else 0 (as scikit-learn). */
  scores(): RegressionScores {
    const elements = this.targets.rows * this.outputs;
    let r2 = 0;
    for (let k = 0; k < this.outputs; k++) {
      const total = this.targets.squares[k];
      r2 += total > 0 ? 1 - this.residuals[k] / total : this.residuals[k] === 0 ? 1 : 0;
    }
    return { mae: this.absolute / elements, rmse: Math.sqrt(this.squared / elements), r2: r2 / this.outputs };
  }
}
