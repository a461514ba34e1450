/**
 * The published type declarations as a project that installs the package
 * sees them (dist/ is made by `npm run build`, which npm test runs first).
 * The package is packed, unpacked into a fresh project's node_modules, and
 * a consumer's file compiled against it by TypeScript 5.0, 5.9 and the
 * project's own compiler, each with moduleResolution node16, nodenext and
 * bundler: strict, without skipLibCheck, and with neither the DOM library
 * nor Node's types, so the declarations must need none of them.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDeclarations, reachableDeclarations } from '../../scripts/declarations.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Each compiler as a command: the older ones are devDependencies under aliases (typescript-5.0, typescript-5.9). */
const COMPILERS: [string, string[]][] = [
  ['TypeScript 5.0', [process.execPath, path.join(ROOT, 'node_modules', 'typescript-5.0', 'bin', 'tsc')]],
  ['TypeScript 5.9', [process.execPath, path.join(ROOT, 'node_modules', 'typescript-5.9', 'bin', 'tsc')]],
  ["the project's TypeScript", [path.join(ROOT, 'node_modules', '.bin', 'tsc')]],
];

/** moduleResolution, with the module setting each requires. */
const RESOLUTIONS: [string, string][] = [
  ['node16', 'node16'],
  ['nodenext', 'nodenext'],
  ['bundler', 'esnext'],
];

/**
 * What a user writes, every line type-checked: the factories, the methods
 * and the option types; and what a user may not write, each line expected
 * to be an error (an unused @ts-expect-error is an error itself).
 */
const CONSUMER = `
import {
  createNetwork, createWorkerNetwork, earlyStopping, loadNetwork, loadWorkerNetwork, Network, threadsAvailable, WorkerNetwork,
  type Evaluation, type FitOptions, type History, type LayerConfig, type NetworkJSON, type WorkerFitOptions,
} from 'wasmlp';
import { fromONNX, fromTFJS, toONNX, toTFJS, type TFJSModelJSON } from 'wasmlp/formats';
import { loadPredictor, type Predictor, type PredictorOptions } from 'wasmlp/predict';
import { csvDataset, type CsvBatch, type CsvDataset, type CsvDatasetOptions } from 'wasmlp/node';

const layers: LayerConfig[] = [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }];
const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
const y = [[0], [1], [1], [0]];
const threads = (await threadsAvailable(2)) ? 2 : 1;

const net: Network = await createNetwork({ inputs: 2, layers, loss: 'binaryCrossentropy', seed: 1, threads });
const options: FitOptions = { epochs: 10, learningRate: 0.1, optimizer: 'adam', callbacks: earlyStopping({ monitor: 'loss' }) };
const history: History = await net.fit(x, y, { ...options, onEpochEnd: (epoch, logs) => { void [epoch, logs.loss]; } });
const losses: number[] = history.history.loss;
const predictions: Float32Array | Float64Array = net.predict({ data: new Float32Array([0, 1]), shape: [1, 2] });
const evaluation: Evaluation = net.evaluate(x, y);
const saved: NetworkJSON = net.toJSON({ includeOptimizer: true });
const loaded = await loadNetwork(JSON.stringify(saved), { backend: 'js' });
const isNetwork: boolean = loaded instanceof Network;
const summary: [number, number, string, string, string, number, boolean] =
  [net.inputs, net.outputs, net.loss, net.dtype, net.backend, net.layers[0].units, net.isTraining];
net.stopTraining = true;
net.setWeights(net.getWeights());
const onnx: Uint8Array = toONNX(net, { dtype: 'float32' });
const fromOnnx: Network = await fromONNX(onnx, { loss: 'binaryCrossentropy', backend: 'js' });
const tfjs: { modelJSON: TFJSModelJSON; weights: Uint8Array } = toTFJS(net);
const fromTfjs: Network = await fromTFJS(tfjs.modelJSON, tfjs.weights);
const predictorOptions: PredictorOptions = { backend: 'js' };
const predictor: Predictor = await loadPredictor(JSON.stringify(saved), predictorOptions);
const predicted: Float32Array | Float64Array = predictor.predict({ data: new Float64Array([0, 1]), shape: [1, 2] });
const shape: [number, number, string, string, boolean] =
  [predictor.inputs, predictor.outputs, predictor.dtype, predictor.backend, predictor.isDisposed];
const csvOptions: CsvDatasetOptions = { target: 'y', batchSize: 16, shuffleBuffer: 100, seed: 1, loss: 'binaryCrossentropy' };
const csv: CsvDataset = await csvDataset('data.csv', csvOptions);
for await (const batch of csv) { const b: CsvBatch = batch; void b.x.shape; }
await net.fitDataset(csv, { epochs: 1, learningRate: 0.1 });
const columns: [readonly string[], number, number] = [csv.features, csv.outputs, csv.rows];
predictor.dispose();
net.dispose();

const remote: WorkerNetwork = await createWorkerNetwork({ inputs: 2, layers, loss: 'binaryCrossentropy' });
const workerOptions: WorkerFitOptions = { epochs: 10, learningRate: 0.1, callbacks: [{ onEpochEnd: () => {} }, earlyStopping()] };
const remoteHistory: History = await remote.fit(x, y, workerOptions);
const remotePredictions: Float32Array | Float64Array = await remote.predict(x);
const again: WorkerNetwork = await loadWorkerNetwork(await remote.toJSON());
await remote.dispose();

// @ts-expect-error the engine is not part of the API
net.forward(0, 1);
// @ts-expect-error a layer is its config, with no offsets
void net.layers[0].weights;
// @ts-expect-error networks come from createNetwork and loadNetwork
void new Network();
// @ts-expect-error a predictor only predicts
await predictor.fit(x, y, { epochs: 1, learningRate: 0.1 });
// @ts-expect-error a predictor runs on one thread
await loadPredictor(saved, { threads: 2 });
// @ts-expect-error a worker network's callbacks cannot follow every batch
await remote.fit(x, y, { epochs: 1, learningRate: 0.1, callbacks: { onBatchEnd: () => {} } });

export { losses, predictions, evaluation, isNetwork, summary, remoteHistory, remotePredictions, again, fromOnnx, fromTfjs, predicted, shape, columns };
`;

