/**
 * The natural log on two f64 lanes: fdlibm's __ieee754_log (FreeBSD msun
 * e_log.c) operation for operation, so each lane is the very double that
 * fdlibm gives, which is what V8's Math.log runs (src/base/ieee754.cc): the
 * losses that take it equal the js backend's bit for bit. fdlibm's own
 * bound is under 1 ulp of the true log.
 *
 * x = 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)); s = f / (2 + f);
 * log(1 + f) = f - s (f - R(s^2)) with R a degree-7 polynomial in s^2,
 * or f - (hfsq - s (hfsq + R)), hfsq = f^2 / 2, where f is far from 0, or
 * f - f^2 (1/2 - f/3) for |f| < 2^-20; plus k ln2, ln2 split in two so
 * that k LN2_HI is exact. fdlibm picks one of the three by branches on x's
 * high word; here each lane computes all three and selects by the same
 * tests, bit for bit the value its branch returns (with k = 0 the general
 * expression reduces exactly to fdlibm's k == 0 one: 0 - (a - f) is f - a).
 *
 * Only positive normal finite lanes are computed so: logF64x2 leaves the
 * others (0, negatives, subnormals, infinities, NaN) to its caller.
 */

const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const LG1: f64 = 6.666666666666735130e-01;
const LG2: f64 = 3.999999999940941908e-01;
const LG3: f64 = 2.857142874366239149e-01;
const LG4: f64 = 2.222219843214978396e-01;
const LG5: f64 = 1.818357216161805012e-01;
const LG6: f64 = 1.531383769920937332e-01;
const LG7: f64 = 1.479819860511658591e-01;
/**
 * The bits of fdlibm's reduction threshold, sqrt(2)/2 to the 20 high
 * mantissa bits: x - T0 (as integers) carries k in its exponent field.
 */
const T0: i64 = 0x3fe6a09c00000000;

/**
 * The constants on two lanes each, loaded rather than written as splats:
 * V8 builds a splat constant in three instructions and may leave them in a
 * loop (see exp.ts's "Speed"). The floats, then the integers.
 */
const K: usize = memory.data<f64>([
  LN2_HI, LN2_HI, LN2_LO, LN2_LO,
  LG1, LG1, LG2, LG2, LG3, LG3, LG4, LG4, LG5, LG5, LG6, LG6, LG7, LG7,
  1, 1, 2, 2, 0.5, 0.5, 0.33333333333333333, 0.33333333333333333,
  2.2250738585072014e-308, 2.2250738585072014e-308, 1.7976931348623157e308, 1.7976931348623157e308,
], 16);
const K_LN2_HI = 0, K_LN2_LO = 1, K_LG1 = 2, K_ONE = 9, K_TWO = 10, K_HALF = 11, K_THIRD = 12;
const K_MIN = 13, K_MAX = 14;
const KI: usize = memory.data<i64>([
  T0, T0, 0xfff0000000000000, 0xfff0000000000000, 0xfffff, 0xfffff,
  0x6147a, 0x6147a, 0x6b851, 0x6b851, 2, 2, 3, 3,
], 16);
const KI_T0 = 0, KI_EXPONENT = 1, KI_HIGH_MANTISSA = 2, KI_FAR_LO = 3, KI_FAR_HI = 4, KI_TWO = 5, KI_THREE = 6;

// @ts-ignore: decorator
@inline function k64(i: i32): v128 {
  return v128.load(K + <usize>(i * 16));
}

// @ts-ignore: decorator
@inline function ki64(i: i32): v128 {
  return v128.load(KI + <usize>(i * 16));
}

/** Whether both lanes are positive, normal and finite: logF64x2 computes exactly those. */
// @ts-ignore: decorator
@inline function logDomainF64x2(x: v128): bool {
  return v128.all_true<i64>(v128.and(f64x2.ge(x, k64(K_MIN)), f64x2.le(x, k64(K_MAX))));
}

/**
 * log(x) of two positive normal finite lanes (see above); other lanes are
 * garbage. A function, not inlined: each copy weighs 0.2 kB gzipped in the
 * browser build, and a call costs its callers' loops about 1%.
 */
