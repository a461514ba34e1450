/**
 * The package as npm would publish it (`npm pack` after `npm run build`),
 * installed in a small application (test/browser/bundler-app/: its own
 * node_modules/wasmlp, from the tarball, nothing linked to this checkout),
 * imported by its name and bundled by esbuild (platform browser), Vite and
 * webpack 5 with no plugin and no configuration. Each build must give no
 * warning and keep the library's chunks (the kernels, the worker's script,
 * the threaded backend) lazy (each split into a chunk of the application's
 * own, or inlined by esbuild); then its output runs in
 * Chromium, on a plain page and on a cross-origin isolated one, and must
 * train to exactly the numbers Node gives for the same application from the
 * same package: float64 on this thread and in a Web Worker, float32 with Adam,
 * and `threads: 2`, on this thread and in a worker network, on two threads
 * where the page is isolated (the chunk fetched then, and only then: the
 * worker network's threads come from it through the bundler too), on one
 * elsewhere, to the same weights.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build as esbuild } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaticServer, serveStatic } from '../../scripts/serve.js';
import { type Browser, launchChromium } from './chromium.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const APP_SOURCE = fileURLToPath(new URL('./bundler-app/', import.meta.url));
const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

type Weights = { W: number[][]; b: number[] }[];
interface Fitted {
  loss: number[];
  acc?: number[];
  weights: Weights;
  predict?: number[];
}
interface Results {
  seed: Fitted;
  worker: Fitted;
  adam32: Fitted;
  threads: Record<string, { threads: number; loss: number[]; weights: Weights }>;
  /** The same, in a worker network. */
  workerThreads: Record<string, { threads: number; loss: number[]; weights: Weights }>;
  crossOriginIsolated?: boolean;
  error?: string;
}
interface NodeRun {
  results: Results;
  full: Weights;
  min: Weights;
}

interface Built {
  /** The folder to serve: the page and the application's scripts. */
  dir: string;
  warnings: string[];
  /** The bundle's scripts, relative to dir. */
  scripts: { name: string; code: string }[];
  /** esbuild: what the bundle still imports, and which files went into it. */
  imports?: string[];
  inputs?: string[];
}

interface Visit {
  results: Results;
  errors: string[];
  /** What the page fetched, in order. */
  requests: string[];
  /** The URL of every worker the page started. */
  workers: string[];
}

let app: string;
let node: NodeRun;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'wasmlp.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  app = await mkdtemp(path.join(tmpdir(), 'wasmlp-app-'));
  // What `npm publish` would upload (its prepack, the build, is done: --ignore-scripts), extracted as an install would.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', app], { cwd: ROOT });
  const [{ filename }] = JSON.parse(stdout) as { filename: string }[];
  const installed = path.join(app, 'node_modules', 'wasmlp');
  await mkdir(installed, { recursive: true });
  await run('tar', ['-xzf', path.join(app, filename), '-C', installed, '--strip-components=1']);
  await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  for (const file of ['experiment.js', 'main.js', 'node.js', 'index.html'])
    await copyFile(path.join(APP_SOURCE, file), path.join(app, file));
  node = JSON.parse((await run(process.execPath, ['node.js'], { cwd: app, maxBuffer: 64 << 20 })).stdout);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (app) await rm(app, { recursive: true, force: true });
});

it("in Node, the installed package trains the application, and 'wasmlp/min' to the weights of 'wasmlp'", () => {
  expect(node.results.seed.loss).toHaveLength(200);
  expect(node.results.seed.loss.at(-1)).toBeLessThan(node.results.seed.loss[0]);
  expect(node.results.seed.acc?.at(-1)).toBe(1);
  expect(node.results.worker.weights).toEqual(node.results.seed.weights);
  expect(node.results.threads[1].threads).toBe(1);
  expect(node.results.workerThreads[1]).toEqual(node.results.threads[1]);
  expect(node.min).toEqual(node.full);
});

