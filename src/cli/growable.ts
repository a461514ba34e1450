/**
 * A column of numbers that grows as values are appended, 8 bytes a number
 * (4 for Int32), rather than an array of strings of 40 or more each. Values
 * go into chunks of 4096, so growing never copies, never holds a doubled
 * buffer half empty, and a CSV of many short columns wastes at most one
 * chunk a column. Read it with get(); it is never copied into one array.
 */
type TypedArray = Float64Array | Int32Array;

const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

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
    const at = this.length & MASK;
    if (at === 0) this.chunks.push(this.create(CHUNK));
    this.chunks[this.chunks.length - 1][at] = value;
    this.length++;
  }

  /** The value at `index` (below length; a column has fewer than 2^31 values, a CSV row being at least 2 bytes). */
  get(index: number): number {
    return this.chunks[index >>> CHUNK_BITS][index & MASK];
  }
}

export const float64s = (): Growable<Float64Array> => new Growable((n) => new Float64Array(n));
export const int32s = (): Growable<Int32Array> => new Growable((n) => new Int32Array(n));
