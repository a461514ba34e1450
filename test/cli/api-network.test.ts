/**
 * predict, evaluate and export on a network saved by the API
 * (net.toJSON(), no command-line metadata): the CSV's first columns (or
 * --features) feed it, its loss tells how to read its outputs and the
 * target, and what does not fit is refused naming files and columns.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLogs, formatValue } from '../../src/cli/format.js';
import { onnx } from '../../src/formats/onnx-proto.js';
import { createNetwork, type Network } from '../../src/index.js';
import { wasmlp } from './run.js';

ort.env.wasm.numThreads = 1;

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-api-network-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string): string => join(dir, name);

const IRIS = 'examples/iris.csv';
const SPECIES = ['setosa', 'versicolor', 'virginica'];
const rows = readFileSync(IRIS, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));
const x = rows.map((cells) => cells.slice(0, 4).map(Number));
const species = rows.map((cells) => SPECIES.indexOf(cells[4]));

/** iris with the species as class indices, first or last. */
const INDICES = at('iris-indices.csv');
const LABEL_FIRST = at('iris-label-first.csv');

/** A network built and trained through the API, saved as net.toJSON() writes it. */
async function saved(
  file: string,
  build: (net: Network) => Promise<void>,
  config: Parameters<typeof createNetwork>[0],
): Promise<Network> {
  const net = await createNetwork({ seed: 3, ...config });
  net.adapt(x);
  await build(net);
  writeFileSync(file, `${JSON.stringify(net.toJSON())}\n`);
  return net;
}

function parse(csv: string): { header: string[]; cells: string[][] } {
  const [header, ...lines] = csv.trim().split('\n');
  return { header: header.split(','), cells: lines.map((line) => line.split(',')) };
}

async function expectError(argv: string[], message: string): Promise<void> {
  const result = await wasmlp(...argv);
  expect(result.code, argv.join(' ')).toBe(1);
  expect(result.stderr).toBe(`error: ${message}\n`);
}

const classifier = at('classifier.json');
let softmax: Network;

beforeAll(async () => {
  writeFileSync(INDICES, `${['a,b,c,d,label', ...rows.map((c, r) => [...c.slice(0, 4), species[r]].join(','))].join('\n')}\n`);
  writeFileSync(
    LABEL_FIRST,
    `${['label,a,b,c,d', ...rows.map((c, r) => [species[r], ...c.slice(0, 4)].join(','))].join('\n')}\n`,
  );
  softmax = await saved(classifier, (net) => net.fit(x, species, { epochs: 20, learningRate: 0.05 }).then(() => {}), {
    inputs: 4,
    layers: [
      { units: 6, activation: 'relu' },
      { units: 3, activation: 'softmax' },
    ],
    loss: 'categoricalCrossentropy',
  });
});
afterAll(() => softmax?.dispose());

describe('a softmax network saved by the API', () => {
  it('predict takes the first columns in order: the class index and each probability net.predict gives', async () => {
    const result = await wasmlp('predict', classifier, IRIS);
    expect(result.code, result.stderr).toBe(0);
    const { header, cells } = parse(result.stdout);
    expect(header).toEqual(['class', 'prob_0', 'prob_1', 'prob_2']);
    const expected = softmax.predict(x);
    expect(cells.flatMap((c) => c.slice(1))).toEqual(Array.from(expected, formatValue));
    for (let r = 0; r < x.length; r++) {
      const p = Array.from(expected.subarray(r * 3, r * 3 + 3));
      expect(cells[r][0]).toBe(String(p.indexOf(Math.max(...p))));
    }
  });

  it('--features names the columns; evaluate reads --target as class indices, as its loss says', async () => {
    const named = await wasmlp('predict', classifier, LABEL_FIRST, '--features', 'a,b,c,d');
    expect(named.stdout).toBe((await wasmlp('predict', classifier, IRIS)).stdout);
    const evaluated = await wasmlp('evaluate', classifier, INDICES, '--target', 'label');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const { loss, acc } = softmax.evaluate(x, species);
    // The loss line, then the confusion matrix and the per-class report (report.test.ts).
    expect(evaluated.stdout.startsWith(`${formatLogs({ loss, acc })}  (150 rows)\n\nConfusion matrix`)).toBe(true);
    const features = await wasmlp('evaluate', classifier, LABEL_FIRST, '--target', 'label', '--features', 'a,b,c,d');
    expect(features.stdout).toBe(evaluated.stdout);
  });

  it('refuses, naming files and columns: no --target, a target of names, too few or wrong columns', async () => {
    const narrow = at('narrow.csv');
    writeFileSync(narrow, 'a,b,c\n1,2,3\n');
    await expectError(
      ['evaluate', classifier, INDICES],
      `${classifier} names no target column (it carries no wasmlp metadata): give --target, a column of class indices ("0", "1", "2"), as its categoricalCrossentropy loss reads them`,
    );
    await expectError(
      ['evaluate', classifier, IRIS, '--target', 'species'],
      `${IRIS}: line 2 (data row 1), column "species": "setosa" is not one of the model's classes ("0", "1", "2")`,
    );
    await expectError(
      ['predict', classifier, narrow],
      `${narrow} has 3 columns, but ${classifier} takes 4 inputs: ${classifier} names no features (it carries no wasmlp metadata), so it takes the first 4 columns in order; name them with --features`,
    );
    await expectError(
      ['evaluate', classifier, LABEL_FIRST, '--target', 'label'],
      `${LABEL_FIRST}: column "label" of the target (--target) is among the first 4 columns: ${classifier} names no features (it carries no wasmlp metadata), so it takes the first 4 columns in order; name them with --features`,
    );
    await expectError(
      ['predict', classifier, INDICES, '--features', 'a,b'],
      `--features names 2 columns, but ${classifier} takes 4 inputs`,
    );
  });

  it('export writes an ONNX model onnxruntime runs to the same probabilities, which predict reads as the network', async () => {
    const out = at('classifier.onnx');
    const exported = await wasmlp('export', classifier, '--format', 'onnx', '--out', out);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/input x \[N, 4\], standardised in the graph, output y \[N, 3\]/);
    const bytes = readFileSync(out);
    expect(onnx.ModelProto.decode(bytes).metadataProps).toEqual([]);
    const session = await ort.InferenceSession.create(bytes);
    const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x.flat()), [150, 4]) });
    await session.release();
    const expected = softmax.predict(x);
    const worst = Math.max(...Array.from(expected, (v, i) => Math.abs((y.data as Float32Array)[i] - v) / Math.max(v, 0.1)));
    expect(worst).toBeLessThanOrEqual(1e-5);
    const predicted = await wasmlp('predict', out, IRIS);
    expect(parse(predicted.stdout).header).toEqual(['class', 'prob_0', 'prob_1', 'prob_2']);
    const folder = at('classifier-tfjs');
    const tfjs = await wasmlp('export', classifier, '--format', 'tfjs', '--out', folder);
    expect(tfjs.code, tfjs.stderr).toBe(0);
    const modelJSON = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
    expect(modelJSON.userDefinedMetadata).toBeUndefined();
  });
});

