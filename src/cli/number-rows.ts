/**
 * The numbers a CSV's rows give, row by row: each row's values side by side
 * in chunks of about 64 Ki doubles, so a row goes in with one short loop
 * (no call a value) and a column is read back through Numbers. A chunk holds
 * whole rows; a row wider than that has a chunk of its own.
 */
import type { Numbers } from './growable.js';

const CHUNK_VALUES = 1 << 16;

export class NumberRows {
  rows = 0;
  /** The chunk the last appended row is in. */
  chunk: Float64Array = new Float64Array(0);
  private readonly chunks: Float64Array[] = [];
  private readonly rowsPerChunk: number;

  constructor(readonly width: number) {
    this.rowsPerChunk = Math.max(1, Math.floor(CHUNK_VALUES / Math.max(1, width)));
  }

  /** Room for one more row: where in `chunk` its `width` values go. */
  append(): number {
    const k = Math.floor(this.rows / this.rowsPerChunk);
    if (k === this.chunks.length) this.chunks.push(new Float64Array(this.rowsPerChunk * this.width));
    this.chunk = this.chunks[k];
    const at = (this.rows - k * this.rowsPerChunk) * this.width;
    this.rows++;
    return at;
  }

  /** Value `k` of each row appended so far. */
  column(k: number): Numbers {
    const { width, rowsPerChunk, chunks } = this;
    return {
      length: this.rows,
      get: (r) => {
        const c = Math.floor(r / rowsPerChunk);
        return chunks[c][(r - c * rowsPerChunk) * width + k];
      },
    };
  }
}
