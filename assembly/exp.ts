/**
 * exp(t) on four f32 lanes at once, for t <= 0: the only arguments the
 * numerically stable sigmoid, tanh and softmax (exp(x - max)) ever take.
 *
 * t = n ln2 + r with n = round(t / ln2) and |r| <= ln2 / 2 (ln2 split in two
 * so n * ln2 is exact); exp(r) = 1 + r + r^2 q(r), q a degree-4 minimax
 * polynomial (relative error 3e-9 on that interval, far below float32's
 * 6e-8 half-ulp); and s = 2^n built directly in the exponent bits. The result
 * is s + s * (r + r^2 q), so its one significant rounding is the last add.
 * Checked against Math.exp on every float32 t in [ln(FLT_MIN), 0] (1.1e9 of
 * them): at most 0.991 ulp off; test/backend/exp.test.ts keeps a sweep and random
 * points of that under 1 ulp. No table lookup, no branch.
 *
 * Results below FLT_MIN (t < -87.34) are flushed to exactly 0 rather than
 * returned as subnormals, which also covers t = -Infinity. NaN stays NaN.
 *
 * Speed, as V8 compiles this on x86-64:
 * - The constants are loaded from a table in memory (one load each, which
 *   x86 does three a cycle) rather than written as splats: V8 builds a splat
 *   constant from a 64-bit immediate in three instructions, one of them a
 *   GPR-to-vector move that issues once a cycle, and does not always hoist
 *   them out of loops. Binaryen folds splats back into constants, loads it
 *   leaves alone.
 * - The polynomial is evaluated by Estrin's scheme (pairs side by side), not
 *   Horner's, and the input is not clamped (out-of-range lanes are computed
 *   as garbage and masked off at the end, the mask read from the input, off
 *   the chain): 24 operations.
 * - A loop whose body is one long chain of dependent operations overlaps
 *   only a few iterations (the out-of-order scheduler fills with waiting
 *   operations), so callers over long arrays take exp of a block at a time
 *   (expBlockF32) in two passes, each a short chain, through per-thread
 *   scratch, each pass with its constants loaded once into registers: about
 *   40% faster than one pass with the constants loaded where used.
 */

/** ln(FLT_MIN): below this exp(t) is subnormal; at or above it, 2^n is a normal number. */
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
/** q(r) = C2 + C3 r + C4 r^2 + C5 r^3 + C6 r^4: Remez, minimax relative error of exp on [-ln2/2, ln2/2]. */
const C2: f32 = 0.4999999403953552;   // 0x3efffffe
const C3: f32 = 0.1666652113199234;   // 0x3e2aaa49
const C4: f32 = 0.04166838899254799;  // 0x3d2aac79
const C5: f32 = 0.008368710055947304; // 0x3c091cea
const C6: f32 = 0.001381461275741458; // 0x3ab51226

/** The constants, each splatted to a v128 (see "Speed" above). */
const K: usize = memory.data<f32>([
  MIN_ARG, MIN_ARG, MIN_ARG, MIN_ARG,
  LOG2E, LOG2E, LOG2E, LOG2E,
  ROUNDER, ROUNDER, ROUNDER, ROUNDER,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI,
  LN2_LO, LN2_LO, LN2_LO, LN2_LO,
  C2, C2, C2, C2,
  C3, C3, C3, C3,
  C4, C4, C4, C4,
  C5, C5, C5, C5,
  C6, C6, C6, C6,
  -0.0, -0.0, -0.0, -0.0,
  1, 1, 1, 1,
], 16);
const K_MIN_ARG = 0, K_LOG2E = 1, K_ROUNDER = 2, K_LN2_HI = 3, K_LN2_LO = 4;
const K_C2 = 5, K_C3 = 6, K_C4 = 7, K_C5 = 8, K_C6 = 9, K_SIGN = 10, K_ONE = 11;

/** Constant i of the table, as a v128. */
// @ts-ignore: decorator
@inline function expConstant(i: i32): v128 {
  return v128.load(K + <usize>(i * 16));
}

/** All lanes -0.0: v128.or(z, signBitF32x4()) is -|z| in one operation. */
// @ts-ignore: decorator
@inline export function signBitF32x4(): v128 { return expConstant(K_SIGN); }
// @ts-ignore: decorator
@inline export function oneF32x4(): v128 { return expConstant(K_ONE); }

