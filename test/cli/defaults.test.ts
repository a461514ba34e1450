/**
 * `train`'s defaults through the real command (bin/wasmlp.js, a child
 * process): features standardised unless --no-standardize; a regression's
 * targets scaled inside the model, predictions in the targets' units from
 * the model file and from its ONNX and TF.js exports, and evaluate's MAE,
 * RMSE and R²; --test-split's score and --early-stopping's best weights.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { parse } from 'csv-parse/sync';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitRows } from '../../src/cli/split.js';
import { holdOut } from '../../src/cli/train-stream.js';
import { csvText, normal, Random, tempFolder, wasmlpProcess } from './child.js';
import { untimed, untrained } from './run.js';

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

  /** train on scales.csv for one epoch from seed 1, with `flags`, saving the model as `save`. */
  const trainScales = (save: string, ...flags: string[]) =>
    wasmlpProcess(['train', scales, '--target', 'k', '--epochs', '1', '--seed', '1', ...flags, '--save', path(save)]);

  /** The population mean and variance of column `c`, in float64, as the tests compute them. */
  const moments = (c: number): [number, number] => {
    const values = rows.map((row) => row[c] as number);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    return [mean, values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length];
  };

  it("is the default: the network standardises each feature with the training rows' mean and deviation", async () => {
    const run = await trainScales('std.json');
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain('adam, seed 1, standardised inputs\n');
    const { normalization } = JSON.parse(readFileSync(path('std.json'), 'utf8'));
    [0, 1, 2].forEach((c) => {
      const [mean, variance] = moments(c);
      expect(Math.abs(normalization.mean[c] / mean - 1)).toBeLessThan(1e-12);
      expect(Math.abs(normalization.variance[c] / variance - 1)).toBeLessThan(1e-12);
    });
    // --standardize, as before, says the same.
    const explicit = await trainScales('std2.json', '--standardize');
    expect(untimed(explicit.stdout.replace('std2.json', 'std.json'))).toBe(untimed(run.stdout));
    expect(untrained(readFileSync(path('std2.json'), 'utf8'))).toEqual(untrained(readFileSync(path('std.json'), 'utf8')));
  });

  it('--no-standardize feeds the raw features', async () => {
    const run = await trainScales('raw.json', '--no-standardize');
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

ort.env.wasm.numThreads = 1;

describe('a regression', () => {
  // y around 1000 ± 300, from two features (one on a scale of hundreds), a bend and some noise.
  const random = new Random(21);
  const rows = Array.from({ length: 600 }, () => {
    const a = normal(random);
    const b = 200 + 50 * normal(random);
    const y = 1000 + 180 * a + 240 * ((b - 200) / 50) + 60 * Math.sin(2 * a) + 20 * normal(random);
    return [a.toFixed(4), b.toFixed(2), y.toFixed(2)];
  });
  const data = file('regression.csv', csvText(['a', 'b', 'y'], rows));
  const raw = rows.map(([a, b]) => [Number(a), Number(b)]);
  const targets = rows.map((row) => Number(row[2]));
  const model = path('regression.json');
  let predicted: number[];

  beforeAll(async () => {
    const run = await wasmlpProcess(['train', data, '--target', 'y', '--seed', '3', '--save', model]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const out = await wasmlpProcess(['predict', model, data]);
    predicted = (parse(out.stdout) as string[][]).slice(1).map(([value]) => Number(value));
  });

  it("trains on targets scaled with the training rows' mean and deviation, recorded in the model file", () => {
    const mean = targets.reduce((sum, y) => sum + y, 0) / targets.length;
    const std = Math.sqrt(targets.reduce((sum, y) => sum + (y - mean) ** 2, 0) / targets.length);
    expect(std).toBeGreaterThan(250);
    const { targetScaling } = JSON.parse(readFileSync(model, 'utf8')).metadata.wasmlp;
    // Measured on the targets as float32, the network's labels.
    expect(Math.abs(targetScaling.mean[0] / mean - 1)).toBeLessThan(1e-7);
    expect(Math.abs(targetScaling.std[0] / std - 1)).toBeLessThan(1e-6);
  });

  it("predicts in the targets' units and reaches R² > 0.9 with the defaults; evaluate prints MAE, RMSE and R²", async () => {
    const n = targets.length;
    const mean = targets.reduce((sum, y) => sum + y, 0) / n;
    const errors = targets.map((y, i) => y - predicted[i]);
    const mae = errors.reduce((sum, e) => sum + Math.abs(e), 0) / n;
    const mse = errors.reduce((sum, e) => sum + e * e, 0) / n;
    const r2 = 1 - (mse * n) / targets.reduce((sum, y) => sum + (y - mean) ** 2, 0);
    expect(r2).toBeGreaterThan(0.9);
    const evaluated = await wasmlpProcess(['evaluate', model, data]);
    expect([evaluated.code, evaluated.stderr]).toEqual([0, '']);
    const printed = /^loss (\S+) {2}mae (\S+) {2}rmse (\S+) {2}r2 (\S+) {2}\(600 rows\)\n$/.exec(evaluated.stdout);
    expect(printed, evaluated.stdout).not.toBeNull();
    const [loss, maeShown, rmseShown, r2Shown] = printed!.slice(1).map(Number);
    // predict prints 7 significant digits; evaluate 4 decimals of numbers computed from the outputs themselves.
    expect(Math.abs(loss / mse - 1)).toBeLessThan(1e-4);
    expect(Math.abs(maeShown / mae - 1)).toBeLessThan(1e-4);
    expect(Math.abs(rmseShown / Math.sqrt(mse) - 1)).toBeLessThan(1e-4);
    expect(Math.abs(r2Shown - r2)).toBeLessThan(1e-4);
    // A streamed evaluation scores alike.
    const streamed = await wasmlpProcess(['evaluate', model, data], { WASMLP_STREAM_ABOVE: '0' });
    expect(streamed.stdout).toBe(evaluated.stdout);
  });

  it('a streamed training scales its targets too', async () => {
    const save = path('regression-streamed.json');
    const run = await wasmlpProcess(['train', data, '--target', 'y', '--seed', '3', '--save', save], {
      WASMLP_STREAM_ABOVE: '0',
    });
    expect([run.code, run.stderr]).toEqual([0, '']);
    const { targetScaling } = JSON.parse(readFileSync(save, 'utf8')).metadata.wasmlp;
    const saved = JSON.parse(readFileSync(model, 'utf8')).metadata.wasmlp.targetScaling;
    expect(Math.abs(targetScaling.mean[0] / saved.mean[0] - 1)).toBeLessThan(1e-9);
    expect(Math.abs(targetScaling.std[0] / saved.std[0] - 1)).toBeLessThan(1e-9);
    const evaluated = await wasmlpProcess(['evaluate', save, data]);
    expect(Number(/r2 (\S+)/.exec(evaluated.stdout)![1])).toBeGreaterThan(0.9);
  });

  it("exports to ONNX and TF.js models that predict in the targets' units", async () => {
    const onnxFile = path('regression.onnx');
    expect((await wasmlpProcess(['export', model, '--format', 'onnx', '--out', onnxFile])).code).toBe(0);
    const session = await ort.InferenceSession.create(readFileSync(onnxFile));
    const x = new ort.Tensor('float32', Float32Array.from(raw.flat()), [raw.length, 2]);
    const onnxOut = Array.from((await session.run({ x })).y.data as Float32Array);
    await session.release();
    const folder = path('regression-tfjs');
    expect((await wasmlpProcess(['export', model, '--format', 'tfjs', '--out', folder])).code).toBe(0);
    const weights = readFileSync(join(folder, 'weights.bin'));
    const artifacts = await tf.io.getModelArtifactsForJSON(
      JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')),
      async (m) => [
        m.flatMap((group) => group.weights),
        weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      ],
    );
    const layers = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    const tfjsOut = Array.from(tf.tidy(() => (layers.predict(tf.tensor2d(raw)) as tf.Tensor).dataSync()));
    layers.dispose();
    for (const out of [onnxOut, tfjsOut]) {
      expect(out).toHaveLength(predicted.length);
      out.forEach((value, i) => expect(Math.abs(value - predicted[i])).toBeLessThan(1e-5 * Math.abs(predicted[i]) + 1e-3));
    }
  });
});

describe('--test-split and --early-stopping', () => {
  const IRIS = 'examples/iris.csv';
  const irisLines = readFileSync(IRIS, 'utf8').trimEnd().split('\n');

  it('--test-split holds its rows out first, from the seed, and scores them once at the end', async () => {
    const save = path('iris-test.json');
    const run = await wasmlpProcess(
      ['train', IRIS, '--target', 'species', '--test-split', '0.2', '--validation-split', '0.25', '--seed', '4'].concat([
        '--epochs',
        '20',
        '--lr',
        '0.01',
        '--metrics',
        'accuracy,recall',
        '--save',
        save,
      ]),
    );
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain(`${IRIS}: 90 rows to train, 30 to validate, 30 to test;`);
    const testLine = /^Test {2}loss (\S+) {2}acc (\S+) {2}recall (\S+) {2}\(30 rows\)$/m.exec(run.stdout);
    expect(testLine, run.stdout).not.toBeNull();
    // The same rows, from the same shuffle: evaluate on them alone gives the printed score.
    const { train, test } = splitRows(150, 0.25, 4, 0.2);
    const testFile = file('iris-test-rows.csv', `${[irisLines[0], ...Array.from(test, (r) => irisLines[r + 1])].join('\n')}\n`);
    const evaluated = await wasmlpProcess(['evaluate', save, testFile]);
    expect(evaluated.stdout.startsWith(`loss ${testLine![1]}  acc ${testLine![2]}`), evaluated.stdout).toBe(true);
    // The standardisation's statistics come from the 90 training rows only.
    const { normalization } = JSON.parse(readFileSync(save, 'utf8'));
    const column = (r: number) => Number(irisLines[r + 1].split(',')[0]);
    const mean = Array.from(train, column).reduce((sum, v) => sum + v, 0) / train.length;
    expect(Math.abs(normalization.mean[0] / mean - 1)).toBeLessThan(1e-12);
  });

  it('--test-split on a streamed file holds out its rows first too, and scores them once', async () => {
    const save = path('iris-test-streamed.json');
    const run = await wasmlpProcess(
      ['train', IRIS, '--target', 'species', '--test-split', '0.2', '--validation-split', '0.25', '--seed', '4'].concat([
        '--epochs',
        '20',
        '--lr',
        '0.01',
        '--save',
        save,
      ]),
      { WASMLP_STREAM_ABOVE: '0' },
    );
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain(`${IRIS}: 90 rows to train, 30 to validate, 30 to test;`);
    const testLine = /^Test {2}loss (\S+) {2}acc (\S+) {2}\(30 rows\)$/m.exec(run.stdout);
    expect(testLine, run.stdout).not.toBeNull();
    // The test rows are drawn from the seed as a streamed validation split is: a bit a row, over the file's order.
    const { bits } = holdOut(150, 0.2, 4, 'test');
    const picked = Array.from({ length: 150 }, (_, r) => r).filter((r) => (bits[r >>> 3] >>> (r & 7)) & 1);
    expect(picked).toHaveLength(30);
    const testFile = file('iris-test-streamed.csv', `${[irisLines[0], ...picked.map((r) => irisLines[r + 1])].join('\n')}\n`);
    const evaluated = await wasmlpProcess(['evaluate', save, testFile]);
    expect(evaluated.stdout.split('\n')[0]).toBe(`loss ${testLine![1]}  acc ${testLine![2]}  (30 rows)`);
  });

  it("--test-split on a regression scores MAE, RMSE and R² in the targets' units", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => [
      i / 200,
      (i % 9) / 9,
      (500 + 300 * (i / 200) + 100 * ((i % 9) / 9)).toFixed(3),
    ]);
    const data = file('linear.csv', csvText(['a', 'b', 'y'], rows));
    const run = await wasmlpProcess(['train', data, '--target', 'y', '--test-split', '0.25', '--seed', '2']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const line = /^Test {2}loss (\S+) {2}mae (\S+) {2}rmse (\S+) {2}r2 (\S+) {2}\(50 rows\)$/m.exec(run.stdout);
    expect(line, run.stdout).not.toBeNull();
    const [loss, , rmse, r2] = line!.slice(1).map(Number);
    expect(Math.abs(Math.sqrt(loss) - rmse)).toBeLessThan(1e-3 * rmse + 1e-4);
    expect(r2).toBeGreaterThan(0.9);
  });

  it("--early-stopping stops when val_loss stops improving and keeps the best epoch's weights", async () => {
    const stopped = path('stopped.json');
    const common = ['train', IRIS, '--target', 'species', '--validation-split', '0.3', '--seed', '1', '--lr', '0.05'];
    const run = await wasmlpProcess([...common, '--epochs', '300', '--early-stopping', '3', '--save', stopped]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const stop =
      /^Early stopping: stopped after epoch (\d+) \(val_loss 3 epochs without improving\); kept epoch (\d+)'s weights \(val_loss (\S+)\)$/m.exec(
        run.stdout,
      );
    expect(stop, run.stdout).not.toBeNull();
    const [after, best] = [Number(stop![1]), Number(stop![2])];
    expect(after).toBeLessThan(300);
    expect(after - best).toBe(3);
    const epochs = run.stdout.split('\n').filter((line) => line.startsWith('Epoch '));
    expect(epochs).toHaveLength(after);
    // The best epoch's val_loss is the least printed, and the line says it.
    const valLosses = epochs.map((line) => Number(/val_loss (\S+)/.exec(line)![1]));
    expect(Math.min(...valLosses)).toBe(valLosses[best - 1]);
    expect(stop![3]).toBe(valLosses[best - 1].toFixed(4));
    // The same seed trained for exactly `best` epochs gives the saved weights.
    const exact = path('exact.json');
    expect((await wasmlpProcess([...common, '--epochs', String(best), '--save', exact])).code).toBe(0);
    expect(JSON.parse(readFileSync(stopped, 'utf8')).weights).toEqual(JSON.parse(readFileSync(exact, 'utf8')).weights);
  });

  it('refuses --early-stopping without a validation split, and bad fractions, writing no model file', async () => {
    const save = path('none.json');
    const cases: [string[], string][] = [
      [['--early-stopping', '3'], 'error: --early-stopping watches val_loss: it needs --validation-split\n'],
      [['--early-stopping', '-1'], "option '--early-stopping <patience>' argument '-1' is invalid"],
      [['--test-split', '1'], "option '--test-split <fraction>' argument '1' is invalid"],
      [
        ['--test-split', '0.995', '--validation-split', '0.5'],
        '--validation-split 0.5 of 1 row leaves 0 to train and 1 to validate; both need at least one',
      ],
    ];
    for (const [flags, message] of cases) {
      const run = await wasmlpProcess(['train', IRIS, '--target', 'species', '--epochs', '1', '--save', save, ...flags]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(message);
      expect(existsSync(save)).toBe(false);
    }
  });
});

describe("the target's task", () => {
  // A score of 1 to 5 (5 distinct integers: guessed classes) and an integer count of 1 to 60 (guessed a regression).
  const rows = Array.from({ length: 60 }, (_, i) => [i + 1, ((i * 7) % 5) + 1, i % 2 === 0 ? 10 : 20]);
  const data = file('scores.csv', csvText(['count', 'score', 'pair'], rows));
  const train = (...more: string[]) => wasmlpProcess(['train', data, '--epochs', '1', '--seed', '1', ...more]);
  const taskLine = (stdout: string) => stdout.split('\n')[2];

  it('prints the guess and how to override it', async () => {
    const iris = await wasmlpProcess(['train', 'examples/iris.csv', '--target', 'species', '--epochs', '1']);
    expect(taskLine(iris.stdout)).toBe('Task: classification: "species" holds text');
    const score = await train('--target', 'score', '--features', 'count');
    expect(score.stdout).toContain('score: 5 classes (1, 2, 3, 4, 5)');
    expect(taskLine(score.stdout)).toBe(
      'Task: classification, guessed: "score" holds 5 distinct integers (up to 10 are taken as classes); give --task regression to predict it as a number',
    );
    const count = await train('--target', 'count', '--features', 'score');
    expect(count.stdout).toContain('regression on count');
    expect(taskLine(count.stdout)).toBe(
      'Task: regression, guessed: "count" holds numbers, not up to 10 distinct integers; give --task classification to take its values as classes',
    );
    const two = await train('--target', 'score,count', '--features', 'pair');
    expect(taskLine(two.stdout)).toBe('Task: regression (2 target columns, a regression on each)');
    const loss = await train('--target', 'score', '--features', 'count', '--loss', 'meanSquaredError');
    expect(taskLine(loss.stdout)).toBe('Task: regression (--loss meanSquaredError)');
  });

  for (const [mode, env] of [
    ['read whole', {}],
    ['streamed', { WASMLP_STREAM_ABOVE: '0' }],
  ] as const) {
    it(`--task overrides the guess (${mode})`, async () => {
      const save = path(`task-${mode.length}.json`);
      const regression = await wasmlpProcess(
        ['train', data, '--target', 'score', '--features', 'count', '--epochs', '1', '--task', 'regression', '--save', save],
        env,
      );
      expect([regression.code, regression.stderr]).toEqual([0, '']);
      expect(regression.stdout).toContain('regression on score\n');
      expect(taskLine(regression.stdout)).toBe('Task: regression (--task regression)');
      expect(JSON.parse(readFileSync(save, 'utf8')).metadata.wasmlp.target).toEqual({ type: 'values', columns: ['score'] });
      const classes = await wasmlpProcess(
        ['train', data, '--target', 'count', '--features', 'score', '--epochs', '1', '--task', 'classification', '--save', save],
        env,
      );
      expect([classes.code, classes.stderr]).toEqual([0, '']);
      expect(classes.stdout).toContain('count: 60 classes (1, 2, 3,');
      expect(taskLine(classes.stdout)).toBe('Task: classification (--task classification)');
      // Two classes: one sigmoid output, as guessed classes would have.
      const pair = await wasmlpProcess(
        ['train', data, '--target', 'pair', '--features', 'count', '--epochs', '1', '--task', 'classification', '--save', save],
        env,
      );
      expect(pair.stdout).toContain('Network 1-16-1 relu + sigmoid, binaryCrossentropy');
      expect(JSON.parse(readFileSync(save, 'utf8')).metadata.wasmlp.target).toEqual({
        type: 'classes',
        column: 'pair',
        classes: ['10', '20'],
        encoding: 'binary',
      });
    });
  }

  it('refuses a --task that contradicts --loss, the target columns or the cells', async () => {
    const cases: [string[], string][] = [
      [
        ['--target', 'score', '--task', 'classification', '--loss', 'meanSquaredError'],
        '--task classification contradicts --loss meanSquaredError',
      ],
      [
        ['--target', 'score', '--task', 'regression', '--loss', 'binaryCrossentropy'],
        '--task regression contradicts --loss binaryCrossentropy',
      ],
      [['--target', 'score,count', '--task', 'classification'], '--task classification needs one target column'],
      [['--target', 'score', '--task', 'ranking'], "option '--task <task>' argument 'ranking' is invalid"],
    ];
    for (const [flags, message] of cases) {
      const run = await train(...flags);
      expect(run.code, flags.join(' ')).toBe(1);
      expect(run.stderr).toContain(message);
    }
    const text = await wasmlpProcess(['train', 'examples/iris.csv', '--target', 'species', '--task', 'regression']);
    expect(text.stderr).toContain(
      '"setosa" is not a number; a regression target must be numbers (give --task classification to treat the column as classes)',
    );
  });
});
