/**
 * SGD with momentum, Keras 3's rule (keras/src/optimizers/sgd.py, update_step):
 *   velocity = momentum * velocity - lr * g
 *   w += velocity                             (classical)
 *   w += momentum * velocity - lr * g         (nesterov, with the new velocity)
 * Same operations in the same order as js.ts: f64 results are bit-equal.
 * momentum 0 is not routed here: plain SGD keeps its own kernel (sgd.ts).
 */

/** One momentum step over n elements; velocity is the optimiser's state. */
// @ts-ignore: decorator
@kernel
export function sgdMomentum<T>(n: i32, lr: T, momentum: T, nesterov: bool,
                               w: usize, g: usize, velocity: usize): void {
  // The flag is a literal after inlining, so each variant compiles branch-free.
  if (nesterov) momentumLoop<T>(n, lr, momentum, true, w, g, velocity);
  else momentumLoop<T>(n, lr, momentum, false, w, g, velocity);
}

// @ts-ignore: decorator
@inline function momentumLoop<T>(n: i32, lr: T, momentum: T, nesterov: bool,
                                 w: usize, g: usize, velocity: usize): void {
  const S = <usize>sizeof<T>();
  const vlr = v128.splat<T>(lr);
  const vmu = v128.splat<T>(momentum);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    const step = v128.mul<T>(vlr, v128.load(g + at));
    const vel = v128.sub<T>(v128.mul<T>(vmu, v128.load(velocity + at)), step);
    v128.store(velocity + at, vel);
    const delta = nesterov ? v128.sub<T>(v128.mul<T>(vmu, vel), step) : vel;
    v128.store(w + at, v128.add<T>(v128.load(w + at), delta));
  }
  for (; at < bytes; at += S) {
    const step = lr * load<T>(g + at);
    const vel = momentum * load<T>(velocity + at) - step;
    store<T>(velocity + at, vel);
    const delta = nesterov ? momentum * vel - step : vel;
    store<T>(w + at, load<T>(w + at) + delta);
  }
}
