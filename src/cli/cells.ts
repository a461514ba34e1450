/**
 * Cells to numbers (the CSV tokenizer reads a number it cannot read from its
 * digits through this, and gives the same double for those it can). Strict
 * on purpose: a feature must be a plain decimal number ("3", "-0.5", "1e-3"); an empty cell, "NaN", "Infinity", "0x1F" or
 * "12 cm" is an error naming its line and column, never a silent 0 or NaN.
 * Whitespace around the number is allowed, quoted or not: the tokenizer trims
 * unquoted cells only, and `" 1.5"` is as much a number as ` 1.5 `.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number in `cell`, or undefined if it is not a plain finite decimal. */
export function parseNumber(cell: string): number | undefined {
  const text = cell.trim();
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
