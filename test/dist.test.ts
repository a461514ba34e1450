/**
 * The built package (dist/, made by `npm run build`, which npm test runs
 * first): light enough, free of anything a browser or a bundler would trip
 * on, and importable by its name from esbuild and Vite with no plugin and no
 * configuration.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build as esbuild } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (file: string) => path.join(ROOT, 'dist', file);

/** The budget for the minified browser build, kernels inlined: 40 kB gzipped. */
const GZIP_LIMIT_BYTES = 40_000;

describe('dist/', () => {
  it(`minified, with the kernels and the worker inlined, gzips under ${GZIP_LIMIT_BYTES / 1000} kB`, async () => {
    const gzipped = gzipSync(await readFile(dist('wasmlp.min.js'))).length;
    expect(gzipped).toBeLessThan(GZIP_LIMIT_BYTES);
  });

  it.each(['wasmlp.js', 'wasmlp.min.js'])('%s fetches nothing, reads no file and imports nothing', async (file) => {
    const text = await readFile(dist(file), 'utf8');
    expect(text).not.toMatch(/\bfetch\s*\(/);
    expect(text).not.toMatch(/import\.meta/);
    expect(text).not.toMatch(/\.wasm["'`]/);
    // An ESM bundle with no import statement: only the Node-only fallback's import(), of a variable.
    expect(text).not.toMatch(/^\s*import[\s{*]/m);
    expect(text.match(/\bimport\s*\(/g) ?? []).toHaveLength(1);
    expect(text).toMatch(/import\(\s*(\/\*[^*]*\*\/\s*)*[A-Za-z_$][\w$]*\s*\)/);
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
    expect(Object.keys(result.metafile!.inputs).some((input) => input.endsWith('dist/wasmlp.js'))).toBe(true);
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
    const js = chunks.filter((chunk) => chunk.type === 'chunk').map((chunk) => (chunk as { code: string }).code).join('\n');
    expect(js).toMatch(/wasmlp/);
    expect(warnings).toEqual([]);
  }, 60_000);
});
