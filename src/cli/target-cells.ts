/**
 * A target column as it is read, before its meaning is decided (target.ts):
 * every cell as a number (NaN where it is not one) and, while there are few
 * enough distinct cells to be classes, every cell as an index into the
 * distinct texts. Past MAX_CLASSES distinct cells the indices are dropped:
 * such a column is a regression or refused, and a column of a million ids
 * costs 8 bytes a row, not a string and a map entry each.
 */
import { parseNumber } from './cells.js';
import { float64s, int32s, type Growable } from './growable.js';

/** A classifier with more classes than this is refused (the one-hot labels and the output layer would be huge). */
export const MAX_CLASSES = 1000;

export interface TargetCells {
  readonly numbers: Float64Array;
  /** numbers[r] is a number for this many rows. */
  readonly numeric: number;
  /** The first cell that is not a number, and its row (0-based); undefined if every cell is one. */
  readonly firstText?: { row: number; cell: string };
  /** The distinct cells in order of appearance, and each row's index among them; undefined past MAX_CLASSES. */
  readonly distinct?: readonly string[];
  readonly codes?: Int32Array;
}

export class TargetCellsReader {
  private readonly numbers = float64s();
  private codes: Growable<Int32Array> | undefined = int32s();
  private index: Map<string, number> | undefined = new Map();
  private numeric = 0;
  private firstText?: { row: number; cell: string };

  add(cell: string): void {
    const value = parseNumber(cell);
    if (value === undefined) this.firstText ??= { row: this.numbers.length, cell };
    else this.numeric++;
    this.numbers.push(value ?? NaN);
    if (this.index === undefined) return;
    let code = this.index.get(cell);
    if (code === undefined) {
      code = this.index.size;
      if (code >= MAX_CLASSES + 1) {
        this.index = undefined;
        this.codes = undefined;
        return;
      }
      this.index.set(cell, code);
    }
    this.codes!.push(code);
  }

  finish(): TargetCells {
    return {
      numbers: this.numbers.values(),
      numeric: this.numeric,
      firstText: this.firstText,
      distinct: this.index && [...this.index.keys()],
      codes: this.codes?.values(),
    };
  }
}
