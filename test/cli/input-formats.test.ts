/**
 * Input formats through the real command: `-` reads standard input (kept
 * in a temporary file, as train reads its data more than once), the
 * delimiter is detected (comma, semicolon, tab) or given by --delimiter.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvTokenizer, detectDelimiter } from '../../src/cli/csv-tokens.js';
import { cli } from './process.js';
import { untimed, untrained } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string): string => join(dir, name);
const IRIS = 'examples/iris.csv';
const iris = readFileSync(IRIS, 'utf8');
const TRAIN = ['--target', 'species', '--epochs', '4', '--seed', '9', '--validation-split', '0.2'];

describe('standard input', () => {
  it('trains, predicts and evaluates from `-` as from the file, read whole or streamed, leaving no temporary file', async () => {
    // A temporary directory of its own, to see the copy of standard input go.
    const tmp = path('tmp');
    mkdirSync(tmp);
    const env = { TMPDIR: tmp };
    const fromFile = await cli(['train', IRIS, ...TRAIN, '--save', path('file.json')]);
    const fromStdin = await cli(['train', '-', ...TRAIN, '--save', path('stdin.json')], { input: iris, env });
    expect([fromStdin.code, fromStdin.stderr]).toEqual([0, '']);
    expect(untimed(fromStdin.stdout).replace('stdin.json', 'file.json')).toBe(untimed(fromFile.stdout).replace(`${IRIS}:`, '-:'));
    expect(untrained(readFileSync(path('stdin.json'), 'utf8'))).toEqual(untrained(readFileSync(path('file.json'), 'utf8')));
    // Streamed, standard input is read once to the copy, then once a pass.
    const streamed = await cli(['train', '-', ...TRAIN], { input: iris, env: { ...env, WASMLP_STREAM_ABOVE: '0' } });
    expect(streamed.code).toBe(0);
    expect(streamed.stdout).toMatch(/^-: 120 rows to train, 30 to validate/);

    const model = path('file.json');
    for (const command of ['predict', 'evaluate']) {
      const expected = await cli([command, model, IRIS]);
      expect(await cli([command, model, '-'], { input: iris, env })).toEqual(expected);
      expect(await cli([command, model, '-'], { input: iris, env: { ...env, WASMLP_STREAM_ABOVE: '0' } })).toEqual(expected);
    }
    expect(readdirSync(tmp).filter((name) => name.startsWith('wasmlp-'))).toEqual([]);

    const bad = await cli(['evaluate', model, '-'], { input: iris.replace('5.1,3.5', '5.1,x'), env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'error: -: line 2 (data row 1), column "sepal_width": "x" is not a number; features must be numbers\n',
    );
    // A fault found in the text is placed by its line, counted in the copy.
    const invalid = Buffer.concat([Buffer.from(iris.slice(0, 200)), Buffer.from([0xff]), Buffer.from(iris.slice(200))]);
    const line = iris.slice(0, 200).split('\n').length;
    expect((await cli(['evaluate', model, '-'], { input: invalid, env })).stderr).toBe(
      `error: -: line ${line}, byte 201: not valid UTF-8 (byte 0xff); save the file as UTF-8\n`,
    );
    expect((await cli(['evaluate', model, '-'], { env })).stderr).toBe(
      'error: -: the file is empty; expected a header row naming the columns, then data rows\n',
    );
    expect(readdirSync(tmp).filter((name) => name.startsWith('wasmlp-'))).toEqual([]);
  });
});

describe('delimiters', () => {
  it('detects a semicolon or a tab from the header line, or takes --delimiter', async () => {
    const model = path('iris.json');
    expect((await cli(['train', IRIS, ...TRAIN, '--save', model])).code).toBe(0);
    const expected = await cli(['evaluate', model, IRIS]);
    const semicolons = path('iris-semicolon.csv');
    writeFileSync(semicolons, iris.replaceAll(',', ';'));
    const tabs = path('iris.tsv');
    writeFileSync(tabs, iris.replaceAll(',', '\t'));
    for (const file of [semicolons, tabs]) {
      expect(await cli(['evaluate', model, file])).toEqual(expected);
      expect(await cli(['evaluate', model, file], { env: { WASMLP_STREAM_ABOVE: '0' } })).toEqual(expected);
      const trained = await cli(['train', file, ...TRAIN, '--save', path('again.json')]);
      expect(untimed(trained.stdout).replaceAll(file, IRIS).replace('again.json', 'iris.json')).toBe(
        untimed((await cli(['train', IRIS, ...TRAIN, '--save', model])).stdout),
      );
    }
    expect(await cli(['evaluate', model, '-', '--delimiter', 'tab'], { input: iris.replaceAll(',', '\t') })).toEqual(expected);
    expect(await cli(['evaluate', model, semicolons, '--delimiter', ';'])).toEqual(expected);
    // Given, it is not detected: the semicolon file read with commas has one column.
    const forced = await cli(['evaluate', model, semicolons, '--delimiter', 'comma']);
    expect(forced.code).toBe(1);
    expect(forced.stderr).toMatch(
      /no column "sepal_length" \(a feature the model was trained on\); the columns are "sepal_length;/,
    );
    const bad = await cli(['evaluate', model, IRIS, '--delimiter', '|']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--delimiter.*'\|' is invalid\. Expected comma, semicolon or tab/);
  });

  it('detects the delimiter from the header line however the bytes arrive, after a byte-order mark and blank lines', () => {
    const records = (text: string): { rows: string[][]; delimiter: number } => {
      const rows: string[][] = [];
      const tokens = new CsvTokenizer((fields) => rows.push(tokens.texts.slice(0, fields)), 'auto');
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i++) tokens.write(bytes.subarray(i, i + 1));
      tokens.end();
      return { rows, delimiter: tokens.delimiterByte };
    };
    expect(records('\ufeff\n\na;b\r\n1;2\r\n"x;y";3\n')).toEqual({
      rows: [
        ['a', 'b'],
        ['1', '2'],
        ['x;y', '3'],
      ],
      delimiter: 0x3b,
    });
    // A tab that delimits is not trimmed: empty cells stay empty cells.
    expect(records('a\tb\n\t1\n2\t\n')).toEqual({
      rows: [
        ['a', 'b'],
        ['', '1'],
        ['2', ''],
      ],
      delimiter: 0x09,
    });
    expect(records('single\n1')).toEqual({ rows: [['single'], ['1']], delimiter: 0x2c });
  });

  it('counts delimiters outside quotes, a comma on a tie or with none', () => {
    const bytes = (text: string): Buffer => Buffer.from(text);
    expect(detectDelimiter(bytes('a;b;c'))).toBe(0x3b);
    expect(detectDelimiter(bytes('a\tb,c\td'))).toBe(0x09);
    expect(detectDelimiter(bytes('"a;b;c",d'))).toBe(0x2c);
    expect(detectDelimiter(bytes('a;b,c'))).toBe(0x2c);
    expect(detectDelimiter(bytes('single'))).toBe(0x2c);
  });
});
