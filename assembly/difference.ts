/**
 * grad = (a - y) / divisor, elementwise: the shape of every output gradient
 * here (binary and categorical cross-entropy fused with their activations,
 * divisor n or rows; mean squared error's 2 (a - y) / n as (a - y) / (n / 2),
 * the same correctly rounded number since halving n and doubling a - y are
 * exact).
 *
 * Computed in f64 for both dtypes (f32 values promoted first), a divide and
 * not a multiply by 1/divisor, rounded once at the store: bit-equal to js.ts.
 */
export function scaledDifference<T>(n: i32, a: usize, y: usize, divisor: f64, grad: usize): void {
  const S = <usize>sizeof<T>();
  const vd = f64x2.splat(divisor);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    const av = v128.load(a + at), yv = v128.load(y + at);
    if (sizeof<T>() == 8) {
      v128.store(grad + at, f64x2.div(f64x2.sub(av, yv), vd));
    } else {
      // Two f64x2 halves of the four f32 lanes, joined again after demotion.
      const lo = f64x2.div(f64x2.sub(f64x2.promote_low_f32x4(av), f64x2.promote_low_f32x4(yv)), vd);
      const ah = v128.shuffle<f32>(av, av, 2, 3, 2, 3), yh = v128.shuffle<f32>(yv, yv, 2, 3, 2, 3);
      const hi = f64x2.div(f64x2.sub(f64x2.promote_low_f32x4(ah), f64x2.promote_low_f32x4(yh)), vd);
      v128.store(grad + at, v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
    }
  }
  for (; at < bytes; at += S) {
    store<T>(grad + at, <T>((<f64>load<T>(a + at) - <f64>load<T>(y + at)) / divisor));
  }
}
