/**
 * Missing cells through the real command: an error by default; with
 * `train --missing drop` the rows are left out, as if the file had not
 * held them; with `--missing mean` each feature's training mean fills its
 * missing cells, saved with the model, and predict and evaluate (read whole
 * or streamed) fill them the same way.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitRows } from '../../src/cli/split.js';
import { holdOut } from '../../src/cli/train-stream.js';
import { cli } from './process.js';
import { untimed, untrained } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-missing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string): string => join(dir, name);
const STREAMED = { env: { WASMLP_STREAM_ABOVE: '0' } };

/** 80 rows of two features and a class; every 7th row misses a (as "NA", "", "null" in turn), every 11th b ("N/A"). */
function rows(): string[][] {
  return Array.from({ length: 80 }, (_, r) => {
    const a = ((r * 37) % 23) / 5;
    const b = ((r * 11) % 17) / 4;
    const cls = a + b > 5 ? 'big' : 'small';
    return [r % 7 === 3 ? ['NA', '', 'null'][r % 3] : String(a), r % 11 === 5 ? 'N/A' : String(b), cls];
  });
}

const csv = (cells: string[][]): string => `a,b,size\n${cells.map((row) => row.join(',')).join('\n')}\n`;
const missing = (cell: string): boolean => ['', 'NA', 'N/A', 'null'].includes(cell);
const TRAIN = ['--target', 'size', '--epochs', '3', '--seed', '4', '--standardize'];

