/**
 * The command line's pieces on their own: CSV reading, cells, the target
 * rules, standardisation, the split, CSV writing and option parsing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNumber } from '../../src/cli/cells.js';
import { featureIndices, targetIndices } from '../../src/cli/columns.js';
import { type ColumnRead, type Header, readCsv, type Table } from '../../src/cli/csv.js';
import { count, csvLine, formatLogs, formatMetric } from '../../src/cli/format.js';
import { float64s } from '../../src/cli/growable.js';
import * as parse from '../../src/cli/parsers.js';
import { RowLines } from '../../src/cli/row-lines.js';
import { splitRows } from '../../src/cli/split.js';
import { measureColumns, measureStandardization, standardize } from '../../src/cli/standardize.js';
import {
  type CliLoss,
  chooseTarget,
  decodePrediction,
  encodeTarget,
  type Labels,
  modelTargetReads,
  outputLayer,
  outputUnits,
  predictedClass,
  predictionHeader,
  type Target,
  targetReads,
} from '../../src/cli/target.js';
import { TargetCellsReader } from '../../src/cli/target-cells.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** `text` as a file called `name` (in a directory of its own), so messages name it `.../name`. */
function csvFile(text: string, name: string): string {
  const sub = join(dir, String(files++));
  mkdirSync(sub);
  const file = join(sub, name);
  writeFileSync(file, text);
  return file;
}

/** Every column read as cells (the target's way, which keeps their text). */
const allCells = (header: Header): ColumnRead[] => header.header.map((_, column) => ({ kind: 'cells', column, empty: 'empty' }));

function read(text: string, name = 'f.csv', reads: (header: Header) => ColumnRead[] = allCells): Promise<Table> {
  return readCsv(csvFile(text, name), reads);
}

/** The cells of a table read with allCells. */
function cellsOf(table: Table): string[][] {
  return Array.from({ length: table.rows }, (_, r) =>
    table.header.map((_, c) => {
      const { distinct, codes } = table.cells.get(c)!;
      return distinct![codes!.get(r)];
    }),
  );
}

/** A one-target table: column "x" (numbers) and column "t" holding `values`, read as train reads them with `loss`. */
function targetTable(values: readonly (string | number)[], loss?: CliLoss): Promise<Table> {
  return read(`x,t\n${values.map((v, i) => `${i},${v}`).join('\n')}\n`, 't.csv', (header) => [
    { kind: 'number', column: 0, why: 'features' },
    ...targetReads(header, [1], loss),
  ]);
}

/** The same, read as evaluate reads it for a model with `target`. */
function modelTable(target: Target, values: readonly (string | number)[]): Promise<Table> {
  return read(`x,t\n${values.map((v, i) => `${i},${v}`).join('\n')}\n`, 't.csv', () => modelTargetReads(target, [1]));
}

/** A target chosen from `values` as train does. */
async function choose(values: readonly (string | number)[], loss?: CliLoss): Promise<Target> {
  return chooseTarget(await targetTable(values, loss), [1], loss);
}

/** Labels as rows, as they were once built: one-hot rows for a softmax. */
function labelRows(labels: Labels, classes = 0): number[][] {
  const rows = Array.from({ length: labels.data.length / labels.cols }, (_, r) =>
    Array.from(labels.data.subarray(r * labels.cols, (r + 1) * labels.cols)),
  );
  return labels.indices ? rows.map(([k]) => Array.from({ length: classes }, (_, i) => (i === k ? 1 : 0))) : rows;
}

