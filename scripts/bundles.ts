/**
 * How dist/ is bundled (esbuild), shared by `npm run build` (build.ts) and
 * by src/worker/worker-source.ts, which bundles the worker on first use when
 * wasmlp runs from source.
 *
 * Two source files are swapped at bundle time, so that the built library
 * reads no file, fetches nothing and imports no Node built-in:
 * - src/backend/wasm-bytes.ts (reads build/wasmlp.wasm with node:fs)
 *   becomes the kernels embedded in the library (deflated, base64: see
 *   src/backend/embedded-wasm.ts), and in the worker the bytes posted to it
 *   (so they are not embedded twice);
 * - src/worker/worker-source.ts becomes the worker bundle, as a string.
 * And @assemblyscript/loader is replaced by assemblyscript-loader.ts.
 * platform 'browser' makes esbuild refuse any Node built-in that slips in.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = path.join(ROOT, 'src');
const WASM_BYTES = path.join(SRC, 'backend', 'wasm-bytes.ts');
const WORKER_SOURCE = path.join(SRC, 'worker', 'worker-source.ts');
/**
 * The threaded wasm backend (src/backend/threads.ts) needs the shared-memory
 * build, which dist/ does not ship: bundles get a stub that always answers
 * with the single-threaded backend (createNetwork's `threads` falls back).
 */
const THREADS = path.join(SRC, 'backend', 'threads.ts');
const THREADS_STUB = async () => [
  "import type { Backend, DType } from './backend.js';",
  'export async function createThreadedWasmBackend(_dtype: DType, _threads: number, fallback: () => Promise<Backend>): Promise<Backend> { return fallback(); }',
  'export async function threadsAvailable(): Promise<boolean> { return false; }',
  'export async function stopThreads(): Promise<void> {}',
].join('\n');
export const WASM_FILE = path.join(ROOT, 'build', 'wasmlp.wasm');

/** Replaces whole source files with generated TypeScript. */
function replaceFiles(replacements: Record<string, () => Promise<string>>): Plugin {
  return {
    name: 'wasmlp-replace-files',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.ts$/ }, async (args) => {
        const generate = replacements[path.resolve(args.path)];
        if (!generate) return undefined;
        return { contents: await generate(), loader: 'ts', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

/** The library uses nothing of the loader but instantiate(); see assemblyscript-loader.ts. */
const withoutLoader: Plugin = {
  name: 'wasmlp-without-loader',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@assemblyscript\/loader$/ }, () => ({
      path: path.join(ROOT, 'scripts', 'assemblyscript-loader.ts'),
    }));
  },
};

const COMMON: BuildOptions = {
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  legalComments: 'none',
  logLevel: 'warning',
};

/** The worker: one self-contained script (IIFE), minified; nobody reads it but a Worker. */
export async function bundleWorker(): Promise<string> {
  const result = await build({
    ...COMMON,
    entryPoints: [path.join(SRC, 'worker', 'worker.ts')],
    format: 'iife',
    minify: true,
    write: false,
    plugins: [withoutLoader, replaceFiles({
      [WASM_BYTES]: async () => "export { loadWasmBytes } from '../worker/posted-wasm-bytes.js';",
      [THREADS]: THREADS_STUB,
    })],
  });
  return result.outputFiles[0].text;
}

/** The library, ESM, one file for Node and browsers, the kernels and the worker inside. */
export async function bundleLibrary(outfile: string, options: { minify: boolean; worker: string }): Promise<void> {
  const base64 = deflateSync(await readFile(WASM_FILE), { level: 9 }).toString('base64');
  await build({
    ...COMMON,
    entryPoints: [path.join(SRC, 'index.ts')],
    format: 'esm',
    minify: options.minify,
    outfile,
    plugins: [withoutLoader, replaceFiles({
      [WASM_BYTES]: async () => [
        "import { unpackEmbeddedWasm } from './embedded-wasm.js';",
        '/** build/wasmlp.wasm, deflated, embedded by scripts/bundles.ts. */',
        `const WASM_DEFLATED_BASE64 = ${JSON.stringify(base64)};`,
        'export function loadWasmBytes(): Promise<Uint8Array> { return unpackEmbeddedWasm(WASM_DEFLATED_BASE64); }',
      ].join('\n'),
      [WORKER_SOURCE]: async () => [
        '/** src/worker/worker.ts, bundled by scripts/bundles.ts. */',
        `const WORKER_SOURCE = ${JSON.stringify(options.worker)};`,
        'export async function workerSource(): Promise<string> { return WORKER_SOURCE; }',
      ].join('\n'),
      [THREADS]: THREADS_STUB,
    })],
  });
}

/**
 * The command line, for Node: src/cli with the library it imports left as
 * an import of the built dist/wasmlp.js (so the kernels are embedded once)
 * and its npm dependencies (commander, csv-parse, cli-progress) external.
 */
export async function bundleCli(outfile: string): Promise<void> {
  const library: Plugin = {
    name: 'wasmlp-cli-library',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({ path: './wasmlp.js', external: true }));
    },
  };
  await build({
    ...COMMON,
    platform: 'node',
    entryPoints: [path.join(SRC, 'cli', 'main.ts')],
    format: 'esm',
    packages: 'external',
    outfile,
    plugins: [library],
  });
}

/**
 * The demo page's script. Plain esbuild, no plugin: it imports the package
 * by its name ('wasmlp', resolved through package.json "exports" to
 * dist/wasmlp.js), exactly as an application would. demo/tsconfig.json maps
 * 'wasmlp' to the source for type-checking only; tsconfigRaw keeps esbuild
 * from following that mapping.
 */
export async function bundleDemo(outfile: string): Promise<void> {
  await build({
    ...COMMON,
    entryPoints: [path.join(ROOT, 'demo', 'main.ts')],
    format: 'esm',
    minify: true,
    tsconfigRaw: {},
    outfile,
    absWorkingDir: ROOT,
    metafile: true,
  }).then(({ metafile }) => {
    const inputs = Object.keys(metafile!.inputs);
    if (!inputs.includes('dist/wasmlp.js')) throw new Error(`the demo bundle did not take wasmlp from dist/ (inputs: ${inputs.join(', ')})`);
  });
}
