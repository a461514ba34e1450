/**
 * `train`'s defaults through the real command (bin/wasmlp.js, a child
 * process): features standardised unless --no-standardize.
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { csvText, normal, Random, tempFolder, wasmlpProcess } from './child.js';

const { dir, path, file } = tempFolder('wasmlp-defaults-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('standardisation', () => {
  // Columns of very different scales: around 0.001, 1 and 50,000.
  const random = new Random(11);
  const rows = Array.from({ length: 60 }, (_, i) => {
    const u = Number((0.001 + 0.0005 * normal(random)).toFixed(6));
    const v = Number(normal(random).toFixed(4));
    const w = Math.round(50000 + 20000 * normal(random));
    return [u, v, w, i % 2 === 0 ? 'x' : 'y'];
  });
  const scales = file('scales.csv', csvText(['u', 'v', 'w', 'k'], rows));

  /** The population mean and variance of column `c`, in float64, as the tests compute them. */
  const moments = (c: number): [number, number] => {
    const values = rows.map((row) => row[c] as number);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    return [mean, values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length];
  };

  it("is the default: the network standardises each feature with the training rows' mean and deviation", async () => {
    const run = await wasmlpProcess([
      'train',
      scales,
      '--target',
      'k',
      '--epochs',
      '1',
      '--seed',
      '1',
      '--save',
      path('std.json'),
    ]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain('adam, seed 1, standardised inputs\n');
    const { normalization } = JSON.parse(readFileSync(path('std.json'), 'utf8'));
    [0, 1, 2].forEach((c) => {
      const [mean, variance] = moments(c);
      expect(Math.abs(normalization.mean[c] / mean - 1)).toBeLessThan(1e-12);
      expect(Math.abs(normalization.variance[c] / variance - 1)).toBeLessThan(1e-12);
    });
    // --standardize, as before, says the same.
    const explicit = await wasmlpProcess([
      'train',
      scales,
      '--target',
      'k',
      '--epochs',
      '1',
      '--seed',
      '1',
      '--standardize',
      '--save',
      path('std2.json'),
    ]);
    expect(explicit.stdout.replace('std2.json', 'std.json')).toBe(run.stdout);
    expect(readFileSync(path('std2.json'), 'utf8')).toBe(readFileSync(path('std.json'), 'utf8'));
  });

  it('--no-standardize feeds the raw features', async () => {
    const run = await wasmlpProcess([
      'train',
      scales,
      '--target',
      'k',
      '--epochs',
      '1',
      '--seed',
      '1',
      '--no-standardize',
      '--save',
      path('raw.json'),
    ]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain('adam, seed 1\n');
    const model = JSON.parse(readFileSync(path('raw.json'), 'utf8'));
    expect(model).not.toHaveProperty('normalization');
    expect(model.metadata.wasmlp).not.toHaveProperty('standardization');
  });

  it('on iris, standardised by default, predict and evaluate apply the statistics', async () => {
    const save = path('iris.json');
    const run = await wasmlpProcess([
      'train',
      'examples/iris.csv',
      '--target',
      'species',
      '--seed',
      '1',
      '--lr',
      '0.01',
      '--save',
      save,
    ]);
    expect(run.stdout).toContain(', standardised inputs\n');
    const evaluated = await wasmlpProcess(['evaluate', save, 'examples/iris.csv']);
    expect(Number(/acc (\d\.\d+)/.exec(evaluated.stdout)![1])).toBeGreaterThan(0.95);
  });
});
