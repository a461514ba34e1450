/**
 * What the command line reads, and refuses to: only regular files (never a
 * directory, a device such as /dev/zero, a FIFO or standard input), CSVs of
 * UTF-8 text (invalid UTF-8 and NUL bytes named by line and byte), model
 * files within a size limit, with a byte-order mark allowed and no name
 * listed twice; and messages that quote at most 100 characters of a cell.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MODEL_BYTES } from '../../src/cli/model-file.js';
import { wasmlp, withMetadata } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string): string => join(dir, name);

function file(name: string, content: string | Buffer): string {
  writeFileSync(path(name), content);
  return path(name);
}

/** Expects exit code 1, nothing on stdout, and exactly `error: message` on stderr. */
async function fails(argv: string[], message: string): Promise<void> {
  expect(await wasmlp(...argv)).toEqual({ code: 1, stdout: '', stderr: `error: ${message}\n` });
}

const good = file('good.csv', 'a,b,c\n1,2,x\n3,4,y\n5,6,x\n');
const model = path('good.json');
beforeAll(async () => {
  expect((await wasmlp('train', good, '--target', 'c', '--epochs', '1', '--seed', '1', '--save', model)).code).toBe(0);
});

describe('inputs that are not regular files', () => {
  const fifo = path('fifo');
  beforeAll(() => execFileSync('mkfifo', [fifo]));

  it('refuses /dev/zero, a directory, a FIFO (with no writer: it does not wait for one), and standard input as the model', async () => {
    const cases: [string, string][] = [
      ['/dev/zero', 'it is a character device, not a regular file'],
      [dir, 'is a directory'],
      [fifo, 'it is a pipe (FIFO), not a regular file'],
    ];
    for (const [input, reason] of cases) {
      await fails(['predict', model, input], `${input}: cannot read the data file: ${reason}`);
      await fails(['predict', input, good], `${input}: cannot read the model file: ${reason}`);
      await fails(['train', input, '--target', 'c'], `${input}: cannot read the data file: ${reason}`);
      await fails(['evaluate', model, input], `${input}: cannot read the data file: ${reason}`);
    }
    // Standard input is read as the data file (input-formats.test.ts), never as the model.
    await fails(
      ['predict', '-', good],
      '-: cannot read the model file: standard input is read as the data file only; give a file',
    );
  });

  it('refuses a model file larger than 256 MiB before reading it', async () => {
    expect(MAX_MODEL_BYTES).toBe(256 * 2 ** 20);
    // Sparse: no disk space, and nothing would be read from it anyway.
    const huge = file('huge.json', '');
    truncateSync(huge, MAX_MODEL_BYTES + 1);
    await fails(
      ['predict', huge, good],
      `${huge}: cannot read the model file: it is larger than 256 MiB, more than any model file holds (is it the right file?)`,
    );
  });
});

describe('CSV text', () => {
  it('refuses invalid UTF-8, naming the line and byte, rather than reading it as U+FFFD', async () => {
    const bad = file(
      'latin1.csv',
      Buffer.concat([Buffer.from('a,b,c\n1,2,x\n3,4,caf'), Buffer.from([0xe9]), Buffer.from('\n5,6,y\n')]),
    );
    await fails(['train', bad, '--target', 'c'], `${bad}: line 3, byte 20: not valid UTF-8 (byte 0xe9); save the file as UTF-8`);
    // An overlong encoding, a surrogate, a stray continuation byte, a character cut off at the end of the file.
    for (const [bytes, at] of [
      [[0xc0, 0xaf], 13],
      [[0xed, 0xa0, 0x80], 13],
      [[0x80], 13],
      [[0xe2, 0x82], 13],
    ] as const) {
      const text = file('bad.csv', Buffer.concat([Buffer.from('a,b,c\n1,2,x\n'), Buffer.from(bytes)]));
      await fails(
        ['predict', model, text],
        `${text}: line 3, byte ${at}: not valid UTF-8 (byte 0x${bytes[0].toString(16)}); save the file as UTF-8`,
      );
    }
    // Valid multi-byte characters across the reader's 64 KiB chunks are read whole.
    const wide = `a,b,c\n${'1,2,é€😀\n3,4,y\n'.repeat(12000)}`;
    const split = file('split.csv', wide);
    expect(Buffer.byteLength(wide)).toBeGreaterThan(3 * 65536);
    const run = await wasmlp('train', split, '--target', 'c', '--epochs', '1');
    expect(run.stdout).toContain('c: 2 classes (y, é€😀)');
  });

  it('reports the first fault in the file: a bad cell before invalid UTF-8 in the same chunk', async () => {
    const both = file(
      'both.csv',
      Buffer.concat([Buffer.from('a,b,c\n1,2,x\n3,zz,y\n5,6,'), Buffer.from([0xff]), Buffer.from('\n')]),
    );
    await fails(
      ['train', both, '--target', 'c'],
      `${both}: line 3 (data row 2), column "b": "zz" is not a number; features must be numbers`,
    );
  });

  it('names the line of a NUL byte', async () => {
    const nul = file('nul.csv', 'a,b,c\n1,2,x\n3,4,y\n5,\u00006,x\n');
    await fails(
      ['train', nul, '--target', 'c'],
      `${nul}: line 4, byte 21: a NUL byte, which text never holds (is the file UTF-16 or binary?); save it as UTF-8`,
    );
  });

  it('quotes at most 100 characters of a long cell, and lists at most 12 columns of a wide file', async () => {
    const long = 'z'.repeat(5000);
    const cell = file('long-cell.csv', `a,b,c\n1,2,x\n${long},4,y\n`);
    await fails(
      ['train', cell, '--target', 'c'],
      `${cell}: line 3 (data row 2), column "a": "${'z'.repeat(100)}"… (5000 characters) is not a number; features must be numbers`,
    );
    const names = Array.from({ length: 5000 }, (_, i) => `column_${i}`);
    const wide = file('wide.csv', `${names.join(',')}\n${names.map(() => '1').join(',')}\n`);
    const run = await wasmlp('train', wide, '--target', 'colum_1');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: ${wide}: line 1 (the header): no column "colum_1" (the target): did you mean "column_1"? The columns are ` +
        `${names
          .slice(0, 12)
          .map((n) => `"${n}"`)
          .join(', ')}, … (5000 in all)\n`,
    );
  });

  it('reads 100,000 columns, and refuses more, naming the header', async () => {
    const names = (n: number): string => Array.from({ length: n }, (_, i) => `c${i}`).join(',');
    const ones = (n: number, shift = 0): string => Array.from({ length: n }, (_, i) => String((i + shift) % 2)).join(',');
    const wide = file('100k.csv', `${names(100_000)}\n${ones(100_000)}\n${ones(100_000, 1)}\n`);
    const run = await wasmlp('train', wide, '--target', 'c1', '--layers', 'none', '--epochs', '1');
    expect(run.stdout).toContain(
      `${wide}: 2 rows; 99999 features (c0, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, … (99999 in all)); c1: 2 classes (0, 1)\n`,
    );
    const wider = file('100001.csv', `${names(100_001)}\n${ones(100_001)}\n`);
    await fails(
      ['train', wider, '--target', 'c1'],
      `${wider}: line 1 (the header): 100001 columns, more than the 100000 a CSV may have here`,
    );
  });

  it('refuses a row longer than 16 MiB (an unclosed quote), naming its line', async () => {
    const open = file('open-quote.csv', `a,b,c\n1,2,x\n3,4,"${'y'.repeat(17 * 2 ** 20)}\n`);
    await fails(
      ['train', open, '--target', 'c'],
      `${open}: line 3: a row longer than 16 MiB (an unclosed quote, or not a CSV file?)`,
    );
  });
});

