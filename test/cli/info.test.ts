/**
 * `wasmlp info`, through the real command: the network's summary as the
 * library prints it, the features, the target and its classes, the
 * preprocessing, and the training record train saves (when, on what, with
 * which options, how it ended); the same as JSON; and what a saved network
 * or an ONNX export holds, with no record.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNetwork } from '../../src/index.js';
import { cli } from './process.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-info-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string): string => join(dir, name);
const IRIS = 'examples/iris.csv';

async function summaryOf(file: string): Promise<string> {
  const { metadata: _metadata, ...network } = JSON.parse(readFileSync(file, 'utf8'));
  const net = await loadNetwork(network, { backend: 'js' });
  try {
    return net.summary();
  } finally {
    net.dispose();
  }
}

describe('wasmlp info', () => {
  it('shows the network, the columns, the preprocessing and how the model was trained', async () => {
    const model = path('iris.json');
    const before = Date.now();
    const argv = ['train', IRIS, '--target', 'species', '--epochs', '7', '--seed', '3', '--standardize'];
    const trained = await cli([...argv, '--validation-split', '0.2', '--layers', '8,4', '--quiet', '--save', model]);
    expect(trained.code).toBe(0);
    const after = Date.now();
    const run = await cli(['info', model]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const summary = await summaryOf(model);
    expect(run.stdout.startsWith(`${model}: a wasmlp model file\n\n${summary.trimEnd()}\n\n`)).toBe(true);
    const lines = run.stdout.slice(`${model}: a wasmlp model file\n\n${summary.trimEnd()}\n\n`.length).trimEnd().split('\n');
    const saved = JSON.parse(readFileSync(model, 'utf8'));
    const { mean, variance } = saved.normalization;
    const values = (list: number[]): string => list.map((v) => String(Number(v.toPrecision(7)))).join(', ');
    expect(lines.slice(0, 6)).toEqual([
      'Network: 4-8-4-3, categoricalCrossentropy, float32',
      'Features: 4 columns (sepal_length, sepal_width, petal_length, petal_width)',
      'Target: species, 3 classes (setosa, versicolor, virginica), a softmax output per class',
      `Standardisation: applied by the network (its normalization layer); mean ${values(mean)}; standard deviation ${values(variance.map(Math.sqrt))}`,
      'Missing cells: errors',
      'Id column: none',
    ]);
    const record = saved.metadata.wasmlp.training;
    const at = Date.parse(record.trainedAt);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
    expect(lines[6]).toBe(`Trained: ${record.trainedAt} with wasmlp 0.1.0, on ${IRIS} (120 rows to train, 30 to validate)`);
    expect(lines[7]).toMatch(
      /^ {2}7 epochs in \d+(ms|\.\ds), ending with loss \d\.\d{4} {2}acc \d\.\d{4} {2}val_loss \d\.\d{4} {2}val_acc \d\.\d{4}$/,
    );
    // Every option as it took effect: the learning rate adam's default, the batch size, the backend.
    for (const flag of [
      '--epochs 7',
      '--seed 3',
      '--standardize',
      '--validation-split 0.2',
      '--layers 8,4',
      '--lr 0.001',
      '--batch-size 32',
      '--backend wasm',
    ])
      expect(lines[8]).toContain(` ${flag}`);
    expect(lines[8].startsWith('  options: ')).toBe(true);
    expect(record.metrics.loss).toBeCloseTo(Number(/loss (\S+)/.exec(trained.stdout)![1]), 4);

    const json = JSON.parse((await cli(['info', model, '--json'])).stdout);
    expect(json).toMatchObject({
      kind: 'a wasmlp model file',
      summary,
      inputs: 4,
      layers: [{ units: 8 }, { units: 4 }, { units: 3, activation: 'softmax' }],
      features: saved.metadata.wasmlp.features,
      target: saved.metadata.wasmlp.target,
      standardizedBy: 'applied by the network (its normalization layer)',
      imputation: null,
      id: null,
      training: record,
    });
  });

  it('shows --missing mean, --id, a saved network and an ONNX export', async () => {
    const data = path('holes.csv');
    writeFileSync(data, 'key,a,b,t\nr1,1,2,x\nr2,NA,1,y\nr3,3,,x\nr4,4,5,y\n');
    const model = path('holes.json');
    expect(
      (await cli(['train', data, '--target', 't', '--missing', 'mean', '--id', 'key', '--epochs', '2', '--save', model])).code,
    ).toBe(0);
    const shown = (await cli(['info', model])).stdout;
    expect(shown).toContain("\nMissing cells: filled with each feature's training mean (2.666667, 2.666667)\n");
    expect(shown).toContain('\nId column: key (predict copies it into its output)\n');
    expect(shown).toContain('\nTarget: t, 2 classes (x, y), one sigmoid output, the probability of y\n');
    expect(shown).toContain('  options: ');
    expect(shown).toContain(' --missing mean');

    const { metadata: _metadata, ...network } = JSON.parse(readFileSync(model, 'utf8'));
    const plain = path('network.json');
    writeFileSync(plain, JSON.stringify(network));
    const bare = (await cli(['info', plain])).stdout;
    expect(bare.split('\n')[0]).toBe(`${plain}: a saved network (no wasmlp metadata)`);
    expect(bare).toContain('\nFeatures: none named: the first 2 columns of a CSV, or --features\n');
    expect(bare).toContain('\nTarget: none named: give --target to evaluate\n');
    expect(bare.trimEnd().split('\n').at(-1)).toBe(
      'Trained: not recorded (a file saved without a training record, or with a malformed one)',
    );
    // A record edited into nonsense is not shown, and does not stop the model from predicting.
    const edited = JSON.parse(readFileSync(model, 'utf8'));
    edited.metadata.wasmlp.training.metrics = 'fine';
    const odd = path('odd.json');
    writeFileSync(odd, JSON.stringify(edited));
    expect((await cli(['info', odd])).stdout).toContain('\nTrained: not recorded');
    expect((await cli(['predict', odd, data])).stdout).toBe((await cli(['predict', model, data])).stdout);

    const onnx = path('holes.onnx');
    expect((await cli(['export', model, '--format', 'onnx', '--out', onnx])).code).toBe(0);
    const exported = (await cli(['info', onnx])).stdout;
    expect(exported.split('\n')[0]).toBe(`${onnx}: an ONNX model`);
    expect(exported).toContain('\nFeatures: 2 columns (a, b)\n');

    const missing = await cli(['info', path('absent.json')]);
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: ${path('absent.json')}: cannot read the model file: no such file\n`,
    });
  });
});
