/**
 * dst[0..n) = src[0..n): the kernel behind a checkpoint's save and restore,
 * once an epoch for every parameter and optimiser slot. One call into the
 * module costs a fraction of a typed array's copyWithin from JavaScript
 * (about 0.09 µs a call), which for a small network's few parameters was
 * most of the copy.
 */
// @ts-ignore: decorator
@kernel
export function copy<T>(n: i32, src: usize, dst: usize): void {
  memory.copy(dst, src, <usize>n * sizeof<T>());
}
