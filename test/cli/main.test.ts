/**
 * The `wasmlp` command line end to end: main(argv) in-process, its output
 * captured (and the bin script spawned once, to check the real process's
 * streams and exit codes). Train, predict and evaluate on iris.csv, a
 * regression and a two-class CSV, and every kind of bad input.
 */
import { execFile } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { Random } from '../../src/random.js';
import { type Run, untimed, untrained, wasmlp, withMetadata } from './run.js';

const IRIS = 'examples/iris.csv';
const dir = mkdtempSync(join(tmpdir(), 'wasmlp-cli-'));
const path = (name: string): string => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file in the temporary directory, with `text`; returns its path. */
function file(name: string, text: string | Buffer): string {
  writeFileSync(path(name), text);
  return path(name);
}

function csvRows(text: string): string[][] {
  return parse(text) as string[][];
}

const IRIS_TRAIN = [
  'train',
  IRIS,
  '--target',
  'species',
  '--layers',
  '16',
  '--epochs',
  '60',
  '--lr',
  '0.01',
  '--batch-size',
  '16',
  '--validation-split',
  '0.2',
  '--seed',
  '1',
  '--standardize',
  '--save',
  path('iris.json'),
];

describe('wasmlp on iris.csv', () => {
  let trained: Run;
  const irisRows = csvRows(readFileSync(IRIS, 'utf8')).slice(1);
  beforeAll(async () => {
    trained = await wasmlp(...IRIS_TRAIN);
  });

  it('trains: says what it read and built, prints a line per epoch, saves the model', () => {
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    const lines = trained.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `${IRIS}: 120 rows to train, 30 to validate; 4 features (sepal_length, sepal_width, petal_length, petal_width); ` +
        'species: 3 classes (setosa, versicolor, virginica)',
    );
    expect(lines[1]).toBe('Network 4-16-3 relu + softmax, categoricalCrossentropy, adam, seed 1, standardised inputs');
    const epochs = lines.filter((line) => line.startsWith('Epoch '));
    expect(epochs).toHaveLength(60);
    expect(epochs[0]).toMatch(/^Epoch {2}1\/60 {2}loss \d\.\d{4} {2}acc \d\.\d{4} {2}val_loss \d\.\d{4} {2}val_acc \d\.\d{4}$/);
    // The summary: the time taken, the last epoch's metrics, where the model went.
    expect(lines.at(-1)).toMatch(
      /^Trained 60 epochs in \d+(ms|\.\ds): loss \d\.\d{4} {2}acc \d\.\d{4} {2}val_loss \d\.\d{4} {2}val_acc \d\.\d{4}\. Saved the model to /,
    );
    expect(lines.at(-1)?.endsWith(`. Saved the model to ${path('iris.json')}`)).toBe(true);
  });

  it('saves a network that standardises its inputs, the classes and the features in its metadata', () => {
    const model = JSON.parse(readFileSync(path('iris.json'), 'utf8'));
    expect(model).toMatchObject({
      format: 'wasmlp-network',
      version: 1,
      inputs: 4,
      loss: 'categoricalCrossentropy',
      metadata: {
        wasmlp: {
          features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
          target: { type: 'classes', column: 'species', classes: ['setosa', 'versicolor', 'virginica'], encoding: 'onehot' },
        },
      },
    });
    expect(Object.keys(model.metadata.wasmlp)).toEqual(['features', 'target', 'training']);
    expect(model.normalization.mean).toHaveLength(4);
    expect(model.normalization.variance.every((v: number) => v > 0)).toBe(true);
  });

  it('trains the same model from the same seed', async () => {
    const again = await wasmlp(...IRIS_TRAIN.slice(0, -1), path('iris-again.json'));
    expect(untimed(again.stdout.replace(path('iris-again.json'), path('iris.json')))).toBe(untimed(trained.stdout));
    expect(untrained(readFileSync(path('iris-again.json'), 'utf8'))).toEqual(untrained(readFileSync(path('iris.json'), 'utf8')));
  });

  it('trains, predicts and evaluates on two threads to the same numbers, and says so', async () => {
    const twoThreads = await wasmlp(...IRIS_TRAIN.slice(0, -1), path('iris-threads.json'), '--threads', '2');
    expect(twoThreads.code).toBe(0);
    const expected = trained.stdout.replace('standardised inputs\n', 'standardised inputs, 2 threads\n');
    expect(untimed(twoThreads.stdout.replace(path('iris-threads.json'), path('iris.json')))).toBe(untimed(expected));
    expect(untrained(readFileSync(path('iris-threads.json'), 'utf8'))).toEqual(
      untrained(readFileSync(path('iris.json'), 'utf8')),
    );
    for (const command of [
      ['predict', path('iris.json'), IRIS],
      ['evaluate', path('iris.json'), IRIS],
    ]) {
      expect((await wasmlp(...command, '--threads', '2')).stdout).toBe((await wasmlp(...command)).stdout);
    }
  });

  it('predicts: a CSV row per input row, the class name then the probabilities; the target column is ignored', async () => {
    const { code, stdout, stderr } = await wasmlp('predict', path('iris.json'), IRIS);
    expect([code, stderr]).toEqual([0, '']);
    const [header, ...rows] = csvRows(stdout);
    expect(header).toEqual(['species', 'prob_setosa', 'prob_versicolor', 'prob_virginica']);
    expect(rows).toHaveLength(150);
    let right = 0;
    rows.forEach(([predicted, ...probabilities], i) => {
      const p = probabilities.map(Number);
      expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
      expect(predicted).toBe(['setosa', 'versicolor', 'virginica'][p.indexOf(Math.max(...p))]);
      if (predicted === irisRows[i][4]) right++;
    });
    expect(right / 150).toBeGreaterThan(0.9);
  });

  it('predicts from the feature columns alone, in any order, with other columns around', async () => {
    const shuffled = [
      'id,petal_width,sepal_length,petal_length,sepal_width',
      ...irisRows.map((r, i) => [i, r[3], r[0], r[2], r[1]].join(',')),
    ].join('\n');
    const full = await wasmlp('predict', path('iris.json'), IRIS);
    const reordered = await wasmlp('predict', path('iris.json'), file('reordered.csv', shuffled));
    expect(reordered.code).toBe(0);
    expect(reordered.stdout).toBe(full.stdout);
  });

  it('predicts the same on the js backend', async () => {
    const wasm = csvRows((await wasmlp('predict', path('iris.json'), IRIS)).stdout);
    const js = csvRows((await wasmlp('predict', path('iris.json'), IRIS, '--backend', 'js')).stdout);
    expect(js.map((r) => r[0])).toEqual(wasm.map((r) => r[0]));
    js.slice(1).forEach((row, i) => row.slice(1).forEach((p, k) => expect(Number(p)).toBeCloseTo(Number(wasm[i + 1][k + 1]), 4)));
  });

  it('evaluates: loss and accuracy over every row', async () => {
    const { code, stdout, stderr } = await wasmlp('evaluate', path('iris.json'), IRIS, '--target', 'species');
    expect([code, stderr]).toEqual([0, '']);
    const match =
      /^loss (\d\.\d{4}) {2}acc (\d\.\d{4}) {2}\(150 rows\)\n\nConfusion matrix \(rows: true class, columns: predicted\)\n[\s\S]*\nweighted avg .*\n$/.exec(
        stdout,
      );
    expect(match).not.toBeNull();
    expect(Number(match![2])).toBeGreaterThan(0.9);
    // The target defaults to the model's.
    expect((await wasmlp('evaluate', path('iris.json'), IRIS)).stdout).toBe(stdout);
  });

  it('draws a progress bar on stderr when it is a terminal, and keeps stdout to the epoch lines', async () => {
    let bar = '';
    const terminal = Object.assign(
      new Writable({
        write: (chunk, _encoding, done) => {
          bar += String(chunk);
          done();
        },
      }),
      { isTTY: true, columns: 100 },
    );
    let stdout = '';
    const io: Io = {
      stdout: { write: (text) => void (stdout += text) },
      stderr: { write: (text) => void terminal.write(text), isTTY: true, stream: terminal },
    };
    expect(await main(['train', IRIS, '--target', 'species', '--epochs', '2', '--seed', '1'], io)).toBe(0);
    expect(stdout.split('\n').filter((line) => line.startsWith('Epoch'))).toEqual([
      expect.stringMatching(/^Epoch 1\/2 {2}loss \d\.\d{4} {2}acc \d\.\d{4}$/),
      expect.stringMatching(/^Epoch 2\/2 {2}loss \d\.\d{4} {2}acc \d\.\d{4}$/),
    ]);
    expect(stdout).not.toContain('\x1b');
    expect(bar).toMatch(/Epoch 1\/2 \[.+\] 100% \| loss \d\.\d{4} \| eta \d+s/);
    expect(bar).toContain('Epoch 2/2 [');
  });

  it('runs as a real process through bin/wasmlp.js: pure CSV on stdout, errors on stderr with exit code 1', async () => {
    const run = promisify(execFile);
    const { stdout, stderr } = await run(process.execPath, ['bin/wasmlp.js', 'predict', path('iris.json'), IRIS]);
    expect(stderr).toBe('');
    expect(stdout).toBe((await wasmlp('predict', path('iris.json'), IRIS)).stdout);
    const failed = await run(process.execPath, ['bin/wasmlp.js', 'predict', path('iris.json'), path('absent.csv')]).catch(
      (error) => error,
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toBe(`error: ${path('absent.csv')}: cannot read the data file: no such file\n`);
  });
});