describe('readCsv', () => {
  it('reads a header and rows, with quotes, CRLF, a BOM, padding and blank lines', async () => {
    const table = await read('\uFEFFa, "b,c"\r\n1,"x\ny"\r\n\r\n 2 ,3\r\n');
    expect(table.header).toEqual(['a', 'b,c']);
    expect(cellsOf(table)).toEqual([
      ['1', 'x\ny'],
      ['2', '3'],
    ]);
    // The quoted line break ends the first row on line 3; a blank line 4 is skipped.
    expect([table.lines.line(0), table.lines.line(1)]).toEqual([3, 5]);
  });

  it('names the line, data row and missing column of a short row', async () => {
    await expect(read('a,b,c\n1,2,3\n4,5\n')).rejects.toThrow(
      'f.csv: line 3 (data row 2) has 2 fields but the header has 3: column "c" is missing',
    );
  });

  it('names the line of a long row', async () => {
    await expect(read('a,b\n1,2\n3,4\n5,6,7\n')).rejects.toThrow(
      'f.csv: line 4 (data row 3) has 3 fields but the header has 2: an extra field after the last column, "b"',
    );
  });

  it('refuses an empty file, a header alone, a nameless or repeated column, broken quotes', async () => {
    await expect(read('')).rejects.toThrow('f.csv: the file is empty');
    await expect(read('a,b\n')).rejects.toThrow('f.csv: there are no data rows after the header (line 1)');
    await expect(read('a,,c\n1,2,3\n')).rejects.toThrow('f.csv: line 1 (the header): column 2 has no name');
    await expect(read('a,b,a\n1,2,3\n')).rejects.toThrow(
      'f.csv: line 1 (the header): column "a" appears twice (columns 1 and 3)',
    );
  });

  it('places broken quotes at the quote, naming the data row and the column', async () => {
    // csv-parse put this one "at line 4" (the end of the file) and the next "on field 2" (from 0).
    await expect(read('a,b,label\n1,2,x\n3,4,"y\n5,6,x\n')).rejects.toThrow(
      'f.csv: line 3 (data row 2), column "label": the quote opening this cell is never closed (the cell would run to the end of the file)',
    );
    await expect(read('a,b,label\n1,2,x\n3,4,y"z\n5,6,x\n')).rejects.toThrow(
      'f.csv: line 3 (data row 2), column "label": ' +
        'a quote inside a cell that does not start with one; quote the whole cell, doubling the quotes inside it ("a ""b"" c")',
    );
    const afterClosing =
      'text after the closing quote of a quoted cell; a quote inside a quoted cell must be doubled ("a ""b"" c")';
    await expect(read('a,b,label\n1,2,x\n3,"4"z,y\n')).rejects.toThrow(`f.csv: line 3 (data row 2), column "b": ${afterClosing}`);
    await expect(read('a,b\n1, "2" x\n')).rejects.toThrow(`f.csv: line 2 (data row 1), column "b": ${afterClosing}`);
    // After blank lines, a quoted line break, a doubled quote and a CRLF; in the header; after a BOM and a two-byte character.
    await expect(read('a,b\n\n\n"1\n2",x\n"3",4\n\n5,"6\n')).rejects.toThrow(
      'f.csv: line 8 (data row 3), column "b": the quote opening this cell is never closed',
    );
    await expect(read('a,b\r\n"say ""hi""\r\nthere"x,1\r\n')).rejects.toThrow(
      `f.csv: line 3 (data row 1), column "a": ${afterClosing}`,
    );
    await expect(read('a,b"c\n1,2\n')).rejects.toThrow(
      'f.csv: line 1 (the header), column 2: a quote inside a cell that does not start with one',
    );
    await expect(read('\uFEFFé,b\n1,2\né,"x\n')).rejects.toThrow(
      'f.csv: line 3 (data row 2), column "b": the quote opening this cell is never closed',
    );
  });

  it('counts a CRLF inside a quoted cell as one line (csv-parse counts two)', async () => {
    const table = await read('a,b\r\n"x\r\ny",2\r\n3,4\r\n');
    expect([table.lines.line(0), table.lines.line(1)]).toEqual([3, 4]);
    await expect(read('a,b\r\n"x\r\ny",2\r\n3,4\r\n5\r\n')).rejects.toThrow(
      'f.csv: line 5 (data row 3) has 1 field but the header has 2: column "b" is missing',
    );
  });
});

