/**
 * A CSV file streamed as a dataset: the same batches as the whole file
 * loaded and put in the shuffle buffer's order; a seeded, reproducible
 * shuffle; a file changed between passes refused; a bad cell in the middle
 * named by its line and column; the statistics of `train --standardize`.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ColumnRead, readCsv } from '../../src/cli/csv.js';
import { type CsvBatch, csvDataset } from '../../src/cli/csv-dataset.js';
import { float32Matrix } from '../../src/cli/float32.js';
import { shuffledOrder } from '../../src/cli/shuffle-buffer.js';
import { measureColumns } from '../../src/cli/standardize.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-dataset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file of `rows` rows, sorted by class, with quoted cells, CRLF and a blank line. */
function write(name: string, rows: number): string {
  const lines = ['a,"b",c,class'];
  for (let r = 0; r < rows; r++) {
    const cls = ['x', 'y, z', 'w'][Math.floor((r * 3) / rows)];
    lines.push(`${(r % 17) * 0.25},"${(r * 7919) % 101}",${-r / 8},"${cls}"`);
    if (r === 10) lines.push('');
  }
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\r\n')}\r\n`);
  return file;
}

async function collect(batches: AsyncIterable<CsvBatch>): Promise<CsvBatch[]> {
  const all: CsvBatch[] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}

