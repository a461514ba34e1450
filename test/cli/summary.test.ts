/**
 * What train prints as it runs, through the real command: a summary line
 * at the end (the time taken, the last epoch's metrics, where the model
 * went), --quiet for that line alone, --log-every N for fewer epoch lines;
 * and on a file as wide as MNIST's, short lines: a few column names then
 * their count, and for a misspelt name the closest ones.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closestNames, editDistance } from '../../src/cli/suggest.js';
import { cli } from './process.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string): string => join(dir, name);
const IRIS = 'examples/iris.csv';
const TRAIN = ['train', IRIS, '--target', 'species', '--epochs', '12', '--seed', '5', '--validation-split', '0.2'];
const METRICS = 'loss \\d\\.\\d{4} {2}acc \\d\\.\\d{4} {2}val_loss \\d\\.\\d{4} {2}val_acc \\d\\.\\d{4}';

describe("train's output", () => {
  it('ends with a summary line: the time, the last epoch metrics, where the model was saved', async () => {
    const model = path('iris.json');
    const run = await cli([...TRAIN, '--save', model]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const lines = run.stdout.trimEnd().split('\n');
    const last = lines.at(-1)!;
    expect(last).toMatch(new RegExp(`^Trained 12 epochs in \\d+(ms|\\.\\ds): ${METRICS}\\. Saved the model to `));
    expect(last.endsWith(`Saved the model to ${model}`)).toBe(true);
    // The last epoch's metrics, as its own line printed them.
    expect(last).toContain(lines.at(-2)!.replace(/^Epoch 12\/12 {2}/, ': '));
    expect(existsSync(model)).toBe(true);

    const unsaved = await cli(TRAIN);
    expect(unsaved.stdout.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(`^Trained 12 epochs in .*: ${METRICS}\\. Not saved \\(no --save\\)\\.$`),
    );
  });

  it('--quiet prints the summary line alone; --log-every N every Nth epoch and the last', async () => {
    const quiet = await cli([...TRAIN, '--quiet']);
    expect([quiet.code, quiet.stderr]).toEqual([0, '']);
    expect(quiet.stdout).toMatch(new RegExp(`^Trained 12 epochs in [^:]+: ${METRICS}\\. Not saved \\(no --save\\)\\.\\n$`));

    const every = await cli([...TRAIN, '--log-every', '5']);
    const epochs = every.stdout.split('\n').filter((line) => line.startsWith('Epoch'));
    expect(epochs.map((line) => line.slice(0, 'Epoch 12/12'.length))).toEqual(['Epoch  5/12', 'Epoch 10/12', 'Epoch 12/12']);
    // The same run as with a line an epoch: the same numbers.
    const all = (await cli(TRAIN)).stdout.split('\n').filter((line) => line.startsWith('Epoch'));
    expect(epochs).toEqual([all[4], all[9], all[11]]);

    const bad = await cli([...TRAIN, '--log-every', '0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--log-every/);
  });
});

describe('a file of 785 columns', () => {
  /** MNIST's layout: a label, then 784 pixels. */
  function mnistLike(): string {
    const header = ['label', ...Array.from({ length: 784 }, (_, i) => `pixel${i}`)];
    const rows = Array.from({ length: 20 }, (_, r) => [r % 2, ...header.slice(1).map((_, i) => (r * 7 + i) % 256)].join(','));
    const file = path('wide.csv');
    writeFileSync(file, `${header.join(',')}\n${rows.join('\n')}\n`);
    return file;
  }

  it('shortens the column list in the first line, and suggests the closest names for a misspelt one', async () => {
    const file = mnistLike();
    const run = await cli(['train', file, '--target', 'label', '--epochs', '1', '--seed', '1']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const [first] = run.stdout.split('\n');
    expect(first).toBe(
      `${file}: 20 rows; 784 features (${Array.from({ length: 12 }, (_, i) => `pixel${i}`).join(', ')}, … (784 in all)); label: 2 classes (0, 1)`,
    );

    const misspelt = await cli(['train', file, '--target', 'lable']);
    expect(misspelt.code).toBe(1);
    expect(misspelt.stderr).toBe(
      `error: ${file}: line 1 (the header): no column "lable" (the target): did you mean "label"? The columns are ` +
        `"label", ${Array.from({ length: 11 }, (_, i) => `"pixel${i}"`).join(', ')}, … (785 in all)\n`,
    );
    expect(misspelt.stderr.length).toBeLessThan(300 + file.length);

    const feature = await cli(['train', file, '--target', 'label', '--features', 'pixel0,pixl12']);
    expect(feature.stderr).toContain('no column "pixl12" (a feature): did you mean "pixel12"? The columns are');
  });

  it('suggests only the closest names, within a third of the length in edits, case ignored', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('colum_1', 'column_1')).toBe(1);
    expect(closestNames('species', ['Species', 'specie', 'spices', 'x'])).toEqual(['Species']);
    expect(closestNames('specie', ['x', 'species', 'specif', 'spec'])).toEqual(['species', 'specif']);
    expect(closestNames('b', ['a', 'c'])).toEqual([]);
    expect(closestNames('nope', ['id', 'a', 'b', 'c,d', 't'])).toEqual([]);
    expect(closestNames('petals', ['petal_length', 'petal_width'])).toEqual([]);
  });
});
