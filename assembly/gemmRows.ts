/**
 * The few-rows product: C = alpha * A * B + beta * C for a small m, neither
 * transposed (B k x n, row-major, as a dense layer stores its weights), B
 * read where it lies, row after row.
 *
 * A product with one or a few rows (predict on a single input) reads every
 * weight for a handful of multiplies, so it runs at the speed B streams in:
 * the blocked path would copy all of B into panels first, compute MR rows
 * for each real one, and walk B down its columns. Here each row of A
 * adds A[i, p] times B's row p into a row of sums, eight rows of B at a time
 * (eight sequential streams, each sum loaded and stored once per eight), a
 * strip of at most STRIP_BYTES of columns at a time so that a k-block of the
 * strip stays in L2 for the next row of A.
 *
 * Every element is summed exactly as gemm.ts's blocked path sums it: in
 * k-blocks of kc, each block's products added in p order into a sum that
 * starts at zero, then C = alpha * sum + beta * C (later blocks with beta 1).
 * Lanes are columns, so no sum is split across lanes, and a row's result is
 * the same whichever path, and in whatever batch, computed it.
 */
import { storeVector } from './gemmKernel';

/** Bytes of a row of C (and of B) summed at a time. */
const STRIP_BYTES: usize = 2048;
/** Scratch the sums need: one strip. */
export const ROW_SUMS_BYTES: i32 = <i32>STRIP_BYTES;

/**
 * Rows 0 .. m of C from A and B; the rows of A, B and C lda, ldb and ldc
 * bytes apart; k-blocks of kc.
 * `sums` is ROW_SUMS_BYTES of scratch, 16-byte aligned.
 */
export function gemmRows<T>(
  m: i32, n: i32, k: i32, kc: i32, alpha: T,
  a: usize, lda: usize, b: usize, ldb: usize,
  beta: T, c: usize, ldc: usize, sums: usize,
): void {
  const rowBytes = <usize>n * sizeof<T>();
  for (let s0: usize = 0; s0 < rowBytes; s0 += STRIP_BYTES) {
    const width = min(STRIP_BYTES, rowBytes - s0);
    for (let p0 = 0; p0 < k; p0 += kc) {
      const depth = min(kc, k - p0);
      const betaBlock: T = p0 == 0 ? beta : <T>1;
      for (let i = 0; i < m; i++) {
        const ai = a + <usize>i * lda + <usize>p0 * sizeof<T>();
        sumRows<T>(depth, ai, sizeof<T>(), b + <usize>p0 * ldb + s0, ldb, width, sums);
        mergeRow<T>(c + <usize>i * ldc + s0, sums, width, alpha, betaBlock);
      }
    }
  }
}

/**
 * sums[j] = sum over p < kc, in p order from zero, of A[p] * B[p, j], for
 * the `width` bytes of columns (the last vector of sums zero-padded).
 */
