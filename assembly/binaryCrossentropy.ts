/**
 * Binary cross-entropy on sigmoid outputs, the fused gradient w.r.t. the
 * logits, and binary accuracy. The loss and its gradient are computed in f64
 * for both dtypes (f32 values are promoted first), as js.ts computes them.
 */
import { scaledDifference } from './difference';

/** The seed notebook's log guard (BCE_EPSILON in backend.ts). */
const EPSILON: f64 = 1e-9;

/** mean over n of -(y log(a + eps) + (1 - y) log(1 - a + eps)). */
// @ts-ignore: decorator
@kernel
export function binaryCrossentropy<T>(n: i32, a: usize, y: usize): f64 {
  const S = <usize>sizeof<T>();
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const at = <usize>i * S;
    const ai = <f64>load<T>(a + at);
    const yi = <f64>load<T>(y + at);
    // A 0/1 label zeroes one term: 0 * (a finite log) is ±0 and x + ±0 is x, so
    // skipping that log (half the work, logs being most of it) changes no bit.
    // (A select, not a branch on the label: labels of a shuffled set are coin flips.)
    if (yi == 0 || yi == 1) sum += Math.log(select<f64>(ai + EPSILON, 1 - ai + EPSILON, yi == 1));
    else sum += yi * Math.log(ai + EPSILON) + (1 - yi) * Math.log(1 - ai + EPSILON);
  }
  return -sum / <f64>n;
}

/**
 * grad = (a - y) / n: the loss's gradient through the sigmoid, whose
 * a * (1 - a) cancels the loss's denominators. A divide, not a multiply by
 * 1/n, and like the loss computed in f64 for both dtypes, rounded once at
 * the store: results equal js.ts's bit for bit (and NumPy's, in f64).
 * (In f32, a - 1 itself would round for a < 0.5, then the quotient again.)
 */
// @ts-ignore: decorator
@kernel
export function binaryCrossentropySigmoidBackward<T>(n: i32, a: usize, y: usize, grad: usize): void {
  scaledDifference<T>(n, a, y, <f64>n, grad);
}

/** Fraction of the n elements where (a > 0.5 ? 1 : 0) equals y. */
// @ts-ignore: decorator
@kernel
export function binaryAccuracy<T>(n: i32, a: usize, y: usize): f64 {
  const S = <usize>sizeof<T>();
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const at = <usize>i * S;
    const predicted: T = load<T>(a + at) > <T>0.5 ? <T>1 : <T>0;
    if (predicted == load<T>(y + at)) hits++;
  }
  return <f64>hits / <f64>n;
}
