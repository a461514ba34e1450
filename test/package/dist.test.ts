/**
 * The built package (dist/, made by `npm run build`, which npm test runs
 * first): light enough, each chunk within its budget, free of anything a
 * browser or a bundler would trip on, published whole (what `npm pack`
 * would upload), and running `threads: 2` on two threads in Node from its
 * lazily imported threads chunk (test/browser/threads.test.ts: in
 * Chromium), and a worker network from its lazily imported worker chunk
 * (test/worker/client.test.ts runs its tests on dist/ too). test/browser/bundlers.test.ts
 * installs the packed package in an application, bundles it with esbuild,
 * Vite and webpack with no plugin and no configuration, and runs each bundle
 * in Chromium.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { prng } from '../helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dist = (file: string) => path.join(ROOT, 'dist', file);

/**
 * Gzipped budgets, each the size as built plus about a kilobyte, so that
 * growth is a decision, not an accident. The main entry, minified, is what
 * every page that imports wasmlp pays: 33 kB, the network, fit and
 * fitDataset, five optimisers with clipping, the schedules, the
 * callbacks, the metrics, sample and class weights, regularisers and
 * dropout (TensorFlow.js's layers, core and wasm backend weigh about
 * 360 kB). The chunks it imports on first use: the
 * kernels (the first wasm backend or worker network; the small-layer
 * products, op(B) held in registers for each k from 2 to 8, which make a
 * small network's float32 epoch about 10% faster, took it past 11 kB),
 * the worker's script
 * (the first worker network) and the threaded backend with its
 * shared-memory kernels (the first `threads` > 1 where threads can run).
 * `wasmlp/formats`, imported only by those who convert models, is mostly
 * protobufjs's runtime. `wasmlp/predict`, for pages that only run a trained
 * model, is one file with its float32 forward-only kernels inside: 13.5 kB;
 * its js backend and its float64 kernels are chunks of their own, fetched
 * only for backend 'js' or a float64 network.
 */
const GZIP_BUDGETS = {
  'wasmlp.min.js': 33_000,
  'wasmlp-kernels.js': 12_000,
  'wasmlp-worker.js': 29_000,
  'wasmlp-threads.js': 25_000,
  'wasmlp-formats.js': 24_000,
  'wasmlp-predict.js': 13_500,
  'wasmlp-predict-js.js': 3_000,
  'wasmlp-predict-f64.js': 3_700,
};