describe('model files', () => {
  it('reads a model file with a UTF-8 byte-order mark, as CSVs are read', async () => {
    const bom = file('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(model)]));
    const plain = await wasmlp('predict', model, good);
    expect(plain.code).toBe(0);
    expect(await wasmlp('predict', bom, good)).toEqual(plain);
  });

  it('refuses a model file of invalid UTF-8, naming the line and byte', async () => {
    const bad = file(
      'latin1.json',
      Buffer.concat([Buffer.from('{\n"format": "wasmlp-model", "x": "'), Buffer.from([0xff]), Buffer.from('"}\n')]),
    );
    await fails(['predict', bad, good], `${bad}: not a wasmlp model file: line 2, byte 35 is not valid UTF-8`);
  });

  it('refuses a class, feature or target column listed twice, naming both places', async () => {
    const saved = JSON.parse(readFileSync(model, 'utf8'));
    const cases: [string, object, string][] = [
      [
        'classes.json',
        withMetadata(saved, { target: { ...saved.metadata.wasmlp.target, classes: ['x', 'x'] } }),
        '"target.classes" lists "x" twice, at [0] and [1]',
      ],
      ['features.json', withMetadata(saved, { features: ['a', 'a'] }), '"features" lists "a" twice, at [0] and [1]'],
      [
        'columns.json',
        withMetadata(saved, { target: { type: 'values', columns: ['p', 'q', 'p'] } }),
        '"target.columns" lists "p" twice, at [0] and [2]',
      ],
    ];
    for (const [name, json, what] of cases) {
      const bad = file(name, JSON.stringify(json));
      await fails(['predict', bad, good], `${bad}: malformed model file: ${what}; each must be listed once`);
    }
  });

  it('refuses a model file nested deeper than 64 levels before parsing it', async () => {
    // 66 levels: the model's own 7 or so, then brackets; JSON.parse would build them all.
    const deep = file('deep.json', `{"format": "wasmlp-model", "x": ${'['.repeat(65)}${']'.repeat(65)}}`);
    await fails(['predict', deep, good], `${deep}: not a wasmlp model file: it nests deeper than 64 levels (at character 96)`);
    // Brackets inside strings are text, not nesting.
    const quoted = file('quoted.json', `{"format": "wasmlp-model", "x": "${'['.repeat(100)}"}`);
    expect((await wasmlp('predict', quoted, good)).stderr).not.toMatch(/nests deeper/);
  });

  it('shows at most 100 characters of a bad value', async () => {
    const saved = JSON.parse(readFileSync(model, 'utf8'));
    const bad = file('version.json', JSON.stringify({ ...saved, version: 'v'.repeat(1000) }));
    await fails(
      ['predict', bad, good],
      `${bad}: model file version "${'v'.repeat(99)}… (1002 characters) is not one this wasmlp reads (it reads version 1)`,
    );
  });
});
