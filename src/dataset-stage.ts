/**
 * Where a dataset's batches land in backend memory: one x and one y block,
 * sized for the largest batch seen so far and reused by every batch after
 * it, so that memory follows the largest batch, never the dataset. Each
 * batch is checked as it is copied in, as fit() checks its x and y.
 */
import { nonFiniteError, readMatrix } from './data.js';
import type { NetworkEngine } from './engine.js';
import { normalizeRows } from './normalization.js';

export class BatchStage {
  /** The blocks' offsets (0 before the first batch), holding `capacity` rows each. */
  x = 0;
  y = 0;
  private capacity = 0;

  constructor(private readonly net: NetworkEngine) {}

  /**
   * Checks a batch's x (and y, unless undefined) against the network, and
   * copies them into the blocks, growing both first if the batch is the
   * largest yet. `names` name x and y in messages.
   *
   * @returns The batch's rows.
   * @throws Error naming the bad argument; the blocks stay allocated, for the next batch or free().
   */
  load(x: unknown, y: unknown, names: [string, string]): number {
    const { backend, inputs, outputs, loss } = this.net;
    const mx = readMatrix(names[0], x, { dtype: backend.dtype, cols: inputs, what: 'inputs', deferFinite: true });
    const my = y === undefined ? undefined : loss.readLabels(names[1], y);
    if (my && my.rows !== mx.rows) throw new Error(`${names[0]} has ${mx.rows} rows but ${names[1]} has ${my.rows}`);
    const rows = mx.rows;
    this.reserve(rows);
    const xValues = backend.view(this.x, rows * inputs);
    mx.copyInto(xValues);
    if (mx.finiteDeferred) {
      const bad = backend.firstNonFinite(rows * inputs, this.x);
      if (bad >= 0) throw nonFiniteError(names[0], bad, inputs, backend.view(this.x, rows * inputs)[bad]);
    }
    if (this.net.normalization) normalizeRows(names[0], backend.view(this.x, rows * inputs), inputs, this.net.normalization);
    if (my) {
      const labels = backend.view(this.y, rows * outputs);
      my.copyInto(labels);
      loss.checkLabels(labels, names[1], outputs);
    }
    return rows;
  }

  /** Makes both blocks hold `rows` rows: new ones allocated before the old are let go, so a failure keeps the old. */
  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const { backend, inputs, outputs } = this.net;
    const x = backend.alloc(rows * inputs);
    let y: number;
    try {
      y = backend.alloc(rows * outputs);
    } catch (error) {
      backend.free(x);
      throw error;
    }
    this.free();
    this.x = x;
    this.y = y;
    this.capacity = rows;
  }

  /** Gives the blocks back (a disposed network has freed them already). */
  free(): void {
    if (this.capacity > 0 && !this.net.isDisposed) {
      this.net.backend.free(this.x);
      this.net.backend.free(this.y);
    }
    this.x = this.y = this.capacity = 0;
  }
}