const CHUNK_IMPORT = /\bimport\(\s*["']\.\/(wasmlp-[a-z0-9-]+\.js)["']\s*\)/g;
/** The Node-only fallback's import() of a built-in: of a variable, behind the bundlers' opt-out comments. */
const BUILTIN_IMPORT = /import\(\s*(\/\*[^*]*\*\/\s*)*[A-Za-z_$][\w$]*\s*\)/g;

describe('dist/', () => {
  it.each(Object.entries(GZIP_BUDGETS))('%s gzips under its budget, %d bytes', async (file, budget) => {
    const gzipped = gzipSync(await readFile(dist(file))).length;
    expect(gzipped).toBeLessThan(budget);
  });

  it.each([
    ['wasmlp.js', ['wasmlp-kernels.js', 'wasmlp-threads.js', 'wasmlp-worker.js'], 1],
    ['wasmlp.min.js', ['wasmlp-kernels.js', 'wasmlp-threads.js', 'wasmlp-worker.js'], 1],
    ['wasmlp-kernels.js', [], 0],
    ['wasmlp-threads.js', [], 1],
    ['wasmlp-worker.js', [], 0],
    ['wasmlp-predict.js', ['wasmlp-predict-f64.js', 'wasmlp-predict-js.js'], 0],
    ['wasmlp-predict-js.js', [], 0],
    ['wasmlp-predict-f64.js', [], 0],
  ])('%s fetches nothing, reads no file and imports nothing but the chunks %j', async (file, chunks, builtinImports) => {
    const text = await readFile(dist(file), 'utf8');
    expect(text).not.toMatch(/\bfetch\s*\(/);
    expect(text).not.toMatch(/import\.meta/);
    expect(text).not.toMatch(/\.wasm["'`]/);
    // An ESM bundle with no import statement: the Node-only fallback's import() of a built-in, and in
    // the library each chunk's, by its literal name relative to the library.
    expect(text).not.toMatch(/^\s*import[\s{*]/m);
    expect(text.match(/\bimport\s*\(/g) ?? []).toHaveLength(builtinImports + chunks.length);
    expect([...text.matchAll(CHUNK_IMPORT)].map((match) => match[1]).sort()).toEqual(chunks);
    expect(text.match(BUILTIN_IMPORT) ?? []).toHaveLength(builtinImports);
  });

  it("wasmlp-formats.js imports the library beside it, so that its networks are the library's, and nothing else", async () => {
    const text = await readFile(dist('wasmlp-formats.js'), 'utf8');
    expect(text).not.toMatch(/\bfetch\s*\(/);
    expect(text).not.toMatch(/\bimport\s*\(/);
    expect([...text.matchAll(/\bfrom\s*["']([^"']+)["']/g)].map((match) => match[1])).toEqual(['./wasmlp.js']);
    // Not a second copy of the library: no engine, no kernels.
    expect(text).not.toMatch(/wasmlp-kernels|reserveBatch/);
    expect(await readFile(dist('wasmlp-formats.licenses.txt'), 'utf8')).toMatch(/^protobufjs \d+\.\d+\.\d+ \(BSD-3-Clause\)$/m);
  });

  it('lets a bundler drop what an application does not use: the names for a menu alone bundle to under 1 kB gzipped', async () => {
    const { outputFiles } = await build({
      stdin: {
        contents: `import { ACTIVATION_NAMES } from ${JSON.stringify(dist('wasmlp.js'))}; console.log(ACTIVATION_NAMES);`,
        resolveDir: ROOT,
      },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    expect(outputFiles.map((file) => file.path)).toHaveLength(1);
    expect(gzipSync(outputFiles[0].contents).length).toBeLessThan(1000);
  });

  it('keeps the threaded backend out of the library, in the threads chunk', async () => {
    for (const file of ['wasmlp.js', 'wasmlp.min.js'])
      expect(await readFile(dist(file), 'utf8'), file).not.toMatch(/gemmParallel/);
    expect(await readFile(dist('wasmlp-threads.js'), 'utf8')).toMatch(/gemmParallel/);
  });

  it('keeps the kernels out of the library, in the kernels chunk', async () => {
    const base64 = /["'][A-Za-z0-9+/]{4000,}={0,2}["']/;
    for (const file of ['wasmlp.js', 'wasmlp.min.js']) expect(await readFile(dist(file), 'utf8'), file).not.toMatch(base64);
    expect(await readFile(dist('wasmlp-kernels.js'), 'utf8')).toMatch(base64);
  });

  it("keeps the worker's script out of the library, in the worker chunk", async () => {
    const workerOnly = /wasmlp worker: unknown method/;
    for (const file of ['wasmlp.js', 'wasmlp.min.js']) expect(await readFile(dist(file), 'utf8'), file).not.toMatch(workerOnly);
    expect(await readFile(dist('wasmlp-worker.js'), 'utf8')).toMatch(workerOnly);
  });

  it('runs threads: 2 in Node on two threads, to exactly the weights of one thread', async () => {
    // dist/ has no types next to it: imported by a computed name, as any.
    const library = pathToFileURL(dist('wasmlp.js')).href,
      chunk = pathToFileURL(dist('wasmlp-threads.js')).href;
    const { createNetwork, threadsAvailable } = await import(library);
    expect(await threadsAvailable(2)).toBe(true);
    const rand = prng(13);
    const rows = 256,
      inputs = 784,
      classes = 10;
    const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => rand()));
    const y = Array.from({ length: rows }, (_, r) => Array.from({ length: classes }, (_, c) => (c === r % classes ? 1 : 0)));
    const runs: { threads: number; weights: unknown }[] = [];
    try {
      for (const threads of [1, 2]) {
        const net = await createNetwork({
          inputs,
          layers: [
            { units: 64, activation: 'relu' },
            { units: classes, activation: 'softmax' },
          ],
          loss: 'categoricalCrossentropy',
          seed: 7,
          threads,
        });
        await net.fit(x, y, { epochs: 2, batchSize: 128, learningRate: 0.05, shuffle: true });
        runs.push({ threads: net.threads, weights: net.getWeights() });
        net.dispose();
      }
    } finally {
      // The chunk the library imported, the same module: its workers would otherwise outlive the test.
      await (await import(chunk)).stopThreads();
    }
    expect(runs.map((run) => run.threads)).toEqual([1, 2]);
    expect(runs[1].weights).toEqual(runs[0].weights);
  });

  it('package.json "exports" names the build and its type declarations', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.type).toBe('module');
    expect(pkg.exports['.']).toEqual({ types: './dist/types/index.d.ts', default: './dist/wasmlp.js' });
    // The minified build, the file the size budget measures, for pages and CDNs that serve the package as it is.
    expect(pkg.exports['./min']).toEqual({ types: './dist/types/index.d.ts', default: './dist/wasmlp.min.js' });
    expect(pkg.exports['./formats']).toEqual({ types: './dist/types/formats/index.d.ts', default: './dist/wasmlp-formats.js' });
    expect(pkg.exports['./predict']).toEqual({ types: './dist/types/predict/index.d.ts', default: './dist/wasmlp-predict.js' });
    expect(pkg.exports['./node']).toEqual({ types: './dist/types/node/index.d.ts', default: './dist/wasmlp-node.js' });
    const types = await readFile(path.join(ROOT, pkg.exports['.'].types), 'utf8');
    expect(types).toMatch(/createWorkerNetwork/);
    expect(types).toMatch(/createNetwork/);
  });
});

describe('wasmlp/node, dist/wasmlp-node.js', () => {
  it("imports Node's built-ins and nothing else: not the library, no package", async () => {
    const text = await readFile(dist('wasmlp-node.js'), 'utf8');
    const imported = [...text.matchAll(/\bfrom\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((name) => !isBuiltin(name))).toEqual([]);
  });

  it("streams a CSV file that the library's networks train on, as fit trains on the same rows", async () => {
    const { createNetwork } = await import(pathToFileURL(dist('wasmlp.js')).href);
    const { csvDataset } = await import(pathToFileURL(dist('wasmlp-node.js')).href);
    const dir = await mkdtemp(path.join(tmpdir(), 'wasmlp-node-'));
    try {
      const rand = prng(5);
      const rows = Array.from({ length: 150 }, () => [4 * rand() - 2, 4 * rand() - 2]);
      const file = path.join(dir, 'data.csv');
      await writeFile(file, `a,b,label\n${rows.map(([a, b]) => `${a},${b},${a * b > 0 ? 'same' : 'other'}`).join('\n')}\n`);
      const data = await csvDataset(file, { target: 'label', batchSize: 32 });
      expect([data.features, data.target.classes, data.outputs, data.rows]).toEqual([['a', 'b'], ['other', 'same'], 1, 150]);
      const make = () =>
        createNetwork({
          inputs: 2,
          layers: [
            { units: 6, activation: 'tanh' },
            { units: 1, activation: 'sigmoid' },
          ],
          loss: 'binaryCrossentropy',
          seed: 3,
        });
      const [streamed, whole] = [await make(), await make()];
      await streamed.fitDataset(data, { epochs: 3, learningRate: 0.5 });
      const x = rows.map(([a, b]) => [Math.fround(a), Math.fround(b)]);
      const y = rows.map(([a, b]) => [a * b > 0 ? 1 : 0]);
      await whole.fit(x, y, { epochs: 3, learningRate: 0.5, batchSize: 32, shuffle: false });
      expect(streamed.getWeights()).toEqual(whole.getWeights());
      streamed.dispose();
      whole.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('wasmlp/predict, dist/wasmlp-predict.js', () => {
  /** Training's words: optimisers, backward steps, losses' gradients, fit, workers, threads. */
  const TRAINING =
    /adam|momentum|sgd|Backward|backward|sumColumns|gatherRows|fit\(|epoch|learningRate|Worker|worker|gemmParallel|threads-addon|wasmlp-kernels/;
  /** The embedded kernels: deflated, in base64. */
  const EMBEDDED = /["']([A-Za-z0-9+/]{2000,}={0,2})["']/g;

  it('and its chunks hold no training code', async () => {
    for (const file of ['wasmlp-predict.js', 'wasmlp-predict-js.js', 'wasmlp-predict-f64.js']) {
      // The code, without the kernels' base64 (in which any short word may turn up by chance).
      const code = (await readFile(dist(file), 'utf8')).replace(EMBEDDED, '""');
      expect(code, file).not.toMatch(TRAINING);
      // Apart from the library: neither imports it nor holds its Network.
      expect(code, file).not.toMatch(/wasmlp\.js|stopTraining|applyGradients|toJSON/);
    }
  });

  it.each([
    ['wasmlp-predict.js', 'wasmlp.predict.f32.wasm', 'F32'],
    ['wasmlp-predict-f64.js', 'wasmlp.predict.f64.wasm', 'F64'],
  ])('%s embeds the forward-only kernels of %s, and only those', async (file, module, suffix) => {
    const text = await readFile(dist(file), 'utf8');
    const embedded = [...text.matchAll(EMBEDDED)].map((match) => match[1]);
    expect(embedded).toHaveLength(1);
    const deflated = Buffer.from(embedded[0]!, 'base64');
    const wasm = new Uint8Array(
      await new Response(new Blob([deflated]).stream().pipeThrough(new DecompressionStream('deflate'))).arrayBuffer(),
    );
    expect(Buffer.from(wasm).equals(await readFile(path.join(ROOT, 'build', module)))).toBe(true);
    const exports = WebAssembly.Module.exports(await WebAssembly.compile(wasm)).map((entry) => entry.name);
    expect(exports.sort()).toEqual(
      ['heapBase', 'memory', ...['denseForward', 'softmax', 'firstNonFinite'].map((name) => name + suffix)].sort(),
    );
  });

  it("predicts bit for bit what the library's networks predict, on each backend and dtype", async () => {
    // dist/ has no types next to it: imported by a computed name, as any.
    const library = pathToFileURL(dist('wasmlp.js')).href,
      predict = pathToFileURL(dist('wasmlp-predict.js')).href;
    const { createNetwork } = await import(library);
    const { loadPredictor } = await import(predict);
    const rand = prng(21);
    const x = Array.from({ length: 1500 }, () => Array.from({ length: 6 }, () => 4 * rand() - 2));
    // Class indices, as categoricalCrossentropy takes them.
    const y = x.map((row) => (row[0] * row[1] > 0 ? 0 : row[2] > 0 ? 1 : 2));
    for (const backend of ['wasm', 'js'])
      for (const dtype of ['float32', 'float64']) {
        const net = await createNetwork({
          inputs: 6,
          layers: [
            { units: 12, activation: 'leakyRelu' },
            { units: 8, activation: 'tanh' },
            { units: 3, activation: 'softmax' },
          ],
          loss: 'categoricalCrossentropy',
          backend,
          dtype,
          seed: 4,
        });
        await net.fit(x, y, { epochs: 2, learningRate: 0.05, batchSize: 64, optimizer: 'adam' });
        const predictor = await loadPredictor(JSON.stringify(net.toJSON({ includeOptimizer: true })), { backend });
        expect([predictor.backend, predictor.dtype]).toEqual([backend, dtype]);
        for (const rows of [x.slice(0, 1), x]) {
          const [got, want] = [predictor.predict(rows), net.predict(rows)];
          expect(got.constructor).toBe(want.constructor);
          expect(
            Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(
              Buffer.from(want.buffer, want.byteOffset, want.byteLength),
            ),
          ).toBe(true);
        }
        expect(() => predictor.predict([[1, 2]])).toThrow(/^x has 2 columns, but the network expects 6 inputs$/);
        predictor.dispose();
        expect(() => predictor.predict(x)).toThrow('predict: this predictor has been disposed');
        net.dispose();
      }
  });
});

describe('the published package (npm pack)', () => {
  it('installs nothing else: no runtime dependencies, the command carrying its own packages', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
    // require() of ESM, which `import wasmlp` from CommonJS relies on, arrived in Node 20.19.
    expect(pkg.engines).toEqual({ node: '>=20.19' });
    const cli = await readFile(dist('cli.js'), 'utf8');
    const imported = [...cli.matchAll(/(?:^|\n)import\s[^'"]*["']([^'"]+)["']|(?:\b|__)require\(["']([^'"]+)["']\)/g)].map(
      (match) => match[1] ?? match[2],
    );
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((name) => !isBuiltin(name) && name !== './wasmlp.js' && name !== './wasmlp-formats.js')).toEqual([]);
    const licenses = await readFile(dist('cli.licenses.txt'), 'utf8');
    for (const name of ['commander', 'cli-progress']) expect(licenses).toMatch(new RegExp(`^${name} \\d`, 'm'));
  });

  it('the command takes the converters from wasmlp-formats.js: no second protobufjs, and it runs them', async () => {
    const cli = await readFile(dist('cli.js'), 'utf8');
    expect([...new Set([...cli.matchAll(/\bfrom\s*["'](\.\/[^"']+)["']/g)].map((match) => match[1]))].sort()).toEqual([
      './wasmlp-formats.js',
      './wasmlp.js',
    ]);
    // protobufjs's reader and the generated ONNX schema, and the packages only they bring.
    expect(cli).not.toMatch(/invalid wire type|ModelProto|onnx\.proto/);
    expect(await readFile(dist('cli.licenses.txt'), 'utf8')).not.toMatch(/^(protobufjs|@protobufjs\/[a-z]+|long) \d/m);
    // The import links: the built command reads an ONNX model through the formats bundle.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(ROOT, 'bin', 'wasmlp.js'), 'predict', 'test/formats/fixtures/torch-relu-sigmoid.onnx', 'examples/iris.csv'],
      { cwd: ROOT },
    );
    expect(stdout.split('\n')[0]).toBe('class,prob_0,prob_1');
    expect(stdout.trim().split('\n')).toHaveLength(151);
  });

  it('holds the build the "exports", "main" and "bin" point at, and neither the sources nor the playground', async () => {
    // --ignore-scripts: the prepack script (npm run build) has run already, before the tests.
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: ROOT });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((file) => file.path);
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.prepack).toBe('npm run build');
    const named = [
      pkg.main,
      pkg.types,
      ...Object.values(pkg.bin),
      ...Object.values(pkg.exports).flatMap((target) =>
        typeof target === 'string' ? [target] : Object.values(target as Record<string, string>),
      ),
    ] as string[];
    const needed = [...new Set(named.map((file) => path.posix.normalize(file)))];
    expect(needed).toEqual(
      expect.arrayContaining(['dist/wasmlp.js', 'dist/wasmlp.min.js', 'dist/types/index.d.ts', 'bin/wasmlp.js']),
    );
    // What those import: the chunks, the command the bin runs, the declarations index.d.ts re-exports.
    for (const file of [
      ...needed,
      'dist/wasmlp-kernels.js',
      'dist/wasmlp-threads.js',
      'dist/wasmlp-worker.js',
      'dist/cli.js',
      'dist/cli.licenses.txt',
      'dist/wasmlp-formats.js',
      'dist/wasmlp-formats.licenses.txt',
      'dist/wasmlp-predict.js',
      'dist/wasmlp-predict-js.js',
      'dist/wasmlp-predict-f64.js',
      'dist/types/predict/index.d.ts',
      'dist/wasmlp-node.js',
      'dist/types/node/index.d.ts',
      'dist/types/network.d.ts',
      'README.md',
      'LICENSE',
    ]) {
      expect(files, file).toContain(file);
    }
    // Nothing else: no sources, no tests, no docs/, no playground (dist/demo/); npm always packs LICENSE.
    expect(files.filter((file) => !/^(dist|bin)\//.test(file)).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
    expect(files.filter((file) => file.startsWith('dist/demo/'))).toEqual([]);
  });
});
