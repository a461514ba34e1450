/**
 * ReLU and leaky ReLU, forward and backward. Pure selects and one multiply:
 * the same operations in both dtypes, and as js.ts (whose leaky ReLU rounds
 * alpha to f32 in float32, as this f32 parameter does), so results are
 * bit-equal to js.ts.
 *
 * The backward steps read the layer's output a, not its input: a > 0 exactly
 * when z > 0 (for alpha >= 0, which createNetwork enforces). At z = 0 the
 * slope taken is the left one (0, or alpha), as TensorFlow's.
 */

/** out[i] = max(x[i], 0), NaN kept; out may equal x. (wasm max = Math.max: NaN wins, max(-0, 0) = 0.) */
// @ts-ignore: decorator
@kernel
export function relu<T>(n: i32, x: usize, out: usize): void {
  const S = <usize>sizeof<T>();
  const zero = v128.splat<T>(0);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) v128.store(out + at, v128.max<T>(v128.load(x + at), zero));
  for (; at < bytes; at += S) store<T>(out + at, max<T>(load<T>(x + at), <T>0));
}

/** grad[i] = a[i] > 0 ? grad[i] : 0. */
// @ts-ignore: decorator
@kernel
export function reluBackward<T>(n: i32, a: usize, grad: usize): void {
  const S = <usize>sizeof<T>();
  const zero = v128.splat<T>(0);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    v128.store(grad + at, v128.and(v128.load(grad + at), v128.gt<T>(v128.load(a + at), zero)));
  }
  for (; at < bytes; at += S) {
    if (!(load<T>(a + at) > <T>0)) store<T>(grad + at, <T>0);
  }
}

/** out[i] = x[i] > 0 ? x[i] : alpha * x[i]; out may equal x. */
// @ts-ignore: decorator
@kernel
export function leakyRelu<T>(n: i32, alpha: T, x: usize, out: usize): void {
  const S = <usize>sizeof<T>();
  const zero = v128.splat<T>(0);
  const va = v128.splat<T>(alpha);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    const xv = v128.load(x + at);
    v128.store(out + at, v128.bitselect(xv, v128.mul<T>(xv, va), v128.gt<T>(xv, zero)));
  }
  for (; at < bytes; at += S) {
    const xi = load<T>(x + at);
    store<T>(out + at, xi > <T>0 ? xi : alpha * xi);
  }
}

/** grad[i] *= a[i] > 0 ? 1 : alpha. */
// @ts-ignore: decorator
@kernel
export function leakyReluBackward<T>(n: i32, alpha: T, a: usize, grad: usize): void {
  const S = <usize>sizeof<T>();
  const zero = v128.splat<T>(0);
  const va = v128.splat<T>(alpha);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    const g = v128.load(grad + at);
    v128.store(grad + at, v128.bitselect(g, v128.mul<T>(g, va), v128.gt<T>(v128.load(a + at), zero)));
  }
  for (; at < bytes; at += S) {
    const g = load<T>(grad + at);
    store<T>(grad + at, load<T>(a + at) > <T>0 ? g : alpha * g);
  }
}
