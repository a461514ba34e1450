/**
 * `wasmlp export` to ONNX and TF.js, and predict/evaluate on an .onnx:
 * onnxruntime and tfjs-layers run the exports on raw CSV rows to predict's
 * probabilities, an export read back predicts as the model file, a model
 * without wasmlp metadata takes columns by position, and a failed export
 * leaves what was there.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnx } from '../../src/formats/onnx-proto.js';
import { onnxFromNetworkJSON } from '../../src/formats/onnx-write.js';
import type { NetworkJSON } from '../../src/index.js';
import { relativeError } from '../formats/networks.js';
import { wasmlp } from './run.js';

/** The model file: a saved network, the command line's names in its metadata, its statistics in its normalization. */
function readModel(): { network: NetworkJSON; features: string[]; target: unknown; stats: { mean: number[]; std: number[] } } {
  const network = JSON.parse(readFileSync(MODEL, 'utf8')) as NetworkJSON;
  const { features, target } = network.metadata!.wasmlp as { features: string[]; target: unknown };
  const { mean, variance } = network.normalization!;
  return { network, features, target, stats: { mean, std: variance.map(Math.sqrt) } };
}

ort.env.wasm.numThreads = 1;
const run = promisify(execFile);

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string): string => join(dir, name);

const IRIS = 'examples/iris.csv';
const MODEL = at('iris.json');
const rows = readFileSync(IRIS, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));
/** The raw measurements, as the CSV has them: no standardisation. */
const raw = rows.map((cells) => cells.slice(0, 4).map(Number));
const SPECIES = ['setosa', 'versicolor', 'virginica'];

/** predict's CSV: the header and, per row, the class and the probabilities. */
function parsePrediction(csv: string): { header: string[]; classes: string[]; probabilities: number[] } {
  const [header, ...lines] = csv.trim().split('\n');
  const cells = lines.map((line) => line.split(','));
  return {
    header: header.split(','),
    classes: cells.map((c) => c[0]),
    probabilities: cells.flatMap((c) => c.slice(1).map(Number)),
  };
}

let predicted: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const trained = await wasmlp(
    'train',
    IRIS,
    '--target',
    'species',
    '--epochs',
    '30',
    '--lr',
    '0.01',
    '--seed',
    '1',
    '--standardize',
    '--save',
    MODEL,
  );
  expect(trained.code, trained.stderr).toBe(0);
  const result = await wasmlp('predict', MODEL, IRIS);
  expect(result.code).toBe(0);
  predicted = result.stdout;
});

async function runONNX(bytes: Uint8Array, x: number[][], dtype: 'float32' | 'float64' = 'float32'): Promise<Float64Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const data = dtype === 'float32' ? Float32Array.from(x.flat()) : Float64Array.from(x.flat());
    const { y } = await session.run({ x: new ort.Tensor(dtype, data, [x.length, x[0].length]) });
    return Float64Array.from(y.data as Float32Array);
  } finally {
    await session.release();
  }
}