function logF64x2(x: v128): v128 {
  const tmp = i64x2.sub(x, ki64(KI_T0));
  // k in the exponent field of tmp; 1 + f is x with that exponent taken off.
  // k as a double from the high words (32-bit shift and conversion: one
  // instruction each on x86, where a 64-bit arithmetic shift is several).
  const kHigh = i32x4.shr_s(tmp, 20);
  const dk = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(kHigh, kHigh, 1, 3, 1, 3));
  const z = i64x2.sub(x, v128.and(tmp, ki64(KI_EXPONENT)));
  const f = f64x2.sub(z, k64(K_ONE));
  // fdlibm's hx: x's 20 high mantissa bits, which pick the branch.
  const hx = v128.and(i64x2.shr_u(x, 32), ki64(KI_HIGH_MANTISSA));

  const s = f64x2.div(f, f64x2.add(k64(K_TWO), f));
  const z2 = f64x2.mul(s, s);
  const w = f64x2.mul(z2, z2);
  const lg = K_LG1;
  const t1 = f64x2.mul(w, f64x2.add(k64(lg + 1), f64x2.mul(w, f64x2.add(k64(lg + 3), f64x2.mul(w, k64(lg + 5))))));
  const t2 = f64x2.mul(z2, f64x2.add(k64(lg), f64x2.mul(w, f64x2.add(k64(lg + 2),
    f64x2.mul(w, f64x2.add(k64(lg + 4), f64x2.mul(w, k64(lg + 6))))))));
  const r = f64x2.add(t2, t1);
  const hiK = f64x2.mul(dk, k64(K_LN2_HI)), loK = f64x2.mul(dk, k64(K_LN2_LO));

  // fdlibm: i = (hx - 0x6147a) | (0x6b851 - hx); i > 0: 1 + f near sqrt(2) or sqrt(2)/2.
  const far = i64x2.gt_s(v128.or(i64x2.sub(hx, ki64(KI_FAR_LO)), i64x2.sub(ki64(KI_FAR_HI), hx)), v128.splat<i64>(0));
  const hfsq = f64x2.mul(f64x2.mul(k64(K_HALF), f), f);
  const nearForm = f64x2.sub(f64x2.sub(f64x2.mul(s, f64x2.sub(f, r)), loK), f);
  const farForm = f64x2.sub(f64x2.sub(hfsq, f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), loK)), f);
  const result = f64x2.sub(hiK, v128.bitselect(farForm, nearForm, far));

  // fdlibm: (0xfffff & (2 + hx)) < 3, |f| < 2^-20: f - f^2 (1/2 - f/3).
  const tiny = i64x2.lt_s(v128.and(i64x2.add(hx, ki64(KI_TWO)), ki64(KI_HIGH_MANTISSA)), ki64(KI_THREE));
  const rTiny = f64x2.mul(f64x2.mul(f, f), f64x2.sub(k64(K_HALF), f64x2.mul(k64(K_THIRD), f)));
  const tinyForm = f64x2.sub(hiK, f64x2.sub(f64x2.sub(rTiny, loK), f));
  return v128.bitselect(tinyForm, result, tiny);
}

/**
 * log(x) of one f64, as logF64x2 gives it (fdlibm's bits); outside its
 * domain, -Infinity at 0, NaN below 0 and for NaN, Infinity at Infinity,
 * and a subnormal x as log(x 2^54) - 54 ln2 (within 2 ulp: no loss
 * ever takes one, its arguments being at least 1e-9).
 */
export function logF64(x: f64): f64 {
  const v = f64x2.splat(x);
  if (logDomainF64x2(v)) return f64x2.extract_lane(logF64x2(v), 0);
  if (x == 0) return -Infinity;
  if (!(x > 0)) return NaN;
  if (x == Infinity) return x;
  return f64x2.extract_lane(logF64x2(f64x2.splat(x * 18014398509481984)), 0) - 54 * LN2_HI - 54 * LN2_LO;
}

/** log of any two lanes: logF64x2 where both are in its domain, else logF64 one lane at a time. */
// @ts-ignore: decorator
@inline function logPairF64x2(x: v128): v128 {
  if (logDomainF64x2(x)) return logF64x2(x);
  return f64x2.replace_lane(f64x2.splat(logF64(f64x2.extract_lane(x, 0))), 1, logF64(f64x2.extract_lane(x, 1)));
}

/**
 * out[i] = log(x[i]), two lanes at a time (logPairF64x2), an odd last one
 * by logF64: not a kernel of the contract, but what
 * test/backend/log.test.ts compares with Math.log.
 */
export function logArrayF64(n: i32, x: usize, out: usize): void {
  const bytes = <usize>n * 8;
  const vecBytes = bytes & ~15;
  for (let at: usize = 0; at < vecBytes; at += 16) v128.store(out + at, logPairF64x2(v128.load(x + at)));
  if (vecBytes < bytes) store<f64>(out + vecBytes, logF64(load<f64>(x + vecBytes)));
}