describe('cells', () => {
  it('accepts plain decimals only', () => {
    for (const [text, value] of [
      ['3', 3],
      ['-0.5', -0.5],
      ['+.5', 0.5],
      ['1e-3', 0.001],
      ['2.', 2],
      ['1E+2', 100],
    ] as const) {
      expect(parseNumber(text)).toBe(value);
    }
    for (const text of ['', 'NaN', 'Infinity', '0x1F', '12 cm', '1,5', '1e999', '.', '-', ' ', '1 5'])
      expect(parseNumber(text)).toBeUndefined();
  });

  const numbers = (header: Header): ColumnRead[] =>
    header.header.map((_, column) => ({ kind: 'number', column, why: 'features must be numbers' }));

  it('accepts whitespace around a number, quoted or not', async () => {
    expect([' 1.5', '\t-2 ', '3  '].map(parseNumber)).toEqual([1.5, -2, 3]);
    // The unquoted cell is trimmed, not the quoted one.
    const text = 'a,b,t\n" 1.5", 2 ,"x "\n';
    expect(cellsOf(await read(text))).toEqual([[' 1.5', '2', 'x ']]);
    const table = await read(text, 'f.csv', (header) => numbers(header).slice(0, 2));
    expect([table.numbers.get(0)!.get(0), table.numbers.get(1)!.get(0)]).toEqual([1.5, 2]);
  });

  it('names the line, row and column of a non-numeric or empty cell', async () => {
    await expect(read('a,b\n1,2\n3,abc\n4,\n', 'f.csv', numbers)).rejects.toThrow(
      'f.csv: line 3 (data row 2), column "b": "abc" is not a number; features must be numbers',
    );
    await expect(read('a,b\n1,2\n4,\n', 'f.csv', numbers)).rejects.toThrow(
      'f.csv: line 3 (data row 2), column "b": the cell is empty',
    );
  });
});

describe('columns', () => {
  const header: Header = { file: 'f.csv', header: ['id', 'a', 'b', 'c,d', 't'], headerLine: 1 };

  it('takes every column but the target as features, or the --features list', () => {
    expect(featureIndices(header, undefined, [4])).toEqual([0, 1, 2, 3]);
    expect(featureIndices(header, 'b, a', [4])).toEqual([2, 1]);
    expect(featureIndices(header, 'c,d', [4])).toEqual([3]); // a column whose name holds a comma
  });

  it('splits several targets on commas and names a missing column with the columns there are', () => {
    expect(targetIndices(header, 'a,b')).toEqual([1, 2]);
    expect(() => targetIndices(header, 'nope')).toThrow(
      'f.csv: line 1 (the header): no column "nope" (the target); the columns are "id", "a", "b", "c,d", "t"',
    );
    expect(() => featureIndices(header, 'a,t', [4])).toThrow(
      'column "t" cannot be both a feature (--features) and the target (--target)',
    );
  });
});