let project = '';
let packed: string[] = [];

beforeAll(async () => {
  project = await mkdtemp(path.join(os.tmpdir(), 'wasmlp-types-'));
  // --ignore-scripts: the prepack script (npm run build) has run already, before the tests.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: ROOT });
  const [{ filename, files }] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  packed = files.map((file) => file.path);
  // As npm install would lay it out, without the network: the tarball's package/ is node_modules/wasmlp.
  await run('tar', ['-xzf', path.join(project, filename), '-C', project]);
  await mkdir(path.join(project, 'node_modules'));
  await rename(path.join(project, 'package'), path.join(project, 'node_modules', 'wasmlp'));
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await writeFile(path.join(project, 'consumer.ts'), CONSUMER);
}, 120_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe('the published declarations', () => {
  it('are exactly those the entries (index.d.ts, formats/, predict/ and node/index.d.ts) reach', async () => {
    const types = path.join(ROOT, 'dist', 'types');
    const reachable = reachableDeclarations(types);
    expect(allDeclarations(types)).toEqual(reachable);
    expect(packed.filter((file) => file.startsWith('dist/types/')).sort()).toEqual(
      reachable.map((file) => `dist/types/${file}`).sort(),
    );
    // None of the engine's: its class, its layers, its memory plan.
    for (const internal of ['engine.d.ts', 'dense.d.ts', 'fit.d.ts', 'serialize.d.ts', 'worker/protocol.d.ts'])
      expect(reachable).not.toContain(internal);
  });

  it("give Network the API and nothing else (`of`, the factories' way in, is private)", async () => {
    const text = await readFile(path.join(ROOT, 'dist', 'types', 'network.d.ts'), 'utf8');
    const body = text.slice(text.indexOf('export declare class Network {'));
    const members = [
      ...body.slice(0, body.indexOf('\n}')).matchAll(/^ {4}(?:(?:get|set|private|static|readonly) )*(#?\w+)/gm),
    ].map((match) => match[1]);
    expect([...new Set(members)]).toEqual([
      '#private',
      'constructor',
      'of',
      'inputs',
      'outputs',
      'layers',
      'loss',
      'metrics',
      'dtype',
      'backend',
      'threads',
      'normalization',
      'isTraining',
      'isDisposed',
      'stopTraining',
      'fit',
      'trainOnBatch',
      'summary',
      'fitDataset',
      'evaluateDataset',
      'predictDataset',
      'predict',
      'evaluate',
      'adapt',
      'getWeights',
      'setWeights',
      'toJSON',
      'dispose',
    ]);
  });

  describe.each(COMPILERS)('compile for a consumer with %s', (_, [command, ...args]) => {
    it.each(RESOLUTIONS)(
      'moduleResolution %s, strict, no skipLibCheck',
      async (moduleResolution, module) => {
        const config = `tsconfig.${moduleResolution}.json`;
        await writeFile(
          path.join(project, config),
          JSON.stringify({
            compilerOptions: {
              strict: true,
              skipLibCheck: false,
              noEmit: true,
              target: 'es2022',
              lib: ['es2022'],
              types: [],
              module,
              moduleResolution,
            },
            files: ['consumer.ts'],
          }),
        );
        const result = await run(command, [...args, '-p', config], { cwd: project }).then(
          () => '',
          (error: { stdout?: string; message: string }) => error.stdout || error.message,
        );
        expect(result).toBe('');
      },
      120_000,
    );
  });
});
