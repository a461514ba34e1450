/**
 * Binary cross-entropy on sigmoid outputs, the fused gradient w.r.t. the
 * logits, and binary accuracy. The loss and its gradient are computed in f64
 * for both dtypes (f32 values are promoted first), as js.ts computes them.
 */

/** The seed notebook's log guard (BCE_EPSILON in backend.ts). */
const EPSILON: f64 = 1e-9;

/** mean over n of -(y log(a + eps) + (1 - y) log(1 - a + eps)). */
export function binaryCrossentropy<T>(n: i32, a: usize, y: usize): f64 {
  const S = <usize>sizeof<T>();
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const at = <usize>i * S;
    const ai = <f64>load<T>(a + at);
    const yi = <f64>load<T>(y + at);
    sum += yi * Math.log(ai + EPSILON) + (1 - yi) * Math.log(1 - ai + EPSILON);
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
export function binaryCrossentropySigmoidBackward<T>(n: i32, a: usize, y: usize, grad: usize): void {
  const S = <usize>sizeof<T>();
  const count = <f64>n;
  const vn = f64x2.splat(count);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    const av = v128.load(a + at), yv = v128.load(y + at);
    if (sizeof<T>() == 8) {
      v128.store(grad + at, f64x2.div(f64x2.sub(av, yv), vn));
    } else {
      // Two f64x2 halves of the four f32 lanes, joined again after demotion.
      const lo = f64x2.div(f64x2.sub(f64x2.promote_low_f32x4(av), f64x2.promote_low_f32x4(yv)), vn);
      const ah = v128.shuffle<f32>(av, av, 2, 3, 2, 3), yh = v128.shuffle<f32>(yv, yv, 2, 3, 2, 3);
      const hi = f64x2.div(f64x2.sub(f64x2.promote_low_f32x4(ah), f64x2.promote_low_f32x4(yh)), vn);
      v128.store(grad + at, v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
    }
  }
  for (; at < bytes; at += S) {
    store<T>(grad + at, <T>((<f64>load<T>(a + at) - <f64>load<T>(y + at)) / count));
  }
}

/** Fraction of the n elements where (a > 0.5 ? 1 : 0) equals y. */
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
