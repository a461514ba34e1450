/**
 * Categorical cross-entropy on softmax outputs, its gradient fused with the
 * softmax (w.r.t. the logits), and categorical accuracy. Rows are samples,
 * columns classes. Loss and gradient are computed in f64 for both dtypes, as
 * js.ts computes them, the log fdlibm's (log.ts, as V8's Math.log): the loss
 * equals js.ts's bit for bit.
 *
 * The loss follows Keras's categorical_crossentropy with from_logits=False
 * (keras.ops in Keras 3's jax/numpy backends; tfjs-layers'
 * categoricalCrossentropy), exactly:
 *   p = a / sum_c a           (each row rescaled to sum to 1)
 *   p = clip(p, eps, 1 - eps) (eps = 1e-7, Keras's backend epsilon)
 *   loss = mean over rows of -sum_c y log p
 * (tf.keras on the TensorFlow backend instead reads the logits behind a
 * softmax output; the two differ only where the clip bites, p < 1e-7.)
 */
import { scaledDifference } from './difference';
import { logF64 } from './log';

/** Keras's backend epsilon (CCE_EPSILON in backend.ts). */
const EPSILON: f64 = 1e-7;

/**
 * mean over rows of -sum_c y log(clip(a / rowsum(a))), summed over every
 * element in row-major order. Terms with y = 0 are skipped: they add an exact
 * 0 (the clip keeps log p finite), and one-hot labels then take one log a row.
 */
// @ts-ignore: decorator
@kernel
export function categoricalCrossentropy<T>(rows: i32, cols: i32, a: usize, y: usize): f64 {
  const S = <usize>sizeof<T>();
  const rowBytes = <usize>cols * S;
  let sum: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const ar = a + <usize>r * rowBytes, yr = y + <usize>r * rowBytes;
    let total: f64 = 0;
    for (let at: usize = 0; at < rowBytes; at += S) total += <f64>load<T>(ar + at);
    for (let at: usize = 0; at < rowBytes; at += S) {
      const yc = <f64>load<T>(yr + at);
      if (yc == 0) continue;
      let p = <f64>load<T>(ar + at) / total;
      p = p < EPSILON ? EPSILON : p > 1 - EPSILON ? 1 - EPSILON : p;
      sum += yc * logF64(p);
    }
  }
  return -sum / <f64>rows;
}

/**
 * grad = (a - y) / rows: the loss's gradient w.r.t. the logits through the
 * softmax, for label rows summing to 1 (losses.ts checks they do). The softmax
 * Jacobian's diag(a) - a a^T against -y / a collapses to a - y.
 */
// @ts-ignore: decorator
@kernel
export function categoricalCrossentropySoftmaxBackward<T>(rows: i32, cols: i32, a: usize, y: usize, grad: usize): void {
  scaledDifference<T>(rows * cols, a, y, <f64>rows, grad);
}

/**
 * Fraction of rows where argmax a equals argmax y (Keras's
 * categorical_accuracy); the first of equal maxima wins, as argmax.
 */
// @ts-ignore: decorator
@kernel
export function categoricalAccuracy<T>(rows: i32, cols: i32, a: usize, y: usize): f64 {
  const S = <usize>sizeof<T>();
  const rowBytes = <usize>cols * S;
  let hits = 0;
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * rowBytes;
    if (argmax<T>(rowBytes, a + offset) == argmax<T>(rowBytes, y + offset)) hits++;
  }
  return <f64>hits / <f64>rows;
}

/** Byte offset of the first largest value in [row, row + bytes). */
// @ts-ignore: decorator
@inline function argmax<T>(bytes: usize, row: usize): usize {
  let best: usize = 0;
  let bestValue = load<T>(row);
  for (let at = <usize>sizeof<T>(); at < bytes; at += <usize>sizeof<T>()) {
    const v = load<T>(row + at);
    if (v > bestValue) {
      bestValue = v;
      best = at;
    }
  }
  return best;
}
