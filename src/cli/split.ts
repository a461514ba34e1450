/**
 * The validation split. Unlike fit()'s validationSplit, which takes the last
 * rows as Keras does, the command line shuffles first (from the seed): CSV
 * files are often sorted by class (iris.csv is), and the last fifth of a
 * sorted file is one class, which would make val_acc meaningless.
 */
import { Random } from '../random.js';
import { count } from './format.js';

export interface Split<T> {
  train: T[];
  validation: T[];
}

/** Shuffles `items` from `seed`, then holds out floor(n * fraction) (at least 1) for validation. */
export function splitRows<T>(items: readonly T[], fraction: number, seed: number): Split<T> {
  const order = Int32Array.from(items.keys());
  new Random(seed).shuffle(order);
  const trainRows = Math.floor(items.length * (1 - fraction));
  if (trainRows < 1 || trainRows >= items.length) {
    throw new Error(`--validation-split ${fraction} of ${count(items.length, 'row')} leaves ${trainRows} to train and ${items.length - trainRows} to validate; both need at least one`);
  }
  const shuffled = Array.from(order, (i) => items[i]);
  return { train: shuffled.slice(0, trainRows), validation: shuffled.slice(trainRows) };
}
