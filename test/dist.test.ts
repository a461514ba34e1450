/**
 * The built package (dist/, made by `npm run build`, which npm test runs
 * first): light enough, free of anything a browser or a bundler would trip
 * on, importable by its name from esbuild, Vite and webpack with no plugin and no
 * configuration, and running `threads: 2` on two threads in Node from its
 * lazily imported threads chunk (test/browser/threads.test.ts: in Chromium).
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build as esbuild } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from './helpers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (file: string) => path.join(ROOT, 'dist', file);

/** The budget for the minified browser build, kernels inlined: 40 kB gzipped. */
const GZIP_LIMIT_BYTES = 40_000;

describe('dist/', () => {
  it(`minified, with the kernels and the worker inlined, gzips under ${GZIP_LIMIT_BYTES / 1000} kB`, async () => {
    const gzipped = gzipSync(await readFile(dist('wasmlp.min.js'))).length;
    expect(gzipped).toBeLessThan(GZIP_LIMIT_BYTES);
  });

  it.each([
    ['wasmlp.js', 1],
    ['wasmlp.min.js', 1],
    ['wasmlp-threads.js', 0],
  ])('%s fetches nothing, reads no file and imports nothing but the threads chunk', async (file, chunkImports) => {
    const text = await readFile(dist(file), 'utf8');
    expect(text).not.toMatch(/\bfetch\s*\(/);
    expect(text).not.toMatch(/import\.meta/);
    expect(text).not.toMatch(/\.wasm["'`]/);
    // An ESM bundle with no import statement: the Node-only fallback's import(), of a variable, and in
    // the library the threads chunk's, by its literal name relative to the library.
    expect(text).not.toMatch(/^\s*import[\s{*]/m);
    expect(text.match(/\bimport\s*\(/g) ?? []).toHaveLength(1 + chunkImports);
    expect(text.match(/\bimport\(\s*["']\.\/wasmlp-threads\.js["']\s*\)/g) ?? []).toHaveLength(chunkImports);
    expect(text).toMatch(/import\(\s*(\/\*[^*]*\*\/\s*)*[A-Za-z_$][\w$]*\s*\)/);
  });

  it('keeps the threaded backend out of the library, in the threads chunk', async () => {
    for (const file of ['wasmlp.js', 'wasmlp.min.js']) expect(await readFile(dist(file), 'utf8'), file).not.toMatch(/gemmParallel/);
    expect(await readFile(dist('wasmlp-threads.js'), 'utf8')).toMatch(/gemmParallel/);
  });

  it('runs threads: 2 in Node on two threads, to exactly the weights of one thread', async () => {
    // dist/ has no types next to it: imported by a computed name, as any.
    const library = pathToFileURL(dist('wasmlp.js')).href, chunk = pathToFileURL(dist('wasmlp-threads.js')).href;
    const { createNetwork, threadsAvailable } = await import(library);
    expect(await threadsAvailable(2)).toBe(true);
    const rand = prng(13);
    const rows = 256, inputs = 784, classes = 10;
    const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => rand()));
    const y = Array.from({ length: rows }, (_, r) => Array.from({ length: classes }, (_, c) => (c === r % classes ? 1 : 0)));
    const runs: { threads: number; weights: unknown }[] = [];
    try {
      for (const threads of [1, 2]) {
        const net = await createNetwork({
          inputs, layers: [{ units: 64, activation: 'relu' }, { units: classes, activation: 'softmax' }],
          loss: 'categoricalCrossentropy', seed: 7, threads,
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
    const types = await readFile(path.join(ROOT, pkg.exports['.'].types), 'utf8');
    expect(types).toMatch(/createWorkerNetwork/);
    expect(types).toMatch(/createNetwork/);
  });
});

describe('a bundler importing \'wasmlp\', with no plugin and no configuration', () => {
  let app: string;
  const source = "import { createNetwork, createWorkerNetwork } from 'wasmlp';\nglobalThis.wasmlp = { createNetwork, createWorkerNetwork };\n";

  beforeAll(async () => {
    // An application folder with the package installed (linked) in node_modules.
    app = await mkdtemp(path.join(tmpdir(), 'wasmlp-app-'));
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await writeFile(path.join(app, 'main.js'), source);
    await writeFile(path.join(app, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n');
    await mkdir(path.join(app, 'node_modules'));
    await symlink(ROOT, path.join(app, 'node_modules', 'wasmlp'), 'dir');
  });

  afterAll(async () => {
    await rm(app, { recursive: true, force: true });
  });

  it('esbuild (platform browser) bundles it without a warning, leaving no import behind', async () => {
    const result = await esbuild({
      entryPoints: [path.join(app, 'main.js')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: app,
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const [output] = Object.values(result.metafile!.outputs);
    expect(output.imports).toEqual([]);
    const inputs = Object.keys(result.metafile!.inputs);
    expect(inputs.some((input) => input.endsWith('dist/wasmlp.js'))).toBe(true);
    // Without code splitting esbuild inlines the threads chunk: found, so threads work from the bundle too.
    expect(inputs.some((input) => input.endsWith('dist/wasmlp-threads.js'))).toBe(true);
  });

  it('Vite builds it without a warning', async () => {
    const { build } = await import('vite');
    const warnings: string[] = [];
    const logger = {
      info: () => {}, clearScreen: () => {}, hasErrorLogged: () => false, hasWarned: false,
      warn: (message: string) => { warnings.push(message); },
      warnOnce: (message: string) => { warnings.push(message); },
      error: (message: string) => { warnings.push(message); },
    };
    const output = await build({ root: app, configFile: false, logLevel: 'warn', customLogger: logger, build: { write: false } });
    const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => ('output' in o ? o.output : []));
    const code = chunks.filter((chunk) => chunk.type === 'chunk').map((chunk) => (chunk as { code: string }).code);
    expect(code.join('\n')).toMatch(/wasmlp/);
    // The threads chunk split off into one of the application's own, fetched only when threads are asked for.
    expect(code).toHaveLength(2);
    expect(code.filter((text) => /gemmParallel/.test(text))).toHaveLength(1);
    expect(warnings).toEqual([]);
  }, 60_000);

  it('webpack builds it without a warning, the threads chunk split off', async () => {
    const { default: webpack } = await import('webpack');
    const outputPath = path.join(app, 'webpack-dist');
    const stats = await new Promise<import('webpack').Stats>((resolve, reject) => {
      webpack({ mode: 'production', context: app, entry: './main.js', output: { path: outputPath }, performance: { hints: false } },
        (error, result) => (error || !result ? reject(error ?? new Error('webpack gave no stats')) : resolve(result)));
    });
    const info = stats.toJson({ all: false, errors: true, warnings: true, assets: true });
    expect(info.errors).toEqual([]);
    expect(info.warnings).toEqual([]);
    const scripts = (info.assets ?? []).map((asset) => asset.name).filter((name) => name.endsWith('.js'));
    expect(scripts).toHaveLength(2);
    const code = await Promise.all(scripts.map((name) => readFile(path.join(outputPath, name), 'utf8')));
    expect(code.join('\n')).toMatch(/wasmlp/);
    expect(code.filter((text) => /gemmParallel/.test(text))).toHaveLength(1);
  }, 60_000);
});
