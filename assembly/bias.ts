/**
 * Bias kernels of a dense layer: the forward broadcast-add and, for the
 * backward pass, its adjoint (the column sums of the batch's deltas).
 * Same additions in the same order as the js backend: results are bit-equal.
 */

/** x[r, :] += bias for every row r of a rows x cols matrix. */
// @ts-ignore: decorator
@kernel
export function addBias<T>(rows: i32, cols: i32, bias: usize, x: usize): void {
  const S = <usize>sizeof<T>();
  const rowBytes = <usize>cols * S;
  if (rowBytes == 4 || rowBytes == 8) {
    // Rows narrower than a vector (an output layer of one or two units):
    // the bias tiled across a vector repeats with the rows, so the block is
    // one flat run of vectors, each element still getting its one addition.
    const tiled = rowBytes == 4 ? v128.load32_splat(bias) : v128.load64_splat(bias);
    const total = <usize>rows * rowBytes;
    const whole = total & ~15;
    for (let at: usize = 0; at < whole; at += 16) v128.store(x + at, v128.add<T>(v128.load(x + at), tiled));
    for (let at = whole; at < total; at += S) store<T>(x + at, load<T>(x + at) + load<T>(bias + at % rowBytes));
    return;
  }
  if (rowBytes == 16 || rowBytes == 32) {
    // Rows of one or two whole vectors (a small hidden layer): the bias
    // held in registers, the block one flat run, no loop over columns.
    const b0 = v128.load(bias), b1 = v128.load(bias + 16 * (rowBytes >> 5));
    const total = <usize>rows * rowBytes;
    for (let at: usize = 0; at < total; at += rowBytes) {
      v128.store(x + at, v128.add<T>(v128.load(x + at), b0));
      if (rowBytes == 32) v128.store(x + at, v128.add<T>(v128.load(x + at, 16), b1), 16);
    }
    return;
  }
  const L = 16 / <i32>sizeof<T>(); // lanes per v128
  const vecEnd = cols & ~(L - 1); // columns covered by whole v128s
  let row = x;
  for (let r = 0; r < rows; r++) {
    let j = 0;
    for (; j < vecEnd; j += L) {
      const at = <usize>j * S;
      v128.store(row + at, v128.add<T>(v128.load(row + at), v128.load(bias + at)));
    }
    for (; j < cols; j++) {
      const at = <usize>j * S;
      store<T>(row + at, load<T>(row + at) + load<T>(bias + at));
    }
    row += <usize>cols * S;
  }
}

/**
 * out[c] = sum over r of x[r, c], rows added in order from 0 (as js.ts).
 * A strip of four vectors of columns is summed down all rows in registers,
 * so out is written once and x is read row by row within a strip.
 */
// @ts-ignore: decorator
@kernel
export function sumColumns<T>(rows: i32, cols: i32, x: usize, out: usize): void {
  const S = <usize>sizeof<T>();
  const L = 16 / <i32>sizeof<T>(); // lanes per v128
  const ld = <usize>cols * S;
  let j = 0;
  for (; j + 4 * L <= cols; j += 4 * L) {
    let s0 = v128.splat<T>(0), s1 = v128.splat<T>(0), s2 = v128.splat<T>(0), s3 = v128.splat<T>(0);
    let src = x + <usize>j * S;
    for (let r = 0; r < rows; r++) {
      s0 = v128.add<T>(s0, v128.load(src));
      s1 = v128.add<T>(s1, v128.load(src, 16));
      s2 = v128.add<T>(s2, v128.load(src, 32));
      s3 = v128.add<T>(s3, v128.load(src, 48));
      src += ld;
    }
    const dst = out + <usize>j * S;
    v128.store(dst, s0);
    v128.store(dst, s1, 16);
    v128.store(dst, s2, 32);
    v128.store(dst, s3, 48);
  }
  if (j + 2 * L <= cols) {
    // Two vectors of columns side by side: two chains of additions overlap
    // where one after the other each would wait on its own.
    let s0 = v128.splat<T>(0), s1 = v128.splat<T>(0);
    let src = x + <usize>j * S;
    for (let r = 0; r < rows; r++) {
      s0 = v128.add<T>(s0, v128.load(src));
      s1 = v128.add<T>(s1, v128.load(src, 16));
      src += ld;
    }
    v128.store(out + <usize>j * S, s0);
    v128.store(out + <usize>j * S, s1, 16);
    j += 2 * L;
  }
  for (; j + L <= cols; j += L) {
    let s = v128.splat<T>(0);
    let src = x + <usize>j * S;
    for (let r = 0; r < rows; r++) {
      s = v128.add<T>(s, v128.load(src));
      src += ld;
    }
    v128.store(out + <usize>j * S, s);
  }
  for (; j < cols; j++) {
    let s: T = 0;
    let src = x + <usize>j * S;
    for (let r = 0; r < rows; r++) {
      s += load<T>(src);
      src += ld;
    }
    store<T>(out + <usize>j * S, s);
  }
}
