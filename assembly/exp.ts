/**
 * exp(t) on four f32 lanes at once, for t <= 0: the only arguments the
 * numerically stable sigmoid (and later softmax, exp(x - max)) ever takes.
 *
 * Cephes' expf: t = n ln2 + r with n = round(t / ln2) and |r| <= ln2 / 2
 * (ln2 split in two so n * ln2 is exact), exp(r) by a degree-7 polynomial
 * (r^2 times a minimax quintic, + r + 1), and 2^n built directly in the
 * exponent bits. About 1 ulp on its domain; no table, no branch.
 *
 * Results below FLT_MIN (t < -87.34) are flushed to exactly 0 rather than
 * returned as subnormals, which also covers t = -Infinity. NaN stays NaN.
 */

/** ln(FLT_MIN): below this exp(t) is subnormal; also keeps 2^n a normal number. */
const MIN_ARG: f32 = -87.33654;
const LOG2E: f32 = 1.44269504088896341;
/** ln2 = LN2_HI + LN2_LO, LN2_HI with few enough bits that n * LN2_HI is exact. */
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
/**
 * 1.5 * 2^23 + 127: adding it to t / ln2 rounds to an integer (ties to even,
 * like nearest) and leaves n + 127 in the low mantissa bits, from where a
 * shift makes the bits of 2^n; subtracting it gives n as a float.
 */
const ROUNDER: f32 = 12583039;

// @ts-ignore: decorator
@inline export function expNonPositiveF32x4(t: v128): v128 {
  const underflow = f32x4.lt(t, f32x4.splat(MIN_ARG));
  // pmax (one maxps) keeps a NaN in t: t < MIN_ARG is false for it.
  const x = f32x4.pmax(t, f32x4.splat(MIN_ARG));
  const biased = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(ROUNDER));
  const n = f32x4.sub(biased, f32x4.splat(ROUNDER));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));

  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));

  // 2^n, n in [-126, 0]: the biased exponent n + 127 shifted into place.
  const scale = i32x4.shl(biased, 23);
  return v128.andnot(f32x4.mul(p, scale), underflow);
}