describe('wasmlp on a regression CSV', () => {
  // y = 2 a - b + 0.5 and z = a b, with a little noise: real-valued targets, so a regression.
  const random = new Random(5);
  const lines = ['a,b,y,z'];
  for (let i = 0; i < 200; i++) {
    const a = 4 * random.uniform() - 2;
    const b = 4 * random.uniform() - 2;
    const noise = 0.05 * random.normal();
    lines.push([a, b, 2 * a - b + 0.5 + noise, a * b + noise].map((v) => v.toFixed(4)).join(','));
  }
  const data = file('regression.csv', `${lines.join('\n')}\n`);
  const common = ['--layers', '16', '--epochs', '150', '--lr', '0.01', '--batch-size', '16', '--seed', '2', '--standardize'];

  it('trains a linear output on meanSquaredError, predicts values, evaluates the loss without an accuracy', async () => {
    const trained = await wasmlp('train', data, '--target', 'y', '--features', 'a,b', ...common, '--save', path('y.json'));
    expect(trained.code).toBe(0);
    expect(trained.stdout).toContain('regression on y');
    expect(trained.stdout).toContain('Network 2-16-1 relu + linear, meanSquaredError');
    // The loss of the targets scaled to mean 0, std 1: small, maybe below 0.001.
    expect(trained.stdout).toMatch(/^Epoch 150\/150 {2}loss (\d\.\d{4}|\d\.\d{3}e-\d)$/m);

    const predicted = await wasmlp('predict', path('y.json'), data);
    const [header, ...rows] = csvRows(predicted.stdout);
    expect(header).toEqual(['y']);
    expect(rows).toHaveLength(200);
    const truth = lines.slice(1).map((line) => Number(line.split(',')[2]));
    const mse = rows.reduce((sum, [value], i) => sum + (Number(value) - truth[i]) ** 2, 0) / rows.length;
    expect(mse).toBeLessThan(0.05);

    const evaluated = await wasmlp('evaluate', path('y.json'), data);
    expect(evaluated.stdout).toMatch(/^loss \d\.\d{4} {2}mae \d\.\d{4} {2}rmse \d\.\d{4} {2}r2 0\.9\d{3} {2}\(200 rows\)\n$/);
    expect(Number(evaluated.stdout.split(' ')[1])).toBeCloseTo(mse, 3);
  });

  it('trains several target columns at once', async () => {
    const trained = await wasmlp('train', data, '--target', 'y,z', ...common, '--save', path('yz.json'));
    expect(trained.code).toBe(0);
    expect(trained.stdout).toContain('2 features (a, b); regression on y, z');
    const [header, ...rows] = csvRows((await wasmlp('predict', path('yz.json'), data)).stdout);
    expect(header).toEqual(['y', 'z']);
    expect(rows.every((row) => row.length === 2 && row.every((v) => Number.isFinite(Number(v))))).toBe(true);
  });
});