describe('export --format onnx', () => {
  const out = at('iris.onnx');

  it("writes a model onnxruntime runs on raw rows to predict's probabilities, within 1e-5 relative", async () => {
    const exported = await wasmlp('export', MODEL, '--format', 'onnx', '--out', out);
    expect(exported.code, exported.stderr).toBe(0);
    const bytes = readFileSync(out);
    expect(exported.stdout).toBe(
      `Wrote ${out} (${bytes.length} bytes): ONNX opset 13, FLOAT, input x [N, 4], standardised in the graph, output y [N, 3]\n`,
    );
    const { probabilities } = parsePrediction(predicted);
    // No floor: every probability, the smallest (about 1e-4 here) included, is compared relative to itself.
    expect(relativeError(await runONNX(bytes, raw), probabilities, 0)).toBeLessThanOrEqual(1e-5);
  });

  it('standardises with Sub and Div nodes, and carries the features, target and statistics as metadata_props', () => {
    const model = onnx.ModelProto.decode(readFileSync(out));
    expect(model.graph!.node!.map(({ opType }) => opType)).toEqual(['Sub', 'Div', 'Gemm', 'Relu', 'Gemm', 'Softmax']);
    const file = readModel();
    const metadata = Object.fromEntries(model.metadataProps.map(({ key, value }) => [key, JSON.parse(value!)]));
    expect(metadata).toEqual({
      'wasmlp.features': file.features,
      'wasmlp.target': { type: 'classes', column: 'species', classes: SPECIES, encoding: 'onehot' },
      'wasmlp.standardization': file.stats,
    });
  });

  it('--dtype float64 writes a DOUBLE model that onnxruntime runs to the same probabilities', async () => {
    const double = at('iris-double.onnx');
    const exported = await wasmlp('export', MODEL, '--format', 'onnx', '--out', double, '--dtype', 'float64');
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/ONNX opset 13, DOUBLE,/);
    const { probabilities } = parsePrediction(predicted);
    expect(relativeError(await runONNX(readFileSync(double), raw, 'float64'), probabilities, 0)).toBeLessThanOrEqual(1e-5);
  });

  it('predict and evaluate on the .onnx print what they print on the model file, bit for bit', async () => {
    const onnxPredict = await wasmlp('predict', out, IRIS);
    expect(onnxPredict.code, onnxPredict.stderr).toBe(0);
    expect(onnxPredict.stdout).toBe(predicted);
    const [fromFile, fromONNX] = [await wasmlp('evaluate', MODEL, IRIS), await wasmlp('evaluate', out, IRIS)];
    expect(fromONNX.code, fromONNX.stderr).toBe(0);
    expect(fromONNX.stdout).toBe(fromFile.stdout);
    // Told apart from a model file by its first byte too, whatever its name.
    const renamed = at('iris-onnx.model');
    copyFileSync(out, renamed);
    expect((await wasmlp('predict', renamed, IRIS)).stdout).toBe(predicted);
    // The DOUBLE export runs as a float64 network: the same probabilities, to float32 rounding.
    const double = parsePrediction((await wasmlp('predict', at('iris-double.onnx'), IRIS)).stdout);
    expect(double.classes).toEqual(parsePrediction(predicted).classes);
    expect(relativeError(double.probabilities, parsePrediction(predicted).probabilities, 0)).toBeLessThanOrEqual(1e-5);
  });
});

