/**
 * A regression's targets scaled inside the model: `train` fits the network
 * to (y - mean) / std, each target column's mean and population standard
 * deviation measured on the training rows, then folds the inverse map
 * y = mean + std · output into the output layer (its kernel's column k
 * times std[k], its bias k times std[k] plus mean[k]). The saved network so
 * predicts in the target's own units wherever it runs: predict, evaluate,
 * and the ONNX and TensorFlow.js exports, which carry the layer as it is.
 */
import type { Network } from '../index.js';
import { isConstant, measureColumns } from './standardize.js';

export interface TargetScaling {
  mean: number[];
  /** Never 0: a constant column gets 1. */
  std: number[];
}

/** Each of the `cols` columns' statistics over the rows `rows` of row-major `data` (every row if undefined). */
export function measureTargets(data: ArrayLike<number>, cols: number, rows?: ArrayLike<number>): TargetScaling {
  const count = data.length / cols;
  const columns = Array.from({ length: cols }, (_, k) => ({ length: count, get: (r: number) => data[r * cols + k] }));
  return measureColumns(columns, rows ?? Int32Array.from({ length: count }, (_, r) => r));
}

/** `data` (row-major, `scaling.mean.length` wide) scaled to mean 0, std 1, in place. */
export function scaleTargets<T extends Float32Array | Float64Array>(data: T, scaling: TargetScaling): T {
  const cols = scaling.mean.length;
  for (let i = 0; i < data.length; i++) data[i] = (data[i] - scaling.mean[i % cols]) / scaling.std[i % cols];
  return data;
}

/** Folds y = mean + std · output into the network's output layer, so that it predicts in the targets' units. */
export function foldTargetScaling(net: Network, scaling: TargetScaling): void {
  const weights = net.getWeights();
  const last = weights[weights.length - 1];
  last.W = last.W.map((row) => row.map((w, k) => w * scaling.std[k]));
  last.b = last.b.map((b, k) => b * scaling.std[k] + scaling.mean[k]);
  net.setWeights(weights);
}

/**
 * The statistics of targets met a batch at a time (a streamed file's, and
 * those evaluate scores R² against): each column's mean and sum of squared
 * deviations, merged per value (Welford), in float64, with
 * measureColumns's rule for a constant column.
 */
export class TargetMoments {
  private readonly mean: Float64Array;
  /** Each column's sum of squared deviations from its mean (R²'s denominator, regression-scores.ts). */
  readonly squares: Float64Array;
  private count = 0;

  constructor(private readonly cols: number) {
    this.mean = new Float64Array(cols);
    this.squares = new Float64Array(cols);
  }

  /** The rows added so far. */
  get rows(): number {
    return this.count;
  }

  add(data: ArrayLike<number>, rows: number): void {
    for (let r = 0; r < rows; r++) {
      this.count++;
      for (let k = 0; k < this.cols; k++) {
        const value = data[r * this.cols + k];
        const delta = value - this.mean[k];
        this.mean[k] += delta / this.count;
        this.squares[k] += delta * (value - this.mean[k]);
      }
    }
  }

  scaling(): TargetScaling {
    const n = this.count;
    const mean = Array.from(this.mean);
    const std = mean.map((m, k) => {
      const variance = this.squares[k] / n;
      return isConstant(variance, m, n) ? 1 : Math.sqrt(variance) || 1;
    });
    return { mean, std };
  }
}

/** A dataset whose batches' targets are scaled as `scaling` says, each pass the inner dataset's next. */
export function scaledTargets<B extends { y: { data: Float32Array } }>(
  inner: AsyncIterable<B>,
  scaling: TargetScaling,
): AsyncIterable<B> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const batch of inner) {
        scaleTargets(batch.y.data, scaling);
        yield batch;
      }
    },
  };
}