describe('wasmlp output', () => {
  it('counts in the singular, and prints losses too large for four decimals with four significant digits', async () => {
    const big = file('big.csv', 'a,t\n1,1.5e12\n2,3.25e12\n3,2.5e12\n4,5.5e12\n');
    const trained = await wasmlp(
      'train',
      big,
      '--target',
      't',
      '--loss',
      'meanSquaredError',
      '--epochs',
      '2',
      '--seed',
      '1',
      '--save',
      path('big.json'),
    );
    expect(trained.code).toBe(0);
    expect(trained.stdout).toContain(`${big}: 4 rows; 1 feature (a); regression on t\n`);
    const evaluated = await wasmlp('evaluate', path('big.json'), file('big-row.csv', 'a,t\n1,1.5e12\n'));
    // The epoch lines' loss is on the targets scaled inside the model; evaluate's, in their units.
    expect(evaluated.stdout).toMatch(
      /^loss \d\.\d{3}e\+2\d {2}mae \d\.\d{3}e\+1\d {2}rmse \d\.\d{3}e\+1\d {2}r2 [\d.]+ {2}\(1 row\)\n$/,
    );
  });
});

describe('wasmlp --standardize on huge numbers', () => {
  it('measures a column near 1e300 without overflow, saves its statistics, and predicts with them', async () => {
    // The std overflowed to Infinity: training used 0 for the column, the file saved std null, and predict refused it.
    const lines = ['a,b,c', ...Array.from({ length: 20 }, (_, i) => `${(i % 5) * 1e300},${i % 2},${i % 2 ? 'x' : 'y'}`)];
    const huge = file('huge-std.csv', `${lines.join('\n')}\n`);
    const trained = await wasmlp(
      'train',
      huge,
      '--target',
      'c',
      '--epochs',
      '2',
      '--seed',
      '1',
      '--standardize',
      '--save',
      path('huge-std.json'),
    );
    expect([trained.code, trained.stderr]).toEqual([0, '']);
    // Beyond float32, the network's numbers, the statistics stay the command line's to apply, before the network.
    const saved = JSON.parse(readFileSync(path('huge-std.json'), 'utf8'));
    expect(saved.normalization).toBeUndefined();
    expect(saved.metadata.wasmlp.standardization).toEqual({
      mean: [2.0000000000000004e300, 0.5],
      std: [1.4142135623730952e300, 0.5],
    });
    const predicted = await wasmlp('predict', path('huge-std.json'), huge);
    expect([predicted.code, predicted.stderr]).toEqual([0, '']);
    expect(csvRows(predicted.stdout)).toHaveLength(21);
  });
});

