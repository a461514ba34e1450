/**
 * The few-rows product: C = alpha * A * B + beta * C for a small m, neither
 * transposed (B k x n, row-major, as a dense layer stores its weights), B
 * read where it lies, row after row.
 *
 * A product with one or a few rows (predict on a single input) reads every
 * weight for a handful of multiplies, so it runs at the speed B streams in:
 * the blocked path would copy all of B into panels first, compute MR rows
 * for each real one, and walk B down its columns. Here each row of A
 * adds A[i, p] times B's row p into a row of sums, four rows of B at a time
 * (four sequential streams, each sum loaded and stored once per four), a
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
        sumRows<T>(depth, ai, b + <usize>p0 * ldb + s0, ldb, width, sums);
        mergeRow<T>(c + <usize>i * ldc + s0, sums, width, alpha, betaBlock);
      }
    }
  }
}

/**
 * sums[j] = sum over p < kc, in p order from zero, of A[p] * B[p, j], for
 * the `width` bytes of columns. Each column is summed in p order whichever
 * loop takes it: whole vectors four rows of B at a time, then row by row;
 * the columns past the last whole vector one by one.
 */
function sumRows<T>(kc: i32, a: usize, b: usize, ldb: usize, width: usize, sums: usize): void {
  const S = <usize>sizeof<T>();
  const whole = width & ~15;
  for (let at: usize = 0; at < whole; at += 16) v128.store(sums + at, v128.splat<i32>(0));
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const ap = a + <usize>p * S;
    const a0 = v128.load_splat<T>(ap), a1 = v128.load_splat<T>(ap, S);
    const a2 = v128.load_splat<T>(ap, 2 * S), a3 = v128.load_splat<T>(ap, 3 * S);
    const b0 = b + <usize>p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
    for (let at: usize = 0; at < whole; at += 16) {
      let s = v128.load(sums + at);
      s = v128.add<T>(s, v128.mul<T>(a0, v128.load(b0 + at)));
      s = v128.add<T>(s, v128.mul<T>(a1, v128.load(b1 + at)));
      s = v128.add<T>(s, v128.mul<T>(a2, v128.load(b2 + at)));
      s = v128.add<T>(s, v128.mul<T>(a3, v128.load(b3 + at)));
      v128.store(sums + at, s);
    }
  }
  for (; p < kc; p++) {
    const ap = v128.load_splat<T>(a + <usize>p * S);
    const bp = b + <usize>p * ldb;
    for (let at: usize = 0; at < whole; at += 16) {
      v128.store(sums + at, v128.add<T>(v128.load(sums + at), v128.mul<T>(ap, v128.load(bp + at))));
    }
  }
  // The last columns, fewer than a vector: one scalar sum each, the same operations a lane does.
  for (let j = whole; j < width; j += S) {
    let sum: T = 0;
    for (let q = 0; q < kc; q++) sum += load<T>(a + <usize>q * S) * load<T>(b + <usize>q * ldb + j);
    store<T>(sums + j, sum);
  }
}

/** C = alpha * sums + beta * C over `width` bytes of a row (beta 0: C is not read). */
function mergeRow<T>(c: usize, sums: usize, width: usize, alpha: T, beta: T): void {
  const whole = width & ~15;
  for (let at: usize = 0; at < whole; at += 16) storeVector<T>(c + at, v128.load(sums + at), alpha, beta);
  for (let at = whole; at < width; at += sizeof<T>()) {
    const v = alpha * load<T>(sums + at);
    store<T>(c + at, beta != 0 ? v + beta * load<T>(c + at) : v);
  }
}
