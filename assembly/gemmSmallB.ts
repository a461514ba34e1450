/**
 * C = alpha * A * op(B) + beta * C, A untransposed, in float32, for an op(B)
 * that fits in eight vector registers: 4 columns and k up to 8, or 8
 * columns and k up to 4. That is every product of a small layer's forward
 * pass (x W) and of its backward pass to the layer below (delta W^T).
 *
 * The blocked path (gemm.ts) computes such a product in 4-row tiles, each
 * setting up four row pointers and a loop of only k turns: at k of 2 to 8
 * that setup costs about what the tile's arithmetic does. Here op(B) is
 * loaded into registers once, and each row of C is k broadcasts of A's row
 * against it, straight-line code for each k.
 *
 * Each element is summed exactly as the micro-kernel sums it: a sum that
 * starts at zero, the products added in p order, then alpha times it (plus
 * beta times C), so the results are the blocked path's bit for bit.
 */
import { storeVector } from './gemmKernel';

/**
 * Whether the product takes this path: float32, op(B)'s columns one or two
 * whole vectors, k rows of them at most eight vectors. (Float64 copies
 * would weigh in the browser build, and a float64 layer of 2 or 4 units
 * is rare.)
 */
// @ts-ignore: decorator
@inline export function fitsRegisters<T>(n: i32, k: i32): bool {
  return sizeof<T>() == 4 && k >= 2 && ((n == 4 && k <= 8) || (n == 8 && k <= 4));
}

/**
 * Rows 0 .. m of C. A's rows lda bytes apart; B k x n with rows ldb
 * elements apart, or (transB) n x k; C's rows ldc bytes apart.
 */
export function gemmSmallB<T>(
  transB: bool, m: i32, n: i32, k: i32, alpha: T,
  a: usize, lda: usize, b: usize, ldb: i32, beta: T, c: usize, ldc: usize,
): void {
  // op(B)'s row p: q_p (columns 0 .. L), r_p (columns L .. 2L, two vectors only). Rows past k are never read.
  const L = 16 / <i32>sizeof<T>();
  const q0 = opRow<T>(transB, b, ldb, k, 0, 0), q1 = opRow<T>(transB, b, ldb, k, 1, 0);
  const q2 = opRow<T>(transB, b, ldb, k, 2, 0), q3 = opRow<T>(transB, b, ldb, k, 3, 0);
  if (n == L) {
    const q4 = opRow<T>(transB, b, ldb, k, 4, 0), q5 = opRow<T>(transB, b, ldb, k, 5, 0);
    const q6 = opRow<T>(transB, b, ldb, k, 6, 0), q7 = opRow<T>(transB, b, ldb, k, 7, 0);
    if (k == 2) oneVector<T>(2, m, alpha, a, lda, beta, c, ldc, q0, q1, q2, q3, q4, q5, q6, q7);
    else if (k == 3) oneVector<T>(3, m, alpha, a, lda, beta, c, ldc, q0, q1, q2, q3, q4, q5, q6, q7);
    else if (k == 4) oneVector<T>(4, m, alpha, a, lda, beta, c, ldc, q0, q1, q2, q3, q4, q5, q6, q7);
    else if (k == 5) oneVector<T>(5, m, alpha, a, lda, beta, c, ldc, q0, q1, q2, q3, q4, q5, q6, q7);
    else if (k == 6) oneVector<T>(6, m, alpha, a, lda, beta, c, ldc, q0, q1, q2, q3, q4, q5, q6, q7);
    else if (k == 7) oneVector<T>(7, m, alpha, a, lda, beta, c, ldc, q0, q1, q2, q3, q4, q5, q6, q7);
    else oneVector<T>(8, m, alpha, a, lda, beta, c, ldc, q0, q1, q2, q3, q4, q5, q6, q7);
  } else {
    const r0 = opRow<T>(transB, b, ldb, k, 0, L), r1 = opRow<T>(transB, b, ldb, k, 1, L);
    const r2 = opRow<T>(transB, b, ldb, k, 2, L), r3 = opRow<T>(transB, b, ldb, k, 3, L);
    if (k == 2) twoVectors<T>(2, m, alpha, a, lda, beta, c, ldc, q0, q1, q2, q3, r0, r1, r2, r3);
    else if (k == 3) twoVectors<T>(3, m, alpha, a, lda, beta, c, ldc, q0, q1, q2, q3, r0, r1, r2, r3);
    else twoVectors<T>(4, m, alpha, a, lda, beta, c, ldc, q0, q1, q2, q3, r0, r1, r2, r3);
  }
}

