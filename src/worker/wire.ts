/**
 * Arguments that postMessage cannot clone. A function or a symbol anywhere
 * in a call's arguments makes the post throw a DataCloneError of its own,
 * where a Network given the same arguments says what is wrong with that
 * value (`setWeights: layer 0 W[0][0] is a function: values must be finite
 * numbers`), or ignores it (a property it never reads). So a call whose post
 * fails is sent again as toCloneable() copies it, each function or symbol
 * replaced by a marker, and the worker's revive() puts a function or a
 * symbol of its own there before its Network sees it: the Network's checks
 * then refuse or ignore it as they would the original, in their own order,
 * with the same message (they describe such a value by its type alone).
 */
const MARK = '\u0000wasmlp';

/**
 * On the calling thread: `value` with its arrays and objects copied, a
 * marker for each function and symbol in them. Typed arrays (to transfer)
 * are kept as they are; any other object is copied as postMessage copies a
 * class instance, its own properties in a plain object.
 */
export function toCloneable(value: unknown, copies = new Map<object, unknown>()): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return { [MARK]: typeof value };
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  if (copies.has(value)) return copies.get(value);
  const copy: Record<string, unknown> = Array.isArray(value) ? new Array(value.length) as never : {}; // holes stay holes
  copies.set(value, copy);
  for (const key of Object.keys(value)) copy[key] = toCloneable((value as Record<string, unknown>)[key], copies);
  return copy;
}

/** In the worker: toCloneable()'s copy, once cloned, with a function or a symbol for each marker (changed in place). */
export function revive(value: unknown, done = new Set<object>()): unknown {
  if (typeof value !== 'object' || value === null || done.has(value)) return value;
  const record = value as Record<string, unknown>;
  if (record[MARK]) return record[MARK] === 'symbol' ? Symbol() : function standIn() {};
  done.add(value);
  if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) {
    for (const key of Object.keys(record)) record[key] = revive(record[key], done);
  }
  return value;
}
