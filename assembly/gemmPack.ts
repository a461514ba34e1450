/**
 * Packing for the GEMM micro-kernel: panels of op(B), and groups of rows of
 * op(A) when A is transposed.
 *
 * A panel of op(B) is kc rows (p) by NR columns, each row NR_BYTES contiguous.
 *
 * Packing gives every transpose case the same unit-stride panel, and keeps it
 * in a few contiguous KB of L1 however large B's row stride is (a power-of-two
 * stride would otherwise map all of a panel's rows onto the same cache sets).
 */
import { MR, NARROW_BYTES, NR_BYTES } from './gemmKernel';

/**
 * panel[p, j] = op(B)[p0 + p, j0 + j] for p < kc, j < cols; 0 for cols <= j < NR.
 * B is k x n (stored n x k when transB), its rows ldb elements apart. The padding columns' results are
 * never stored; zeros just keep stale values (possibly subnormal, which x86
 * multiplies slowly) out of the arithmetic.
 */
export function packPanel<T>(
  transB: bool, b: usize, ldb: i32, p0: i32, kc: i32, j0: i32, cols: i32, panel: usize,
): void {
  packPanelOf<T>(transB, b, ldb, p0, kc, j0, cols, panel, NR_BYTES);
}

/**
 * A narrow panel (rows NARROW_BYTES apart, one v128) for the last columns of
 * op(B) when they fit one vector: cols * sizeof<T> <= NARROW_BYTES.
 */
export function packNarrowPanel<T>(
  transB: bool, b: usize, ldb: i32, p0: i32, kc: i32, j0: i32, cols: i32, panel: usize,
): void {
  packPanelOf<T>(transB, b, ldb, p0, kc, j0, cols, panel, NARROW_BYTES);
}

/** Either width (one function, not one copy per width: the module's size counts in the browser build). */
function packPanelOf<T>(
  transB: bool, b: usize, ldb: i32, p0: i32, kc: i32, j0: i32, cols: i32, panel: usize, width: i32,
): void {
  const S = <usize>sizeof<T>();
  const rowBytes = <usize>width;
  const colBytes = <usize>cols * S;
  if (!transB) {
    // Row p of op(B) is row p of B: contiguous in j. Whole vectors where the
    // panel row is full; a partial one is assembled from a zeroed vector
    // (load32/64_zero never read past the row's last element).
    const ld = <usize>ldb * S;
    let src = b + (<usize>p0 * ldb + j0) * S;
    let dst = panel;
    // Whole vectors, then (a partial panel) 4, 8 or 12 bytes, then zeros.
    const whole = colBytes & ~15, rest = colBytes & 15;
    for (let p = 0; p < kc; p++) {
      let at: usize = 0;
      for (; at < whole; at += 16) v128.store(dst + at, v128.load(src + at));
      if (rest != 0) {
        let v = rest >= 8 ? v128.load64_zero(src + at) : v128.load32_zero(src + at);
        if (rest == 12) v = v128.load_lane<i32>(src + at + 8, v, 2);
        v128.store(dst + at, v);
        at += 16;
      }
      for (; at < rowBytes; at += 16) v128.store(dst + at, v128.splat<i32>(0));
      src += ld;
      dst += rowBytes;
    }
  } else {
    // Column j of op(B) is row j of B: read it contiguously, write it down the panel.
    if (colBytes < rowBytes) {
      for (let p: usize = 0; p < <usize>kc; p++) {
        for (let at = colBytes & ~15; at < rowBytes; at += 16) v128.store(panel + p * rowBytes + at, v128.splat<i32>(0));
      }
    }
    for (let j = 0; j < cols; j++) {
      let src = b + (<usize>(j0 + j) * ldb + p0) * S;
      let dst = panel + <usize>j * S;
      for (let p = 0; p < kc; p++) {
        store<T>(dst, load<T>(src));
        src += S;
        dst += rowBytes;
      }
    }
  }
}

/** Bytes of op(A) packed per p when A is transposed: one cache line. */
export const A_GROUP_BYTES: i32 = 64;

/**
 * Packs rows i0 .. i0 + count of op(A) = A^T (A stored k x m), p0 .. p0 + kc,
 * as consecutive MR-row micro-panels: micro-panel t holds rows t*MR .. t*MR + MR
 * p-major, panel[t][p][r] (MR values per p). count <= A_GROUP_BYTES / sizeof<T>;
 * rows past count repeat the last real row (computed, never stored).
 *
 * Those rows are adjacent in A: each p is one 64-byte line, read whole once
 * and shared by all the group's micro-panels, instead of once per micro-panel.
 */
export function packTransposedRows<T>(kc: i32, src: usize, ld: usize, count: i32, panel: usize): void {
  const S = <usize>sizeof<T>();
  const tileBytes = <usize>MR * S;               // one p of one micro-panel
  const panelBytes = <usize>kc * tileBytes;      // one micro-panel
  const full = <usize>(count / MR);              // micro-panels with MR real rows
  const rest = count % MR;                       // real rows in a last, partial one
  for (let p = 0; p < kc; p++) {
    const dst = panel + <usize>p * tileBytes;
    for (let t: usize = 0; t < full; t++) {
      v128.store(dst + t * panelBytes, v128.load(src + t * tileBytes));
      if (sizeof<T>() == 8) v128.store(dst + t * panelBytes, v128.load(src + t * tileBytes, 16), 16);
    }
    if (rest != 0) {
      const from = src + full * tileBytes, to = dst + full * panelBytes;
      for (let r = 0; r < MR; r++) store<T>(to + <usize>r * S, load<T>(from + <usize>min(r, rest - 1) * S));
    }
    src += ld;
  }
}
