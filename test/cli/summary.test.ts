/**
 * What train prints as it runs, through the real command: a summary line
 * at the end (the time taken, the last epoch's metrics, where the model
 * went), --quiet for that line alone, --log-every N for fewer epoch lines.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
