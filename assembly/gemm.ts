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
 *
 * An untransposed float32 product of one row (a dense layer's forward
 * pass on one input), or of a few rows over a large B, takes none of this:
 * gemmRows.ts streams B's rows in place, summing in the same order (see
 * FEW_ROWS); so does a product of as few rows with B transposed (the
 * backward pass's delta W^T on one row), in both dtypes, a dot product with
 * each row of B. The threads may split a product so that one thread's block
 * takes gemmRows and another's the blocked path: the same bits either way.
 *
 * Scratch is static (memory.data, below heapBase: no allocation) in the
 * single-threaded build, and per thread in the threaded one (see bChunk).
 */
import { MR, NARROW_BYTES, NR_BYTES, nr, microKernel, microKernelNarrow, microKernelTwoRows } from './gemmKernel';
import { A_GROUP_BYTES, packNarrowPanel, packPanel, packTransposedRows } from './gemmPack';
import { gemmOuter, gemmRows, gemmRowsTransposed } from './gemmRows';
import { fitsRegisters, gemmSmallB } from './gemmSmallB';

/**
 * Up to this many rows of op(A), a product with B untransposed or transposed
 * reads B in place (gemmRows, gemmRowsTransposed: the same sums in the same
 * order) rather than packing it: one row always; more only when B is larger
 * than one packed chunk, since over a small B the blocked path computes MR
 * rows in one pass from L1 and packs little, where gemmRows passes over B
 * once per row. Untransposed, float32 only: a float64 copy of gemmRows would
 * weigh in the browser build, for the rare float64 network trained or
 * predicting one row at a time. (A product with k = 1, A^T B over one row
 * of A or A B^T through one unit, is an outer product: gemmOuter.)
 */
const FEW_ROWS: i32 = 4;

/** Depth of a k-block (weightGradients.ts sums in the same blocks). */
export const KC: i32 = 128;
/** Bytes of op(A) per (MC x KC) block, sized for L2. */
const A_BLOCK_BYTES: i32 = 256 * 1024;
/** Panels of op(B) packed together: KC x (8 NR) elements = 32 KB, in L1. */
const CHUNK_PANELS: i32 = 8;
const PANEL_BYTES: usize = <usize>KC * NR_BYTES;

/** Bytes of the packed chunk of op(B), and of the packed rows of A^T. */
export const B_CHUNK_BYTES: i32 = KC * NR_BYTES * CHUNK_PANELS;
export const A_PANELS_BYTES: i32 = KC * A_GROUP_BYTES;

/**
 * Where this instance packs. Globals, not constants: every instance of the
 * shared-memory (threaded) build points them at scratch of its own
 * (threads.ts); the single-threaded build keeps these static blocks.
 */
export let bChunk: usize = memory.data(B_CHUNK_BYTES, 16);
let aPanels: usize = memory.data(A_PANELS_BYTES, 16);

/** Points this instance's packing scratch elsewhere (threads.ts); both 16-byte aligned. */
export function setGemmScratch(chunk: usize, panels: usize): void {
  bChunk = chunk;
  aPanels = panels;
}

// @ts-ignore: decorator
@kernel
export function gemm<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: T, a: usize, b: usize, beta: T, c: usize,
): void {
  gemmStrided<T>(transA, transB, m, n, k, alpha, a, transA ? m : k, b, transB ? k : n, beta, c, n);
}

/**
 * gemm on sub-matrices, BLAS style: lda, ldb and ldc are the row strides (in
 * elements) of A, B and C as stored. threads.ts hands each thread a block of
 * C's rows or columns this way; every element of C is computed by the same
 * operations in the same order whatever the block, so the split changes no bit.
 */
