/**
 * A column of numbers that grows as values are appended, 8 bytes a number
 * (4 for Int32), rather than an array of strings of 40 or more each. Values
 * go into chunks of 4096, so growing a long column never copies nor holds a
 * doubled buffer half empty; the first chunk starts at 16 and doubles, so a
 * CSV of 100,000 columns and a few rows costs kilobytes a column, not 32.
 * Read it with get(); it is never copied into one array.
 */
type TypedArray = Float64Array | Int32Array;

const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;
const FIRST_CHUNK = 16;

/** Numbers by index: a Growable, or a view of a typed array (numbersOf). */
export interface Numbers {
  readonly length: number;
  get(index: number): number;
}

export class Growable<T extends TypedArray> implements Numbers {
  private readonly chunks: T[] = [];
  length = 0;

  constructor(private readonly create: (length: number) => T) {}

  push(value: number): void {
    const k = this.length >>> CHUNK_BITS;
    const at = this.length & MASK;
    let chunk = this.chunks[k];
    if (chunk === undefined) {
      chunk = this.create(k === 0 ? FIRST_CHUNK : CHUNK);
      this.chunks.push(chunk);
    } else if (at === chunk.length) {
      // Only the first chunk is ever short of CHUNK: it doubles up to it.
      const bigger = this.create(chunk.length * 2);
      bigger.set(chunk as never);
      this.chunks[k] = chunk = bigger;
    }
    chunk[at] = value;
    this.length++;
  }

  /** The value at `index` (below length; a column has fewer than 2^31 values, a CSV row being at least 2 bytes). */
  get(index: number): number {
    return this.chunks[index >>> CHUNK_BITS][index & MASK];
  }
}

export const float64s = (): Growable<Float64Array> => new Growable((n) => new Float64Array(n));
export const int32s = (): Growable<Int32Array> => new Growable((n) => new Int32Array(n));
