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
import { MR, NR_BYTES, nr } from './gemmKernel';

/**
 * panel[p, j] = op(B)[p0 + p, j0 + j] for p < kc, j < cols; 0 for cols <= j < NR.
 * B is k x n (stored n x k when transB). The padding columns' results are
 * never stored; zeros just keep stale values (possibly subnormal, which x86
 * multiplies slowly) out of the arithmetic.
 */
export function packPanel<T>(
  transB: bool, b: usize, n: i32, k: i32, p0: i32, kc: i32, j0: i32, cols: i32, panel: usize,
): void {
  const S = <usize>sizeof<T>();
  if (cols < nr<T>()) memory.fill(panel, 0, <usize>kc * NR_BYTES);
  if (!transB) {
    // Row p of op(B) is row p of B: contiguous in j.
    const ld = <usize>n * S;
    let src = b + (<usize>p0 * n + j0) * S;
    let dst = panel;
    if (cols == nr<T>()) {
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += ld;
        dst += NR_BYTES;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < cols; j++) store<T>(dst + <usize>j * S, load<T>(src + <usize>j * S));
        src += ld;
        dst += NR_BYTES;
      }
    }
  } else {
    // Column j of op(B) is row j of B: read it contiguously, write it down the panel.
    for (let j = 0; j < cols; j++) {
      let src = b + (<usize>(j0 + j) * k + p0) * S;
      let dst = panel + <usize>j * S;
      for (let p = 0; p < kc; p++) {
        store<T>(dst, load<T>(src));
        src += S;
        dst += NR_BYTES;
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