export function gemmStrided<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: T, a: usize, lda: i32, b: usize, ldb: i32, beta: T, c: usize, ldc: i32,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (let i = 0; i < m; i++) scale<T>(<usize>n, beta, c + <usize>i * ldc * sizeof<T>());
    return;
  }
  const S = <usize>sizeof<T>();
  if (!transA && fitsRegisters<T>(n, k)) {
    // A small layer's x W or delta W^T: op(B) held in registers (gemmSmallB.ts).
    gemmSmallB<T>(transB, m, n, k, alpha, a, <usize>lda * S, b, ldb, beta, c, <usize>ldc * S);
    return;
  }
  const fewRows = m == 1 || (m <= FEW_ROWS && <usize>k * n * S > <usize>B_CHUNK_BYTES);
  // bChunk, unused by gemmRows, holds its sums (ROW_SUMS_BYTES, less than B_CHUNK_BYTES).
  if (sizeof<T>() == 4 && !transA && !transB && fewRows) {
    gemmRows<T>(m, n, k, KC, alpha, a, <usize>lda * S, S, b, <usize>ldb * S, beta, c, <usize>ldc * S, bChunk);
    return;
  }
  if (n == 1 && ldc == 1 && !transB && ldb == 1) {
    // One column of C (an output layer of one unit): its transpose is a row,
    // B^T op(A)^T, which the few-rows paths compute with the operands' roles
    // swapped: each element the same products (multiplication commutes)
    // summed in the same order, in place, where the blocked path would fill
    // a 4 x NR tile for every four elements.
    if (!transA) {
      gemmRowsTransposed<T>(1, m, k, KC, alpha, b, 0, a, <usize>lda * S, beta, c, 0);
      return;
    }
    if (sizeof<T>() == 4) {
      gemmRows<T>(1, m, k, KC, alpha, b, 0, S, a, <usize>lda * S, beta, c, 0, bChunk);
      return;
    }
  }
  if (sizeof<T>() == 4 && transA && !transB && m <= FEW_ROWS && <usize>n * S >= 128) {
    // A^T B with A of a few columns (the first layer's weight gradient x^T
    // delta for a network of few inputs and many units): each row of C a
    // sum of B's rows, read in place, where the blocked path would pack all
    // of B for MR rows of C it mostly drops. (Rows of C under 128 bytes keep
    // the blocked path: its tile stays in registers, gemmRows's row of sums
    // goes through memory.)
    gemmRows<T>(m, n, k, KC, alpha, a, S, <usize>lda * S, b, <usize>ldb * S, beta, c, <usize>ldc * S, bChunk);
    return;
  }
  if (k == 1 && (transA ? !transB : transB && ldb == 1)) {
    // An outer product, op(A)'s one column times op(B)'s one row: x^T delta
    // of one row, or delta W^T through a layer of one unit (an output
    // layer's backward pass), W's one column contiguous.
    gemmOuter<T>(m, n, alpha, a, transA ? S : <usize>lda * S, b, beta, c, <usize>ldc * S);
    return;
  }
  if (!transA && transB && fewRows) {
    gemmRowsTransposed<T>(m, n, k, KC, alpha, a, <usize>lda * S, b, <usize>ldb * S, beta, c, <usize>ldc * S);
    return;
  }
  const NR = nr<T>();
  const NC = CHUNK_PANELS * NR;
  // Rows of op(A) handled together: a micro-tile, or a cache line of A^T.
  const G = transA ? A_GROUP_BYTES / sizeof<T>() : MR;
  const MC = A_BLOCK_BYTES / (KC * sizeof<T>()) / G * G;
  const ldcBytes = <usize>ldc * S;
  // Small operands read in place, unpacked (the seed network's gemms are all
  // small: packing was most of their time). B when it is exactly one panel
  // wide (its rows already NR_BYTES or NARROW_BYTES apart, as a packed
  // panel's); A^T when A's rows are at most one cache line (the whole of a
  // micro-panel's p in one line, as packing would make it).
  const bInPlace = !transB && ldb == n && (n == NR || (narrow<T>(n) && <usize>n * S == <usize>NARROW_BYTES));
  const aInPlace = transA && <usize>lda * S <= <usize>A_GROUP_BYTES;

  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const betaBlock: T = p0 == 0 ? beta : <T>1;
    for (let i0 = 0; i0 < m; i0 += MC) {
      const iEnd = min(i0 + MC, m);
      for (let j0 = 0; j0 < n; j0 += NC) {
        const jEnd = min(j0 + NC, n);
        for (let j = j0, panel = bChunk; j < jEnd && !bInPlace; j += NR, panel += PANEL_BYTES) {
          const cols = min(NR, jEnd - j);
          if (narrow<T>(cols)) packNarrowPanel<T>(transB, b, ldb, p0, kc, j, cols, panel);
          else packPanel<T>(transB, b, ldb, p0, kc, j, cols, panel);
        }
        const panels = bInPlace ? b + <usize>p0 * <usize>ldb * S : bChunk;
        for (let g0 = i0; g0 < iEnd; g0 += G) {
          const gEnd = min(g0 + G, iEnd);
          if (transA && !aInPlace) {
            // op(A)[i, p] = A[p, i]: rows g0 .. gEnd, each p one stretch of A's row p.
            const src = a + (<usize>p0 * lda + g0) * S;
            packTransposedRows<T>(kc, src, <usize>lda * S, gEnd - g0, aPanels);
          }
          for (let i = g0; i < gEnd; i += MR) {
            const rows = min(MR, gEnd - i);
            let a0: usize, a1: usize, a2: usize, a3: usize, aStep: usize;
            if (aInPlace) {
              // A^T in place: op(A)[i + r, p] = A[p, i + r], rows past the edge repeating the last.
              const last = <usize>(rows - 1);
              a0 = a + (<usize>p0 * lda + i) * S;
              a1 = a0 + min<usize>(1, last) * S;
              a2 = a0 + min<usize>(2, last) * S;
              a3 = a0 + min<usize>(3, last) * S;
              aStep = <usize>lda * S;
            } else if (transA) {
              // The packed micro-panel: MR values per p, already padded to MR rows.
              a0 = aPanels + <usize>((i - g0) / MR) * <usize>kc * MR * S;
              a1 = a0 + S; a2 = a0 + 2 * S; a3 = a0 + 3 * S;
              aStep = <usize>MR * S;
            } else {
              // In place, A[i, p0..]: rows past the edge repeat the last real
              // row (read and computed, never stored), so nothing past A is read.
              const aRow = <usize>lda * S;
              const last = <usize>(rows - 1);
              a0 = a + (<usize>i * lda + p0) * S;
              a1 = a0 + min<usize>(1, last) * aRow;
              a2 = a0 + min<usize>(2, last) * aRow;
              a3 = a0 + min<usize>(3, last) * aRow;
              aStep = S;
            }
            const ci = c + <usize>i * ldcBytes;
            for (let j = j0, panel = panels; j < jEnd; j += NR, panel += PANEL_BYTES) {
              const cols = min(NR, jEnd - j);
              if (narrow<T>(cols)) {
                microKernelNarrow<T>(kc, a0, a1, a2, a3, aStep, panel, ci + <usize>j * S, ldcBytes, rows, cols, alpha, betaBlock);
              } else if (rows <= 2) {
                microKernelTwoRows<T>(kc, a0, a1, aStep, panel, ci + <usize>j * S, ldcBytes, rows, cols, alpha, betaBlock);
              } else {
                microKernel<T>(kc, a0, a1, a2, a3, aStep, panel, ci + <usize>j * S, ldcBytes, rows, cols, alpha, betaBlock);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Whether the last `cols` columns take the narrow kernel: they fit one
 * vector, in f32 only (f64's narrow case, one or two columns, is rare in a
 * network, and every kernel copy weighs in the browser build).
 */
// @ts-ignore: decorator
@inline function narrow<T>(cols: i32): bool {
  return sizeof<T>() == 4 && cols * sizeof<T>() <= NARROW_BYTES;
}

/** C = beta * C over `count` elements (k == 0: the product is empty); beta 0 writes zeros. */
function scale<T>(count: usize, beta: T, c: usize): void {
  const end = c + count * sizeof<T>();
  for (let at = c; at < end; at += sizeof<T>()) {
    store<T>(at, beta != 0 ? beta * load<T>(at) : <T>0);
  }
}
