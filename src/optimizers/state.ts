/**
 * An optimiser's state as plain numbers (getWeights, a saved network), and
 * its check before any of it is written.
 */
import type { DType, FloatArray } from '../backend/backend.js';
import { checkKeys, describeValue, quote } from '../checks.js';
import { arrayLength, element } from '../data.js';
import { NON_NEGATIVE_SLOTS } from './config.js';

/**
 * An optimiser's state as plain numbers: the step count, and per slot name
 * (momentum: `velocity`; Adam and AdamW: `m`, `v`; RMSprop: `v`, and `m` with momentum; Adagrad: `accumulator`; plain SGD: none) one array per
 * parameter, in parameter order, each the parameter's size.
 */
export interface OptimizerState {
  /** Steps taken so far (Keras's `optimizer.iterations`); Adam's bias correction counts from it. */
  iterations: number;
  /** Per slot name, one array of values per parameter: each layer's weights, then its bias, layer by layer. */
  slots: Record<string, number[][]>;
}

/** An optimiser state checked by checkOptimizerState(): its values copied, in the backend's dtype. */
export interface CheckedOptimizerState {
  iterations: number;
  slots: Record<string, FloatArray[]>;
}

/**
 * Checks a saved optimiser state against the slot names and the parameter
 * sizes, values included, allocating nothing in backend memory (loadNetwork
 * checks a file before building its network); `where` starts each message.
 * Each value is read once, into the copy returned: an optimiser writes that
 * copy (writeState), never the caller's arrays, so what it holds is what was checked.
 */
export function checkOptimizerState(
  where: string,
  state: unknown,
  names: readonly string[],
  sizes: readonly number[],
  dtype: DType,
): CheckedOptimizerState {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new Error(`${where}: expected { iterations, slots }, got ${describeValue(state)}`);
  }
  checkKeys(where, state, ['iterations', 'slots']);
  const { iterations, slots } = state as Partial<OptimizerState>;
  if (typeof iterations !== 'number' || !Number.isSafeInteger(iterations) || iterations < 0) {
    throw new Error(`${where}: iterations must be a non-negative integer, got ${describeValue(iterations)}`);
  }
  if (typeof slots !== 'object' || slots === null || Array.isArray(slots)) {
    throw new Error(`${where}: slots must be an object of slot name to arrays, got ${describeValue(slots)}`);
  }
  const expected = names.length === 0 ? 'it has no slots' : `its slots are ${names.join(', ')}`;
  for (const name of Object.keys(slots)) {
    if (!names.includes(name)) throw new Error(`${where}: unknown slot ${quote(name)}; ${expected}`);
  }
  const checked: Record<string, FloatArray[]> = {};
  for (const name of names) {
    if (!Object.hasOwn(slots, name)) throw new Error(`${where}: slot ${quote(name)} is missing; ${expected}`);
    checked[name] = checkSlot(`${where}: slots.${name}`, name, slots[name], sizes, dtype);
  }
  return { iterations, slots: checked };
}

/**
 * One slot: an array of one array per parameter, each that parameter's
 * size, copied into `dtype`. Lengths first, then index loops in which a
 * hole is an Error naming it (forEach would skip one, and a hole would
 * reach the copy as undefined).
 */
function checkSlot(where: string, name: string, slot: unknown, sizes: readonly number[], dtype: DType): FloatArray[] {
  if (!Array.isArray(slot) || arrayLength(where, slot) !== sizes.length) {
    throw new Error(`${where} must be an array of ${sizes.length} arrays (one per parameter), got ${describeValue(slot)}`);
  }
  const copies: FloatArray[] = [];
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i];
    const values = element(where, slot, i);
    if (!Array.isArray(values) || arrayLength(`${where}[${i}]`, values) !== size) {
      throw new Error(`${where}[${i}] must be an array of ${size} numbers (parameter ${i}'s size), got ${describeValue(values)}`);
    }
    const copy = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
    for (let j = 0; j < size; j++) {
      const value = element(`${where}[${i}]`, values, j);
      // A finite double beyond float32's range would become Infinity in memory.
      if (typeof value !== 'number' || !Number.isFinite(dtype === 'float32' ? Math.fround(value) : value)) {
        throw new Error(`${where}[${i}][${j}] is ${describeValue(value)}, expected a finite ${dtype} number`);
      }
      // A negative mean of squares would make the step's square root NaN.
      if (NON_NEGATIVE_SLOTS.includes(name) && value < 0)
        throw new Error(
          `${where}[${i}][${j}] is ${value}, expected >= 0 (a ${name === 'v' ? 'second moment' : 'sum of squares'})`,
        );
      copy[j] = value;
    }
    copies.push(copy);
  }
  return copies;
}
