/**
 * Datasets: data that arrives a batch at a time, iterated afresh each
 * epoch, for Network.fitDataset, evaluateDataset and predictDataset. What
 * counts as a dataset, how one is opened for an epoch, and how a batch is
 * read (each field once). The batches' values are checked where they are
 * copied into backend memory (dataset-stage.ts).
 */
import { checkOnlyKeys, describeValue } from './checks.js';
import type { LabelInput, MatrixInput } from './data.js';
import type { SampleWeight } from './train.js';

/**
 * One batch of a dataset: inputs and labels in the forms fit() takes, with
 * the same number of rows. Batches of one dataset may differ in size.
 *
 * @example
 * ```ts
 * const batch: Batch = { x: [[0, 0], [0, 1]], y: [[0], [1]] };
 * ```
 */
export interface Batch {
  /** Inputs: `number[][]` or `{ data, shape: [rows, inputs] }`. */
  x: MatrixInput;
  /** Labels, one row per row of x (for categoricalCrossentropy, class indices too). */
  y: LabelInput;
  /** One weight per row of the loss, finite and at least 0, as fit()'s sampleWeight weighs its rows. */
  sampleWeight?: SampleWeight;
}

/**
 * Batches, iterated afresh each epoch: an array of them; an object whose
 * `[Symbol.asyncIterator]()` or `[Symbol.iterator]()` starts over at each
 * call; or a function that returns a new (async) iterable at each call,
 * such as an async generator function. A generator object can be iterated
 * only once: pass the generator function instead.
 *
 * @example
 * Batches made on the fly, a new pass at every epoch:
 * ```ts
 * const dataset: Dataset = async function* () {
 *   for (let i = 0; i < 100; i++) {
 *     const x = Array.from({ length: 32 }, () => [Math.random(), Math.random()]);
 *     yield { x, y: x.map(([a, b]) => [a > b ? 1 : 0]) };
 *   }
 * };
 * ```
 */
export type Dataset<B = Batch> = readonly B[] | AsyncIterable<B> | Iterable<B> | (() => AsyncIterable<B> | Iterable<B>);

/**
 * A batch as {@link Network.predictDataset} takes it: `{ x }` (a training
 * batch's y, if any, is ignored) or the inputs alone.
 *
 * @example
 * ```ts
 * const batches: PredictionInput[] = [{ x: [[0, 1]] }, [[1, 1], [1, 0]]];
 * ```
 */
export type PredictionInput = MatrixInput | { x: MatrixInput; y?: LabelInput };

/** An iterator over one pass of a dataset, sync or async; next() is awaited either way. */
export interface PassIterator<B> {
  next(): IteratorResult<B> | Promise<IteratorResult<B>>;
  return?(): unknown;
}

/**
 * Checks that `dataset` is one (before anything changes) and returns what
 * opens a new pass over it: `where` starts the messages ("fitDataset:
 * dataset"). What a pass yields is checked batch by batch.
 */
export function datasetOpener<B>(where: string, dataset: unknown): () => PassIterator<B> {
  const made = typeof dataset === 'function';
  if (!made && !iteratorMethod(dataset)) {
    throw new Error(
      `${where} must be an iterable or async iterable of batches, or a function returning one; got ${describeValue(dataset)}`,
    );
  }
  return () => {
    const iterable: unknown = made ? dataset() : dataset;
    const method = iteratorMethod(iterable);
    const iterator: unknown = method && (iterable as Record<symbol, () => unknown>)[method]();
    if (typeof (iterator as PassIterator<B> | undefined)?.next !== 'function') {
      throw new Error(
        `${where}${made ? '()' : "'s iterator method"} returned ${describeValue(method ? iterator : iterable)}, not an iterator of batches`,
      );
    }
    return iterator as PassIterator<B>;
  };
}

/** The method that starts a pass over `value`, async first; a string is not a dataset. */
function iteratorMethod(value: unknown): symbol | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') return Symbol.asyncIterator;
  if (typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function') return Symbol.iterator;
  return undefined;
}

/**
 * Reads a training batch's fields, each once: `{ x, y }` or
 * `{ x, y, sampleWeight }`, refusing anything else.
 */
export function readBatch(place: string, batch: unknown): { x: unknown; y: unknown; sampleWeight: unknown } {
  if (typeof batch !== 'object' || batch === null || Array.isArray(batch) || ArrayBuffer.isView(batch)) {
    throw new Error(`${place} is ${describeValue(batch)}, expected a batch { x, y }`);
  }
  checkOnlyKeys(place, batch, ['x', 'y', 'sampleWeight']);
  const { x, y, sampleWeight } = batch as { x: unknown; y: unknown; sampleWeight: unknown };
  if (x === undefined) throw new Error(`${place} has no x: a batch is { x, y }`);
  if (y === undefined) throw new Error(`${place} has no y: a batch is { x, y }`);
  return { x, y, sampleWeight };
}

/**
 * A prediction batch's inputs: `{ x }` (other fields, y say, ignored, so a
 * training dataset predicts as it is) or the inputs alone (`number[][]` or
 * `{ data, shape }`).
 */
export function readInputs(place: string, batch: unknown): unknown {
  if (typeof batch !== 'object' || batch === null || ArrayBuffer.isView(batch)) {
    throw new Error(`${place} is ${describeValue(batch)}, expected inputs x or a batch { x }`);
  }
  if (Array.isArray(batch) || 'data' in batch) return batch;
  if (!('x' in batch)) throw new Error(`${place} has no x: expected inputs x or a batch { x }`);
  return (batch as { x: unknown }).x;
}
