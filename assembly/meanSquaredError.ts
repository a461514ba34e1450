/**
 * Mean squared error over every element (Keras: the mean over the last axis,
 * then over the batch, which for equal rows is the mean over all), and its
 * gradient w.r.t. the outputs a; the output activation's own backward step
 * then makes it a gradient w.r.t. the logits. Both in f64 for both dtypes,
 * as js.ts.
 */
import { scaledDifference } from './difference';

/** mean over n of (a - y)², summed in order. */
// @ts-ignore: decorator
@kernel
export function meanSquaredError<T>(n: i32, a: usize, y: usize): f64 {
  const S = <usize>sizeof<T>();
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const at = <usize>i * S;
    const d = <f64>load<T>(a + at) - <f64>load<T>(y + at);
    sum += d * d;
  }
  return sum / <f64>n;
}

/** grad = dL/da = 2 (a - y) / n, computed as (a - y) / (n / 2): the same number (see difference.ts). */
// @ts-ignore: decorator
@kernel
export function meanSquaredErrorBackward<T>(n: i32, a: usize, y: usize, grad: usize): void {
  scaledDifference<T>(n, a, y, <f64>n / 2, grad);
}
