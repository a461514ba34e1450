/**
 * Softmax over each row of a rows x cols matrix: out = exp(x - max) / sum,
 * the row's max subtracted first so exp only ever sees numbers <= 0 (no
 * overflow for any finite logits; the largest entry's exp is exactly 1, so the
 * sum is >= 1 and the divide is safe). Its gradient exists only fused with
 * categoricalCrossentropy (categoricalCrossentropy.ts).
 *
 * f64 (the NumPy-parity path) is js.ts's formula step for step: max by
 * `>`, exp, sum from column 0, then a divide (not a multiply by 1/sum, as
 * NumPy's e / e.sum()); its exp is exp.ts's two-lane polynomial, within 1 ulp
 * of js.ts's Math.exp.
 * f32 (the fast path) takes four columns at a time with the polynomial exp
 * (exp.ts), sums the exps in f64 (so a wide row loses nothing in the sum),
 * and divides in f32. A row with a NaN gives NaN throughout, in both.
 */
import { expNonPositiveF32x4, expNonPositiveF64x2 } from './exp';

/** out[r, :] = softmax(x[r, :]) for every row; out may equal x. */
// @ts-ignore: decorator
@kernel
export function softmax<T>(rows: i32, cols: i32, x: usize, out: usize): void {
  if (cols <= 0) return;
  const rowBytes = <usize>cols * <usize>sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * rowBytes;
    if (sizeof<T>() == 4) softmaxRowF32(rowBytes, x + offset, out + offset);
    else softmaxRowF64(rowBytes, x + offset, out + offset);
  }
}

function softmaxRowF64(bytes: usize, x: usize, out: usize): void {
  let rowMax = load<f64>(x);
  for (let at: usize = 8; at < bytes; at += 8) {
    const v = load<f64>(x + at);
    if (v > rowMax) rowMax = v;
  }
  // The exps two lanes at a time (the polynomial exp), summed from column 0 as js.ts sums.
  const vecBytes = bytes & ~15;
  const vmax = f64x2.splat(rowMax);
  let sum: f64 = 0;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    const e = expNonPositiveF64x2(f64x2.sub(v128.load(x + at), vmax));
    v128.store(out + at, e);
    sum += f64x2.extract_lane(e, 0);
    sum += f64x2.extract_lane(e, 1);
  }
  if (at < bytes) {
    const e = f64x2.extract_lane(expNonPositiveF64x2(f64x2.splat(load<f64>(x + at) - rowMax)), 0);
    store<f64>(out + at, e);
    sum += e;
  }
  for (let at: usize = 0; at < bytes; at += 8) store<f64>(out + at, load<f64>(out + at) / sum);
}

function softmaxRowF32(bytes: usize, x: usize, out: usize): void {
  const vecBytes = bytes & ~15;
  // The max: four lanes, then across them, then the tail (f32 max keeps NaN).
  let vmax = f32x4.splat(-Infinity);
  let at: usize = 0;
  for (; at < vecBytes; at += 16) vmax = f32x4.max(vmax, v128.load(x + at));
  let rowMax = max<f32>(max<f32>(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)),
                        max<f32>(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
  for (; at < bytes; at += 4) rowMax = max<f32>(rowMax, load<f32>(x + at));

  // exp(x - max) into out, summed in two f64x2 accumulators.
  const vm = f32x4.splat(rowMax);
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  for (at = 0; at < vecBytes; at += 16) {
    const e = expNonPositiveF32x4(f32x4.sub(v128.load(x + at), vm));
    v128.store(out + at, e);
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(e));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 2, 3)));
  }
  let sum = (f64x2.extract_lane(lo, 0) + f64x2.extract_lane(hi, 0)) +
            (f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 1));
  for (; at < bytes; at += 4) {
    const e = f32x4.extract_lane(expNonPositiveF32x4(f32x4.splat(load<f32>(x + at) - rowMax)), 0);
    store<f32>(out + at, e);
    sum += <f64>e;
  }

  const vs = f32x4.splat(<f32>sum);
  for (at = 0; at < vecBytes; at += 16) v128.store(out + at, f32x4.div(v128.load(out + at), vs));
  const s = <f32>sum;
  for (; at < bytes; at += 4) store<f32>(out + at, load<f32>(out + at) / s);
}
