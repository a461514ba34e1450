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
 * Rows 0 .. m of C from op(A) and B; op(A)[i, p] at a + i aRow + p aStep
 * (A's rows lda apart: aRow lda and aStep the element; A^T: the other way
 * round), the rows of B and C ldb and ldc bytes apart; k-blocks of kc.
 * `sums` is ROW_SUMS_BYTES of scratch, 16-byte aligned.
 */
export function gemmRows<T>(
  m: i32, n: i32, k: i32, kc: i32, alpha: T,
  a: usize, aRow: usize, aStep: usize, b: usize, ldb: usize,
  beta: T, c: usize, ldc: usize, sums: usize,
): void {
  const rowBytes = <usize>n * sizeof<T>();
  for (let s0: usize = 0; s0 < rowBytes; s0 += STRIP_BYTES) {
    const width = min(STRIP_BYTES, rowBytes - s0);
    for (let p0 = 0; p0 < k; p0 += kc) {
      const depth = min(kc, k - p0);
      const betaBlock: T = p0 == 0 ? beta : <T>1;
      for (let i = 0; i < m; i++) {
        const ai = a + <usize>i * aRow + <usize>p0 * aStep;
        sumRows<T>(depth, ai, aStep, b + <usize>p0 * ldb + s0, ldb, width, sums);
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
function sumRows<T>(kc: i32, a: usize, aStep: usize, b: usize, ldb: usize, width: usize, sums: usize): void {
  const S = <usize>sizeof<T>();
  const whole = width & ~15;
  for (let at: usize = 0; at < whole; at += 16) v128.store(sums + at, v128.splat<i32>(0));
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const ap = a + <usize>p * aStep;
    const a0 = v128.load_splat<T>(ap), a1 = v128.load_splat<T>(ap + aStep);
    const a2 = v128.load_splat<T>(ap + 2 * aStep), a3 = v128.load_splat<T>(ap + 3 * aStep);
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
    const ap = v128.load_splat<T>(a + <usize>p * aStep);
    const bp = b + <usize>p * ldb;
    for (let at: usize = 0; at < whole; at += 16) {
      v128.store(sums + at, v128.add<T>(v128.load(sums + at), v128.mul<T>(ap, v128.load(bp + at))));
    }
  }
  // The last columns, fewer than a vector: one scalar sum each, the same operations a lane does.
  for (let j = whole; j < width; j += S) {
    let sum: T = 0;
    for (let q = 0; q < kc; q++) sum += load<T>(a + <usize>q * aStep) * load<T>(b + <usize>q * ldb + j);
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

/**
 * The few-rows product with B transposed: C = alpha * A * B^T + beta * C,
 * B n x k as stored (a dense layer's W, in the backward pass's delta W^T):
 * C[i, j] is the dot product of A's row i with B's row j, so B is read in
 * place, row after row, where the blocked path would first pack all of it
 * (transposing) and then compute MR rows of C for each real one.
 *
 * Lanes are still columns of C, each summed in p order from zero in k-blocks
 * of kc as the blocked path sums it: a vector of C takes one lane-width of B's
 * rows, reads a vector of consecutive p from each and transposes them in
 * registers (a vector per p, across the rows), then adds A[i, p] times each in
 * p order. The same bits as the blocked path, for every element.
 */
export function gemmRowsTransposed<T>(
  m: i32, n: i32, k: i32, kc: i32, alpha: T,
  a: usize, lda: usize, b: usize, ldb: usize,
  beta: T, c: usize, ldc: usize,
): void {
  const S = <usize>sizeof<T>();
  const lanes = 16 / sizeof<T>();
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * lda, ci = c + <usize>i * ldc;
    let j = 0;
    for (; j + lanes <= n; j += lanes) {
      const bj = b + <usize>j * ldb;
      for (let p0 = 0; p0 < k; p0 += kc) {
        const depth = min(kc, k - p0);
        const offset = <usize>p0 * S;
        const sum = sizeof<T>() == 4
          ? dotLanesF32(depth, ai + offset, bj + offset, ldb)
          : dotLanesF64(depth, ai + offset, bj + offset, ldb);
        storeVector<T>(ci + <usize>j * S, sum, alpha, p0 == 0 ? beta : <T>1);
      }
    }
    // The last columns, fewer than a vector: one scalar sum each, the same operations a lane does.
    for (; j < n; j++) {
      const bj = b + <usize>j * ldb, cij = ci + <usize>j * S;
      for (let p0 = 0; p0 < k; p0 += kc) {
        const end = min(kc, k - p0) + p0;
        let sum: T = 0;
        for (let p = p0; p < end; p++) sum += load<T>(ai + <usize>p * S) * load<T>(bj + <usize>p * S);
        const v = alpha * sum;
        const betaBlock: T = p0 == 0 ? beta : <T>1;
        store<T>(cij, betaBlock != 0 ? v + betaBlock * load<T>(cij) : v);
      }
    }
  }
}

/** Four f32 dot products of a (depth values) with the rows b, b + ldb, ... b + 3 ldb, each summed in p order from zero. */
function dotLanesF32(depth: i32, a: usize, b: usize, ldb: usize): v128 {
  const b1 = b + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
  let sum = v128.splat<i32>(0);
  let at: usize = 0;
  const whole = <usize>(depth & ~3) * 4;
  for (; at < whole; at += 16) {
    const r0 = v128.load(b + at), r1 = v128.load(b1 + at), r2 = v128.load(b2 + at), r3 = v128.load(b3 + at);
    const u0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), u1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    const u2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), u3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    sum = f32x4.add(sum, f32x4.mul(v128.load_splat<f32>(a + at), v128.shuffle<f32>(u0, u1, 0, 1, 4, 5)));
    sum = f32x4.add(sum, f32x4.mul(v128.load_splat<f32>(a + at, 4), v128.shuffle<f32>(u0, u1, 2, 3, 6, 7)));
    sum = f32x4.add(sum, f32x4.mul(v128.load_splat<f32>(a + at, 8), v128.shuffle<f32>(u2, u3, 0, 1, 4, 5)));
    sum = f32x4.add(sum, f32x4.mul(v128.load_splat<f32>(a + at, 12), v128.shuffle<f32>(u2, u3, 2, 3, 6, 7)));
  }
  const bytes = <usize>depth * 4;
  for (; at < bytes; at += 4) {
    let column = f32x4.splat(load<f32>(b + at));
    column = f32x4.replace_lane(column, 1, load<f32>(b1 + at));
    column = f32x4.replace_lane(column, 2, load<f32>(b2 + at));
    column = f32x4.replace_lane(column, 3, load<f32>(b3 + at));
    sum = f32x4.add(sum, f32x4.mul(v128.load_splat<f32>(a + at), column));
  }
  return sum;
}

/** Two f64 dot products of a (depth values) with the rows b and b + ldb, each summed in p order from zero. */
function dotLanesF64(depth: i32, a: usize, b: usize, ldb: usize): v128 {
  const b1 = b + ldb;
  let sum = v128.splat<i32>(0);
  let at: usize = 0;
  const whole = <usize>(depth & ~1) * 8;
  for (; at < whole; at += 16) {
    const r0 = v128.load(b + at), r1 = v128.load(b1 + at);
    sum = f64x2.add(sum, f64x2.mul(v128.load_splat<f64>(a + at), v128.shuffle<f64>(r0, r1, 0, 2)));
    sum = f64x2.add(sum, f64x2.mul(v128.load_splat<f64>(a + at, 8), v128.shuffle<f64>(r0, r1, 1, 3)));
  }
  if (at < <usize>depth * 8) {
    const column = f64x2.replace_lane(f64x2.splat(load<f64>(b + at)), 1, load<f64>(b1 + at));
    sum = f64x2.add(sum, f64x2.mul(v128.load_splat<f64>(a + at), column));
  }
  return sum;
}

/**
 * C = alpha * op(A) * op(B) + beta * C for k = 1, an outer product: the
 * weight gradient x^T delta of one row, or delta W^T through a layer of one
 * unit. op(A)[i, 0] at a + i aRow, op(B)'s one row contiguous at b. Each row of C is
 * A[i] times B's one row, written once, where the blocked path packs A^T and
 * walks C in tiles; each element is 0 + A[i] B[j] scaled, as the blocked path
 * computes it.
 */
export function gemmOuter<T>(m: i32, n: i32, alpha: T, a: usize, aRow: usize, b: usize, beta: T, c: usize, ldc: usize): void {
  const S = <usize>sizeof<T>();
  const rowBytes = <usize>n * S;
  const whole = rowBytes & ~15;
  const va = v128.splat<T>(alpha), zero = v128.splat<T>(0);
  if (beta == 0 && (rowBytes == 16 || rowBytes == 32)) {
    // Rows of one or two whole vectors (a small layer): B's row held in
    // registers, no loop over columns.
    const b0 = v128.load(b), b1 = v128.load(b + 16 * (rowBytes >> 5));
    for (let i = 0; i < m; i++) {
      const a0 = v128.load_splat<T>(a + <usize>i * aRow), ci = c + <usize>i * ldc;
      v128.store(ci, v128.mul<T>(va, v128.add<T>(zero, v128.mul<T>(a0, b0))));
      if (rowBytes == 32) v128.store(ci, v128.mul<T>(va, v128.add<T>(zero, v128.mul<T>(a0, b1))), 16);
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * aRow, ci = c + <usize>i * ldc;
    const a0 = v128.load_splat<T>(ai);
    if (beta == 0) {
      for (let at: usize = 0; at < whole; at += 16) {
        v128.store(ci + at, v128.mul<T>(va, v128.add<T>(zero, v128.mul<T>(a0, v128.load(b + at)))));
      }
    } else {
      for (let at: usize = 0; at < whole; at += 16) {
        storeVector<T>(ci + at, v128.add<T>(zero, v128.mul<T>(a0, v128.load(b + at))), alpha, beta);
      }
    }
    const ai0 = load<T>(ai);
    for (let j = whole; j < rowBytes; j += S) {
      const v = alpha * (<T>0 + ai0 * load<T>(b + j));
      store<T>(ci + j, beta != 0 ? v + beta * load<T>(ci + j) : v);
    }
  }
}
