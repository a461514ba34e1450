/**
 * What an optimiser does before its step, as Keras 3's base optimiser
 * (keras/src/optimizers/base_optimizer.py): gradient clipping, and AdamW's
 * weight decay. Each is one elementwise pass; the norms' sums of squares
 * are a sequential reduction, so their order is the same on every backend
 * and thread count. Same operations in the same order as js.ts.
 */

/** g = min(max(g, -c), c): Keras's clipvalue. */
// @ts-ignore: decorator
@kernel
export function clipByValue<T>(n: i32, c: T, g: usize): void {
  const S = <usize>sizeof<T>();
  const vhi = v128.splat<T>(c);
  const vlo = v128.splat<T>(-c);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) v128.store(g + at, v128.min<T>(v128.max<T>(v128.load(g + at), vlo), vhi));
  for (; at < bytes; at += S) store<T>(g + at, min<T>(max<T>(load<T>(g + at), -c), c));
}

/** g = g * multiplier / divisor: clipnorm's g c / max(‖g‖, c), and global_clipnorm's g scale / 1. */
// @ts-ignore: decorator
@kernel
export function scaleGradient<T>(n: i32, multiplier: T, divisor: T, g: usize): void {
  const S = <usize>sizeof<T>();
  const vmul = v128.splat<T>(multiplier);
  const vdiv = v128.splat<T>(divisor);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) v128.store(g + at, v128.div<T>(v128.mul<T>(v128.load(g + at), vmul), vdiv));
  for (; at < bytes; at += S) store<T>(g + at, (load<T>(g + at) * multiplier) / divisor);
}

/** The sum of x², accumulated in f64 front to back for both dtypes (a float32 square is exact in f64). */
// @ts-ignore: decorator
@kernel
export function sumSquares<T>(n: i32, x: usize): f64 {
  const S = <usize>sizeof<T>();
  const bytes = <usize>n * S;
  let sum: f64 = 0;
  for (let at: usize = 0; at < bytes; at += S) {
    const xi = <f64>load<T>(x + at);
    sum += xi * xi;
  }
  return sum;
}

/** w = w - w * weightDecay * lr: Keras's decoupled weight decay (AdamW), before the step. */
// @ts-ignore: decorator
@kernel
export function decayWeights<T>(n: i32, weightDecay: T, lr: T, w: usize): void {
  const S = <usize>sizeof<T>();
  const vwd = v128.splat<T>(weightDecay);
  const vlr = v128.splat<T>(lr);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    const wv = v128.load(w + at);
    v128.store(w + at, v128.sub<T>(wv, v128.mul<T>(v128.mul<T>(wv, vwd), vlr)));
  }
  for (; at < bytes; at += S) {
    const wi = load<T>(w + at);
    store<T>(w + at, wi - wi * weightDecay * lr);
  }
}
