/** Checks on option objects: unknown keys and bad values are errors, never ignored. */
import type { DType } from './backend/backend.js';
import { describe, FLOAT32_MAX, quote } from './data.js';

export function checkKeys(where: string, options: unknown, allowed: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${where}: expected an options object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`${where}: unknown option ${quote(key)}; expected one of ${allowed.join(', ')}`);
  }
}

export function checkPositiveInteger(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got ${describe(value)}`);
  }
}

export function checkPositiveNumber(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive finite number, got ${describe(value)}`);
  }
}

/** Each dtype's smallest normal number: below it a float loses precision, and a step size or divisor stops working. */
const SMALLEST_NORMAL: Readonly<Record<DType, number>> = { float32: 2 ** -126, float64: 2 ** -1022 };

/**
 * A non-zero number the kernels receive in `dtype` (a learning rate, an
 * epsilon, a momentum): it must stay a normal number there, neither 0, nor
 * subnormal, nor beyond the dtype's range. `name` starts the message.
 */
export function checkNormalIn(name: string, value: number, dtype: DType): void {
  const rounded = dtype === 'float32' ? Math.fround(value) : value;
  const smallest = SMALLEST_NORMAL[dtype];
  if (Math.abs(rounded) < smallest) {
    const what = rounded === 0 ? 'rounds to 0' : rounded === value ? 'is subnormal' : 'rounds to a subnormal';
    throw new Error(`${name} ${value} ${what} in ${dtype} (smallest normal ${smallest.toPrecision(3)})`);
  }
  if (!Number.isFinite(rounded)) throw new Error(`${name} ${value} is beyond ${dtype}'s range (at most ${FLOAT32_MAX.toPrecision(3)})`);
}
