/**
 * Reading costs a small multiple of the file: a 20 MB CSV of short rows
 * (2 million rows) trains in a child process whose JavaScript heap is capped
 * at 128 MB, and whose whole peak resident memory stays under 400 MB. Read
 * as arrays of strings, training one epoch on 20 MB of short rows peaked at
 * 2.3 GB (a 100 MB file crashed the heap at 4.5 GB). A target with 30,000 distinct values is refused, with
 * advice, before anything its size is built.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = promisify(execFile);

/** Runs the command line in a child process with a 128 MB heap; it prints its peak resident memory (kB) last on stderr. */
const WRAPPER = `
const { tsImport } = await import('tsx/esm/api');
const { main } = await tsImport(${JSON.stringify(pathToFileURL(join(process.cwd(), 'src/cli/main.ts')).href)}, import.meta.url);
process.exitCode = await main(process.argv.slice(1));
process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + '\\n');
`;

describe('memory', () => {
  it('trains on a 20 MB CSV of short rows within a 128 MB heap and 400 MB of resident memory', async () => {
    const data = join(dir, 'short.csv');
    const rows: string[] = ['a,b,t'];
    for (let r = 0; rows.length < 2_200_000; r++) rows.push(`${(r % 97) / 10},${(r % 13) / 10},${r % 2}`);
    writeFileSync(data, `${rows.join('\n')}\n`);
    rows.length = 0;
    expect(statSync(data).size).toBeGreaterThan(20e6);
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '--max-old-space-size=128',
        '--input-type=module',
        '-e',
        WRAPPER,
        '--',
        'train',
        data,
        '--target',
        't',
        '--epochs',
        '1',
        '--batch-size',
        '65536',
        '--seed',
        '1',
      ],
      { maxBuffer: 1 << 20 },
    );
    expect(stdout).toContain(`${data}: 2199999 rows; 2 features (a, b); t: 2 classes (0, 1)\n`);
    expect(stdout).toMatch(
      /Epoch 1\/1 {2}loss \d\.\d{4} {2}acc \d\.\d{4}\nTrained 1 epoch in [^:]+: loss \d\.\d{4} {2}acc \d\.\d{4}\. Not saved \(no --save\)\.\n$/,
    );
    const maxRss = Number(/maxRSS (\d+)\n$/.exec(stderr)![1]) * 1024;
    expect(maxRss).toBeLessThan(400e6);
  }, 120_000);

  it('refuses a target of 30,000 distinct values (a 300 KB file) with advice, before building anything its size', async () => {
    const data = join(dir, 'ids.csv');
    writeFileSync(data, `x,id\n${Array.from({ length: 30000 }, (_, i) => `${i % 7},user${i}`).join('\n')}\n`);
    let stderr = '';
    const io: Io = { stdout: { write: () => {} }, stderr: { write: (text) => void (stderr += text) } };
    expect(await main(['train', data, '--target', 'id'], io)).toBe(1);
    expect(stderr).toBe(
      `error: ${data}: column "id" (the target) has more than 1000 distinct values in 30000 rows: too many to be classes ` +
        '(at most 1000, and at most half the rows); is it an id or free text? choose the column to predict with --target\n',
    );
    // Numbers: a regression by default; as classes, refused with the advice to train a regression.
    const numbers = join(dir, 'numbers.csv');
    writeFileSync(numbers, `x,y\n${Array.from({ length: 30000 }, (_, i) => `${i % 7},${i}`).join('\n')}\n`);
    stderr = '';
    expect(await main(['train', numbers, '--target', 'y', '--loss', 'categoricalCrossentropy'], io)).toBe(1);
    expect(stderr).toContain(
      'column "y" (the target) has more than 1000 distinct values in 30000 rows: too many to be classes ' +
        '(at most 1000, and at most half the rows); for a regression on its values, give --loss meanSquaredError\n',
    );
  });
});