describe('wasmlp on a two-class CSV', () => {
  const random = new Random(9);
  const lines = ['x1,x2,label'];
  for (let i = 0; i < 100; i++) {
    const x1 = random.normal();
    const x2 = random.normal();
    lines.push(`${x1.toFixed(3)},${x2.toFixed(3)},${x1 + x2 > 0 ? 'yes' : 'no'}`);
  }
  const data = file('binary.csv', `${lines.join('\n')}\n`);

  it('uses one sigmoid output and prints both probabilities', async () => {
    const trained = await wasmlp(
      'train',
      data,
      '--target',
      'label',
      '--epochs',
      '50',
      '--lr',
      '0.02',
      '--seed',
      '3',
      '--save',
      path('binary.json'),
    );
    expect(trained.code).toBe(0);
    expect(trained.stdout).toContain('label: 2 classes (no, yes)');
    expect(trained.stdout).toContain('Network 2-16-1 relu + sigmoid, binaryCrossentropy');
    const [header, ...rows] = csvRows((await wasmlp('predict', path('binary.json'), data)).stdout);
    expect(header).toEqual(['label', 'prob_no', 'prob_yes']);
    expect(rows).toHaveLength(100);
    for (const [label, no, yes] of rows) {
      expect(Number(no) + Number(yes)).toBeCloseTo(1, 5);
      expect(label).toBe(Number(yes) > Number(no) ? 'yes' : 'no');
    }
    expect((await wasmlp('evaluate', path('binary.json'), data)).stdout).toMatch(
      /^loss \d\.\d{4} {2}acc (0\.9\d{3}|1\.0000) {2}\(100 rows\)\n\nConfusion matrix \(rows: true class, columns: predicted\)\n[\s\S]*\nweighted avg .*\n$/,
    );
  });

  it('trains with no hidden layer (logistic regression) and plain SGD', async () => {
    const trained = await wasmlp(
      'train',
      data,
      '--target',
      'label',
      '--layers',
      'none',
      '--optimizer',
      'sgd',
      '--lr',
      '0.5',
      '--epochs',
      '20',
      '--seed',
      '4',
    );
    expect(trained.code).toBe(0);
    expect(trained.stdout).toContain('Network 2-1 sigmoid, binaryCrossentropy, sgd, seed 4');
    expect(trained.stdout).toMatch(/^Epoch 20\/20 {2}loss \d\.\d{4} {2}acc (0\.9\d{3}|1\.0000)$/m);
  });

  it('uses a softmax over two outputs with --loss categoricalCrossentropy', async () => {
    const trained = await wasmlp(
      'train',
      data,
      '--target',
      'label',
      '--epochs',
      '2',
      '--loss',
      'categoricalCrossentropy',
      '--save',
      path('binary2.json'),
    );
    expect(trained.stdout).toContain('Network 2-16-2 relu + softmax, categoricalCrossentropy');
    expect(csvRows((await wasmlp('predict', path('binary2.json'), data)).stdout)[0]).toEqual(['label', 'prob_no', 'prob_yes']);
  });
});