describe('export --format tfjs', () => {
  const folder = at('iris-tfjs');

  it('writes model.json and weights.bin into a new folder; tfjs-layers predicts on raw rows within 1e-5 relative', async () => {
    const exported = await wasmlp('export', MODEL, '--format', 'tfjs', '--out', folder);
    expect(exported.code, exported.stderr).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['model.json', 'weights.bin']);
    const modelJSON = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
    const weights = readFileSync(join(folder, 'weights.bin'));
    expect(exported.stdout).toBe(
      `Wrote ${join(folder, 'model.json')} (${readFileSync(join(folder, 'model.json')).length} bytes) and ` +
        `${join(folder, 'weights.bin')} (${weights.length} bytes): TensorFlow.js layers model, float32, standardisation folded into the first layer\n`,
    );
    const artifacts = await tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => [
      manifest.flatMap((group) => group.weights),
      weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    ]);
    const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    try {
      const actual = tf.tidy(() => (model.predict(tf.tensor2d(raw)) as tf.Tensor).dataSync() as Float32Array);
      expect(relativeError(actual, parsePrediction(predicted).probabilities, 0)).toBeLessThanOrEqual(1e-5);
      const file = readModel();
      expect(model.getUserDefinedMetadata()).toEqual({
        wasmlp: { features: file.features, target: file.target, foldedStandardization: file.stats },
      });
    } finally {
      model.dispose();
    }
  });

  it('writes into a folder that exists, and refuses a --out that is a file', async () => {
    expect((await wasmlp('export', MODEL, '--format', 'tfjs', '--out', folder)).code).toBe(0);
    const file = at('not-a-folder');
    writeFileSync(file, 'keep\n');
    const refused = await wasmlp('export', MODEL, '--format', 'tfjs', '--out', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error: ${file}: cannot write the TensorFlow.js model (--out): it is not a directory; a TensorFlow.js model is a folder of model.json and weights.bin\n`,
    );
    expect(readFileSync(file, 'utf8')).toBe('keep\n');
  });
});

describe('an .onnx without wasmlp metadata', () => {
  const plain = at('plain.onnx');
  beforeAll(() => {
    // The network's own normalisation becomes the graph's Sub and Div; the command line's metadata is left out.
    const { metadata: _, ...network } = readModel().network;
    writeFileSync(plain, onnxFromNetworkJSON(network));
  });

  it('takes the first columns in order, its classes the output indices, standardised by its graph', async () => {
    const result = await wasmlp('predict', plain, IRIS);
    expect(result.code, result.stderr).toBe(0);
    const expected = parsePrediction(predicted);
    const actual = parsePrediction(result.stdout);
    expect(actual.header).toEqual(['class', 'prob_0', 'prob_1', 'prob_2']);
    expect(actual.classes).toEqual(expected.classes.map((name) => String(SPECIES.indexOf(name))));
    // Statistics rounded to float32 in the graph, not the model file's float64 ones: equal to float32 rounding.
    expect(relativeError(actual.probabilities, expected.probabilities, 0)).toBeLessThanOrEqual(1e-5);
  });

  it('--features names the columns, in any order in the CSV; evaluate takes labels that are class indices', async () => {
    const shuffled = at('shuffled.csv');
    writeFileSync(
      shuffled,
      `label,petal_width,sepal_length,petal_length,sepal_width\n${rows
        .map((c) => [SPECIES.indexOf(c[4]), c[3], c[0], c[2], c[1]].join(','))
        .join('\n')}\n`,
    );
    const features = ['--features', 'sepal_length,sepal_width,petal_length,petal_width'];
    const result = await wasmlp('predict', plain, shuffled, ...features);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe((await wasmlp('predict', plain, IRIS)).stdout);
    const evaluated = await wasmlp('evaluate', plain, shuffled, '--target', 'label', ...features);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const reference = (await wasmlp('evaluate', MODEL, IRIS)).stdout;
    const acc = (text: string): string => /acc (\S+)/.exec(text)![1];
    expect(acc(evaluated.stdout)).toBe(acc(reference));
    // Without --features, the target among the first columns is refused rather than fed to the model.
    const first = await wasmlp('evaluate', plain, shuffled, '--target', 'label');
    expect(first.code).toBe(1);
    expect(first.stderr).toBe(
      `error: ${shuffled}: column "label" of the target (--target) is among the first 4 columns: ` +
        `${plain} names no features (it carries no wasmlp metadata), so it takes the first 4 columns in order; name them with --features\n`,
    );
  });

  it('--features renames the columns of a model file too', async () => {
    const renamed = at('renamed.csv');
    writeFileSync(renamed, `a,b,c,d,species\n${rows.map((c) => c.join(',')).join('\n')}\n`);
    const result = await wasmlp('predict', MODEL, renamed, '--features', 'a,b,c,d');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(predicted);
    expect((await wasmlp('predict', MODEL, renamed)).stderr).toMatch(
      /no column "sepal_length" \(a feature the model was trained on\)/,
    );
  });

  it('refuses, with the files and columns named: too few columns, an unknown feature, a wrong count, no --target', async () => {
    const narrow = at('narrow.csv');
    writeFileSync(narrow, 'a,b,c\n1,2,3\n');
    const cases: [string[], string][] = [
      [
        ['predict', plain, narrow],
        `${narrow} has 3 columns, but ${plain} takes 4 inputs: ${plain} names no features (it carries no wasmlp metadata), so it takes the first 4 columns in order; name them with --features`,
      ],
      [
        ['predict', plain, IRIS, '--features', 'sepal_length,sepal_width,petal_length,petals'],
        `${IRIS}: line 1 (the header): no column "petals" (a feature (--features)); the columns are "sepal_length", "sepal_width", "petal_length", "petal_width", "species"`,
      ],
      [
        ['predict', plain, IRIS, '--features', 'sepal_length,sepal_width'],
        `--features names 2 columns, but ${plain} takes 4 inputs`,
      ],
      [
        ['evaluate', plain, IRIS],
        `${plain} names no target column (it carries no wasmlp metadata): give --target, a column of class indices ("0", "1", "2"), as its categoricalCrossentropy loss reads them`,
      ],
      [
        ['evaluate', plain, IRIS, '--target', 'species'],
        `${IRIS}: line 2 (data row 1), column "species": "setosa" is not one of the model's classes ("0", "1", "2")`,
      ],
    ];
    for (const [argv, message] of cases) {
      const result = await wasmlp(...argv);
      expect(result.code, argv.join(' ')).toBe(1);
      expect(result.stderr).toBe(`error: ${message}\n`);
    }
  });

  it("a graph that is not a dense network is refused with the reader's message and the file name", async () => {
    const conv = at('conv.onnx');
    copyFileSync('test/formats/fixtures/bad-conv.onnx', conv);
    const result = await wasmlp('predict', conv, IRIS);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error: ${conv}: cannot read the ONNX model: node "/conv/Conv" \\(Conv\\) is not supported: a dense network's ONNX graph may hold only Gemm`,
      ),
    );
    const garbage = at('garbage.onnx');
    writeFileSync(garbage, 'not a model at all');
    expect((await wasmlp('predict', garbage, IRIS)).stderr).toMatch(
      new RegExp(`^error: ${garbage}: cannot read the ONNX model: the 18 bytes are not a complete ONNX model`),
    );
  });
});

