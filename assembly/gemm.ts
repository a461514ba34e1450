/**
 * General matrix multiply, row-major:
 *   C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C
 * op(A) = A (m x k) or A^T (A stored k x m); op(B) = B (k x n) or B^T (B stored n x k).
 * beta == 0 ignores C's prior contents, as BLAS does.
 *
 * Blocking, outermost first:
 *   p0 in steps of KC   a k-block; the first writes C with beta, later ones add to it
 *   i0 in steps of MC   a block of op(A)'s rows (MC x KC, 256 KB) that stays in L2 ...
 *   j0 in steps of NC   ... while a chunk of packed KC x NR panels of op(B) (32 KB) sits in L1
 *   i  in steps of MR   and the micro-kernel sweeps the block's rows over the chunk,
 *   j  in steps of NR   one MR x NR tile of C per panel.
 *
 * op(A) untransposed is read in place: the micro-kernel broadcasts its scalars
 * anyway, from four row pointers that each walk a contiguous row. A^T's rows
 * are strided by m (one cache line per p, and for a power-of-two m all in the
 * same few cache sets), so a cache line's worth of its rows, G = 64 bytes, is
 * first packed p-major (packTransposedRows), each line read once.
 *
 * Block sizes were tuned on x86 (Zen 4) in V8, where the micro-kernel runs
 * near the machine's peak for non-fused SIMD multiply-add; a KC of 128 keeps
 * the A^T packing amortised over a whole chunk of 8 panels.
 * All scratch is static (memory.data), below heapBase: no allocation. It must
 * fit, with the math tables, in the module's one initial page of memory.
 */
import { MR, NR_BYTES, nr, microKernel } from './gemmKernel';
import { A_GROUP_BYTES, packPanel, packTransposedRows } from './gemmPack';

/** Depth of a k-block. */
const KC: i32 = 128;
/** Bytes of op(A) per (MC x KC) block, sized for L2. */
const A_BLOCK_BYTES: i32 = 256 * 1024;
/** Panels of op(B) packed together: KC x (8 NR) elements = 32 KB, in L1. */
const CHUNK_PANELS: i32 = 8;
const PANEL_BYTES: usize = <usize>KC * NR_BYTES;

const B_CHUNK: usize = memory.data(KC * NR_BYTES * CHUNK_PANELS, 16);
const A_PANELS: usize = memory.data(KC * A_GROUP_BYTES, 16);

export function gemm<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: T, a: usize, b: usize, beta: T, c: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    scale<T>(<usize>m * n, beta, c);
    return;
  }
  const S = <usize>sizeof<T>();
  const NR = nr<T>();
  const NC = CHUNK_PANELS * NR;
  // Rows of op(A) handled together: a micro-tile, or a cache line of A^T.
  const G = transA ? A_GROUP_BYTES / sizeof<T>() : MR;
  const MC = A_BLOCK_BYTES / (KC * sizeof<T>()) / G * G;
  const ldc = <usize>n * S;

  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const betaBlock: T = p0 == 0 ? beta : <T>1;
    for (let i0 = 0; i0 < m; i0 += MC) {
      const iEnd = min(i0 + MC, m);
      for (let j0 = 0; j0 < n; j0 += NC) {
        const jEnd = min(j0 + NC, n);
        for (let j = j0, panel = B_CHUNK; j < jEnd; j += NR, panel += PANEL_BYTES) {
          packPanel<T>(transB, b, n, k, p0, kc, j, min(NR, jEnd - j), panel);
        }
        for (let g0 = i0; g0 < iEnd; g0 += G) {
          const gEnd = min(g0 + G, iEnd);
          if (transA) {
            // op(A)[i, p] = A[p, i]: rows g0 .. gEnd, each p one stretch of A's row p.
            const src = a + (<usize>p0 * m + g0) * S;
            packTransposedRows<T>(kc, src, <usize>m * S, gEnd - g0, A_PANELS);
          }
          for (let i = g0; i < gEnd; i += MR) {
            const rows = min(MR, gEnd - i);
            let a0: usize, a1: usize, a2: usize, a3: usize, aStep: usize;
            if (transA) {
              // The packed micro-panel: MR values per p, already padded to MR rows.
              a0 = A_PANELS + <usize>((i - g0) / MR) * <usize>kc * MR * S;
              a1 = a0 + S; a2 = a0 + 2 * S; a3 = a0 + 3 * S;
              aStep = <usize>MR * S;
            } else {
              // In place, A[i, p0..]: rows past the edge repeat the last real
              // row (read and computed, never stored), so nothing past A is read.
              const aRow = <usize>k * S;
              const last = <usize>(rows - 1);
              a0 = a + (<usize>i * k + p0) * S;
              a1 = a0 + min<usize>(1, last) * aRow;
              a2 = a0 + min<usize>(2, last) * aRow;
              a3 = a0 + min<usize>(3, last) * aRow;
              aStep = S;
            }
            const ci = c + <usize>i * ldc;
            for (let j = j0, panel = B_CHUNK; j < jEnd; j += NR, panel += PANEL_BYTES) {
              microKernel<T>(kc, a0, a1, a2, a3, aStep, panel, ci + <usize>j * S, ldc,
                             rows, min(NR, jEnd - j), alpha, betaBlock);
            }
          }
        }
      }
    }
  }
}

/** C = beta * C over `count` elements (k == 0: the product is empty); beta 0 writes zeros. */
function scale<T>(count: usize, beta: T, c: usize): void {
  const end = c + count * sizeof<T>();
  for (let at = c; at < end; at += sizeof<T>()) {
    store<T>(at, beta != 0 ? beta * load<T>(at) : <T>0);
  }
}