describe('wasmlp on bad input', () => {
  const good = file('good.csv', 'a,b,c\n1,2,x\n3,4,y\n5,6,x\n');
  let model: string;
  beforeAll(async () => {
    model = path('good.json');
    expect((await wasmlp('train', good, '--target', 'c', '--epochs', '1', '--save', model)).code).toBe(0);
  });

  /** Runs and expects failure: exit code 1, nothing on stdout, and `message` (exact, after "error: ") on stderr. */
  async function fails(argv: string[], message: string | RegExp): Promise<void> {
    const { code, stdout, stderr } = await wasmlp(...argv);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    if (typeof message === 'string') expect(stderr).toBe(`error: ${message}\n`);
    else expect(stderr).toMatch(message);
  }

  /** Runs and expects commander to refuse the arguments: exit code 1, nothing on stdout, exactly `stderr`. */
  async function refused(argv: string[], stderr: string | RegExp): Promise<void> {
    const run = await wasmlp(...argv);
    expect([run.code, run.stdout]).toEqual([1, '']);
    if (typeof stderr === 'string') expect(run.stderr).toBe(stderr);
    else expect(run.stderr).toMatch(stderr);
  }

  /** train on `data`, one epoch unless `more` gives --epochs. */
  const train = (data: string, ...more: string[]): string[] => [
    'train',
    data,
    '--target',
    'c',
    ...(more.includes('--epochs') ? [] : ['--epochs', '1']),
    ...more,
  ];

  it('a missing target column, named with the columns there are', async () => {
    await fails(
      ['train', good, '--target', 'species'],
      `${good}: line 1 (the header): no column "species" (the target); the columns are "a", "b", "c"`,
    );
  });

  it('a non-numeric or empty cell, with its line, data row and column', async () => {
    const bad = file('nonnumeric.csv', 'a,b,c\n1,2,x\n3,four,y\n');
    await fails(train(bad), `${bad}: line 3 (data row 2), column "b": "four" is not a number; features must be numbers`);
    const empty = file('empty-cell.csv', 'a,b,c\n1,2,x\n\n3,,y\n');
    await fails(train(empty), `${empty}: line 4 (data row 2), column "b": the cell is empty; features must be numbers`);
    await fails(
      ['predict', model, bad],
      `${bad}: line 3 (data row 2), column "b": "four" is not a number; features must be numbers`,
    );
  });

  it('a ragged row, short or long', async () => {
    const short = file('short.csv', 'a,b,c\n1,2,x\n3,4\n');
    await fails(train(short), `${short}: line 3 (data row 2) has 2 fields but the header has 3: column "c" is missing`);
    const long = file('long.csv', 'a,b,c\n1,2,x,9\n');
    await fails(
      ['predict', model, long],
      `${long}: line 2 (data row 1) has 4 fields but the header has 3: an extra field after the last column, "c"`,
    );
  });

  it('broken CSV quoting, an empty file, a header without rows, a repeated column', async () => {
    const quote = file('quote.csv', 'a,b,c\n1,2,x\n3,"4,y\n5,6,x\n');
    await fails(
      train(quote),
      `${quote}: line 3 (data row 2), column "b": the quote opening this cell is never closed (the cell would run to the end of the file)`,
    );
    const inside = file('quote-inside.csv', 'a,b,c\n1,2,x\n3,4,y"z\n');
    await fails(
      train(inside),
      `${inside}: line 3 (data row 2), column "c": ` +
        'a quote inside a cell that does not start with one; quote the whole cell, doubling the quotes inside it ("a ""b"" c")',
    );
    await fails(
      train(file('empty.csv', '')),
      `${path('empty.csv')}: the file is empty; expected a header row naming the columns, then data rows`,
    );
    await fails(train(file('header.csv', 'a,b,c\n')), `${path('header.csv')}: there are no data rows after the header (line 1)`);
    await fails(
      train(file('twice.csv', 'a,b,a\n1,2,3\n')),
      `${path('twice.csv')}: line 1 (the header): column "a" appears twice (columns 1 and 3)`,
    );
  });

  it('an empty target cell, with its line, data row and column: never a class named "" (nor a regression turned into classes)', async () => {
    const lines = ['a,t', ...Array.from({ length: 30 }, (_, i) => `${i},${(0.1 * i + 0.05).toFixed(3)}`)];
    lines[7] = '6,';
    const blank = file('blank-target.csv', `${lines.join('\n')}\n`);
    await fails(
      ['train', blank, '--target', 't', '--epochs', '1'],
      `${blank}: line 8 (data row 7), column "t": the cell is empty; every row needs a target value`,
    );
    const classes = file('blank-class.csv', 'a,b,c\n1,2,x\n3,4,\n5,6,y\n');
    await fails(train(classes), `${classes}: line 3 (data row 2), column "c": the cell is empty; every row needs a target value`);
    await fails(
      ['evaluate', model, classes],
      `${classes}: line 3 (data row 2), column "c": the cell is empty; every row needs a target value, one of the model's classes ("x", "y")`,
    );
  });

  it('a column of numbers with a word among them: refused as a likely typo, unless --loss says it is classes', async () => {
    const typo = file('typo.csv', 'a,c\n1,1.5\n2,2.0\n3,abc\n');
    await fails(
      train(typo),
      `${typo}: line 4 (data row 3), column "c": "abc" is not a number, but 2 of the column's 3 values are: ` +
        'fix the cell, or give --loss categoricalCrossentropy to take the column as classes',
    );
    const classes = await wasmlp(...train(typo, '--loss', 'categoricalCrossentropy'));
    expect(classes.code).toBe(0);
    expect(classes.stdout).toContain('; 1 feature (a); c: 3 classes (1.5, 2.0, abc)\n');
  });

  it('a --save path that cannot be written, before any training, leaving no file behind', async () => {
    const cases: [string, string][] = [
      [path('no-such-dir/model.json'), `there is no directory ${path('no-such-dir')}`],
      [dir, 'it is a directory; give a file name, such as model.json'],
      [join(good, 'model.json'), `${good} is not a directory`],
      [`${path('new-dir')}/`, 'it ends with a path separator, so it names a directory; give a file name, such as model.json'],
      [good, 'it is the data file, which saving would overwrite'],
    ];
    for (const [save, reason] of cases)
      await fails(train(good, '--save', save), `${save}: cannot write the model file (--save): ${reason}`);
    expect(existsSync(path('no-such-dir'))).toBe(false);
    expect(existsSync(path('new-dir'))).toBe(false);
  });

  it('a --save path that is the data file through a symbolic or hard link, leaving the data as it was', async () => {
    const data = file('linked.csv', 'a,b,c\n1,2,x\n3,4,y\n');
    symlinkSync(data, path('symlink.csv'));
    linkSync(data, path('hardlink.csv'));
    for (const save of [path('symlink.csv'), path('hardlink.csv')]) {
      await fails(
        train(data, '--save', save),
        `${save}: cannot write the model file (--save): it is the data file, which saving would overwrite`,
      );
      await fails(
        train(save, '--save', data),
        `${data}: cannot write the model file (--save): it is the data file, which saving would overwrite`,
      );
    }
    expect(readFileSync(data, 'utf8')).toBe('a,b,c\n1,2,x\n3,4,y\n');
  });

  it('a missing data or model file', async () => {
    await fails(train(path('absent.csv')), `${path('absent.csv')}: cannot read the data file: no such file`);
    await fails(['predict', path('absent.json'), good], `${path('absent.json')}: cannot read the model file: no such file`);
  });

  it('a feature column missing from the file to predict', async () => {
    const missing = file('missing-feature.csv', 'a,c\n1,x\n');
    await fails(
      ['predict', model, missing],
      `${missing}: line 1 (the header): no column "b" (a feature the model was trained on); the columns are "a", "c"`,
    );
  });

  it('a class the model does not know, in evaluate', async () => {
    const unknown = file('unknown-class.csv', 'a,b,c\n1,2,x\n3,4,z\n');
    await fails(
      ['evaluate', model, unknown],
      `${unknown}: line 3 (data row 2), column "c": "z" is not one of the model's classes ("x", "y")`,
    );
  });

  it('a malformed model file', async () => {
    const saved = JSON.parse(readFileSync(model, 'utf8'));
    const cases: [string, string, string][] = [
      ['not-json.json', '{"format": ', 'not a wasmlp model file: not valid JSON'],
      [
        'other.json',
        '{"weights": []}',
        'not a wasmlp model file (it has no "format": "wasmlp-network"); write one with: wasmlp train data.csv --target COLUMN --save',
      ],
      [
        'version.json',
        JSON.stringify({ ...saved, version: 2 }),
        'model file version 2 is not one this wasmlp reads (it reads version 1)',
      ],
      [
        'features.json',
        JSON.stringify(withMetadata(saved, { features: [] })),
        'malformed model file: "features" must be a non-empty array of column names',
      ],
      [
        'classes.json',
        JSON.stringify(withMetadata(saved, { target: { ...saved.metadata.wasmlp.target, classes: 'x' } })),
        'malformed model file: "target.classes" must be an array of at least 2 class names',
      ],
      [
        'stats.json',
        JSON.stringify(withMetadata(saved, { standardization: { mean: [0], std: [1] } })),
        'malformed model file: "standardization" must be null or { mean, std }',
      ],
      ['network.json', JSON.stringify({ ...saved, weights: [] }), 'the network in the model file cannot be loaded: loadNetwork:'],
      [
        'mismatch.json',
        JSON.stringify(withMetadata(saved, { features: ['a', 'b', 'c'] })),
        'malformed model file: the network takes 2 inputs and gives 1 output, but the file lists 3 features',
      ],
    ];
    for (const [name, text, message] of cases) {
      const bad = file(name, text);
      const { code, stdout, stderr } = await wasmlp('predict', bad, good);
      expect([code, stdout], name).toEqual([1, '']);
      expect(stderr, name).toContain(`error: ${bad}: ${message}`);
    }
  });

  it('a diverging run, with advice in command-line options', async () => {
    // Training began (its description is on stdout), then stopped: exit code 1, one line on stderr.
    const plain = await wasmlp(
      ...train(good, '--epochs', '50', '--optimizer', 'sgd', '--lr', '1e30', '--seed', '1', '--no-standardize'),
    );
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(
      /^error: fit: the (loss|weights) diverged .*; try a smaller --lr than 1e\+30, or leave out --no-standardize\n$/,
    );
    const standardized = await wasmlp(
      ...train(good, '--epochs', '50', '--optimizer', 'sgd', '--lr', '1e30', '--seed', '1', '--standardize'),
    );
    expect(standardized.code).toBe(1);
    expect(standardized.stderr).toMatch(/: fit: the (loss|weights) diverged .*; try a smaller --lr than 1e\+30\n$/);
  });

  it('an error quoting text with line breaks, on one line', async () => {
    // JSON.parse's message shows the start of the file, the line break after "a,b,c" included.
    await fails(
      ['predict', good, good],
      `${good}: not a wasmlp model file: not valid JSON (Unexpected token 'a', "a,b,c 1,2,"... is not valid JSON)`,
    );
  });

  it('an option given twice', async () => {
    await fails(['train', good, '--target', 'a', '--target', 'c'], '--target is given twice: give each option once');
    await fails(train(good, '--epochs=3'), '--epochs is given twice: give each option once');
    // After --, arguments are not options.
    expect((await wasmlp('predict', model, '--', good)).code).toBe(0);
  });

  it('unknown options and commands, missing arguments, bad choices', async () => {
    await refused(train(good, '--colour', 'red'), "error: unknown option '--colour'\n(add --help for usage)\n");
    await refused(['fly'], "error: unknown command 'fly'\n(add --help for usage)\n");
    await refused(['train', good], "error: required option '--target <column>' not specified\n(add --help for usage)\n");
    await refused(['predict', model], "error: missing required argument 'data'\n(add --help for usage)\n");
    await refused(
      train(good, '--activation', 'swish'),
      /^error: option '--activation <name>' argument 'swish' is invalid\. Allowed choices are relu, tanh/,
    );
    await refused(
      train(good, '--loss', 'hinge'),
      /^error: option '--loss <name>' argument 'hinge' is invalid\. Allowed choices are categoricalCrossentropy/,
    );
  });

  it('bad numbers for --epochs, --lr, --batch-size, --validation-split, --seed, --layers, --threads', async () => {
    const invalid = (option: string, value: string, expected: string): string =>
      `error: option '${option}' argument '${value}' is invalid. ${expected}\n(add --help for usage)\n`;
    await refused(train(good, '--epochs', 'ten'), invalid('--epochs <n>', 'ten', 'Expected a positive integer.'));
    await refused(
      ['train', good, '--target', 'c', '--epochs', '0'],
      invalid('--epochs <n>', '0', 'Expected a positive integer.'),
    );
    await refused(
      ['train', good, '--target', 'c', '--epochs', '2.5'],
      invalid('--epochs <n>', '2.5', 'Expected a positive integer.'),
    );
    await refused(train(good, '--lr', 'fast'), invalid('--lr <rate>', 'fast', 'Expected a positive number.'));
    await refused(train(good, '--lr', '-0.1'), invalid('--lr <rate>', '-0.1', 'Expected a positive number.'));
    await refused(train(good, '--batch-size', '0'), invalid('--batch-size <n>', '0', 'Expected a positive integer.'));
    await refused(
      train(good, '--validation-split', '1.5'),
      invalid('--validation-split <fraction>', '1.5', 'Expected a number strictly between 0 and 1.'),
    );
    await refused(train(good, '--seed', '-3'), invalid('--seed <n>', '-3', 'Expected an integer in [0, 2^32).'));
    await refused(
      train(good, '--layers', '16,x'),
      invalid('--layers <units>', '16,x', 'Expected hidden layer sizes such as 16,8 (positive integers), or none.'),
    );
    await refused(train(good, '--threads', '0'), invalid('--threads <n>', '0', 'Expected a positive integer, at most 64.'));
    // Refused before any file is read, and not blamed on the model file.
    await refused(
      train(path('absent.csv'), '--threads', '1000'),
      invalid('--threads <n>', '1000', 'Expected a positive integer, at most 64.'),
    );
    await refused(
      ['predict', model, good, '--threads', '65'],
      invalid('--threads <n>', '65', 'Expected a positive integer, at most 64.'),
    );
    await fails(train(good, '--threads', '2', '--backend', 'js'), '--threads 2 needs the wasm backend, not --backend js');
    for (const flags of [
      ['--standardize', '--no-standardize'],
      ['--no-standardize', '--standardize'],
    ]) {
      await fails(train(good, ...flags), 'give --standardize or --no-standardize, not both');
    }
    await fails(
      ['predict', model, good, '--threads', '2', '--backend', 'js'],
      '--threads 2 needs the wasm backend, not --backend js',
    );
  });

  it('targets that cannot be what --loss asks', async () => {
    await fails(
      train(good, '--loss', 'meanSquaredError'),
      `${good}: line 2 (data row 1), column "c": "x" is not a number; a meanSquaredError target must be numbers (leave out --loss to treat the column as classes)`,
    );
    const three = file('three.csv', 'a,c\n1,x\n2,y\n3,z\n');
    await fails(
      train(three, '--loss', 'binaryCrossentropy'),
      '--loss binaryCrossentropy needs a target with exactly 2 classes, but column "c" has 3: "x", "y", "z"',
    );
    await fails(
      train(file('one-class.csv', 'a,c\n1,x\n2,x\n')),
      `${path('one-class.csv')}: column "c" (the target) has only one value, "x": a classifier needs at least 2 classes`,
    );
  });

  it('a validation split that leaves nothing to train on', async () => {
    const one = file('one-row.csv', 'a,t\n1,2.5\n');
    await fails(
      ['train', one, '--target', 't', '--validation-split', '0.5'],
      '--validation-split 0.5 of 1 row leaves 0 to train and 1 to validate; both need at least one',
    );
    // 0.9 of 3 rows holds out floor(2.7) = 2, not 3.
    const split = await wasmlp(...train(good, '--validation-split', '0.9'));
    expect(split.stdout).toContain(`${good}: 1 row to train, 2 to validate;`);
  });

  it('a value too large for float32, before the run is described, named by its cell', async () => {
    const huge = file('huge.csv', 'a,b,c\n1,2,x\n1e300,4,y\n5,6,x\n');
    const range = "too large for float32, the network's numbers (at most ±3.4028234663852886e+38)";
    await fails(
      train(huge, '--no-standardize'),
      `${huge}: line 3 (data row 2), column "a": 1e+300 is ${range}; leave out --no-standardize, or scale the column`,
    );
    const target = file('huge-target.csv', 'a,t\n1,2.5\n2,5e38\n3,1.5\n');
    await fails(
      ['train', target, '--target', 't', '--epochs', '1'],
      `${target}: line 3 (data row 2), column "t": 5e+38 is ${range}; scale the column (targets are not standardised)`,
    );
    // New rows, which the network standardises with the statistics of the training rows, in float32.
    expect((await wasmlp(...train(good, '--standardize', '--save', path('good-std.json')))).code).toBe(0);
    await fails(
      ['predict', path('good-std.json'), huge],
      `${huge}: line 3 (data row 2), column "a": 1e+300 is ${range}; it is too far from the values the model was trained on`,
    );
    expect((await wasmlp(...train(good, '--no-standardize', '--save', path('good-raw.json')))).code).toBe(0);
    await fails(
      ['predict', path('good-raw.json'), huge],
      `${huge}: line 3 (data row 2), column "a": 1e+300 is ${range}; ` +
        'scale the column, and train on it scaled (or without --no-standardize)',
    );
    const regression = file('regression-small.csv', 'a,t\n1,2.5\n2,0.5\n3,1.5\n');
    expect((await wasmlp('train', regression, '--target', 't', '--epochs', '1', '--save', path('t.json'))).code).toBe(0);
    await fails(
      ['evaluate', path('t.json'), target],
      `${target}: line 3 (data row 2), column "t": 5e+38 is ${range}; scale the column (targets are not standardised)`,
    );
  });

  it('a file in UTF-16, or not text', async () => {
    const text = 'a,b,c\n1,2,x\n';
    const utf16le = file('utf16le.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    await fails(train(utf16le), `${utf16le}: cannot read the data file: it is UTF-16; save it as UTF-8`);
    const utf16be = file('utf16be.csv', Buffer.from([0xfe, 0xff, ...Buffer.from(text, 'utf16le').swap16()]));
    await fails(train(utf16be), `${utf16be}: cannot read the data file: it is UTF-16; save it as UTF-8`);
    const nul = file('nul.csv', Buffer.from(text, 'utf16le'));
    // Without a byte-order mark, UTF-16's first NUL (after the "a") is named by its line and byte.
    await fails(
      ['predict', model, nul],
      `${nul}: line 1, byte 2: a NUL byte, which text never holds (is the file UTF-16 or binary?); save it as UTF-8`,
    );
  });
});

describe('wasmlp --help', () => {
  it('lists the commands and options, exit code 0', async () => {
    const top = await wasmlp('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Commands:\n {2}train \[options\] <data>/);
    const train = await wasmlp('train', '--help');
    for (const option of [
      '--target',
      '--layers',
      '--activation',
      '--loss',
      '--optimizer',
      '--epochs',
      '--batch-size',
      '--lr',
      '--validation-split',
      '--seed',
      '--standardize',
      '--save',
    ])
      expect(train.stdout).toContain(option);
    expect(train.stdout).toContain('threads for the wasm backend, at most 64');
  });

  it('prints the version of package.json with --version or -V, exit code 0', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(version).toBe('0.1.0');
    for (const flag of ['--version', '-V']) expect(await wasmlp(flag)).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('prints the usage to stderr and fails without a command', async () => {
    const { code, stdout, stderr } = await wasmlp();
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toContain('Usage: wasmlp');
  });
});
