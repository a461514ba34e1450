/**
 * A shuffle buffer, as tf.data's shuffle(bufferSize): the first `capacity`
 * rows fill it; from then on each new row takes the place of one drawn at
 * random, which leaves; at the end the rows left leave in random order.
 * Rows leave at most `capacity` places earlier than they came, so a file
 * sorted by class is mixed only as far as the buffer reaches; a buffer as
 * large as the file shuffles it fully. This class deals in slots; the rows
 * themselves live in the caller's arrays, a slot's row at slot × width.
 */
import { Random } from '../random.js';

export class ShuffleSlots {
  size = 0;
  /** Whether the slot push() returned holds a row that must leave before the new row goes in. */
  evicts = false;

  constructor(
    readonly capacity: number,
    private readonly random: Random,
  ) {}

  /** The slot for the next row. */
  push(): number {
    this.evicts = this.size === this.capacity;
    return this.evicts ? this.random.below(this.capacity) : this.size++;
  }

  /** At the end: the slot of a random row of those left (it leaves); then `fill(slot)` with the last row's slot moved into it. */
  pop(): number {
    return this.size === 0 ? -1 : this.random.below(this.size);
  }

  /** The slot whose row moves into the slot pop() emptied (it is the last, which then ends). */
  removeLast(): number {
    return --this.size;
  }
}

/** The order in which a shuffle buffer of `capacity` lets `rows` rows (0, 1, …) through, from `seed`. */
export function shuffledOrder(rows: number, capacity: number, seed: number): Int32Array {
  const slots = new ShuffleSlots(capacity, new Random(seed));
  const held = new Int32Array(capacity);
  const order = new Int32Array(rows);
  let out = 0;
  for (let r = 0; r < rows; r++) {
    const slot = slots.push();
    if (slots.evicts) order[out++] = held[slot];
    held[slot] = r;
  }
  for (let slot = slots.pop(); slot >= 0; slot = slots.pop()) {
    order[out++] = held[slot];
    held[slot] = held[slots.removeLast()];
  }
  return order;
}