describe('--missing', () => {
  const data = rows();
  const file = path('holes.csv');
  writeFileSync(file, csv(data));

  it('is an error by default, naming the cell', async () => {
    const run = await cli(['train', file, ...TRAIN]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: ${file}: line 5 (data row 4), column "a": "NA" is not a number; features must be numbers\n`);
  });

  it('drop: trains as on the file without those rows', async () => {
    const complete = data.filter((row) => !row.some(missing));
    const clean = path('clean.csv');
    writeFileSync(clean, csv(complete));
    const dropped = await cli(['train', file, ...TRAIN, '--missing', 'drop', '--save', path('dropped.json')]);
    expect([dropped.code, dropped.stderr]).toEqual([0, '']);
    const left = data.length - complete.length;
    expect(dropped.stdout.split('\n')[0]).toBe(
      `${file}: ${complete.length} rows (${left} with a missing value left out); 2 features (a, b); size: 2 classes (big, small)`,
    );
    const reference = await cli(['train', clean, ...TRAIN, '--save', path('clean.json')]);
    expect(untimed(dropped.stdout).split('\n').slice(1).join('\n').replace('dropped.json', 'clean.json')).toBe(
      untimed(reference.stdout).split('\n').slice(1).join('\n'),
    );
    expect(untrained(readFileSync(path('dropped.json'), 'utf8'))).toEqual(untrained(readFileSync(path('clean.json'), 'utf8')));
    // Streamed: the same rows left out, and the same run as the clean file streamed.
    const streamed = await cli(['train', file, ...TRAIN, '--missing', 'drop', '--save', path('dropped-s.json')], STREAMED);
    expect([streamed.code, streamed.stderr]).toEqual([0, '']);
    expect(streamed.stdout.split('\n')[0]).toBe(dropped.stdout.split('\n')[0]);
    const cleanStreamed = await cli(['train', clean, ...TRAIN, '--save', path('clean-s.json')], STREAMED);
    expect(untimed(streamed.stdout).split('\n').slice(1).join('\n').replace('dropped-s.json', 'clean-s.json')).toBe(
      untimed(cleanStreamed.stdout).split('\n').slice(1).join('\n'),
    );
    expect(untrained(readFileSync(path('dropped-s.json'), 'utf8'))).toEqual(
      untrained(readFileSync(path('clean-s.json'), 'utf8')),
    );

    // A bad cell in a row with a missing one is still refused, read whole or streamed.
    const bad = path('bad.csv');
    writeFileSync(bad, csv(data.map((row, r) => (r === 3 ? ['NA', 'wide', row[2]] : row))));
    for (const options of [{}, STREAMED]) {
      const refused = await cli(['train', bad, ...TRAIN, '--missing', 'drop'], options);
      expect(refused.stderr).toBe(
        `error: ${bad}: line 5 (data row 4), column "b": "wide" is not a number; features must be numbers\n`,
      );
    }
  });

  it('mean: fills each feature with its training mean, saved with the model and applied by predict and evaluate', async () => {
    const model = path('mean.json');
    const trained = await cli(['train', file, ...TRAIN, '--missing', 'mean', '--save', model]);
    expect([trained.code, trained.stderr]).toEqual([0, '']);
    const means = [0, 1].map((k) => {
      const values = data
        .map((row) => row[k])
        .filter((cell) => !missing(cell))
        .map(Number);
      return values.reduce((a, b) => a + b, 0) / values.length;
    });
    const saved = JSON.parse(readFileSync(model, 'utf8')).metadata.wasmlp.imputation;
    expect(saved.strategy).toBe('mean');
    expect(saved.values[0]).toBeCloseTo(means[0], 12);
    expect(saved.values[1]).toBeCloseTo(means[1], 12);

    // The same as the file with the saved means written in.
    const filledFile = path('filled.csv');
    writeFileSync(
      filledFile,
      csv(data.map((row) => row.map((cell, k) => (k < 2 && missing(cell) ? String(saved.values[k]) : cell)))),
    );
    expect((await cli(['train', filledFile, ...TRAIN, '--save', path('filled.json')])).code).toBe(0);
    const network = (f: string): unknown => {
      const { metadata: _m, ...rest } = JSON.parse(readFileSync(f, 'utf8'));
      return rest;
    };
    expect(network(model)).toEqual(network(path('filled.json')));
    for (const command of ['predict', 'evaluate']) {
      const expected = await cli([command, model, filledFile]);
      expect(expected.code).toBe(0);
      expect(await cli([command, model, file])).toEqual(expected);
      expect(await cli([command, model, file], STREAMED)).toEqual(expected);
    }
    // With a validation split, the means are the training rows' alone.
    const split = await cli([
      'train',
      file,
      ...TRAIN,
      '--missing',
      'mean',
      '--validation-split',
      '0.25',
      '--save',
      path('split.json'),
    ]);
    expect(split.code).toBe(0);
    const { train } = splitRows(data.length, 0.25, 4);
    const trainMeans = [0, 1].map((k) => {
      const values = Array.from(train, (r) => data[r][k])
        .filter((cell) => !missing(cell))
        .map(Number);
      return values.reduce((a, b) => a + b, 0) / values.length;
    });
    const splitValues = JSON.parse(readFileSync(path('split.json'), 'utf8')).metadata.wasmlp.imputation.values;
    expect(splitValues[0]).toBeCloseTo(trainMeans[0], 12);
    expect(splitValues[1]).toBeCloseTo(trainMeans[1], 12);
    expect(splitValues[0]).not.toBeCloseTo(means[0], 6);

    // Streamed, with a validation split: the means of its own training rows, and the run of the file filled with them.
    const streamedModel = path('mean-s.json');
    const argv = [...TRAIN, '--missing', 'mean', '--validation-split', '0.25'];
    expect((await cli(['train', file, ...argv, '--save', streamedModel], STREAMED)).code).toBe(0);
    const streamedValues = JSON.parse(readFileSync(streamedModel, 'utf8')).metadata.wasmlp.imputation.values;
    const { bits } = holdOut(data.length, 0.25, 4);
    const heldIn = data.filter((_, r) => ((bits[r >>> 3] >>> (r & 7)) & 1) === 0);
    [0, 1].forEach((k) => {
      const values = heldIn
        .map((row) => row[k])
        .filter((cell) => !missing(cell))
        .map(Number);
      expect(streamedValues[k]).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 12);
    });
    const streamedFilled = path('filled-s.csv');
    writeFileSync(
      streamedFilled,
      csv(data.map((row) => row.map((cell, k) => (k < 2 && missing(cell) ? String(streamedValues[k]) : cell)))),
    );
    const argvFilled = [...TRAIN, '--validation-split', '0.25', '--save', path('filled-s.json')];
    expect((await cli(['train', streamedFilled, ...argvFilled], STREAMED)).code).toBe(0);
    expect(network(streamedModel)).toEqual(network(path('filled-s.json')));
    expect(streamedValues[0]).not.toBeCloseTo(means[0], 6);

    // A model trained without --missing keeps missing cells errors.
    const plain = await cli(['predict', path('filled.json'), file]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/column "a": "NA" is not a number/);
  });
});