describe('the target rules', () => {
  it('takes text as classes, sorted; 3+ classes are a softmax', async () => {
    const table = await targetTable(['virginica', 'setosa', 'versicolor', 'setosa']);
    const target = chooseTarget(table, [1], undefined);
    expect(target).toEqual({ type: 'classes', column: 't', classes: ['setosa', 'versicolor', 'virginica'], encoding: 'onehot' });
    expect(outputLayer(target)).toEqual({ activation: 'softmax', loss: 'categoricalCrossentropy' });
    expect(outputUnits(target)).toBe(3);
    expect(labelRows(encodeTarget(target, table, [1]), 3)).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
  });

  it('takes 2 classes as one sigmoid output: the probability of the second', async () => {
    const table = await targetTable(['yes', 'no', 'yes']);
    const target = chooseTarget(table, [1], undefined);
    expect(target).toEqual({ type: 'classes', column: 't', classes: ['no', 'yes'], encoding: 'binary' });
    expect(outputLayer(target)).toEqual({ activation: 'sigmoid', loss: 'binaryCrossentropy' });
    expect(labelRows(encodeTarget(target, table, [1]))).toEqual([[1], [0], [1]]);
    expect(predictionHeader(target)).toEqual(['t', 'prob_no', 'prob_yes']);
    expect(decodePrediction(target, [0.25])).toEqual(['no', 0.75, 0.25]);
    // Exactly 0.5 is the first class, as binaryAccuracy counts it (a > 0.5 is a 1), in predict and evaluate alike.
    expect(decodePrediction(target, [0.5])).toEqual(['no', 0.5, 0.5]);
    expect([0.5, 0.5000001, 0.4999999, 0, 1].map((p) => predictedClass([p], 0, 1))).toEqual([0, 1, 0, 0, 1]);
    expect(predictedClass([0.3, 0.35, 0.35], 0, 3)).toBe(1);
  });

  it(`takes a few integers as classes, sorted as numbers`, async () => {
    expect(await choose([10, 2, 2, 1, '1.0'])).toMatchObject({ type: 'classes', classes: ['1', '2', '10'] });
    expect(await choose([...Array(10).keys()])).toMatchObject({ type: 'classes', encoding: 'onehot' });
  });

  it('keeps integers beyond 2^53 apart, as the cells write them', async () => {
    // As doubles, both are 12345678901234567000: one class, named with a value in no cell.
    const big = ['12345678901234567891', '12345678901234567890', '5', '12345678901234567890'];
    const target = await choose(big, 'categoricalCrossentropy');
    expect(target).toMatchObject({ type: 'classes', classes: ['5', '12345678901234567890', '12345678901234567891'] });
    expect(labelRows(encodeTarget(target, await modelTable(target, big), [1]), 3)).toEqual([
      [0, 0, 1],
      [0, 1, 0],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const unknown = await modelTable(target, ['12345678901234567892']);
    expect(() => encodeTarget(target, unknown, [1])).toThrow(
      't.csv: line 2 (data row 1), column "t": "12345678901234567892" is not one of the model\'s classes',
    );
    // Without --loss such a column is no few integers: a regression.
    expect(await choose(big)).toEqual({ type: 'values', columns: ['t'] });
    expect(await choose([0, 1, '9007199254740993'])).toEqual({ type: 'values', columns: ['t'] });
    // Classes that are plain numbers still match any way of writing them.
    const small = await choose([10, 2, 1]);
    expect(labelRows(encodeTarget(small, await modelTable(small, ['1.0', ' 2', '1e1']), [1]), 3)).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
  });

  it('takes other numbers as a regression with a linear output', async () => {
    const many = await choose([...Array(11).keys()]);
    expect(many).toEqual({ type: 'values', columns: ['t'] });
    expect(outputLayer(many)).toEqual({ activation: 'linear', loss: 'meanSquaredError' });
    expect(await choose([0.5, 1, 1, 0.5])).toEqual({ type: 'values', columns: ['t'] });
    expect(predictionHeader(many)).toEqual(['t']);
  });

  it('obeys --loss', async () => {
    expect(await choose([0, 1, 1], 'meanSquaredError')).toEqual({ type: 'values', columns: ['t'] });
    expect(await choose([0, 1, 1], 'categoricalCrossentropy')).toMatchObject({ classes: ['0', '1'], encoding: 'onehot' });
    expect(await choose([0.5, 1.5, 0.5], 'binaryCrossentropy')).toMatchObject({ classes: ['0.5', '1.5'], encoding: 'binary' });
    await expect(choose(['a', 'b', 'c'], 'binaryCrossentropy')).rejects.toThrow(
      '--loss binaryCrossentropy needs a target with exactly 2 classes, but column "t" has 3: "a", "b", "c"',
    );
    await expect(choose([1, 'two'], 'meanSquaredError')).rejects.toThrow(
      't.csv: line 3 (data row 2), column "t": "two" is not a number; a meanSquaredError target must be numbers',
    );
  });

  it('makes several target columns a regression on each', async () => {
    const table = await read('a,b,c\n1,2,3\n4,5,6\n', 'f.csv', (header) => targetReads(header, [1, 2], undefined));
    const target = chooseTarget(table, [1, 2], undefined);
    expect(target).toEqual({ type: 'values', columns: ['b', 'c'] });
    expect(labelRows(encodeTarget(target, table, [1, 2]))).toEqual([
      [2, 3],
      [5, 6],
    ]);
    await expect(
      read('a,b,c\n1,2,3\n', 'f.csv', (header) => targetReads(header, [1, 2], 'categoricalCrossentropy')),
    ).rejects.toThrow('--loss categoricalCrossentropy needs one target column');
  });

  it('refuses an empty target cell, naming its line, data row and column, whatever the column holds', async () => {
    // Once a regression column with one blank cell became a classifier with a class per value, "" among them.
    const regression = [0.215, 0.254, '', 0.5, 0.75];
    const message = 't.csv: line 4 (data row 3), column "t": the cell is empty; every row needs a target value';
    await expect(choose(regression)).rejects.toThrow(message);
    await expect(choose(regression, 'meanSquaredError')).rejects.toThrow(message);
    await expect(choose(['setosa', 'virginica', '', 'setosa'])).rejects.toThrow(message);
    await expect(choose(['a', 'b', '', 'a'], 'categoricalCrossentropy')).rejects.toThrow(message);
    await expect(choose(['0', '1', ''], 'binaryCrossentropy')).rejects.toThrow(message);
    await expect(read('a,b,c\n1,2,3\n4,5,\n', 'f.csv', (header) => targetReads(header, [1, 2], undefined))).rejects.toThrow(
      'f.csv: line 3 (data row 2), column "c": the cell is empty; every row needs a target value',
    );
    // In evaluate too, for a classifier and a regression.
    const classes = await choose(['a', 'b']);
    await expect(modelTable(classes, ['a', ''])).rejects.toThrow(
      't.csv: line 3 (data row 2), column "t": the cell is empty; every row needs a target value, one of the model\'s classes ("a", "b")',
    );
    await expect(modelTable({ type: 'values', columns: ['t'] }, [0.5, ''])).rejects.toThrow(
      't.csv: line 3 (data row 2), column "t": the cell is empty; every row needs a target value',
    );
  });

  it('refuses a column of mostly numbers with a few that are not, unless --loss says it is classes', async () => {
    await expect(choose(['1.5', '2.0', 'abc'])).rejects.toThrow(
      't.csv: line 4 (data row 3), column "t": "abc" is not a number, but 2 of the column\'s 3 values are: ' +
        'fix the cell, or give --loss categoricalCrossentropy to take the column as classes',
    );
    await expect(choose([0, 1, 1, 'l', 0, 'o'])).rejects.toThrow(
      'line 5 (data row 4), column "t": "l" is not a number, but 4 of',
    );
    expect(await choose(['1.5', '2.0', 'abc'], 'categoricalCrossentropy')).toEqual({
      type: 'classes',
      column: 't',
      classes: ['1.5', '2.0', 'abc'],
      encoding: 'onehot',
    });
    expect(await choose([0, 0, 0, 'x'], 'binaryCrossentropy')).toMatchObject({ classes: ['0', 'x'], encoding: 'binary' });
    // Half numbers or fewer: classes, as before.
    expect(await choose(['2', 'x'])).toMatchObject({ classes: ['2', 'x'], encoding: 'binary' });
    expect(await choose(['A1', '3', 'B', 'B'])).toMatchObject({ classes: ['3', 'A1', 'B'], encoding: 'onehot' });
  });

  it('refuses one class, and a class the model does not know', async () => {
    await expect(choose(['a', 'a'])).rejects.toThrow('column "t" (the target) has only one value, "a"');
    const target = await choose(['a', 'b', 'c']);
    const unknownTable = await modelTable(target, ['a', 'd']);
    expect(() => encodeTarget(target, unknownTable, [1])).toThrow(
      't.csv: line 3 (data row 2), column "t": "d" is not one of the model\'s classes ("a", "b", "c")',
    );
  });

  it('refuses more than 1000 classes, or more classes than half the rows of 100 or more, before building labels', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `id${i}`);
    await expect(choose(ids)).rejects.toThrow(
      't.csv: column "t" (the target) has 1001 distinct values in 1001 rows: too many to be classes ' +
        '(at most 1000, and at most half the rows); is it an id or free text? choose the column to predict with --target',
    );
    // Past 1001 the cells are no longer told apart: "more than".
    await expect(choose([...ids, 'x', 'y'])).rejects.toThrow('has more than 1000 distinct values in 1003 rows');
    // Numbers given as classes: the advice is a regression.
    await expect(
      choose(
        Array.from({ length: 100 }, (_, i) => i % 51),
        'categoricalCrossentropy',
      ),
    ).rejects.toThrow(
      'has 51 distinct values in 100 rows: too many to be classes (at most 1000, and at most half the rows); ' +
        'for a regression on its values, give --loss meanSquaredError',
    );
    expect(
      await choose(
        Array.from({ length: 100 }, (_, i) => i % 50),
        'categoricalCrossentropy',
      ),
    ).toMatchObject({ type: 'classes' });
    // Fewer than 100 rows: a class for most rows is a small data set's, not refused.
    expect(((await choose(['a', 'b', 'c', 'd'])) as { classes: string[] }).classes).toHaveLength(4);
    // 1001 distinct numbers with no --loss are a regression, as any numbers beyond 10 integers.
    expect(await choose(Array.from({ length: 1500 }, (_, i) => i))).toEqual({ type: 'values', columns: ['t'] });
  });

  it('decodes a softmax row to the most probable class and every probability', async () => {
    const target = await choose(['a', 'b', 'c']);
    expect(decodePrediction(target, [0.2, 0.7, 0.1])).toEqual(['b', 0.2, 0.7, 0.1]);
  });
});

