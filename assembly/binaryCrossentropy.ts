/**
 * Binary cross-entropy on sigmoid outputs, the fused gradient w.r.t. the
 * logits, and binary accuracy. The loss and its gradient are computed in f64
 * for both dtypes (f32 values are promoted first), as js.ts computes them.
 */
import { scaledDifference } from './difference';
import { oneF64x2 } from './exp';
import { logF64, logPairF64x2 } from './log';

/** The seed notebook's log guard (BCE_EPSILON in backend.ts). */
const EPSILON: f64 = 1e-9;
/** EPSILON on both lanes, loaded (a splat may be rebuilt in the loop: exp.ts's "Speed"). */
const EPSILON_F64X2: usize = memory.data<f64>([EPSILON, EPSILON], 16);

/**
 * mean over n of -(y log(a + eps) + (1 - y) log(1 - a + eps)), the terms
 * added in order from the first. Two elements at a time take one two-lane
 * log (log.ts: fdlibm's bits, as Math.log in js.ts, so the loss equals
 * js.ts's bit for bit); a pair with a label other than 0 or 1, or an odd
 * last element, takes the same log one value at a time.
 */
// @ts-ignore: decorator
@kernel
export function binaryCrossentropy<T>(n: i32, a: usize, y: usize): f64 {
  const S = <usize>sizeof<T>();
  const one = oneF64x2(), zero = v128.splat<i64>(0), eps = v128.load(EPSILON_F64X2);
  let sum: f64 = 0;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i * S;
    const ai = pairF64<T>(a + at), yi = pairF64<T>(y + at);
    const isOne = f64x2.eq(yi, one);
    if (!v128.all_true<i64>(v128.or(isOne, f64x2.eq(yi, zero)))) {
      sum += term(f64x2.extract_lane(ai, 0), f64x2.extract_lane(yi, 0));
      sum += term(f64x2.extract_lane(ai, 1), f64x2.extract_lane(yi, 1));
      continue;
    }
    // A 0/1 label zeroes one term: 0 * (a finite log) is ±0 and x + ±0 is x,
    // so only the other log is taken (logs being most of the work). A select,
    // not a branch on the label: labels of a shuffled set are coin flips.
    const logs = logPairF64x2(v128.bitselect(f64x2.add(ai, eps), f64x2.add(f64x2.sub(one, ai), eps), isOne));
    sum += f64x2.extract_lane(logs, 0);
    sum += f64x2.extract_lane(logs, 1);
  }
  if (i < n) sum += term(<f64>load<T>(a + <usize>i * S), <f64>load<T>(y + <usize>i * S));
  return -sum / <f64>n;
}

/** One element's y log(a + eps) + (1 - y) log(1 - a + eps), one log for a 0/1 label. */
function term(a: f64, y: f64): f64 {
  if (y == 0 || y == 1) return logF64(y == 1 ? a + EPSILON : 1 - a + EPSILON);
  return y * logF64(a + EPSILON) + (1 - y) * logF64(1 - a + EPSILON);
}

/** Two elements at p as f64 lanes (f32 ones promoted, exactly). */
// @ts-ignore: decorator
@inline function pairF64<T>(p: usize): v128 {
  return sizeof<T>() == 4 ? f64x2.promote_low_f32x4(v128.load64_zero(p)) : v128.load(p);
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

/**
 * Fraction of the n elements where (a > 0.5 ? 1 : 0) equals y. Whole
 * vectors count without a branch: early in training, when the predictions
 * are coin flips, a branch on each would be mispredicted half the time.
 */
// @ts-ignore: decorator
@kernel
export function binaryAccuracy<T>(n: i32, a: usize, y: usize): f64 {
  const S = <usize>sizeof<T>();
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  const half = v128.splat<T>(<T>0.5), one = v128.splat<T>(1);
  // Each lane counts down by one per hit (a true comparison is all ones, -1).
  let misses = v128.splat<i32>(0);
  for (let at: usize = 0; at < vecBytes; at += 16) {
    const predicted = v128.and(v128.gt<T>(v128.load(a + at), half), one);
    const hit = v128.eq<T>(predicted, v128.load(y + at));
    misses = sizeof<T>() == 4 ? i32x4.add(misses, hit) : i64x2.add(misses, hit);
  }
  let hits: i64 = sizeof<T>() == 4
    ? -<i64>(i32x4.extract_lane(misses, 0) + i32x4.extract_lane(misses, 1) + i32x4.extract_lane(misses, 2) +
      i32x4.extract_lane(misses, 3))
    : -(i64x2.extract_lane(misses, 0) + i64x2.extract_lane(misses, 1));
  for (let at = vecBytes; at < bytes; at += S) {
    const predicted: T = load<T>(a + at) > <T>0.5 ? <T>1 : <T>0;
    if (predicted == load<T>(y + at)) hits++;
  }
  return <f64>hits / <f64>n;
}
