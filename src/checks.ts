/**
 * Checks on what users pass in (option objects and single values), and how
 * an error message names a value. Unknown keys and bad values are errors,
 * never ignored; matrices are read and checked in data.ts.
 */
import type { DType } from './backend/backend.js';

/** Float32's largest finite value: a double beyond it rounds to ±Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** An options object: unknown keys are refused, naming the ones allowed. */
export function checkKeys(where: string, options: unknown, allowed: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${where}: expected an options object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`${where}: unknown option ${quote(key)}; expected one of ${allowed.join(', ')}`);
  }
}

export function checkPositiveInteger(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got ${describeValue(value)}`);
  }
}

export function checkPositiveNumber(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive finite number, got ${describeValue(value)}`);
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
  if (!Number.isFinite(rounded))
    throw new Error(`${name} ${value} is beyond ${dtype}'s range (at most ${FLOAT32_MAX.toPrecision(3)})`);
}

/** A rate or decay that must lie in [0, 1). */
export function checkUnitInterval(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new Error(`${name} must be a number in [0, 1), got ${describeValue(value)}`);
  }
}

/** An object whose keys must be among `keys` (a typo such as `{ data, shap }` would otherwise pass unnoticed). */
export function checkOnlyKeys(name: string, value: object, keys: readonly string[]): void {
  const extra = Object.keys(value).find((key) => !keys.includes(key));
  if (extra !== undefined) throw new Error(`${name} has an unknown key ${quote(extra)}; expected { ${keys.join(', ')} }`);
}

/** The most characters of a user's text an error message echoes. */
const ECHO_LIMIT = 100;

/** A string as an error message shows it: quoted, and cut after ECHO_LIMIT characters (saying how long it was). */
export function quote(text: string): string {
  if (text.length <= ECHO_LIMIT) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, ECHO_LIMIT))}… (${text.length} characters)`;
}

/** Text from elsewhere (another library's message) cut as quote() cuts, unquoted. */
export function clip(text: string): string {
  return text.length <= ECHO_LIMIT ? text : `${text.slice(0, ECHO_LIMIT)}… (${text.length} characters)`;
}

/** %TypedArray%.prototype's own Symbol.toStringTag getter: an array's real kind, which no object can override. */
export const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype), Symbol.toStringTag)!
  .get!;
/** %TypedArray%.prototype's own length getter: the array's real length. */
export const typedArrayLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype), 'length')!.get!;

/**
 * A value as an error message names it. Nothing is taken from the value's
 * own properties (a constructor.name, a toString): an object is described
 * by what the language says it is, and text is cut at ECHO_LIMIT characters.
 */
export function describeValue(value: unknown): string {
  try {
    return describeUnguarded(value);
  } catch {
    // A revoked proxy, or a proxy whose traps throw: typeof alone never runs user code.
    return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  }
}

/** describeValue() without its guard: Array.isArray, .length and instanceof can run a proxy's traps, which may throw. */
function describeUnguarded(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return quote(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) {
    // A proxy's length can be anything (a long string, a Symbol); a real array's is a number.
    const length: unknown = value.length;
    return typeof length === 'number' ? `an array of length ${length}` : 'an array';
  }
  if (ArrayBuffer.isView(value)) {
    const kind = typedArrayTag.call(value) as string | undefined;
    return kind === undefined ? 'a DataView' : `${/^[AEIOU]/.test(kind) ? 'an' : 'a'} ${kind}`;
  }
  if (value instanceof ArrayBuffer) return 'an ArrayBuffer';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