describe('standardisation', () => {
  it('measures mean and population std per column; a constant column gets std 1', () => {
    const stats = measureStandardization([
      [1, 5],
      [3, 5],
    ]);
    expect(stats).toEqual({ mean: [2, 5], std: [1, 1] });
    expect(
      standardize(
        [
          [1, 5],
          [4, 6],
        ],
        stats,
      ),
    ).toEqual([
      [-1, 0],
      [2, 1],
    ]);
    expect(standardize([[1]], undefined)).toEqual([[1]]);
  });

  it('measures columns of huge and tiny numbers without overflow or underflow', () => {
    // The sum of squares of the first overflowed (std Infinity, saved as null); of the second underflowed to 0.
    const stats = measureStandardization([
      [0, 1e-200],
      [1e300, 3e-200],
      [2e300, 1e-200],
      [3e300, 3e-200],
      [4e300, 2e-200],
    ]);
    expect(stats).toEqual({ mean: [2e300, 2e-200], std: [1.4142135623730952e300, 8.944271909999158e-201] });
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: the computed value, one ulp below Math.SQRT2
    expect(standardize([[4e300, 3e-200]], stats)).toEqual([[1.414213562373095, 1.118033988749895]]);
    expect(measureStandardization([[-Number.MAX_VALUE], [Number.MAX_VALUE]])).toEqual({ mean: [0], std: [Number.MAX_VALUE] });
  });

  it("takes a column constant but for rounding as constant (scikit-learn's test), a small spread as a spread", () => {
    // 0.1 is not exact in binary: the mean of 0.1s is 0.10000000000000002, and the std was 1.39e-17, not 0.
    expect(measureStandardization(Array.from({ length: 20 }, () => [0.1, 1e300]))).toEqual({
      mean: [0.10000000000000002, 1.0000000000000003e300],
      std: [1, 1],
    });
    expect(measureStandardization([[1], [1 + 2 ** -30]])).toEqual({ mean: [1.0000000004656613], std: [4.656612873077393e-10] });
  });

  it('measures the columns read from a CSV over the training rows only', () => {
    const columns = [
      [1, 100, 3, -7],
      [5, 0, 5, 0],
    ].map((values) => ({ length: 4, get: (i: number) => values[i] }));
    expect(measureColumns(columns, Int32Array.of(2, 0))).toEqual({ mean: [2, 5], std: [1, 1] });
  });
});

