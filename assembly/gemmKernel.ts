/**
 * The GEMM micro-kernel: one MR x NR tile of C, accumulated in registers.
 *
 * Every op(A) * op(B) product ends here. A's four rows are read through four
 * pointers (into A itself, or into a packed panel of A^T) and broadcast one
 * scalar at a time (load_splat); B's rows come from a packed panel where each
 * p is NR contiguous columns, i.e. exactly two v128 loads. The 8 accumulators
 * (4 rows x 2 vectors), two B vectors and one broadcast use 11 of the 15
 * vector registers V8 allocates on x64, so the tile stays in registers for
 * the whole loop. (A 6 x 8 tile needs all 15 and ran at 2/3 the speed; a
 * hand-unrolled loop was slower too: V8 unrolls this one itself.)
 */

/** Rows of C per micro-tile. */
export const MR: i32 = 4;
/** Bytes in one packed row of B: two v128, i.e. 8 f32 or 4 f64 columns. */
export const NR_BYTES: i32 = 32;

/** Columns of C per micro-tile for element type T. */
// @ts-ignore: decorator
@inline export function nr<T>(): i32 {
  return NR_BYTES / sizeof<T>();
}

/** A partial tile (bottom or right edge of C) is finished here, then merged (per thread: see gemm.ts bChunk). */
export const TILE_BYTES: i32 = MR * NR_BYTES;
let gemmTile: usize = memory.data(TILE_BYTES, 16);
export function setGemmTile(tile: usize): void { gemmTile = tile; }

/**
 * C[r, j] = alpha * sum_p A_r[p] * panel[p, j] + beta * C[r, j]
 * for r < rows, j < cols; beta == 0 ignores C's contents.
 *
 * a0..a3 point at op(A)[row, p0] and step by aStep bytes per p. Callers pass a
 * real row for every pointer (repeating the last row past m), and the panel is
 * zero-padded past n, so the tile is always computed whole and the extra rows
 * and columns dropped.
 */
// @ts-ignore: decorator
@inline export function microKernel<T>(
  kc: i32, a0: usize, a1: usize, a2: usize, a3: usize, aStep: usize,
  panel: usize, c: usize, ldc: usize, rows: i32, cols: i32, alpha: T, beta: T,
): void {
  let c00 = v128.splat<T>(0), c01 = v128.splat<T>(0);
  let c10 = v128.splat<T>(0), c11 = v128.splat<T>(0);
  let c20 = v128.splat<T>(0), c21 = v128.splat<T>(0);
  let c30 = v128.splat<T>(0), c31 = v128.splat<T>(0);
  let bp = panel;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let av = v128.load_splat<T>(a0);
    c00 = v128.add<T>(c00, v128.mul<T>(av, b0));
    c01 = v128.add<T>(c01, v128.mul<T>(av, b1));
    av = v128.load_splat<T>(a1);
    c10 = v128.add<T>(c10, v128.mul<T>(av, b0));
    c11 = v128.add<T>(c11, v128.mul<T>(av, b1));
    av = v128.load_splat<T>(a2);
    c20 = v128.add<T>(c20, v128.mul<T>(av, b0));
    c21 = v128.add<T>(c21, v128.mul<T>(av, b1));
    av = v128.load_splat<T>(a3);
    c30 = v128.add<T>(c30, v128.mul<T>(av, b0));
    c31 = v128.add<T>(c31, v128.mul<T>(av, b1));
    a0 += aStep; a1 += aStep; a2 += aStep; a3 += aStep;
    bp += NR_BYTES;
  }

  if (rows == MR && cols == nr<T>()) {
    storeRow<T>(c, c00, c01, alpha, beta);
    storeRow<T>(c + ldc, c10, c11, alpha, beta);
    storeRow<T>(c + 2 * ldc, c20, c21, alpha, beta);
    storeRow<T>(c + 3 * ldc, c30, c31, alpha, beta);
  } else {
    // Whole tile to scratch (beta 0: nothing of C is read), then only the
    // rows and columns that exist in C.
    storeRow<T>(gemmTile, c00, c01, alpha, 0);
    storeRow<T>(gemmTile + NR_BYTES, c10, c11, alpha, 0);
    storeRow<T>(gemmTile + 2 * NR_BYTES, c20, c21, alpha, 0);
    storeRow<T>(gemmTile + 3 * NR_BYTES, c30, c31, alpha, 0);
    mergeTile<T>(c, ldc, rows, cols, beta);
  }
}

/**
 * A tile of only one or two rows (all of C when op(A) has two rows: the
 * weight gradient x^T delta of a layer of two inputs): the four-row kernel
 * would spend half its multiplies on repeated rows. Same contract as
 * microKernel, rows <= 2.
 */
// @ts-ignore: decorator
@inline export function microKernelTwoRows<T>(
  kc: i32, a0: usize, a1: usize, aStep: usize,
  panel: usize, c: usize, ldc: usize, rows: i32, cols: i32, alpha: T, beta: T,
): void {
  let c00 = v128.splat<T>(0), c01 = v128.splat<T>(0);
  let c10 = v128.splat<T>(0), c11 = v128.splat<T>(0);
  let bp = panel;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let av = v128.load_splat<T>(a0);
    c00 = v128.add<T>(c00, v128.mul<T>(av, b0));
    c01 = v128.add<T>(c01, v128.mul<T>(av, b1));
    av = v128.load_splat<T>(a1);
    c10 = v128.add<T>(c10, v128.mul<T>(av, b0));
    c11 = v128.add<T>(c11, v128.mul<T>(av, b1));
    a0 += aStep; a1 += aStep;
    bp += NR_BYTES;
  }
  if (cols == nr<T>()) {
    storeRow<T>(c, c00, c01, alpha, beta);
    if (rows == 2) storeRow<T>(c + ldc, c10, c11, alpha, beta);
  } else {
    storeRow<T>(gemmTile, c00, c01, alpha, 0);
    storeRow<T>(gemmTile + NR_BYTES, c10, c11, alpha, 0);
    mergeTile<T>(c, ldc, rows, cols, beta);
  }
}

