/**
 * The hyperbolic tangent and its backward step.
 *
 * Both dtypes run whole vectors on |x| and copy x's sign back (so tanh(-0)
 * is -0 and NaN stays NaN).
 *
 * f64, two lanes at a time, Cephes tanh's two forms:
 *   |x| < 0.625: x + x z P(z) / Q(z), z = x², its rational approximation;
 *   otherwise:   (1 - e) / (1 + e), e = exp(-2|x|) by exp.ts's two-lane exp,
 *                which flushes to 0 for |x| > 354: exactly 1 (also for
 *                Infinity).
 * Within 3 ulps of V8's Math.tanh, which js.ts calls (test/backend/kernels.test.ts).
 *
 * f32 (the fast path) runs four lanes at a time:
 *   |x| < 0.625: Cephes tanhf's odd polynomial |x| + |x| z P(z), z = x², where
 *                the exp form below would lose digits to 1 - e cancelling;
 *   otherwise:   (1 - e) / (1 + e), e = exp(-2|x|) <= exp(-1.25), no
 *                cancellation; e underflows to exactly 0 for |x| > 43.7, giving
 *                exactly 1 (also for Infinity) and never NaN or overflow.
 * A few ulps. Whole vectors go a block at a time, exp(-2|x|) first over the
 * block in sigmoid's staged passes (exp.ts); the last n % 4 elements go
 * through the one-expression form one at a time, the same operations, so
 * every element gets the same formula.
 */
import {
  EXP_BLOCK_BYTES, expBlockF32, expNonPositiveF32x4, expNonPositiveF64x2, oneF64x2, signBitF64x2,
} from './exp';

/** out[i] = tanh(x[i]); out may equal x. */
// @ts-ignore: decorator
@kernel
export function tanh<T>(n: i32, x: usize, out: usize): void {
  const S = <usize>sizeof<T>();
  const bytes = <usize>n * S;
  let at: usize = 0;
  if (sizeof<T>() == 4) {
    const vecBytes = bytes & ~15;
    for (let block: usize = 0; block < vecBytes; block += EXP_BLOCK_BYTES) {
      const end = min<usize>(EXP_BLOCK_BYTES, vecBytes - block);
      const xb = x + block, ob = out + block;
      const e = expBlockF32(xb, end, true, true);
      for (let i: usize = 0; i < end; i += 16) v128.store(ob + i, tanhFromExpF32x4(v128.load(xb + i), v128.load(e + i)));
    }
    at = vecBytes;
    for (; at < bytes; at += 4) {
      store<f32>(out + at, f32x4.extract_lane(tanhF32x4(f32x4.splat(load<f32>(x + at))), 0));
    }
  } else {
    const vecBytes = bytes & ~15;
    for (; at < vecBytes; at += 16) v128.store(out + at, tanhF64x2(v128.load(x + at)));
    if (at < bytes) store<f64>(out + at, f64x2.extract_lane(tanhF64x2(f64x2.splat(load<f64>(x + at))), 0));
  }
}

/** Cephes tanh's P (degree 2) and Q (monic, degree 3), then 0.625 and -2: each on two lanes. */
const K64: usize = memory.data<f64>([
  -9.64399179425052238628e-1, -9.64399179425052238628e-1,
  -9.92877231001918586564e1, -9.92877231001918586564e1,
  -1.61468768441708447952e3, -1.61468768441708447952e3,
  1.12811678491632931402e2, 1.12811678491632931402e2,
  2.23548839060100448583e3, 2.23548839060100448583e3,
  4.84406305325125486048e3, 4.84406305325125486048e3,
  0.625, 0.625, -2, -2,
], 16);
const K_P = 0, K_Q = 3, K_LIMIT = 6, K_MINUS_TWO = 7;

// @ts-ignore: decorator
@inline function k64(i: i32): v128 {
  return v128.load(K64 + <usize>(i * 16));
}

/** tanh of two f64 lanes (see above). */
// @ts-ignore: decorator
@inline function tanhF64x2(x: v128): v128 {
  const ax = f64x2.abs(x);
  const z = f64x2.mul(x, x);
  const p = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(k64(K_P), z), k64(K_P + 1)), z), k64(K_P + 2));
  const q = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(z, k64(K_Q)), z), k64(K_Q + 1)), z), k64(K_Q + 2));
  const small = f64x2.add(ax, f64x2.mul(f64x2.mul(ax, z), f64x2.div(p, q)));
  const one = oneF64x2();
  const e = expNonPositiveF64x2(f64x2.mul(ax, k64(K_MINUS_TWO)));
  const large = f64x2.div(f64x2.sub(one, e), f64x2.add(one, e));
  const magnitude = v128.bitselect(small, large, f64x2.lt(ax, k64(K_LIMIT)));
  return v128.or(magnitude, v128.and(x, signBitF64x2()));
}

/** Below this |x| the polynomial is used (Cephes tanhf's switch point). */
const POLYNOMIAL_LIMIT: f32 = 0.625;

// @ts-ignore: decorator
@inline function tanhF32x4(x: v128): v128 {
  return tanhFromExpF32x4(x, expNonPositiveF32x4(f32x4.mul(f32x4.abs(x), f32x4.splat(-2))));
}

/** tanh of four lanes, given e = exp(-2|x|). */
// @ts-ignore: decorator
@inline function tanhFromExpF32x4(x: v128, e: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(ax, ax);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), ax), ax);

  const one = f32x4.splat(1);
  const large = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));

  const magnitude = v128.bitselect(small, large, f32x4.lt(ax, f32x4.splat(POLYNOMIAL_LIMIT)));
  return v128.or(magnitude, v128.and(x, i32x4.splat(0x80000000)));
}

/**
 * grad[i] *= 1 - a[i]², a being tanh's output, computed as (1 - a)(1 + a):
 * the same number, but without the cancellation of 1 - a² as |a| nears 1
 * (1 - a is exact there). Same operations as js.ts.
 */
// @ts-ignore: decorator
@kernel
export function tanhBackward<T>(n: i32, a: usize, grad: usize): void {
  const S = <usize>sizeof<T>();
  const one = v128.splat<T>(1);
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    const av = v128.load(a + at);
    const slope = v128.mul<T>(v128.sub<T>(one, av), v128.add<T>(one, av));
    v128.store(grad + at, v128.mul<T>(v128.load(grad + at), slope));
  }
  for (; at < bytes; at += S) {
    const ai = load<T>(a + at);
    store<T>(grad + at, load<T>(grad + at) * ((<T>1 - ai) * (<T>1 + ai)));
  }
}