describe('splitRows', () => {
  it('shuffles from the seed, then holds out the last fraction', () => {
    const rows = [...Array(10).keys()];
    const a = splitRows(10, 0.2, 7);
    expect(a.train).toHaveLength(8);
    expect(a.validation).toHaveLength(2);
    expect([...a.train, ...a.validation].sort((p, q) => p - q)).toEqual(rows);
    expect([...a.train, ...a.validation]).not.toEqual(rows);
    expect(splitRows(10, 0.2, 7)).toEqual(a);
    expect(splitRows(10, 0.2, 8)).not.toEqual(a);
    expect(() => splitRows(1, 0.5, 1)).toThrow(
      '--validation-split 0.5 of 1 row leaves 0 to train and 1 to validate; both need at least one',
    );
  });

  it('holds out floor(n * fraction) rows, at least 1, n * fraction taken as the integer it is within rounding of', () => {
    const held = (n: number, fraction: number): number => splitRows(n, fraction, 1).validation.length;
    // floor(n * (1 - fraction)) to train held out one too many in the first four.
    expect([held(10, 0.9), held(10, 0.8), held(150, 0.8), held(1e6, 0.07)]).toEqual([9, 8, 120, 70000]);
    // 0.07 * 100 is 7.000000000000001, 0.29 * 100 is 28.999999999999996, 0.57 * 1e5 is 56999.99999999999.
    expect([held(100, 0.07), held(100, 0.29), held(1e5, 0.57)]).toEqual([7, 29, 57000]);
    expect([held(3, 0.9), held(3, 0.1), held(2, 0.99), held(150, 0.2)]).toEqual([2, 1, 1, 30]);
  });
});

