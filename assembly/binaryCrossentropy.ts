/**
 * Binary cross-entropy on sigmoid outputs, the fused gradient w.r.t. the
 * logits, and binary accuracy. The loss and its gradient are computed in f64
 * for both dtypes (f32 values are promoted first), as js.ts computes them.
 */
import { scaledDifference } from './difference';
import { oneF64x2 } from './exp';
import { logF64 } from './log';

/** The seed notebook's log guard (BCE_EPSILON in backend.ts). */
const EPSILON: f64 = 1e-9;
/** A running product below 2^-512 is multiplied by 2^512 (BCE_TINY, BCE_RESCALE and BCE_LOG_RESCALE in backend.ts). */
const TINY: f64 = reinterpret<f64>(0x1ff0000000000000);
const RESCALE: f64 = reinterpret<f64>(0x5ff0000000000000);
/** log(2^512), the double nearest 512 ln2. */
const LOG_RESCALE: f64 = 354.891356446692;
/** EPSILON on both lanes, loaded (a splat may be rebuilt in the loop: exp.ts's "Speed"). */
const EPSILON_F64X2: usize = memory.data<f64>([EPSILON, EPSILON], 16);

/**
 * mean over n of -(y log(a + eps) + (1 - y) log(1 - a + eps)).
 *
 * A 0/1 label keeps one term, the log of a + eps (y = 1) or of 1 - a + eps
 * (y = 0). Those factors are multiplied in order from the first into one
 * product, whose log is taken once at the end: a log for each term was most
 * of the loss's time. For a in [0, 1] a factor is at least eps (about
 * 2^-30), so the product, multiplied by 2^512 whenever it falls below
 * 2^-512, stays a normal double; each rescaling takes 512 ln2 off the log.
 * Each multiply rounds by at most half an ulp, so the log of the product
 * is within n 2^-53 of the sum of the logs, and the mean within 1.2e-16 of
 * theirs (plus the logs' own ulps), for any n.
 *
 * Soft labels take both logs, summed in a second pass; a negative factor (a
 * outside [0, 1]) makes the loss NaN, as its log would. js.ts does the same
 * operations in the same order, and log.ts's log is fdlibm's, as Math.log,
 * so the two backends give the same bits. Factors are formed two at a time
 * on two lanes; the product itself is one chain, in element order.
 */
// @ts-ignore: decorator
@kernel
export function binaryCrossentropy<T>(n: i32, a: usize, y: usize): f64 {
  const S = <usize>sizeof<T>();
  let product: f64 = 1, rescaled = 0;
  // Lanes set where a factor is negative (the log would be NaN) or the label soft (1 in the product).
  let negative = v128.splat<i32>(0), soft = v128.splat<i32>(0);
  const end = <usize>n * S;
  const pairs = end & ~(2 * S - 1);
  const one = oneF64x2(), zero = v128.splat<i64>(0), eps = v128.load(EPSILON_F64X2);
  let at: usize = 0;
  for (; at < pairs; at += 2 * S) {
    const ai = pairF64<T>(a + at), yi = pairF64<T>(y + at);
    const isOne = f64x2.eq(yi, one), hard = v128.or(isOne, f64x2.eq(yi, zero));
    const x = v128.bitselect(v128.bitselect(f64x2.add(ai, eps), f64x2.add(f64x2.sub(one, ai), eps), isOne), one, hard);
    soft = v128.or(soft, v128.not(hard));
    negative = v128.or(negative, f64x2.lt(x, zero));
    product *= f64x2.extract_lane(x, 0);
    if (product < TINY) {
      product *= RESCALE;
      rescaled++;
    }
    product *= f64x2.extract_lane(x, 1);
    if (product < TINY) {
      product *= RESCALE;
      rescaled++;
    }
  }
  let anySoft = v128.any_true(soft), anyNegative = v128.any_true(negative);
  if (at < end) {
    const ai = <f64>load<T>(a + at), yi = <f64>load<T>(y + at);
    if (yi == 0 || yi == 1) {
      const x = yi == 1 ? ai + EPSILON : 1 - ai + EPSILON;
      anyNegative |= x < 0;
      product *= x;
    } else anySoft = true;
    if (product < TINY) {
      product *= RESCALE;
      rescaled++;
    }
  }
  if (anyNegative) return NaN;
  let softSum: f64 = 0;
  if (anySoft) {
    for (let at: usize = 0; at < end; at += S) {
      const ai = <f64>load<T>(a + at), yi = <f64>load<T>(y + at);
      if (yi != 0 && yi != 1) softSum += yi * logF64(ai + EPSILON) + (1 - yi) * logF64(1 - ai + EPSILON);
    }
  }
  return -(logF64(product) - <f64>rescaled * LOG_RESCALE + softSum) / <f64>n;
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