describe('csvDataset', () => {
  it('streams the batches of the whole file loaded and put in the shuffle buffer order', async () => {
    const file = write('sorted.csv', 1000);
    const dataset = await csvDataset(file, { target: 'class', batchSize: 24, shuffleBuffer: 100, seed: 5, readChunkBytes: 97 });
    expect(dataset.rows).toBe(1000);
    expect(dataset.features).toEqual(['a', 'b', 'c']);
    expect(dataset.target).toEqual({ type: 'classes', column: 'class', classes: ['w', 'x', 'y, z'], encoding: 'onehot' });

    // The whole file, as `wasmlp train` reads it.
    const table = await readCsv(file, () => [
      ...[0, 1, 2].map((column): ColumnRead => ({ kind: 'number', column, why: '' })),
      { kind: 'cells', column: 3, empty: '' },
    ]);
    const x = float32Matrix(
      table,
      [0, 1, 2],
      [0, 1, 2].map((c) => table.numbers.get(c)!),
      undefined,
      '',
    );
    const cells = table.cells.get(3)!;
    const classOf = (r: number): number => ['w', 'x', 'y, z'].indexOf(cells.distinct![cells.codes!.get(r)]);

    for (let pass = 0; pass < 2; pass++) {
      const order = shuffledOrder(1000, 100, 5 + pass);
      const batches = await collect(dataset);
      expect(batches.map((b) => b.x.shape[0])).toEqual([...Array(41).fill(24), 16]);
      const streamedX = batches.flatMap((b) => Array.from(b.x.data));
      const streamedY = batches.flatMap((b) => Array.from(b.y.data));
      expect(streamedX).toEqual(Array.from(order).flatMap((r) => Array.from(x.subarray(r * 3, r * 3 + 3))));
      expect(streamedY).toEqual(Array.from(order).flatMap((r) => [0, 1, 2].map((k) => (k === classOf(r) ? 1 : 0))));
    }
    // Each row leaves at most the buffer's size earlier than it came, and rows from far apart are mixed.
    const order = shuffledOrder(1000, 100, 5);
    expect(order.every((r, i) => r <= i + 99)).toBe(true);
    expect(Math.max(...order.subarray(0, 24))).toBeGreaterThan(50);
  });

  it('shuffles from its seed: the same seed, the same batches pass by pass; another seed, others', async () => {
    const file = write('seeded.csv', 300);
    const options = { target: 'class', batchSize: 50, shuffleBuffer: 64 };
    const one = await csvDataset(file, { ...options, seed: 1 });
    const again = await csvDataset(file, { ...options, seed: 1 });
    const other = await csvDataset(file, { ...options, seed: 2 });
    const passes = async (dataset: AsyncIterable<CsvBatch>): Promise<number[][]> => [
      (await collect(dataset)).flatMap((b) => Array.from(b.x.data)),
      (await collect(dataset)).flatMap((b) => Array.from(b.x.data)),
    ];
    const [first, second] = await passes(one);
    expect(await passes(again)).toEqual([first, second]);
    expect(second).not.toEqual(first);
    expect((await passes(other))[0]).not.toEqual(first);
    // The order is a permutation; a buffer of one row keeps the file's order.
    expect(Array.from(shuffledOrder(300, 64, 1)).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(Array.from(shuffledOrder(5, 1, 1))).toEqual([0, 1, 2, 3, 4]);
    const inOrder = await csvDataset(file, { target: 'class', batchSize: 300 });
    expect(Array.from((await collect(inOrder))[0].x.data.subarray(0, 6))).toEqual([0, 0, 0, 0.25, 41, -0.125]);
  });

  it('refuses a file changed between passes: rows appended, rows cut off, rewritten in place', async () => {
    const changed = /the data file changed while it was being read: .*; it is read once for its columns/;
    const appended = write('appended.csv', 200);
    const a = await csvDataset(appended, { target: 'class' });
    appendFileSync(appended, '1,2,3,x\r\n');
    await expect(collect(a)).rejects.toThrow(/it had \d+ bytes and now has \d+ \(rows appended\?\)/);

    const cut = write('cut.csv', 200);
    const b = await csvDataset(cut, { target: 'class' });
    truncateSync(cut, 1000);
    await expect(collect(b)).rejects.toThrow(/rows cut off\?/);

    const touched = write('touched.csv', 200);
    const c = await csvDataset(touched, { target: 'class' });
    utimesSync(touched, new Date(), new Date(Date.now() + 5000));
    await expect(collect(c)).rejects.toThrow(changed);

    // Rewritten in place to the same size, its modification time put back: the cell the first pass did not see.
    const rewritten = write('rewritten.csv', 200);
    // A whole second: a time set as it was read back would lose its nanoseconds.
    utimesSync(rewritten, 1e9, 1e9);
    const d = await csvDataset(rewritten, { target: 'class' });
    writeFileSync(rewritten, readFileSync(rewritten, 'utf8').replace('\r\n0.25,', '\r\n0.2x,'));
    utimesSync(rewritten, 1e9, 1e9);
    await expect(collect(d)).rejects.toThrow(
      `${rewritten}: the data file changed while it was being read (line 3 is not as it was)`,
    );
  });

  it('names the line and column of a bad cell in the middle of a file, before any batch', async () => {
    const file = join(dir, 'bad.csv');
    const rows = Array.from({ length: 5000 }, (_, r) => (r === 3000 ? '1,abc,x' : `${r},${r % 7},x${r % 2}`));
    writeFileSync(file, `a,b,t\n${rows.join('\n')}\n`);
    await expect(csvDataset(file, { target: 't', readChunkBytes: 4096 })).rejects.toThrow(
      `${file}: line 3002 (data row 3001), column "b": "abc" is not a number; features must be numbers`,
    );
    writeFileSync(file, `a,b,t\n${rows.map((row, r) => (r === 4000 ? '1,2' : row.replace('abc', '3'))).join('\n')}\n`);
    await expect(csvDataset(file, { target: 't' })).rejects.toThrow(
      `${file}: line 4002 (data row 4001) has 2 fields but the header has 3: column "t" is missing`,
    );
    writeFileSync(file, `a,b,t\n${rows.map((row, r) => (r === 4500 ? '1,"2,x' : row.replace('abc', '3'))).join('\n')}\n`);
    await expect(csvDataset(file, { target: 't' })).rejects.toThrow(
      `${file}: line 4502 (data row 4501), column "b": the quote opening this cell is never closed`,
    );
  });

  it("measures train --standardize's statistics over every row, bit for bit", async () => {
    const file = write('stats.csv', 777);
    const dataset = await csvDataset(file, { target: 'class', readChunkBytes: 1000 });
    const table = await readCsv(file, () => [0, 1, 2].map((column): ColumnRead => ({ kind: 'number', column, why: '' })));
    const all = Int32Array.from({ length: 777 }, (_, i) => i);
    expect(await dataset.standardization()).toEqual(
      measureColumns(
        [0, 1, 2].map((c) => table.numbers.get(c)!),
        all,
      ),
    );
  });

  it('decides a numeric target as train does: a regression on values, batches of values', async () => {
    const file = join(dir, 'regression.csv');
    writeFileSync(file, `x,y\n${Array.from({ length: 40 }, (_, i) => `${i},${i * 0.5}`).join('\n')}\n`);
    const dataset = await csvDataset(file, { target: 'y', batchSize: 16 });
    expect(dataset.target).toEqual({ type: 'values', columns: ['y'] });
    const batches = await collect(dataset);
    expect(batches.map((b) => b.y.shape)).toEqual([
      [16, 1],
      [16, 1],
      [8, 1],
    ]);
    expect(Array.from(batches[2].y.data)).toEqual([16, 16.5, 17, 17.5, 18, 18.5, 19, 19.5]);
    // Columns by a list of names, a comma in one of them.
    const named = join(dir, 'named.csv');
    writeFileSync(named, 'id,"a,b",c,y\n1,2,3,4.5\n2,3,4,5.5\n');
    const byName = await csvDataset(named, { target: ['y'], features: ['a,b', 'c'] });
    expect(byName.features).toEqual(['a,b', 'c']);
    expect(Array.from((await collect(byName))[0].x.data)).toEqual([2, 3, 3, 4]);
  });
});