describe('other losses', () => {
  it('a one-unit binaryCrossentropy network: classes 0 and 1, the probability of 1', async () => {
    const file = at('binary.json');
    const labels = species.map((s) => [s === 0 ? 1 : 0]);
    const net = await saved(file, (n) => n.fit(x, labels, { epochs: 5, learningRate: 0.05 }).then(() => {}), {
      inputs: 4,
      layers: [{ units: 1, activation: 'sigmoid' }],
      loss: 'binaryCrossentropy',
    });
    try {
      const result = await wasmlp('predict', file, IRIS);
      const { header, cells } = parse(result.stdout);
      expect(header).toEqual(['class', 'prob_0', 'prob_1']);
      expect(cells.map((c) => c[2])).toEqual(Array.from(net.predict(x), formatValue));
      const data = at('binary.csv');
      writeFileSync(
        data,
        `${['a,b,c,d,setosa', ...rows.map((c, r) => [...c.slice(0, 4), labels[r][0]].join(','))].join('\n')}\n`,
      );
      const { loss, acc } = net.evaluate(x, labels);
      const evaluated = (await wasmlp('evaluate', file, data, '--target', 'setosa')).stdout;
      expect(evaluated.startsWith(`${formatLogs({ loss, acc })}  (150 rows)\n\nConfusion matrix`)).toBe(true);
    } finally {
      net.dispose();
    }
  });

  it('a meanSquaredError network of two outputs: values y_0, y_1; evaluate takes a column per output', async () => {
    const file = at('regression.json');
    const y = x.map((row) => [row[2], row[3]]);
    const net = await saved(file, (n) => n.fit(x, y, { epochs: 5, learningRate: 0.01 }).then(() => {}), {
      inputs: 4,
      layers: [{ units: 2, activation: 'linear' }],
      loss: 'meanSquaredError',
    });
    try {
      const result = await wasmlp('predict', file, IRIS);
      const { header, cells } = parse(result.stdout);
      expect(header).toEqual(['y_0', 'y_1']);
      expect(cells.flat()).toEqual(Array.from(net.predict(x), formatValue));
      const data = at('regression.csv');
      writeFileSync(data, `${['a,b,c,d,p,q', ...rows.map((c) => [...c.slice(0, 4), c[2], c[3]].join(','))].join('\n')}\n`);
      const evaluated = await wasmlp('evaluate', file, data, '--target', 'p,q');
      // A regression's evaluation adds MAE, RMSE and R² (each output's, averaged) to the loss.
      const out = net.predict(x);
      const errors = y.flatMap((row, r) => row.map((v, k) => v - out[r * 2 + k]));
      const r2 = [0, 1].map((k) => {
        const column = y.map((row) => row[k]);
        const mean = column.reduce((sum, v) => sum + v, 0) / column.length;
        const total = column.reduce((sum, v) => sum + (v - mean) ** 2, 0);
        return 1 - column.reduce((sum, v, r) => sum + (v - out[r * 2 + k]) ** 2, 0) / total;
      });
      const scores = {
        mae: errors.reduce((sum, e) => sum + Math.abs(e), 0) / errors.length,
        rmse: Math.sqrt(errors.reduce((sum, e) => sum + e * e, 0) / errors.length),
        r2: (r2[0] + r2[1]) / 2,
      };
      expect(evaluated.stdout).toBe(`${formatLogs({ loss: net.evaluate(x, y).loss, ...scores })}  (150 rows)\n`);
      await expectError(['evaluate', file, data, '--target', 'p'], `--target names 1 column, but ${file} gives 2 outputs`);
      await expectError(
        ['evaluate', file, data],
        `${file} names no target column (it carries no wasmlp metadata): give --target, 2 columns of the values it predicts (its loss is meanSquaredError)`,
      );
    } finally {
      net.dispose();
    }
  });

  it('a saved network that does not load is refused with the file named', async () => {
    const file = at('broken.json');
    const json = softmax.toJSON();
    json.weights[1].b = [1];
    writeFileSync(file, JSON.stringify(json));
    const result = await wasmlp('predict', file, IRIS);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error: ${file}: the network in the model file cannot be loaded: `));
  });
});