function sumRows<T>(kc: i32, a: usize, aStep: usize, b: usize, ldb: usize, width: usize, sums: usize): void {
  const whole = width & ~15;
  const rest = <i32>(width & 15);
  const end = (width + 15) & ~15;
  for (let at: usize = 0; at < end; at += 16) v128.store(sums + at, v128.splat<i32>(0));
  let p = 0;
  for (; p + 8 <= kc; p += 8) {
    const a0 = v128.load_splat<T>(a), a1 = v128.load_splat<T>(a + aStep);
    const a2 = v128.load_splat<T>(a + 2 * aStep), a3 = v128.load_splat<T>(a + 3 * aStep);
    const a4 = v128.load_splat<T>(a + 4 * aStep), a5 = v128.load_splat<T>(a + 5 * aStep);
    const a6 = v128.load_splat<T>(a + 6 * aStep), a7 = v128.load_splat<T>(a + 7 * aStep);
    const b1 = b + ldb, b2 = b + 2 * ldb, b3 = b + 3 * ldb;
    const b4 = b + 4 * ldb, b5 = b + 5 * ldb, b6 = b + 6 * ldb, b7 = b + 7 * ldb;
    let at: usize = 0;
    for (; at < whole; at += 16) {
      let s = v128.load(sums + at);
      s = v128.add<T>(s, v128.mul<T>(a0, v128.load(b + at)));
      s = v128.add<T>(s, v128.mul<T>(a1, v128.load(b1 + at)));
      s = v128.add<T>(s, v128.mul<T>(a2, v128.load(b2 + at)));
      s = v128.add<T>(s, v128.mul<T>(a3, v128.load(b3 + at)));
      s = v128.add<T>(s, v128.mul<T>(a4, v128.load(b4 + at)));
      s = v128.add<T>(s, v128.mul<T>(a5, v128.load(b5 + at)));
      s = v128.add<T>(s, v128.mul<T>(a6, v128.load(b6 + at)));
      s = v128.add<T>(s, v128.mul<T>(a7, v128.load(b7 + at)));
      v128.store(sums + at, s);
    }
    if (rest != 0) {
      let s = v128.load(sums + at);
      s = v128.add<T>(s, v128.mul<T>(a0, loadPartial(b + at, rest)));
      s = v128.add<T>(s, v128.mul<T>(a1, loadPartial(b1 + at, rest)));
      s = v128.add<T>(s, v128.mul<T>(a2, loadPartial(b2 + at, rest)));
      s = v128.add<T>(s, v128.mul<T>(a3, loadPartial(b3 + at, rest)));
      s = v128.add<T>(s, v128.mul<T>(a4, loadPartial(b4 + at, rest)));
      s = v128.add<T>(s, v128.mul<T>(a5, loadPartial(b5 + at, rest)));
      s = v128.add<T>(s, v128.mul<T>(a6, loadPartial(b6 + at, rest)));
      s = v128.add<T>(s, v128.mul<T>(a7, loadPartial(b7 + at, rest)));
      v128.store(sums + at, s);
    }
    a += 8 * aStep;
    b += 8 * ldb;
  }
  for (; p < kc; p++) {
    const ap = v128.load_splat<T>(a);
    let at: usize = 0;
    for (; at < whole; at += 16) {
      v128.store(sums + at, v128.add<T>(v128.load(sums + at), v128.mul<T>(ap, v128.load(b + at))));
    }
    if (rest != 0) {
      v128.store(sums + at, v128.add<T>(v128.load(sums + at), v128.mul<T>(ap, loadPartial(b + at, rest))));
    }
    a += aStep;
    b += ldb;
  }
}

/** C = alpha * sums + beta * C over `width` bytes of a row (beta 0: C is not read); nothing past it written. */
function mergeRow<T>(c: usize, sums: usize, width: usize, alpha: T, beta: T): void {
  const whole = width & ~15;
  const rest = <i32>(width & 15);
  let at: usize = 0;
  for (; at < whole; at += 16) storeVector<T>(c + at, v128.load(sums + at), alpha, beta);
  if (rest != 0) {
    let v = v128.mul<T>(v128.splat<T>(alpha), v128.load(sums + at));
    if (beta != 0) v = v128.add<T>(v, v128.mul<T>(v128.splat<T>(beta), loadPartial(c + at, rest)));
    v128.store_lane<i32>(c + at, v, 0);
    if (rest >= 8) v128.store_lane<i32>(c + at, v, 1, 4);
    if (rest >= 12) v128.store_lane<i32>(c + at, v, 2, 8);
  }
}

/** The first `bytes` (4, 8 or 12) at `at`, zeros after: nothing past them is read. */
// @ts-ignore: decorator
@inline function loadPartial(at: usize, bytes: i32): v128 {
  let v = bytes >= 8 ? v128.load64_zero(at) : v128.load32_zero(at);
  if (bytes == 12) v = v128.load_lane<i32>(at + 8, v, 2);
  return v;
}