/**
 * op(B)[p, j0 .. j0 + L) as a vector: a piece of B's row p, or (transB)
 * column p of B's rows j0 .. j0 + L. Zero for p >= k (never used).
 */
// @ts-ignore: decorator
@inline function opRow<T>(transB: bool, b: usize, ldb: i32, k: i32, p: i32, j0: i32): v128 {
  const S = <usize>sizeof<T>();
  if (p >= k) return v128.splat<i32>(0);
  if (!transB) return v128.load(b + (<usize>p * ldb + j0) * S);
  let v = v128.splat<T>(load<T>(b + (<usize>j0 * ldb + p) * S));
  if (sizeof<T>() == 4) {
    v = f32x4.replace_lane(v, 1, load<f32>(b + (<usize>(j0 + 1) * ldb + p) * S));
    v = f32x4.replace_lane(v, 2, load<f32>(b + (<usize>(j0 + 2) * ldb + p) * S));
    v = f32x4.replace_lane(v, 3, load<f32>(b + (<usize>(j0 + 3) * ldb + p) * S));
  } else {
    v = f64x2.replace_lane(v, 1, load<f64>(b + (<usize>(j0 + 1) * ldb + p) * S));
  }
  return v;
}

/**
 * One vector of columns, K (a constant once inlined: the branches on it
 * fold away) rows of op(B) in q0 .. q7.
 */
// @ts-ignore: decorator
@inline function oneVector<T>(
  K: i32, m: i32, alpha: T, a: usize, lda: usize, beta: T, c: usize, ldc: usize,
  q0: v128, q1: v128, q2: v128, q3: v128, q4: v128, q5: v128, q6: v128, q7: v128,
): void {
  const S = <usize>sizeof<T>();
  for (let i = 0; i < m; i++) {
    let s = v128.add<T>(v128.splat<T>(0), v128.mul<T>(v128.load_splat<T>(a), q0));
    s = v128.add<T>(s, v128.mul<T>(v128.load_splat<T>(a + S), q1));
    if (K > 2) s = v128.add<T>(s, v128.mul<T>(v128.load_splat<T>(a + 2 * S), q2));
    if (K > 3) s = v128.add<T>(s, v128.mul<T>(v128.load_splat<T>(a + 3 * S), q3));
    if (K > 4) s = v128.add<T>(s, v128.mul<T>(v128.load_splat<T>(a + 4 * S), q4));
    if (K > 5) s = v128.add<T>(s, v128.mul<T>(v128.load_splat<T>(a + 5 * S), q5));
    if (K > 6) s = v128.add<T>(s, v128.mul<T>(v128.load_splat<T>(a + 6 * S), q6));
    if (K > 7) s = v128.add<T>(s, v128.mul<T>(v128.load_splat<T>(a + 7 * S), q7));
    storeVector<T>(c, s, alpha, beta);
    a += lda;
    c += ldc;
  }
}

/** Two vectors of columns, K (a constant once inlined) rows of op(B) in (q0, r0) .. (q3, r3). */
// @ts-ignore: decorator
@inline function twoVectors<T>(
  K: i32, m: i32, alpha: T, a: usize, lda: usize, beta: T, c: usize, ldc: usize,
  q0: v128, q1: v128, q2: v128, q3: v128, r0: v128, r1: v128, r2: v128, r3: v128,
): void {
  const S = <usize>sizeof<T>();
  const zero = v128.splat<T>(0);
  for (let i = 0; i < m; i++) {
    let x = v128.load_splat<T>(a);
    let s = v128.add<T>(zero, v128.mul<T>(x, q0)), t = v128.add<T>(zero, v128.mul<T>(x, r0));
    x = v128.load_splat<T>(a + S);
    s = v128.add<T>(s, v128.mul<T>(x, q1));
    t = v128.add<T>(t, v128.mul<T>(x, r1));
    if (K > 2) {
      x = v128.load_splat<T>(a + 2 * S);
      s = v128.add<T>(s, v128.mul<T>(x, q2));
      t = v128.add<T>(t, v128.mul<T>(x, r2));
    }
    if (K > 3) {
      x = v128.load_splat<T>(a + 3 * S);
      s = v128.add<T>(s, v128.mul<T>(x, q3));
      t = v128.add<T>(t, v128.mul<T>(x, r3));
    }
    storeVector<T>(c, s, alpha, beta);
    storeVector<T>(c + 16, t, alpha, beta);
    a += lda;
    c += ldc;
  }
}
