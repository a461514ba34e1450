/**
 * Untrusted text on its way out. Class and column names come from the
 * training data: in predict's CSV a text cell a spreadsheet would run as a
 * formula gets a leading ' (numbers stay numbers); on the terminal (train's
 * summary, every error) control characters are printed escaped, so a name
 * cannot recolour, retitle or clear the screen.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { csvLine, formulaSafe } from '../../src/cli/format.js';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { escapeControls } from '../../src/cli/text.js';
import { wasmlp } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string): string => join(dir, name);

function file(name: string, content: string): string {
  writeFileSync(path(name), content);
  return path(name);
}

/** Any control character but the line feeds that end lines. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;

describe("predict's CSV", () => {
  it("prefixes a ' to text cells a spreadsheet would take for a formula, then quotes as CSV", () => {
    const cases: [string, string][] = [
      ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
      ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
      ['+1+2', "'+1+2"],
      ['-2+3', "'-2+3"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\tx', "'\tx"],
      ['\rx', `"'\rx"`],
      ['x=1', 'x=1'],
      ['setosa', 'setosa'],
      // Plain numbers are numbers to a spreadsheet too, not formulas: a class "-1" stays "-1".
      ['-1', '-1'],
      ['+0.5', '+0.5'],
      ['-1e3', '-1e3'],
      // Not a plain number: whitespace first, or more after it.
      ['-1 ', "'-1 "],
      ['-', "'-"],
    ];
    for (const [text, cell] of cases) expect(csvLine([text]), JSON.stringify(text)).toBe(`${cell}\n`);
    expect(formulaSafe('=1')).toBe("'=1");
    // Numbers written as numbers are never prefixed.
    expect(csvLine([-0.5, -1e-9, 3])).toBe('-0.5,-1e-9,3\n');
  });

  it('writes dangerous class and column names escaped, and predictions of negative numbers as numbers', async () => {
    const classes = ['=HYPERLINK("http://evil.example","x")', '@SUM(1)', '-2+3'];
    const rows = Array.from({ length: 30 }, (_, i) => `${i % 3},${(i * 7) % 5},"${classes[i % 3].replaceAll('"', '""')}"`);
    const data = file('formula.csv', `a,b,=t\n${rows.join('\n')}\n`);
    const model = path('formula.json');
    expect(
      (await wasmlp('train', data, '--target', '=t', '--epochs', '30', '--lr', '0.05', '--seed', '1', '--save', model)).code,
    ).toBe(0);
    const predicted = await wasmlp('predict', model, data);
    expect(predicted.code).toBe(0);
    const lines = parse(predicted.stdout) as string[][];
    expect(lines[0]).toEqual(["'=t", ...[...classes].sort().map((c) => `prob_${c}`)]);
    for (const [cell] of lines.slice(1)) expect(['\'=HYPERLINK("http://evil.example","x")', "'@SUM(1)", "'-2+3"]).toContain(cell);

    const regression = file('negative.csv', `a,y\n${Array.from({ length: 20 }, (_, i) => `${i},${-i - 0.5}`).join('\n')}\n`);
    const regressionModel = path('negative.json');
    expect(
      (await wasmlp('train', regression, '--target', 'y', '--epochs', '5', '--seed', '1', '--save', regressionModel)).code,
    ).toBe(0);
    const values = (await wasmlp('predict', regressionModel, regression)).stdout.trimEnd().split('\n').slice(1);
    expect(values).toHaveLength(20);
    for (const value of values) expect(value).toMatch(/^-?\d/);
    expect(values.some((value) => value.startsWith('-'))).toBe(true);
  });

  it('writes a large CSV in batches of 4096 rows, each after the one before has drained', async () => {
    const rows = Array.from({ length: 10000 }, (_, i) => `${i % 10},${(i * 3) % 7},${i % 2 ? 'a' : 'b'}`);
    const data = file('many.csv', `x,y,t\n${rows.join('\n')}\n`);
    const model = path('many.json');
    expect((await wasmlp('train', data, '--target', 't', '--epochs', '1', '--seed', '1', '--save', model)).code).toBe(0);
    const events: string[] = [];
    let pending = 0;
    const io: Io = {
      stdout: {
        write: (text) => void events.push(`write ${text.split('\n').length - 1} lines${pending > 0 ? ' before drained' : ''}`),
        drained: async () => {
          pending++;
          await new Promise((resolve) => setTimeout(resolve, 5));
          pending--;
          events.push('drained');
        },
      },
      stderr: { write: () => {} },
    };
    expect(await main(['predict', model, data], io)).toBe(0);
    // The header and 4095 rows, then 4096, then the last 1809.
    expect(events).toEqual(['write 4096 lines', 'drained', 'write 4096 lines', 'drained', 'write 1809 lines']);
  });
});

describe('the terminal', () => {
  it('escapes control characters: C0, DEL, C1, bidirectional overrides', () => {
    expect(escapeControls('a\u001b[31mred\u0007\u007f\u009b2J\u202egnp.exe\tz')).toBe(
      'a\\x1b[31mred\\x07\\x7f\\x9b2J\\u{202e}gnp.exe\\x09z',
    );
  });

  it("prints train's summary with escape sequences in file, column and class names shown, not run", async () => {
    const name = 'evil\u001b]0;pwned\u0007.csv';
    const data = file(
      name,
      `a,\u001b[2Jb,t\n${Array.from({ length: 10 }, (_, i) => `${i},${i % 3},${i % 2 ? '\u001b[31mred' : 'blue\u009b'}`).join('\n')}\n`,
    );
    const run = await wasmlp('train', data, '--target', 't', '--epochs', '1', '--seed', '1', '--save', path('evil.json'));
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(CONTROL);
    const [summary] = run.stdout.split('\n');
    expect(summary).toBe(
      `${path('evil\\x1b]0;pwned\\x07.csv')}: 10 rows; 2 features (a, \\x1b[2Jb); t: 2 classes (\\x1b[31mred, blue\\x9b)`,
    );
    expect(run.stdout).toContain(`Saved the model to ${path('evil.json')}\n`);
  });

  it("cuts long names in train's summary to 100 characters, and lists at most 12", async () => {
    const long = 'n'.repeat(3000);
    const header = [long, ...Array.from({ length: 20 }, (_, i) => `f${i}`), 't'];
    const rows = Array.from({ length: 4 }, (_, r) => [...header.slice(0, -1).map(() => r), r % 2 ? long : 'short'].join(','));
    const data = file('long-names.csv', `${header.join(',')}\n${rows.join('\n')}\n`);
    const run = await wasmlp('train', data, '--target', 't', '--epochs', '1', '--seed', '1');
    const cut = `${'n'.repeat(100)}… (3000 characters)`;
    expect(run.stdout.split('\n')[0]).toBe(
      `${data}: 4 rows; 21 features (${cut}, ${Array.from({ length: 11 }, (_, i) => `f${i}`).join(', ')}, … (21 in all)); ` +
        `t: 2 classes (${cut}, short)`,
    );
  });

  it('prints errors with control characters escaped, on one line', async () => {
    const data = file('bad-cell.csv', 'a,b,t\n1,2,x\n3,\u009b31m\u001b[8m,y\n');
    const run = await wasmlp('train', data, '--target', 't');
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(CONTROL);
    expect(run.stderr).toBe(
      `error: ${data}: line 3 (data row 2), column "b": "\\x9b31m\\u001b[8m" is not a number; features must be numbers\n`,
    );
    const missing = await wasmlp('train', path('no\u001b[2Jfile.csv'), '--target', 't');
    expect(missing.stderr).toBe(`error: ${path('no\\x1b[2Jfile.csv')}: cannot read the data file: no such file\n`);
    const option = await wasmlp('train', data, '--target', 't', '--bogus\u001b[2J');
    expect(option.code).toBe(1);
    expect(option.stderr).toContain("error: unknown option '--bogus\\x1b[2J'");
    expect(option.stderr).not.toMatch(CONTROL);
  });
});
