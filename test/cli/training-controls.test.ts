/**
 * `train`'s training controls through the real command (bin/wasmlp.js, a
 * child process): --dropout, --l1/--l2, --optimizer, --clipnorm,
 * --lr-schedule, --class-weight balanced and --metrics reach the library
 * (the saved model and the printed logs change as their formulas say), a
 * bad value fails naming its flag with no model file written, and each
 * works as well on a streamed file (WASMLP_STREAM_ABOVE=0).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createNetwork } from '../../src/index.js';
import { csvText, epochLogs, Random, tempFolder, wasmlpProcess } from './child.js';

const IRIS = 'examples/iris.csv';
const { dir, path, file } = tempFolder('wasmlp-controls-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two features, classes "a" (60 rows) and "b" (20 rows), shuffled: balanced weights 80/(2·60) and 80/(2·20). */
const imbalanced = (() => {
  const random = new Random(3);
  const rows: [number, number, string][] = [];
  for (let i = 0; i < 80; i++) {
    const b = i % 4 === 0;
    rows.push([Number((random.uniform() + (b ? 0.6 : 0)).toFixed(3)), Number(random.uniform().toFixed(3)), b ? 'b' : 'a']);
  }
  return rows;
})();
const IMBALANCED = file('imbalanced.csv', csvText(['u', 'v', 'label'], imbalanced));
const REGRESSION = file(
  'regression.csv',
  csvText(
    ['u', 'v', 'y'],
    Array.from({ length: 40 }, (_, i) => [i / 40, (i % 7) / 7, Number((i / 40 + 0.5 * ((i % 7) / 7)).toFixed(4))]),
  ),
);

const STREAMED = { WASMLP_STREAM_ABOVE: '0' };

