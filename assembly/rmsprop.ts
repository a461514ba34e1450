/**
 * RMSprop, Keras 3's rule (keras/src/optimizers/rmsprop.py, update_step,
 * not centered), and Adagrad's through it:
 *   v = rho * v + oneMinusRho * g²
 *   inc = lr * g / sqrt(v + epsilon)
 *   w -= inc                                   (momentum 0)
 *   m = momentum * m + inc; w -= m             (momentum > 0)
 * Adagrad (keras/src/optimizers/adagrad.py) is rho = oneMinusRho = 1 and
 * momentum 0: 1 * a + 1 * g² is a + g² exactly, so its accumulator gets the
 * same bits as Keras's a += g². Same operations in the same order as js.ts:
 * f64 results are bit-equal.
 *
 * oneMinusRho arrives computed by the caller in f64 and rounded once to T,
 * as Keras casts the Python float 1 - rho (see adam.ts).
 */

/** One RMSprop (or Adagrad) step over n elements; v is the mean square, m the momentum (untouched when momentum is 0). */
// @ts-ignore: decorator
@kernel
export function rmsprop<T>(n: i32, lr: T, rho: T, oneMinusRho: T, epsilon: T, momentum: T,
                           w: usize, g: usize, v: usize, m: usize): void {
  // One loop for both variants, the branch taken alike on every element: half the code of two loops.
  const withMomentum = momentum != 0;
  const S = <usize>sizeof<T>();
  const vlr = v128.splat<T>(lr);
  const vrho = v128.splat<T>(rho);
  const vc = v128.splat<T>(oneMinusRho);
  const veps = v128.splat<T>(epsilon);
  const vmu = v128.splat<T>(momentum);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    const gv = v128.load(g + at);
    const vv = v128.add<T>(v128.mul<T>(vrho, v128.load(v + at)), v128.mul<T>(vc, v128.mul<T>(gv, gv)));
    v128.store(v + at, vv);
    let inc = v128.div<T>(v128.mul<T>(vlr, gv), v128.sqrt<T>(v128.add<T>(vv, veps)));
    if (withMomentum) {
      inc = v128.add<T>(v128.mul<T>(vmu, v128.load(m + at)), inc);
      v128.store(m + at, inc);
    }
    v128.store(w + at, v128.sub<T>(v128.load(w + at), inc));
  }
  for (; at < bytes; at += S) {
    const gi = load<T>(g + at);
    const vi = rho * load<T>(v + at) + oneMinusRho * (gi * gi);
    store<T>(v + at, vi);
    let inc = (lr * gi) / sqrt<T>(vi + epsilon);
    if (withMomentum) {
      inc = momentum * load<T>(m + at) + inc;
      store<T>(m + at, inc);
    }
    store<T>(w + at, load<T>(w + at) - inc);
  }
}