const BUNDLERS: Record<string, () => Promise<Built>> = {
  async esbuild() {
    const dir = path.join(app, 'esbuild-dist');
    const result = await esbuild({
      entryPoints: [path.join(app, 'main.js')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      outdir: dir,
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: app,
    });
    await writeFile(
      path.join(dir, 'index.html'),
      '<!doctype html><link rel="icon" href="data:,"><script type="module" src="./main.js"></script>\n',
    );
    const [output] = Object.values(result.metafile.outputs);
    return {
      dir,
      warnings: [...result.errors, ...result.warnings].map((message) => message.text),
      scripts: [{ name: 'main.js', code: await readFile(path.join(dir, 'main.js'), 'utf8') }],
      imports: output.imports.map((entry) => entry.path),
      inputs: Object.keys(result.metafile.inputs),
    };
  },

  async vite() {
    const { build } = await import('vite');
    const warnings: string[] = [];
    const logger = {
      info: () => {},
      clearScreen: () => {},
      hasErrorLogged: () => false,
      hasWarned: false,
      warn: (message: string) => {
        warnings.push(message);
      },
      warnOnce: (message: string) => {
        warnings.push(message);
      },
      error: (message: string) => {
        warnings.push(message);
      },
    };
    // The application's index.html, built to its dist/: Vite's defaults throughout.
    const output = await build({ root: app, configFile: false, logLevel: 'warn', customLogger: logger });
    const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => ('output' in o ? o.output : []));
    return {
      dir: path.join(app, 'dist'),
      warnings,
      scripts: chunks
        .filter((chunk) => chunk.type === 'chunk')
        .map((chunk) => ({ name: chunk.fileName, code: (chunk as { code: string }).code })),
    };
  },

  async webpack() {
    const { default: webpack } = await import('webpack');
    const dir = path.join(app, 'webpack-dist');
    const stats = await new Promise<import('webpack').Stats>((resolve, reject) => {
      webpack({ mode: 'production', context: app, entry: './main.js', output: { path: dir } }, (error, result) =>
        error || !result ? reject(error ?? new Error('webpack gave no stats')) : resolve(result),
      );
    });
    const info = stats.toJson({ all: false, errors: true, warnings: true, assets: true });
    // webpack writes no page: the application's own loads the bundle, a classic script.
    await writeFile(
      path.join(dir, 'index.html'),
      '<!doctype html><link rel="icon" href="data:,"><script src="./main.js"></script>\n',
    );
    const names = (info.assets ?? []).map((asset) => asset.name).filter((name) => name.endsWith('.js'));
    return {
      dir,
      warnings: [...(info.errors ?? []), ...(info.warnings ?? [])].map((message) => message.message),
      scripts: await Promise.all(names.map(async (name) => ({ name, code: await readFile(path.join(dir, name), 'utf8') }))),
    };
  },
};

async function visit(server: StaticServer): Promise<Visit> {
  const { page, errors } = await browser.page();
  const first = server.requests.length;
  // Every worker the page starts, those already ended too.
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  try {
    await page.goto(server.url);
    await page.waitForFunction(() => 'bundlerResults' in window, undefined, { timeout: 90_000 });
    const results = await page.evaluate(() => (window as unknown as { bundlerResults: Results }).bundlerResults);
    return { results, errors, requests: server.requests.slice(first), workers };
  } finally {
    await page.close();
  }
}