/** Stage 1 of exp(t): from t, r (stored at `r`) and s = 2^n (stored at `s`); the constants as loaded by the caller. */
// @ts-ignore: decorator
@inline function expReduceF32x4(t: v128, r: usize, s: usize, log2e: v128, rounder: v128, ln2Hi: v128, ln2Lo: v128): void {
  const biased = f32x4.add(f32x4.mul(t, log2e), rounder);
  const n = f32x4.sub(biased, rounder);
  v128.store(r, f32x4.sub(f32x4.sub(t, f32x4.mul(n, ln2Hi)), f32x4.mul(n, ln2Lo)));
  // 2^n, n in [-126, 0] for every lane that is kept: n + 127 shifted into the exponent.
  v128.store(s, i32x4.shl(biased, 23));
}

/** Stage 2 of exp(t): s + s (r + r^2 q(r)), not yet masked for underflow. */
// @ts-ignore: decorator
@inline function expFinishF32x4(r: v128, s: v128, c2: v128, c3: v128, c4: v128, c5: v128, c6: v128): v128 {
  const r2 = f32x4.mul(r, r);
  const q01 = f32x4.add(f32x4.mul(r, c3), c2);
  const q23 = f32x4.add(f32x4.mul(r, c5), c4);
  const q = f32x4.add(q01, f32x4.mul(r2, f32x4.add(q23, f32x4.mul(r2, c6))));
  const p = f32x4.add(r, f32x4.mul(r2, q)); // exp(r) - 1
  return f32x4.add(s, f32x4.mul(s, p));
}

/** exp(t) as stage 2 left it, zeroed where t < MIN_ARG (and t = -Infinity); NaN compares false and stays. */
// @ts-ignore: decorator
@inline function expMaskUnderflowF32x4(e: v128, t: v128, minArg: v128): v128 {
  return v128.andnot(e, f32x4.lt(t, minArg));
}

/** exp(t) for t <= 0, both stages in one expression: for short or irregular loops. */
// @ts-ignore: decorator
@inline export function expNonPositiveF32x4(t: v128): v128 {
  const rounder = expConstant(K_ROUNDER);
  const biased = f32x4.add(f32x4.mul(t, expConstant(K_LOG2E)), rounder);
  const n = f32x4.sub(biased, rounder);
  const r = f32x4.sub(f32x4.sub(t, f32x4.mul(n, expConstant(K_LN2_HI))), f32x4.mul(n, expConstant(K_LN2_LO)));
  const e = expFinishF32x4(r, i32x4.shl(biased, 23), expConstant(K_C2), expConstant(K_C3), expConstant(K_C4),
                           expConstant(K_C5), expConstant(K_C6));
  return expMaskUnderflowF32x4(e, t, expConstant(K_MIN_ARG));
}

/**
 * exp(t) of a block of whole vectors at x (bytes <= EXP_BLOCK_BYTES, a
 * multiple of 16), t = x or, with negAbs, t = -|x|, and with doubled 2t (for
 * tanh's exp(-2|x|): doubling is exact, so it is the number 2t itself): into
 * this thread's scratch, whose address it returns. Two passes (see "Speed"),
 * each loading its constants once, before its loop, where V8 keeps them in
 * registers.
 */
// Inlined, so that each caller's constant flags fold away, branches and all.
// @ts-ignore: decorator
@inline export function expBlockF32(x: usize, bytes: usize, negAbs: bool, doubled: bool = false): usize {
  const rs = expScratch, ss = expScratch + EXP_BLOCK_BYTES;
  // t = x | sign: the sign bit set (-|x|) or nothing (or with 0), one code path for both.
  const sign = negAbs ? expConstant(K_SIGN) : v128.splat<i32>(0);
  {
    const log2e = expConstant(K_LOG2E), rounder = expConstant(K_ROUNDER);
    const ln2Hi = expConstant(K_LN2_HI), ln2Lo = expConstant(K_LN2_LO);
    for (let i: usize = 0; i < bytes; i += 16) {
      expReduceF32x4(blockArgument(x + i, sign, doubled), rs + i, ss + i, log2e, rounder, ln2Hi, ln2Lo);
    }
  }
  const c2 = expConstant(K_C2), c3 = expConstant(K_C3), c4 = expConstant(K_C4);
  const c5 = expConstant(K_C5), c6 = expConstant(K_C6), minArg = expConstant(K_MIN_ARG);
  for (let i: usize = 0; i < bytes; i += 16) {
    const e = expFinishF32x4(v128.load(rs + i), v128.load(ss + i), c2, c3, c4, c5, c6);
    v128.store(rs + i, expMaskUnderflowF32x4(e, blockArgument(x + i, sign, doubled), minArg));
  }
  return rs;
}

// @ts-ignore: decorator
@inline function blockArgument(at: usize, sign: v128, doubled: bool): v128 {
  const t = v128.or(v128.load(at), sign);
  return doubled ? f32x4.add(t, t) : t;
}

/**
 * Per-thread scratch for the staged passes: r and s of one block. A global,
 * so that each instance of a shared-memory (threaded) build points its own
 * (setExpScratch); the single-threaded build uses this static block.
 */