/** Bytes in one packed row of a narrow panel: one v128, i.e. 4 f32 or 2 f64 columns. */
export const NARROW_BYTES: i32 = 16;

/**
 * The narrow micro-kernel: an MR x (one vector) tile, for the last columns of
 * C when they fit one v128 (all of C when n <= 4 in f32): the wide kernel
 * would spend half its multiplies on padding there, and merge every tile
 * through scratch. The panel's rows are NARROW_BYTES apart. Same contract
 * as microKernel otherwise.
 */
// @ts-ignore: decorator
@inline export function microKernelNarrow<T>(
  kc: i32, a0: usize, a1: usize, a2: usize, a3: usize, aStep: usize,
  panel: usize, c: usize, ldc: usize, rows: i32, cols: i32, alpha: T, beta: T,
): void {
  let c0 = v128.splat<T>(0), c1 = v128.splat<T>(0), c2 = v128.splat<T>(0), c3 = v128.splat<T>(0);
  let bp = panel;
  for (let p = 0; p < kc; p++) {
    const b = v128.load(bp);
    c0 = v128.add<T>(c0, v128.mul<T>(v128.load_splat<T>(a0), b));
    c1 = v128.add<T>(c1, v128.mul<T>(v128.load_splat<T>(a1), b));
    c2 = v128.add<T>(c2, v128.mul<T>(v128.load_splat<T>(a2), b));
    c3 = v128.add<T>(c3, v128.mul<T>(v128.load_splat<T>(a3), b));
    a0 += aStep; a1 += aStep; a2 += aStep; a3 += aStep;
    bp += NARROW_BYTES;
  }
  if (rows == MR && cols * sizeof<T>() == NARROW_BYTES) {
    storeVector<T>(c, c0, alpha, beta);
    storeVector<T>(c + ldc, c1, alpha, beta);
    storeVector<T>(c + 2 * ldc, c2, alpha, beta);
    storeVector<T>(c + 3 * ldc, c3, alpha, beta);
  } else {
    const va = v128.splat<T>(alpha);
    v128.store(gemmTile, v128.mul<T>(va, c0));
    v128.store(gemmTile + NR_BYTES, v128.mul<T>(va, c1));
    v128.store(gemmTile + 2 * NR_BYTES, v128.mul<T>(va, c2));
    v128.store(gemmTile + 3 * NR_BYTES, v128.mul<T>(va, c3));
    mergeTile<T>(c, ldc, rows, cols, beta);
  }
}

/** One vector of a tile: C = alpha * acc + beta * C, never reading C when beta is 0. */
// @ts-ignore: decorator
@inline export function storeVector<T>(c: usize, acc: v128, alpha: T, beta: T): void {
  let v = v128.mul<T>(v128.splat<T>(alpha), acc);
  if (beta != 0) v = v128.add<T>(v, v128.mul<T>(v128.splat<T>(beta), v128.load(c)));
  v128.store(c, v);
}

/** One row of a tile: C = alpha * acc + beta * C, never reading C when beta is 0. */
// @ts-ignore: decorator
@inline function storeRow<T>(c: usize, lo: v128, hi: v128, alpha: T, beta: T): void {
  const va = v128.splat<T>(alpha);
  lo = v128.mul<T>(va, lo);
  hi = v128.mul<T>(va, hi);
  if (beta != 0) {
    const vb = v128.splat<T>(beta);
    lo = v128.add<T>(lo, v128.mul<T>(vb, v128.load(c)));
    hi = v128.add<T>(hi, v128.mul<T>(vb, v128.load(c, 16)));
  }
  v128.store(c, lo);
  v128.store(c, hi, 16);
}

/**
 * C[r, j] = gemmTile[r, j] + beta * C[r, j] over the part of the tile inside C
 * (beta 0: C is not read). A whole first vector where the tile is that wide.
 */
function mergeTile<T>(c: usize, ldc: usize, rows: i32, cols: i32, beta: T): void {
  const S = <usize>sizeof<T>();
  const L = 16 / <i32>sizeof<T>();
  const vb = v128.splat<T>(beta);
  for (let r = 0; r < rows; r++) {
    const t = gemmTile + <usize>r * NR_BYTES;
    const cr = c + <usize>r * ldc;
    let j = 0;
    if (cols >= L) {
      const v = v128.load(t);
      v128.store(cr, beta != 0 ? v128.add<T>(v, v128.mul<T>(vb, v128.load(cr))) : v);
      j = L;
    }
    if (beta != 0) {
      for (; j < cols; j++) {
        const at = <usize>j * S;
        store<T>(cr + at, load<T>(t + at) + beta * load<T>(cr + at));
      }
    } else {
      for (; j < cols; j++) {
        const at = <usize>j * S;
        store<T>(cr + at, load<T>(t + at));
      }
    }
  }
}
