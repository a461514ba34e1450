/**
 * The logistic function and its backward step.
 *
 * sigmoid takes exp only of -|z|, which is at most 1 and never overflows:
 *   z >= 0: 1 / (1 + exp(-z));   z < 0: e / (1 + e) with e = exp(z),
 * as js.ts. Large |z| saturates to exactly 1 or 0; NaN stays NaN.
 *
 * Both run the vector form without a branch, with exp.ts's polynomial exp,
 * whole vectors a block at a time in staged passes: f32 four lanes at a time
 * (about 1 ulp), f64 two (within 1 ulp of Math.exp, which js.ts calls: the
 * same formula, so the NumPy-parity path stays within an ulp or two of
 * NumPy's). The last elements go through the one-expression form of the same
 * exp one at a time, so every element gets the same formula.
 */
import {
  EXP_BLOCK_BYTES, expBlockF32, expBlockF64NegAbs, expNonPositiveF32x4, expNonPositiveF64x2, oneF32x4, oneF64x2,
  signBitF32x4, signBitF64x2,
} from './exp';

/** out[i] = sigmoid(x[i]); out may equal x. */
// @ts-ignore: decorator
@kernel
export function sigmoid<T>(n: i32, x: usize, out: usize): void {
  const S = <usize>sizeof<T>();
  const bytes = <usize>n * S;
  let at: usize = 0;
  if (sizeof<T>() == 4) {
    // Whole vectors a block at a time: exp(-|z|) into scratch (two short
    // passes, exp.ts), then the quotient, the constants in registers.
    const vecBytes = bytes & ~15;
    const one = oneF32x4(), zero = v128.splat<i32>(0);
    for (let block: usize = 0; block < vecBytes; block += EXP_BLOCK_BYTES) {
      const end = min<usize>(EXP_BLOCK_BYTES, vecBytes - block);
      const xb = x + block, ob = out + block;
      const e = expBlockF32(xb, end, true);
      for (let i: usize = 0; i < end; i += 16) {
        const z = v128.load(xb + i), ei = v128.load(e + i);
        v128.store(ob + i, f32x4.div(v128.bitselect(one, ei, f32x4.ge(z, zero)), f32x4.add(one, ei)));
      }
    }
    at = vecBytes;
    for (; at < bytes; at += 4) {
      store<f32>(out + at, f32x4.extract_lane(sigmoidF32x4(f32x4.splat(load<f32>(x + at))), 0));
    }
  } else {
    // As f32: exp(-|z|) a block at a time (two passes), then the quotient.
    const vecBytes = bytes & ~15;
    const one = oneF64x2(), zero = v128.splat<i32>(0);
    for (let block: usize = 0; block < vecBytes; block += EXP_BLOCK_BYTES) {
      const end = min<usize>(EXP_BLOCK_BYTES, vecBytes - block);
      const xb = x + block, ob = out + block;
      const e = expBlockF64NegAbs(xb, end);
      for (let i: usize = 0; i < end; i += 16) {
        const z = v128.load(xb + i), ei = v128.load(e + i);
        v128.store(ob + i, f64x2.div(v128.bitselect(one, ei, f64x2.ge(z, zero)), f64x2.add(one, ei)));
      }
    }
    at = vecBytes;
    if (at < bytes) store<f64>(out + at, f64x2.extract_lane(sigmoidF64x2(f64x2.splat(load<f64>(x + at))), 0));
  }
}

/** sigmoid of two f64 lanes: (z >= 0 ? 1 : e) / (1 + e), e = exp(-|z|), without a branch. */
// @ts-ignore: decorator
@inline function sigmoidF64x2(z: v128): v128 {
  const e = expNonPositiveF64x2(v128.or(z, signBitF64x2()));
  const one = oneF64x2();
  return f64x2.div(v128.bitselect(one, e, f64x2.ge(z, v128.splat<i32>(0))), f64x2.add(one, e));
}

/** sigmoid of four f32 lanes: (z >= 0 ? 1 : e) / (1 + e), e = exp(-|z|). */
// @ts-ignore: decorator
@inline function sigmoidF32x4(z: v128): v128 {
  // -|z| by setting the sign bit: one operation (abs then neg would be six in V8).
  return sigmoidFromExpF32x4(z, expNonPositiveF32x4(v128.or(z, signBitF32x4())));
}

/** (z >= 0 ? 1 : e) / (1 + e), given e = exp(-|z|). */
// @ts-ignore: decorator
@inline function sigmoidFromExpF32x4(z: v128, e: v128): v128 {
  const one = oneF32x4();
  const numerator = v128.bitselect(one, e, f32x4.ge(z, v128.splat<i32>(0)));
  return f32x4.div(numerator, f32x4.add(one, e));
}

/** grad[i] *= a[i] * (1 - a[i]), a being the sigmoid's output. */
// @ts-ignore: decorator
@kernel
export function sigmoidBackward<T>(n: i32, a: usize, grad: usize): void {
  const S = <usize>sizeof<T>();
  const one = v128.splat<T>(1);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    const av = v128.load(a + at);
    v128.store(grad + at, v128.mul<T>(v128.load(grad + at), v128.mul<T>(av, v128.sub<T>(one, av))));
  }
  for (; at < bytes; at += S) {
    const ai = load<T>(a + at);
    store<T>(grad + at, load<T>(grad + at) * (ai * (<T>1 - ai)));
  }
}
