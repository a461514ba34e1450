/**
 * dst[r, :] = src[index[r], :] for r < rows: a shuffled mini-batch copied
 * into contiguous memory. index holds i32 row numbers, trusted to be in range
 * (checked in TypeScript, where the permutation is made).
 */
// @ts-ignore: decorator
@kernel
export function gatherRows<T>(rows: i32, cols: i32, src: usize, index: usize, dst: usize): void {
  const rowBytes = <usize>cols * sizeof<T>();
  const vecBytes = rowBytes & ~15;
  for (let r = 0; r < rows; r++) {
    const from = src + <usize>load<i32>(index + (<usize>r << 2)) * rowBytes;
    const to = dst + <usize>r * rowBytes;
    // Rows are short (a few features): an inline copy beats a memory.copy call.
    let at: usize = 0;
    for (; at < vecBytes; at += 16) v128.store(to + at, v128.load(from + at));
    for (; at < rowBytes; at += sizeof<T>()) store<T>(to + at, load<T>(from + at));
  }
}
