/**
 * The network computes in float32, whose largest value is about 3.4e38: a
 * feature or target beyond it would reach the library as Infinity, which
 * refuses it with a message about x[1][0] (a 0-based row, no file, no
 * column) and a dtype option the command line does not have. So every value
 * the network will receive is checked here first, and a bad one named by its
 * file, line and column.
 */
import { FLOAT32_MAX } from '../data.js';
import { cellPlace, type Table } from './csv.js';
import { formatValue } from './format.js';

/**
 * Refuses a value the network cannot hold. `values[r][k]` is what the
 * network receives for table row r's column `columns[k]`; `standardized`
 * says it is the cell after standardisation (whose result can exceed the
 * range when the cell does not), `advice` what to do about it.
 */
export function checkFloat32(table: Table, values: readonly (readonly number[])[], columns: readonly number[],
                             standardized: boolean, advice: string): void {
  values.forEach((row, r) => row.forEach((value, k) => {
    // Math.fround, as the network stores it: a hair above FLOAT32_MAX still rounds to it.
    if (Number.isFinite(Math.fround(value))) return;
    const tableRow = table.rows[r];
    const cell = JSON.stringify(tableRow.cells[columns[k]]);
    const what = standardized ? `${cell} is ${formatValue(value)} after standardisation:` : `${cell} is`;
    throw new Error(`${cellPlace(table, tableRow, columns[k])}: ${what} too large for float32, the network's numbers ` +
      `(at most ±${FLOAT32_MAX}); ${advice}`);
  }));
}