describe('output', () => {
  it('quotes CSV cells that need it and prints numbers to float32 precision', () => {
    expect(csvLine(['a,b', 'say "hi"', 'plain', 0.1 + 0.2, 1 / 3])).toBe('"a,b","say ""hi""",plain,0.3,0.3333333\n');
  });

  it('prints logs with four decimals, skipping absent metrics', () => {
    expect(formatLogs({ loss: 0.12345, acc: undefined, val_loss: 1 })).toBe('loss 0.1235  val_loss 1.0000');
  });

  it('prints numbers too large or too small for four decimals with four significant digits', () => {
    expect(formatLogs({ loss: 1.2350000160758137e42, acc: 0 })).toBe('loss 1.235e+42  acc 0.0000');
    expect([123456.78901, 1e6, 0.001, 0.00012346, -2.5e-7, 0, NaN, Infinity].map(formatMetric)).toEqual([
      '123456.7890',
      '1.000e+6',
      '0.0010',
      '1.235e-4',
      '-2.500e-7',
      '0.0000',
      'NaN',
      'Infinity',
    ]);
  });

  it('counts in the singular and the plural', () => {
    expect([
      count(1, 'feature'),
      count(2, 'feature'),
      count(0, 'row'),
      count(1, 'class', 'classes'),
      count(3, 'class', 'classes'),
    ]).toEqual(['1 feature', '2 features', '0 rows', '1 class', '3 classes']);
  });
});

describe('option parsers', () => {
  it('accept good values and refuse bad ones', () => {
    expect(parse.positiveInteger('12')).toBe(12);
    expect(parse.positiveNumber('0.01')).toBe(0.01);
    expect(parse.fraction('0.2')).toBe(0.2);
    expect(parse.seed('0')).toBe(0);
    expect(parse.layerSizes('16, 8')).toEqual([16, 8]);
    expect(parse.layerSizes('none')).toEqual([]);
    expect(parse.threads('64')).toBe(64);
    expect(() => parse.threads('65')).toThrow(new InvalidArgumentError('Expected a positive integer, at most 64.'));
    for (const [parser, text] of [
      [parse.positiveInteger, '0'],
      [parse.positiveInteger, '1.5'],
      [parse.positiveInteger, 'ten'],
      [parse.positiveNumber, '-1'],
      [parse.positiveNumber, 'fast'],
      [parse.fraction, '1'],
      [parse.fraction, '0'],
      [parse.seed, '-1'],
      [parse.seed, '4294967296'],
      [parse.layerSizes, '16,x'],
      [parse.layerSizes, '16,,8'],
      [parse.threads, '0'],
      [parse.threads, '1.5'],
      [parse.threads, '1000'],
    ] as const) {
      expect(() => parser(text), `${parser.name}(${text})`).toThrow(InvalidArgumentError);
    }
  });
});

describe('columns as read', () => {
  it('grows in chunks, reading back every value', () => {
    const column = float64s();
    for (let i = 0; i < 10000; i++) column.push(i * 0.5);
    expect(column.length).toBe(10000);
    // Across the first chunk's doublings (16, 32, ... 4096) and into the fixed chunks after it.
    expect([0, 15, 16, 33, 4095, 4096, 8192, 9999].map((i) => column.get(i))).toEqual([
      0, 7.5, 8, 16.5, 2047.5, 2048, 4096, 4999.5,
    ]);
  });

  it('finds the line of every row from the rows where lines and rows fall out of step', () => {
    const lines = new RowLines();
    const ends = [2, 3, 6, 7, 8, 12, 13];
    ends.forEach((line, row) => lines.add(row, line));
    expect(ends.map((_, row) => lines.line(row))).toEqual(ends);
  });

  it("keeps a target's cells as codes up to 1001 distinct, then as numbers", () => {
    const few = new TargetCellsReader();
    for (const cell of ['b', '2', 'b', 'a']) few.add(cell);
    const cells = few.finish();
    expect(cells.distinct).toEqual(['b', '2', 'a']);
    expect([0, 1, 2, 3].map((r) => cells.codes!.get(r))).toEqual([0, 1, 0, 2]);
    expect([0, 1, 2, 3].map((r) => cells.numbers.get(r))).toEqual([NaN, 2, NaN, NaN]);
    expect([cells.numeric, cells.firstText]).toEqual([1, { row: 0, cell: 'b' }]);
    const many = new TargetCellsReader();
    for (let i = 0; i < 1002; i++) many.add(String(i / 2));
    const dropped = many.finish();
    expect(dropped.distinct).toBeUndefined();
    expect([dropped.numbers.get(0), dropped.numbers.get(1000), dropped.numbers.get(1001), dropped.numbers.length]).toEqual([
      0, 500, 500.5, 1002,
    ]);
  });
});