export const EXP_BLOCK_BYTES: usize = 1024;
let expScratch: usize = memory.data(<i32>EXP_BLOCK_BYTES * 2, 16);
export function setExpScratch(scratch: usize): void { expScratch = scratch; }

/**
 * out[i] = exp(x[i]) for x[i] <= 0, the way sigmoid runs it over an array
 * (whole vectors in staged passes, the tail one lane at a time through the
 * one-expression form): not a kernel of the contract, but what
 * test/backend/exp.test.ts measures the accuracy of. out may equal x.
 */
export function expNonPositiveF32(n: i32, x: usize, out: usize): void {
  const bytes = <usize>n * 4;
  const vecBytes = bytes & ~15;
  for (let block: usize = 0; block < vecBytes; block += EXP_BLOCK_BYTES) {
    const end = min<usize>(EXP_BLOCK_BYTES, vecBytes - block);
    const e = expBlockF32(x + block, end, false);
    for (let i: usize = 0; i < end; i += 16) v128.store(out + block + i, v128.load(e + i));
  }
  for (let at = vecBytes; at < bytes; at += 4) {
    store<f32>(out + at, f32x4.extract_lane(expNonPositiveF32x4(f32x4.splat(load<f32>(x + at))), 0));
  }
}

/*
 * exp(t) on two f64 lanes, for t <= 0: the float64 path's sigmoid and
 * softmax. The same reduction as the f32 exp (t = n ln2 + r, |r| <= ln2 / 2,
 * ln2 split so n * LN2_HI_F64 is exact, 2^n built in the exponent bits),
 * then exp(r) - 1 = r + r^2 q(r) with q the Taylor series of (exp(r) - 1 - r)
 * / r^2 to r^11 (the first term left out, r^14 / 14!, is below 5e-18 on the
 * interval: a fortieth of an ulp), summed as two Horner chains in r^2 (even
 * and odd terms) so that the two run side by side. The result is
 * s + s (r + r^2 q), its one significant rounding the last add. Checked by
 * test/backend/exp.test.ts against Math.exp over a dense sweep of
 * [ln(DBL_MIN), 0] and random points: under 1 ulp (docs/speed.md).
 *
 * Results below DBL_MIN (t < -708.40) are flushed to exactly 0 rather than
 * returned as subnormals, which also covers t = -Infinity. NaN stays NaN.
 */

/** ln(DBL_MIN): at or above it, 2^n is a normal number. */
const MIN_ARG_F64: f64 = -708.3964185322641;
const LOG2E_F64: f64 = 1.4426950408889634;
/** fdlibm's split of ln2: LN2_HI_F64 has 32 significant bits, so n * LN2_HI_F64 is exact for any n kept. */
const LN2_HI_F64: f64 = 6.93147180369123816490e-01;
const LN2_LO_F64: f64 = 1.90821492927058770002e-10;
/** 1.5 * 2^52 + 1023: as ROUNDER, with n + 1023 left in the low mantissa bits. */
const ROUNDER_F64: f64 = 6755399441056767;

/** The constants, each on two lanes: MIN_ARG, LOG2E, ROUNDER, LN2_HI, LN2_LO, -0.0, 1, then 1/k! for k = 2 .. 13. */
const K64: usize = memory.data<f64>([
  MIN_ARG_F64, MIN_ARG_F64, LOG2E_F64, LOG2E_F64, ROUNDER_F64, ROUNDER_F64,
  LN2_HI_F64, LN2_HI_F64, LN2_LO_F64, LN2_LO_F64, -0.0, -0.0, 1, 1,
  1.0 / 2, 1.0 / 2,
  1.0 / 6, 1.0 / 6,
  1.0 / 24, 1.0 / 24,
  1.0 / 120, 1.0 / 120,
  1.0 / 720, 1.0 / 720,
  1.0 / 5040, 1.0 / 5040,
  1.0 / 40320, 1.0 / 40320,
  1.0 / 362880, 1.0 / 362880,
  1.0 / 3628800, 1.0 / 3628800,
  1.0 / 39916800, 1.0 / 39916800,
  1.0 / 479001600, 1.0 / 479001600,
  1.0 / 6227020800, 1.0 / 6227020800,
], 16);
const K64_MIN_ARG = 0, K64_LOG2E = 1, K64_ROUNDER = 2, K64_LN2_HI = 3, K64_LN2_LO = 4, K64_SIGN = 5, K64_ONE = 6;
/** 1/k! is constant K64_FACTORIAL + k - 2. */
const K64_FACTORIAL = 7;

// @ts-ignore: decorator
@inline function k64(i: i32): v128 {
  return v128.load(K64 + <usize>(i * 16));
}

