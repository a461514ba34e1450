/**
 * The model file `train --save` writes is a saved network: loadNetwork and
 * loadPredictor take it as it is and predict what `wasmlp predict` prints.
 * Files of the first layout ("format": "wasmlp-model") still load.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkNormalization } from '../../src/cli/standardize.js';
import { loadNetwork, type NetworkJSON } from '../../src/index.js';
import { deviation } from '../../src/normalization.js';
import { loadPredictor } from '../../src/predict/index.js';
import { Random } from '../../src/random.js';
import { wasmlp } from './run.js';

const IRIS = 'examples/iris.csv';
const dir = mkdtempSync(join(tmpdir(), 'wasmlp-model-file-'));
const at = (name: string): string => join(dir, name);
const MODEL = at('iris.json');

/** The iris rows' features, as numbers. */
const rows = readFileSync(IRIS, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').slice(0, 4).map(Number));

/** Each probability as predict prints it (7 significant digits), in row order. */
function printed(stdout: string): string[] {
  return stdout
    .trim()
    .split('\n')
    .slice(1)
    .flatMap((line) => line.split(',').slice(1));
}

/** The first layout of the same model: the network inside, its statistics beside it. */
function oldLayout(saved: NetworkJSON): object {
  const { normalization, metadata, ...network } = saved;
  const { features, target } = metadata!.wasmlp as { features: string[]; target: unknown };
  const standardization = normalization && { mean: normalization.mean, std: normalization.variance.map(Math.sqrt) };
  return { format: 'wasmlp-model', version: 1, features, target, standardization: standardization ?? null, network };
}

let predicted: string;

beforeAll(async () => {
  const trained = await wasmlp(
    'train',
    IRIS,
    '--target',
    'species',
    '--layers',
    '8',
    '--epochs',
    '20',
    '--seed',
    '5',
    '--standardize',
    '--save',
    MODEL,
  );
  expect([trained.code, trained.stderr]).toEqual([0, '']);
  const run = await wasmlp('predict', MODEL, IRIS);
  expect([run.code, run.stderr]).toEqual([0, '']);
  predicted = run.stdout;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the model file as a saved network', () => {
  it('loadNetwork and loadPredictor take it as it is and predict what wasmlp predict prints, from raw rows', async () => {
    const text = readFileSync(MODEL, 'utf8');
    const net = await loadNetwork(JSON.parse(text));
    const predictor = await loadPredictor(text);
    try {
      expect(net.normalization).not.toBeNull();
      const outputs = net.predict(rows);
      expect(Array.from(predictor.predict(rows))).toEqual(Array.from(outputs));
      expect(Array.from(outputs, (p) => String(Number(p.toPrecision(7))))).toEqual(printed(predicted));
      // The command line's metadata comes back with the network.
      expect(net.toJSON().metadata).toEqual(JSON.parse(text).metadata);
    } finally {
      net.dispose();
      predictor.dispose();
    }
  });

  it('a file of the first layout predicts and evaluates as the saved network does, and exports', async () => {
    const old = at('iris-old.json');
    writeFileSync(old, JSON.stringify(oldLayout(JSON.parse(readFileSync(MODEL, 'utf8')))));
    expect(await wasmlp('predict', old, IRIS)).toEqual({ code: 0, stdout: predicted, stderr: '' });
    expect(await wasmlp('evaluate', old, IRIS)).toEqual(await wasmlp('evaluate', MODEL, IRIS));
    const [fromOld, fromNew] = [at('old.onnx'), at('new.onnx')];
    expect((await wasmlp('export', old, '--format', 'onnx', '--out', fromOld)).code).toBe(0);
    expect((await wasmlp('export', MODEL, '--format', 'onnx', '--out', fromNew)).code).toBe(0);
    expect(readFileSync(fromOld)).toEqual(readFileSync(fromNew));
  });

  it('statistics the network cannot apply stay in the metadata, and predict applies them, in either layout', async () => {
    // A column whose spread (about 3e-9) is below the network's floor of 1e-7 for the deviation.
    const random = new Random(2);
    const lines = ['tiny,x,label'];
    for (let i = 0; i < 40; i++) {
      const tiny = random.normal() * 3e-9;
      const x = random.normal();
      lines.push(`${tiny},${x},${tiny > 0 ? 'up' : 'down'}`);
    }
    const csv = at('tiny.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const model = at('tiny.json');
    const trained = await wasmlp(
      'train',
      csv,
      '--target',
      'label',
      '--epochs',
      '5',
      '--seed',
      '1',
      '--standardize',
      '--save',
      model,
    );
    expect([trained.code, trained.stderr]).toEqual([0, '']);
    const saved = JSON.parse(readFileSync(model, 'utf8')) as NetworkJSON;
    expect(saved.normalization).toBeUndefined();
    const stats = (saved.metadata!.wasmlp as { standardization: { std: number[] } }).standardization;
    expect(stats.std[0]).toBeLessThan(1e-7);
    // Still a saved network, which loads (it takes standardised inputs).
    (await loadNetwork(saved)).dispose();
    const run = await wasmlp('predict', model, csv);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const old = at('tiny-old.json');
    writeFileSync(
      old,
      JSON.stringify({ ...oldLayout({ ...saved, metadata: { wasmlp: saved.metadata!.wasmlp } }), standardization: stats }),
    );
    expect(await wasmlp('predict', old, csv)).toEqual(run);
  });
});

describe('networkNormalization', () => {
  it('gives variances whose deviations are the standard deviations exactly, from 1e-7 to beyond float32 squares', () => {
    const random = new Random(7);
    const std = Array.from({ length: 2000 }, () => 10 ** (-7 + random.uniform() * 26.2));
    const mean = std.map((s) => s * (random.uniform() - 0.5));
    const normalization = networkNormalization({ mean, std });
    expect(normalization).toBeDefined();
    expect(normalization!.variance.map(deviation)).toEqual(std);
    expect(normalization!.mean).toEqual(mean);
    // A deviation below the floor, a variance or a value beyond float32: left to the command line.
    expect(networkNormalization({ mean: [0], std: [9e-8] })).toBeUndefined();
    expect(networkNormalization({ mean: [0], std: [2e19] })).toBeUndefined();
    expect(networkNormalization({ mean: [1e39], std: [1] })).toBeUndefined();
    expect(networkNormalization({ mean: [0], std: [1] }, [{ length: 1, get: () => -1e39 }])).toBeUndefined();
  });
});