describe.each(Object.keys(BUNDLERS))("%s, importing 'wasmlp' with no plugin and no configuration", (bundler) => {
  let built: Built;
  /** The threaded backend's script when the bundler split it off, in the page's URLs; null when inlined. */
  let chunk: string | null;
  let plain: Visit;
  let isolated: Visit;

  beforeAll(async () => {
    built = await BUNDLERS[bundler]();
    const threaded = built.scripts.filter((script) => /gemmParallel/.test(script.code));
    chunk = threaded.length === 1 && built.scripts.length > 1 ? `/${threaded[0].name}` : null;
    const servers = [await serveStatic(built.dir), await serveStatic(built.dir, 0, CROSS_ORIGIN_ISOLATION)];
    try {
      plain = await visit(servers[0]);
      isolated = await visit(servers[1]);
    } finally {
      for (const server of servers) await server.close();
    }
  }, 180_000);

  it('builds without a warning', () => {
    expect(built.warnings).toEqual([]);
    expect(built.scripts.map((script) => script.code).join('\n')).toMatch(/gemmParallel/);
  });

  /**
   * What marks each of the library's chunks: the threaded backend's kernel names; the worker's own
   * message; the kernels' base64, in the one script besides the threads chunk (which embeds its own).
   */
  const isThreads = (code: string) => /gemmParallel/.test(code);
  const CHUNK_MARKS: ((code: string) => boolean)[] = [
    isThreads,
    (code) => /wasmlp worker: unknown method/.test(code),
    (code) => /[A-Za-z0-9+/]{4000,}/.test(code) && !isThreads(code),
  ];

  if (bundler === 'esbuild') {
    it('inlines the chunks (no code splitting), leaving no import behind', () => {
      expect(built.scripts).toHaveLength(1);
      expect(built.imports).toEqual([]);
      for (const file of ['wasmlp.js', 'wasmlp-kernels.js', 'wasmlp-worker.js', 'wasmlp-threads.js']) {
        expect(
          built.inputs!.some((input) => input.endsWith(`node_modules/wasmlp/dist/${file}`)),
          file,
        ).toBe(true);
      }
    });
  } else {
    it("splits the kernels, the worker's script and the threaded backend off, each into a chunk of the application's own", () => {
      expect(built.scripts).toHaveLength(4);
      expect(chunk).not.toBeNull();
      for (const mark of CHUNK_MARKS)
        expect(
          built.scripts.filter((script) => mark(script.code)),
          String(mark),
        ).toHaveLength(1);
      expect(built.scripts.filter((script) => CHUNK_MARKS.some((mark) => mark(script.code)))).toHaveLength(3);
    });
  }

  it('runs in Chromium without an error, on a plain page and on a cross-origin isolated one', () => {
    expect(plain.results.error).toBeUndefined();
    expect(plain.errors).toEqual([]);
    expect(plain.results.crossOriginIsolated).toBe(false);
    expect(isolated.results.error).toBeUndefined();
    expect(isolated.errors).toEqual([]);
    expect(isolated.results.crossOriginIsolated).toBe(true);
  });

  it('trains to exactly the losses, accuracies, predictions and weights Node gives', () => {
    for (const visited of [plain, isolated]) {
      expect(visited.results.seed).toEqual(node.results.seed);
      expect(visited.results.adam32).toEqual(node.results.adam32);
      expect(visited.results.threads[1]).toEqual(node.results.threads[1]);
      expect(visited.results.workerThreads[1]).toEqual(node.results.threads[1]);
    }
  });

  it('trains in a Web Worker, started from a Blob URL, to the same numbers as on the page', () => {
    for (const visited of [plain, isolated]) expect(visited.results.worker).toEqual(visited.results.seed);
    // The three worker networks'; on the isolated page the page's second thread and the threaded worker network's too.
    expect(plain.workers).toHaveLength(3);
    expect(isolated.workers).toHaveLength(5);
    for (const url of [...plain.workers, ...isolated.workers]) expect(url).toMatch(/^blob:/);
  });

  it('runs threads: 2 on two threads on the isolated page, fetching the threads chunk once, to the weights of one thread', () => {
    for (const two of [isolated.results.threads[2], isolated.results.workerThreads[2]]) {
      expect(two.threads).toBe(2);
      expect(two.weights).toEqual(node.results.threads[1].weights);
      expect(two.loss).toEqual(node.results.threads[1].loss);
    }
    if (chunk) expect(isolated.requests.filter((request) => request === chunk)).toHaveLength(1);
  });

  it('runs threads: 2 on one thread on the plain page, to the same weights, never fetching the threads chunk', () => {
    for (const two of [plain.results.threads[2], plain.results.workerThreads[2]]) {
      expect(two.threads).toBe(1);
      expect(two.weights).toEqual(node.results.threads[1].weights);
    }
    if (chunk) expect(plain.requests).not.toContain(chunk);
    expect(plain.requests.filter((request) => request.endsWith('.wasm'))).toEqual([]);
  });
});