/** Both lanes -0.0 (v128.or(z, signBitF64x2()) is -|z|), and both 1. */
// @ts-ignore: decorator
@inline export function signBitF64x2(): v128 { return k64(K64_SIGN); }
// @ts-ignore: decorator
@inline export function oneF64x2(): v128 { return k64(K64_ONE); }

/** exp(t) of two f64 lanes, t <= 0 (see above). */
// @ts-ignore: decorator
@inline export function expNonPositiveF64x2(t: v128): v128 {
  const rounder = k64(K64_ROUNDER);
  const biased = f64x2.add(f64x2.mul(t, k64(K64_LOG2E)), rounder);
  const n = f64x2.sub(biased, rounder);
  const r = f64x2.sub(f64x2.sub(t, f64x2.mul(n, k64(K64_LN2_HI))), f64x2.mul(n, k64(K64_LN2_LO)));
  return expFinishF64x2(t, r, i64x2.shl(biased, 52));
}

/**
 * exp(t) of a block of whole vectors at x (bytes <= EXP_BLOCK_BYTES, a
 * multiple of 16), t = -|x|, into this thread's scratch, whose address it
 * returns: two passes, as expBlockF32, so that each loop's chain of
 * dependent operations is short enough for several turns to overlap.
 */
export function expBlockF64NegAbs(x: usize, bytes: usize): usize {
  const rs = expScratch, ss = expScratch + EXP_BLOCK_BYTES;
  const sign = k64(K64_SIGN), log2e = k64(K64_LOG2E), rounder = k64(K64_ROUNDER);
  const ln2Hi = k64(K64_LN2_HI), ln2Lo = k64(K64_LN2_LO);
  for (let i: usize = 0; i < bytes; i += 16) {
    const t = v128.or(v128.load(x + i), sign);
    const biased = f64x2.add(f64x2.mul(t, log2e), rounder);
    const n = f64x2.sub(biased, rounder);
    v128.store(rs + i, f64x2.sub(f64x2.sub(t, f64x2.mul(n, ln2Hi)), f64x2.mul(n, ln2Lo)));
    v128.store(ss + i, i64x2.shl(biased, 52));
  }
  for (let i: usize = 0; i < bytes; i += 16) {
    v128.store(rs + i, expFinishF64x2(v128.or(v128.load(x + i), sign), v128.load(rs + i), v128.load(ss + i)));
  }
  return rs;
}

/** exp(t) from its reduction: r, and s = 2^n; zero where t < MIN_ARG. */
// @ts-ignore: decorator
@inline function expFinishF64x2(t: v128, r: v128, s: v128): v128 {
  const r2 = f64x2.mul(r, r);
  // q = even(r^2) + r odd(r^2): 1/2! + 1/4! r^2 + ... + 1/12! r^10, and 1/3! + 1/5! r^2 + ... + 1/13! r^10.
  const F = K64_FACTORIAL;
  let even = f64x2.add(f64x2.mul(k64(F + 10), r2), k64(F + 8));
  let odd = f64x2.add(f64x2.mul(k64(F + 11), r2), k64(F + 9));
  even = f64x2.add(f64x2.mul(even, r2), k64(F + 6));
  odd = f64x2.add(f64x2.mul(odd, r2), k64(F + 7));
  even = f64x2.add(f64x2.mul(even, r2), k64(F + 4));
  odd = f64x2.add(f64x2.mul(odd, r2), k64(F + 5));
  even = f64x2.add(f64x2.mul(even, r2), k64(F + 2));
  odd = f64x2.add(f64x2.mul(odd, r2), k64(F + 3));
  even = f64x2.add(f64x2.mul(even, r2), k64(F));
  odd = f64x2.add(f64x2.mul(odd, r2), k64(F + 1));
  const q = f64x2.add(even, f64x2.mul(r, odd));
  const p = f64x2.add(r, f64x2.mul(r2, q)); // exp(r) - 1
  const e = f64x2.add(s, f64x2.mul(s, p));
  return v128.andnot(e, f64x2.lt(t, k64(K64_MIN_ARG)));
}

/** out[i] = exp(x[i]) for x[i] <= 0, two lanes at a time, the last odd one alone: what the exp test measures. out may equal x. */
export function expNonPositiveF64(n: i32, x: usize, out: usize): void {
  const bytes = <usize>n * 8;
  const vecBytes = bytes & ~15;
  for (let at: usize = 0; at < vecBytes; at += 16) v128.store(out + at, expNonPositiveF64x2(v128.load(x + at)));
  if (vecBytes < bytes) store<f64>(out + vecBytes, f64x2.extract_lane(expNonPositiveF64x2(f64x2.splat(load<f64>(x + vecBytes))), 0));
}
