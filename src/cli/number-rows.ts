/**
 * The numbers a CSV's rows give, row by row: each row's values side by side
 * in chunks of about 64 Ki doubles, so a row goes in with one short loop
 * (no call a value) and a column is read back through Numbers. A chunk holds
 * a power of two of whole rows (a row wider than 64 Ki values, one), so a
 * row's chunk is a shift away.
 */
import type { Numbers } from './growable.js';

const CHUNK_VALUES = 1 << 16;

export class NumberRows {
  rows = 0;
  /** The chunk the last appended row is in. */
  chunk: Float64Array = new Float64Array(0);
  private readonly chunks: Float64Array[] = [];
  private readonly shift: number;
  private readonly rowsPerChunk: number;

  constructor(readonly width: number) {
    this.shift = Math.max(0, Math.floor(Math.log2(CHUNK_VALUES / Math.max(1, width))));
    this.rowsPerChunk = 2 ** this.shift;
  }

  /** Room for one more row: where in `chunk` its `width` values go. */
  append(): number {
    const k = this.rows >>> this.shift;
    if (k === this.chunks.length) this.chunks.push(new Float64Array(this.rowsPerChunk * this.width));
    this.chunk = this.chunks[k];
    const at = (this.rows & (this.rowsPerChunk - 1)) * this.width;
    this.rows++;
    return at;
  }

  /** The chunk row `r` is in; its values start at offsetOf(r). */
  chunkOf(r: number): Float64Array {
    return this.chunks[r >>> this.shift];
  }

  offsetOf(r: number): number {
    return (r & (this.rowsPerChunk - 1)) * this.width;
  }

  /** Value `k` of each row appended so far. */
  column(k: number): NumberColumn {
    return new NumberColumn(this, k, this.rows);
  }
}

/** One value of each row of a NumberRows, as Numbers; a reader of many columns can go to the rows themselves. */
export class NumberColumn implements Numbers {
  constructor(
    readonly rows: NumberRows,
    readonly index: number,
    readonly length: number,
  ) {}

  get(r: number): number {
    return this.rows.chunkOf(r)[this.rows.offsetOf(r) + this.index];
  }
}
