/**
 * A typed array that grows as values are appended (doubling, so appending
 * n values copies fewer than 2n): columns of a CSV are read into these, 8
 * bytes a number, rather than into arrays of strings of 40 or more.
 */
type TypedArray = Float64Array | Int32Array;

export class Growable<T extends TypedArray> {
  private data: T;
  length = 0;

  constructor(private readonly create: (length: number) => T) {
    this.data = create(1024);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.create(this.data.length * 2);
      bigger.set(this.data as never);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** The values, trimmed to their length (a view: no copy). */
  values(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export const float64s = (): Growable<Float64Array> => new Growable((n) => new Float64Array(n));
export const int32s = (): Growable<Int32Array> => new Growable((n) => new Int32Array(n));
