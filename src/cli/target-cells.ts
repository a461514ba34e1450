/**
 * A target column as it is read, before its meaning is decided (target.ts).
 * While there are few enough distinct cells to be classes, each row is an
 * index into the distinct texts (4 bytes a row); past MAX_CLASSES distinct
 * cells the column can only be a regression (or is refused), and each row
 * is its number instead (8 bytes, NaN where the cell is not one). A column
 * of a million ids never becomes a million strings and map entries.
 */
import { parseNumber } from './cells.js';
import { float64s, type Growable, int32s, type Numbers } from './growable.js';

/** A classifier with more classes than this is refused (the one-hot labels and the output layer would be huge). */
export const MAX_CLASSES = 1000;

export interface TargetCells {
  /** The rows whose cell is a number. */
  readonly numeric: number;
  /** The first cell that is not a number, and its row (0-based); undefined if every cell is one. */
  readonly firstText?: { row: number; cell: string };
  /** The distinct cells in order of appearance, and each row's index among them; undefined past MAX_CLASSES + 1. */
  readonly distinct?: readonly string[];
  readonly codes?: Numbers;
  /** Each row's number (NaN where the cell is not one); none where the rows are not kept. */
  readonly numbers: Numbers;
}

export class TargetCellsReader {
  private codes: Growable<Int32Array> | undefined;
  private index: Map<string, number> | undefined = new Map();
  /** The number each distinct cell is (undefined where it is none), by its index. */
  private readonly numberOf: (number | undefined)[] = [];
  /** Kept only once the codes are dropped. */
  private values: Growable<Float64Array> | undefined;
  private rows = 0;
  private numeric = 0;
  private firstText?: { row: number; cell: string };

  /**
   * `keepRows` false keeps only what the column's meaning is decided from
   * (its distinct cells, how many are numbers), in memory bounded by
   * MAX_CLASSES whatever the rows: a streamed file's first pass.
   */
  constructor(private readonly keepRows = true) {
    if (keepRows) this.codes = int32s();
  }

  /** The number the cell last added is, if it is one. */
  last: number | undefined;

  add(cell: string): void {
    // A cell seen before is not parsed again: a class column repeats a few texts over millions of rows.
    const seen = this.index?.get(cell);
    const value = seen === undefined ? parseNumber(cell) : this.numberOf[seen];
    this.last = value;
    if (value === undefined) this.firstText ??= { row: this.rows, cell };
    else this.numeric++;
    this.rows++;
    if (!this.keepRows) {
      if (this.index === undefined || seen !== undefined) return;
      if (this.index.size === MAX_CLASSES + 1) this.index = undefined;
      else this.remember(cell, value);
      return;
    }
    if (this.values !== undefined) {
      this.values.push(value ?? NaN);
      return;
    }
    let code = seen;
    if (code === undefined) {
      code = this.index!.size;
      if (code > MAX_CLASSES) {
        this.dropCodes();
        this.values!.push(value ?? NaN);
        return;
      }
      this.remember(cell, value);
    }
    this.codes!.push(code);
  }

  private remember(cell: string, value: number | undefined): void {
    this.index!.set(cell, this.index!.size);
    this.numberOf.push(value);
  }

  /** Too many distinct cells to be classes: from here on, numbers, those of the rows so far first. */
  private dropCodes(): void {
    const numberOf = [...this.index!.keys()].map((cell) => parseNumber(cell) ?? NaN);
    const codes = this.codes!;
    this.values = float64s();
    for (let r = 0; r < codes.length; r++) this.values.push(numberOf[codes.get(r)]);
    this.codes = undefined;
    this.index = undefined;
  }

  finish(): TargetCells {
    const { numeric, firstText } = this;
    if (!this.keepRows) {
      const distinct = this.index && [...this.index.keys()];
      return { numeric, firstText, distinct, numbers: { length: 0, get: () => NaN } };
    }
    if (this.values !== undefined) return { numeric, firstText, numbers: this.values };
    const distinct = [...this.index!.keys()];
    const codes = this.codes!;
    const numberOf = distinct.map((cell) => parseNumber(cell) ?? NaN);
    return { numeric, firstText, distinct, codes, numbers: { length: codes.length, get: (r) => numberOf[codes.get(r)] } };
  }
}
