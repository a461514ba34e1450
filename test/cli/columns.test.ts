/**
 * Columns that are not features, through the real command: --exclude
 * leaves columns out, --id names the row key, which is not a feature,
 * is saved with the model, and is copied by predict into the first column
 * of its output; in files read whole and streamed alike.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './process.js';
import { untrained } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-columns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string): string => join(dir, name);
const STREAMED = { env: { WASMLP_STREAM_ABOVE: '0' } };

/** A key, two features, a column of noise and a class; the keys are not in row order. */
function data(): string {
  const rows = Array.from({ length: 60 }, (_, r) => {
    const a = ((r * 37) % 23) / 5;
    const b = ((r * 11) % 17) / 4;
    return `k${(r * 7) % 60},${a},${b},${(r * 13) % 5},${a + b > 5 ? 'big' : 'small'}`;
  });
  return `id,a,b,noise,size\n${rows.join('\n')}\n`;
}

describe('--exclude and --id', () => {
  it('train leaves the columns out; predict copies the id first, read whole or streamed', async () => {
    const file = path('keys.csv');
    writeFileSync(file, data());
    const model = path('keys.json');
    const argv = ['train', file, '--target', 'size', '--exclude', 'noise', '--id', 'id', '--epochs', '3', '--seed', '2'];
    const trained = await cli([...argv, '--save', model]);
    expect([trained.code, trained.stderr]).toEqual([0, '']);
    expect(trained.stdout.split('\n')[0]).toBe(
      `${file}: 60 rows; 2 features (a, b); left out: noise, id; size: 2 classes (big, small)`,
    );
    const saved = JSON.parse(readFileSync(model, 'utf8'));
    expect(saved.inputs).toBe(2);
    expect(saved.metadata.wasmlp).toMatchObject({ features: ['a', 'b'], id: 'id' });
    const streamedTrain = await cli([...argv, '--save', path('keys-streamed.json')], STREAMED);
    expect(streamedTrain.stdout.split('\n')[0]).toBe(trained.stdout.split('\n')[0]);
    expect(untrained(readFileSync(path('keys-streamed.json'), 'utf8')).metadata).toEqual(
      untrained(readFileSync(model, 'utf8')).metadata,
    );

    const predicted = await cli(['predict', model, file]);
    expect([predicted.code, predicted.stderr]).toEqual([0, '']);
    const rows = parse(predicted.stdout) as string[][];
    expect(rows[0]).toEqual(['id', 'size', 'prob_big', 'prob_small']);
    const keys = (parse(readFileSync(file)) as string[][]).slice(1).map((row) => row[0]);
    expect(rows.slice(1).map((row) => row[0])).toEqual(keys);
    expect(await cli(['predict', model, file], STREAMED)).toEqual(predicted);

    // Another key by --id (a feature here, copied as the number it is); a file without the model's key predicts without it.
    const byA = await cli(['predict', model, file, '--id', 'a']);
    expect((parse(byA.stdout) as string[][]).map((row) => row[0]).slice(0, 3)).toEqual(['a', '0', '2.8']);
    expect(await cli(['predict', model, file, '--id', 'a'], STREAMED)).toEqual(byA);
    const unkeyed = path('unkeyed.csv');
    writeFileSync(unkeyed, readFileSync(file, 'utf8').replace(/^id,/, 'key,'));
    const plain = await cli(['predict', model, unkeyed]);
    expect((parse(plain.stdout) as string[][])[0]).toEqual(['size', 'prob_big', 'prob_small']);
  });

  it('refuses a left-out target, a left-out feature and a misspelt name', async () => {
    const file = path('keys.csv');
    writeFileSync(file, data());
    const fails = async (argv: string[], message: string): Promise<void> => {
      const run = await cli(argv);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`error: ${message}\n`);
    };
    await fails(
      ['train', file, '--target', 'size', '--exclude', 'size'],
      'column "size" cannot be both the target (--target) and left out (--exclude)',
    );
    await fails(
      ['train', file, '--target', 'size', '--id', 'size'],
      'column "size" cannot be both the target (--target) and left out (--id)',
    );
    await fails(
      ['train', file, '--target', 'size', '--features', 'a,noise', '--exclude', 'noise'],
      'column "noise" cannot be both a feature (--features) and left out (--exclude, --id)',
    );
    await fails(
      ['train', file, '--target', 'size', '--exclude', 'a,b,noise', '--id', 'id'],
      `${file}: there are no feature columns: every column is the target or left out (--exclude, --id)`,
    );
    await fails(
      ['train', file, '--target', 'size', '--id', 'ID'],
      `${file}: line 1 (the header): no column "ID" (the id column (--id)): did you mean "id"? The columns are "id", "a", "b", "noise", "size"`,
    );
  });
});
