/**
 * The file line of each data row, for messages, without a number per row:
 * rows mostly follow one another a line each, so only the rows where that
 * breaks (after blank lines, or a quoted cell with line breaks) are kept,
 * each with how far its line is from its row number from then on.
 */
export class RowLines {
  /** Rows (ascending) from which `offsets[k]` holds: line = row + offset. */
  private readonly rows: number[] = [];
  private readonly offsets: number[] = [];

  /** Row `row` (0-based; each row once, in order) ends on file line `line`. */
  add(row: number, line: number): void {
    const offset = line - row;
    if (this.offsets.at(-1) !== offset) {
      this.rows.push(row);
      this.offsets.push(offset);
    }
  }

  /** The file line row `row` ends on. */
  line(row: number): number {
    let low = 0;
    let high = this.rows.length - 1;
    // The last break at or before `row`.
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.rows[middle] <= row) low = middle;
      else high = middle - 1;
    }
    return row + this.offsets[low];
  }
}