for (const [mode, env] of [
  ['a file read whole', {}],
  ['a streamed file', STREAMED],
] as const) {
  describe(`train's controls on ${mode}`, () => {
    it('--dropout and --l1/--l2: a dropout entry after each hidden layer, the penalty on every dense layer', async () => {
      const save = path(`dropout-${mode.length}.json`);
      const run = await wasmlpProcess(
        [
          'train',
          IRIS,
          '--target',
          'species',
          '--layers',
          '8,4',
          '--dropout',
          '0.25',
          '--l1',
          '0.0001',
          '--l2',
          '0.001',
          '--epochs',
          '2',
          '--seed',
          '1',
          '--save',
          save,
        ],
        env,
      );
      expect([run.code, run.stderr]).toEqual([0, '']);
      expect(run.stdout).toContain(
        'Network 4-8-4-3 relu + softmax, categoricalCrossentropy, adam, dropout 0.25, l1 0.0001, l2 0.001, seed 1',
      );
      const model = JSON.parse(readFileSync(save, 'utf8'));
      const penalty = { kernelRegularizer: { l1: 0.0001, l2: 0.001 } };
      expect(model.layers).toMatchObject([
        { units: 8, ...penalty },
        { dropout: 0.25 },
        { units: 4, ...penalty },
        { dropout: 0.25 },
        { units: 3, activation: 'softmax', ...penalty },
      ]);
    });

    it('--optimizer and --clipnorm reach the optimiser: each trains to weights of its own', async () => {
      const weights = new Set<string>();
      for (const optimizer of ['sgd', 'adam', 'rmsprop', 'adagrad', 'adamw']) {
        for (const clip of [[], ['--clipnorm', '0.01']]) {
          const save = path(`${optimizer}${clip.length}-${mode.length}.json`);
          const run = await wasmlpProcess(
            ['train', IRIS, '--target', 'species', '--epochs', '2', '--seed', '2', '--optimizer', optimizer, ...clip].concat([
              '--save',
              save,
            ]),
            env,
          );
          expect([run.code, run.stderr]).toEqual([0, '']);
          expect(run.stdout).toContain(`categoricalCrossentropy, ${optimizer}${clip.length ? ', clipnorm 0.01' : ''}, seed 2`);
          weights.add(JSON.stringify(JSON.parse(readFileSync(save, 'utf8')).weights));
        }
      }
      // Ten runs from one seed, so the same initial weights: each optimiser, clipped or not, moves them its own way.
      expect(weights.size).toBe(10);
    });

    it('--lr-schedule decays over the whole run: each epoch prints the rate of its last update', async () => {
      // 150 rows in batches of 50: 3 updates an epoch, 12 in 4 epochs; epoch e's last update is step 3e + 2.
      const updates = 12;
      const lr = 0.01;
      const formulas = {
        cosine: (step: number) => lr * 0.5 * (1 + Math.cos((Math.PI * step) / updates)),
        exponential: (step: number) => lr * 0.01 ** (step / updates),
      };
      for (const [schedule, rate] of Object.entries(formulas)) {
        const run = await wasmlpProcess(
          ['train', IRIS, '--target', 'species', '--epochs', '4', '--batch-size', '50', '--lr', String(lr), '--seed', '1'].concat(
            ['--lr-schedule', schedule],
          ),
          env,
        );
        expect([run.code, run.stderr]).toEqual([0, '']);
        expect(run.stdout).toContain(`adam, ${schedule} decay of lr 0.01 over 12 updates, seed 1`);
        const printed = epochLogs(run.stdout).map((logs) => logs.learning_rate);
        expect(printed).toHaveLength(4);
        // Printed to 4 decimals (to 4 significant digits below 0.001).
        printed.forEach((value, e) => {
          const expected = rate(3 * e + 2);
          expect(Math.abs(value - expected)).toBeLessThanOrEqual(expected >= 1e-3 ? 5.1e-5 : 5.1e-4 * expected);
        });
      }
      const constant = await wasmlpProcess(['train', IRIS, '--target', 'species', '--epochs', '1', '--seed', '1'], env);
      expect(epochLogs(constant.stdout)[0]).not.toHaveProperty('learning_rate');
    });

    it('--class-weight balanced: n_rows / (n_classes · count_c) from the training rows, passed to the library', async () => {
      const run = await wasmlpProcess(
        ['train', IMBALANCED, '--target', 'label', '--layers', '4', '--epochs', '1', '--batch-size', '80', '--seed', '7'].concat([
          '--class-weight',
          'balanced',
          // The library's network below takes the raw features.
          '--no-standardize',
        ]),
        env,
      );
      expect([run.code, run.stderr]).toEqual([0, '']);
      // 80 rows, 2 classes: 80 / (2 · 60) and 80 / (2 · 20).
      expect(run.stdout).toContain(
        'Class weights (balanced, n_rows / (n_classes · count)): a 0.6667 (60 rows), b 2.0000 (20 rows)\n',
      );
      // The same network, the same batch, the same weights through the library: the same weighted loss.
      const loss = async (classWeight?: number[]): Promise<string> => {
        const net = await createNetwork({
          inputs: 2,
          layers: [
            { units: 4, activation: 'relu' },
            { units: 1, activation: 'sigmoid' },
          ],
          loss: 'binaryCrossentropy',
          seed: 7,
        });
        const x = imbalanced.map(([u, v]) => [u, v]);
        const y = imbalanced.map(([, , label]) => [label === 'b' ? 1 : 0]);
        const history = await net.fit(x, y, {
          epochs: 1,
          batchSize: 80,
          shuffle: true,
          learningRate: 0.001,
          optimizer: 'adam',
          classWeight,
        });
        net.dispose();
        return history.history.loss[0].toFixed(4);
      };
      const weighted = await loss([80 / 120, 80 / 40]);
      expect(weighted).not.toBe(await loss());
      expect(epochLogs(run.stdout)[0].loss.toFixed(4)).toBe(weighted);
    });

    it('--class-weight balanced counts the training rows only, not those held out', async () => {
      const run = await wasmlpProcess(
        ['train', IMBALANCED, '--target', 'label', '--epochs', '1', '--validation-split', '0.25', '--seed', '5'].concat([
          '--class-weight',
          'balanced',
        ]),
        env,
      );
      expect([run.code, run.stderr]).toEqual([0, '']);
      const [, a, b] = /: a [\d.]+ \((\d+) rows\), b [\d.]+ \((\d+) rows\)/.exec(run.stdout)!.map(Number);
      expect(a + b).toBe(60);
      const line = run.stdout.split('\n').find((l) => l.startsWith('Class weights'))!;
      expect(line).toContain(`a ${(60 / (2 * a)).toFixed(4)} (${a} rows), b ${(60 / (2 * b)).toFixed(4)} (${b} rows)`);
    });

    it('--metrics: the epoch lines report them, for training and validation', async () => {
      const run = await wasmlpProcess(
        ['train', IMBALANCED, '--target', 'label', '--epochs', '2', '--validation-split', '0.25', '--seed', '1'].concat([
          '--metrics',
          'precision,recall,auc',
        ]),
        env,
      );
      expect([run.code, run.stderr]).toEqual([0, '']);
      const logs = epochLogs(run.stdout);
      expect(Object.keys(logs[0])).toEqual([
        'loss',
        'precision',
        'recall',
        'auc',
        'val_loss',
        'val_precision',
        'val_recall',
        'val_auc',
      ]);
      for (const value of Object.values(logs[1])) expect(Number.isFinite(value)).toBe(true);
    });

    it('refuses a bad value naming its flag, and writes no model file', async () => {
      const save = path('refused.json');
      const cases: [string[], string, string][] = [
        [['--dropout', '1'], IRIS, "option '--dropout <rate>' argument '1' is invalid"],
        [['--dropout', '-0.1'], IRIS, "option '--dropout <rate>' argument '-0.1' is invalid"],
        [['--layers', 'none', '--dropout', '0.1'], IRIS, '--dropout needs a hidden layer to follow'],
        [['--l2', '-1'], IRIS, "option '--l2 <factor>' argument '-1' is invalid"],
        [['--l1', 'lots'], IRIS, "option '--l1 <factor>' argument 'lots' is invalid"],
        [['--optimizer', 'nadam'], IRIS, "option '--optimizer <name>' argument 'nadam' is invalid"],
        [['--clipnorm', '0'], IRIS, "option '--clipnorm <norm>' argument '0' is invalid"],
        [['--lr-schedule', 'linear'], IRIS, "option '--lr-schedule <name>' argument 'linear' is invalid"],
        [['--class-weight', 'even'], IRIS, "option '--class-weight <mode>' argument 'even' is invalid"],
        [['--metrics', 'precision,f1'], IRIS, '"f1" is not a metric'],
        [['--metrics', 'auc,auc'], IMBALANCED, '"auc" is given twice'],
        [
          ['--metrics', 'auc'],
          IRIS,
          '--metrics: "auc" needs one sigmoid output with binaryCrossentropy (the network has 3 \'softmax\' outputs',
        ],
        [
          ['--metrics', 'r2'],
          IRIS,
          '--metrics: "r2" measures a regression: use it with meanSquaredError, not categoricalCrossentropy',
        ],
        [['--metrics', 'accuracy'], REGRESSION, '--metrics: "accuracy" needs classes'],
        [['--class-weight', 'balanced'], REGRESSION, '--class-weight balanced needs classes, but the target (y) is a regression'],
      ];
      for (const [flags, data, message] of cases) {
        const target = data === IRIS ? 'species' : data === IMBALANCED ? 'label' : 'y';
        const run = await wasmlpProcess(['train', data, '--target', target, '--epochs', '1', '--save', save, ...flags], env);
        expect(run.code, flags.join(' ')).toBe(1);
        expect(run.stderr, flags.join(' ')).toContain(message);
        expect(run.stdout.includes('Epoch'), flags.join(' ')).toBe(false);
        expect(existsSync(save)).toBe(false);
      }
    });
  });
}
