/**
 * The index of the first NaN or ±Infinity among n values, or -1: fit's check
 * of its input, run on the copy in linear memory (network.ts loadData), a
 * few times faster than the same check in JavaScript over a typed array. A
 * value is not finite exactly when its exponent bits are all ones: a vector
 * at a time, and the vector that has one (or the tail) a value at a time.
 */
// @ts-ignore: decorator
@kernel
export function firstNonFinite<T>(n: i32, x: usize): i32 {
  const S = <usize>sizeof<T>();
  const bytes = <usize>n * S;
  const vecBytes = bytes & ~15;
  const mask = sizeof<T>() == 4 ? v128.splat<i32>(0x7f800000) : v128.splat<i64>(0x7ff0000000000000);
  let at: usize = 0;
  for (; at < vecBytes; at += 16) {
    const exponent = v128.and(v128.load(x + at), mask);
    if (v128.any_true(sizeof<T>() == 4 ? i32x4.eq(exponent, mask) : i64x2.eq(exponent, mask))) break;
  }
  for (; at < bytes; at += S) {
    const v = load<T>(x + at);
    if (v - v != 0) return <i32>(at / S); // NaN - NaN and Inf - Inf are NaN; a finite v - v is 0
  }
  return -1;
}
