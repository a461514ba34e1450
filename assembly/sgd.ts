/** Plain stochastic gradient descent: w -= lr * g, elementwise (same arithmetic as js.ts). */
// @ts-ignore: decorator
@kernel
export function sgd<T>(n: i32, lr: T, w: usize, g: usize): void {
  const S = <usize>sizeof<T>();
  const vlr = v128.splat<T>(lr);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    v128.store(w + at, v128.sub<T>(v128.load(w + at), v128.mul<T>(vlr, v128.load(g + at))));
  }
  for (; at < bytes; at += S) {
    store<T>(w + at, load<T>(w + at) - lr * load<T>(g + at));
  }
}
