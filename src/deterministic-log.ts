/**
 * A natural logarithm that gives the same double on every JavaScript engine.
 * ECMAScript lets Math.log be approximate, and V8, SpiderMonkey and
 * JavaScriptCore may differ in the last bit; random.ts needs a log for its
 * normals, and the same seed must give the same weights everywhere. So this
 * uses only what the standard rounds exactly: + - * /, and the bits of a
 * double read through a DataView (big-endian, so the host's byte order does
 * not matter).
 *
 * The method is fdlibm's (Sun, 1993), with Taylor coefficients in place of its
 * minimax ones: x = 2^k * (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)), then
 * ln(1 + f) = 2 atanh(s), s = f / (2 + f), |s| <= 0.1716. Measured within
 * 0.83 ulp of the true logarithm (mpmath, 300k points from subnormal to
 * huge); test/random.test.ts holds it within 1 ulp of Math.log.
 */

/**
 * 2 atanh(s) = 2s + s * (C1 s^2 + C2 s^4 + ...), Cn = 2 / (2n + 1). Ten terms: the
 * first one left out, (2/23) s^23, is below 2^-60 of the result (2s) at s = 0.1716.
 */
const C1 = 2 / 3,
  C2 = 2 / 5,
  C3 = 2 / 7,
  C4 = 2 / 9,
  C5 = 2 / 11;
const C6 = 2 / 13,
  C7 = 2 / 15,
  C8 = 2 / 17,
  C9 = 2 / 19,
  C10 = 2 / 21;

/**
 * ln 2 in two parts: LN2_HI has only 32 significant bits, so k * LN2_HI is exact
 * for every exponent k of a double, and LN2_LO adds the rest (ln 2 to ~2^-86).
 */
const LN2_HI = 6.9314718036912381649e-1; // 0x3fe62e42fee00000
const LN2_LO = 1.90821492927058770002e-10; // 0x3dea39ef35793c76

const bits = new DataView(new ArrayBuffer(8));

/** The natural logarithm of x, identical on every engine; Math.log's results for 0, negatives, NaN and Infinity. */
export function deterministicLog(x: number): number {
  if (!(x > 0 && x < Infinity)) return x === 0 ? -Infinity : x === Infinity ? x : NaN;
  let k = 0;
  if (x < 2.2250738585072014e-308) {
    // subnormal (below 2^-1022): scale by 2^54 into the normal range, exactly
    x *= 18014398509481984;
    k = -54;
  }
  bits.setFloat64(0, x);
  const high = bits.getUint32(0);
  k += (high >>> 20) - 1023;
  bits.setUint32(0, (high & 0x000fffff) | 0x3ff00000); // the same significand with exponent 0: [1, 2)
  let m = bits.getFloat64(0);
  // Centre the range on 1 so that |s| stays small and ln(m) never cancels against k ln 2.
  if (m > Math.SQRT2) {
    m *= 0.5;
    k += 1;
  }
  const f = m - 1; // exact (Sterbenz: m is within a factor 2 of 1)
  const s = f / (2 + f);
  const z = s * s;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * (C6 + z * (C7 + z * (C8 + z * (C9 + z * C10)))))))));
  // 2s = f - f^2/2 + s f^2/2, so ln m = f - (hfsq - s (hfsq + r)): f, exact and the
  // largest term, is added last, so rounding errors arise only in the small terms.
  const hfsq = 0.5 * f * f;
  return k * LN2_HI - (hfsq - (s * (hfsq + r) + k * LN2_LO) - f);
}