describe('export refuses', () => {
  it('an --out that is the model file, a folder for ONNX, --dtype float64 for TF.js, a missing --format', async () => {
    const cases: [string[], string][] = [
      [
        ['export', MODEL, '--format', 'onnx', '--out', MODEL],
        `error: ${MODEL}: cannot write the ONNX model (--out): it is the model file ${MODEL}, which the export would overwrite\n`,
      ],
      [
        ['export', MODEL, '--format', 'onnx', '--out', dir],
        `error: ${dir}: cannot write the ONNX model (--out): it is a directory; give a file name, such as model.onnx\n`,
      ],
      [
        ['export', MODEL, '--format', 'tfjs', '--out', dir, '--dtype', 'float64'],
        'error: --dtype float64 is for --format onnx: TensorFlow.js models are float32\n',
      ],
    ];
    for (const [argv, message] of cases) {
      const result = await wasmlp(...argv);
      expect(result.code, argv.join(' ')).toBe(1);
      expect(result.stderr).toBe(message);
    }
    // A model file named model.json in the --out folder would be overwritten by the export's model.json.
    const sub = at('same');
    mkdirSync(sub);
    copyFileSync(MODEL, join(sub, 'model.json'));
    const same = await wasmlp('export', join(sub, 'model.json'), '--format', 'tfjs', '--out', sub);
    expect(same.code).toBe(1);
    expect(same.stderr).toMatch(/which the export would overwrite\n$/);
    expect(readdirSync(sub)).toEqual(['model.json']);
    const missing = await wasmlp('export', MODEL, '--out', at('x.onnx'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: required option '--format <format>' not specified/);
  });
});

describe('a failed export', () => {
  it('leaves the previous ONNX file, and the previous TF.js folder, byte for byte and no temporary file (ulimit -f)', async () => {
    const sub = mkdtempSync(join(dir, 'ulimit-'));
    const big = join(sub, 'big.json');
    // 256 hidden units: an export of about 8 kB, past the limit of 4 blocks (2 kB in dash's 512-byte blocks, 4 kB in bash's).
    const trained = await wasmlp(
      'train',
      IRIS,
      '--target',
      'species',
      '--epochs',
      '1',
      '--layers',
      '256',
      '--seed',
      '1',
      '--save',
      big,
    );
    expect(trained.code, trained.stderr).toBe(0);
    const out = join(sub, 'model.onnx');
    const folder = join(sub, 'tfjs');
    expect((await wasmlp('export', MODEL, '--format', 'onnx', '--out', out)).code).toBe(0);
    expect((await wasmlp('export', MODEL, '--format', 'tfjs', '--out', folder)).code).toBe(0);
    const before = [readFileSync(out), readFileSync(join(folder, 'model.json')), readFileSync(join(folder, 'weights.bin'))];
    expect(before.every((bytes) => bytes.length < 2048)).toBe(true);
    for (const [format, path, what] of [
      ['onnx', out, 'ONNX model'],
      ['tfjs', folder, 'TensorFlow.js model'],
    ]) {
      const limited = await run('/bin/sh', [
        '-c',
        'ulimit -f 4 && exec "$0" "$@"',
        process.execPath,
        'bin/wasmlp.js',
        'export',
        big,
        '--format',
        format,
        '--out',
        path,
      ]).catch((error) => error);
      expect(limited.signal ?? null).toBeNull();
      expect(limited.code).toBe(1);
      expect(limited.stderr).toMatch(
        new RegExp(`^error: ${path}: cannot write the ${what} \\(--out\\): EFBIG: file too large, write\\n$`),
      );
    }
    expect([readFileSync(out), readFileSync(join(folder, 'model.json')), readFileSync(join(folder, 'weights.bin'))]).toEqual(
      before,
    );
    expect(readdirSync(sub).sort()).toEqual(['big.json', 'model.onnx', 'tfjs']);
    expect(readdirSync(folder).sort()).toEqual(['model.json', 'weights.bin']);
  });
});
