/**
 * Adam, Keras 3's rule (keras/src/optimizers/adam.py, update_step), for step t
 * counted from 1:
 *   alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)      (the caller's, in f64)
 *   m += (g - m) * (1 - beta1)
 *   v += (g * g - v) * (1 - beta2)
 *   w -= (m * alpha) / (sqrt(v) + epsilon)
 * The bias corrections are folded into the scalar alpha, as Keras does, so
 * the kernel is three fused elementwise updates. Same operations in the same
 * order as js.ts: f64 results are bit-equal (sqrt is correctly rounded in both).
 *
 * The decay complements (1 - beta) arrive already computed, in f64 by the
 * caller and rounded once to T, as Keras casts the Python float 1 - beta_1 to
 * the variable's dtype: in f32, 1 - f32(beta) would be a different number.
 */

/** One Adam step over n elements; m and v are the optimiser's moments. */
// @ts-ignore: decorator
@kernel
export function adam<T>(n: i32, alpha: T, oneMinusBeta1: T, oneMinusBeta2: T, epsilon: T,
                        w: usize, g: usize, m: usize, v: usize): void {
  const S = <usize>sizeof<T>();
  const valpha = v128.splat<T>(alpha);
  const vc1 = v128.splat<T>(oneMinusBeta1);
  const vc2 = v128.splat<T>(oneMinusBeta2);
  const veps = v128.splat<T>(epsilon);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    const gv = v128.load(g + at);
    let mv = v128.load(m + at);
    let vv = v128.load(v + at);
    mv = v128.add<T>(mv, v128.mul<T>(v128.sub<T>(gv, mv), vc1));
    vv = v128.add<T>(vv, v128.mul<T>(v128.sub<T>(v128.mul<T>(gv, gv), vv), vc2));
    v128.store(m + at, mv);
    v128.store(v + at, vv);
    const step = v128.div<T>(v128.mul<T>(mv, valpha), v128.add<T>(v128.sqrt<T>(vv), veps));
    v128.store(w + at, v128.sub<T>(v128.load(w + at), step));
  }
  for (; at < bytes; at += S) {
    const gi = load<T>(g + at);
    let mi = load<T>(m + at);
    let vi = load<T>(v + at);
    mi = mi + (gi - mi) * oneMinusBeta1;
    vi = vi + (gi * gi - vi) * oneMinusBeta2;
    store<T>(m + at, mi);
    store<T>(v + at, vi);
    store<T>(w + at, load<T>(w + at) - (mi * alpha) / (sqrt<T>(vi) + epsilon));
  }
}
