/**
 * How dist/ is bundled (esbuild), shared by `npm run build` (build.ts) and
 * by src/worker/worker-source.ts, which bundles the worker on first use when
 * wasmlp runs from source.
 *
 * Source files are swapped at bundle time, so that the built library
 * reads no file, fetches nothing and imports no Node built-in:
 * - src/backend/wasm-bytes.ts (reads build/wasmlp.wasm with node:fs)
 *   becomes the kernels embedded in the library (deflated, base64: see
 *   src/backend/embedded-wasm.ts), and in the worker the bytes posted to it
 *   (so they are not embedded twice);
 * - src/worker/worker-source.ts becomes the worker bundle, as a string;
 * - src/backend/threads.ts (the threaded backend) becomes, in the library,
 *   threads-lazy.ts importing the chunk dist/wasmlp-threads.js on first use:
 *   that chunk is threads.ts bundled on its own, with
 *   src/backend/threads-wasm-bytes.ts become the shared-memory kernels
 *   (build/wasmlp.threads.wasm) embedded the same way, and
 *   src/backend/threads-addon-source.ts the worker's threads add-on as a
 *   string: threads.ts again, as a classic script for a worker network's
 *   worker (src/worker/threads-addon.ts), its kernels posted to it;
 * - in the worker, threads.ts becomes src/worker/worker-threads.ts, which
 *   hands over to that add-on when the worker's script begins with it.
 * And @assemblyscript/loader is replaced by assemblyscript-loader.ts.
 * platform 'browser' makes esbuild refuse any Node built-in that slips in.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zlibAsync } from '@gfx/zopfli';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = path.join(ROOT, 'src');
const WASM_BYTES = path.join(SRC, 'backend', 'wasm-bytes.ts');
const WORKER_SOURCE = path.join(SRC, 'worker', 'worker-source.ts');
const THREADS = path.join(SRC, 'backend', 'threads.ts');
const THREADS_WASM_BYTES = path.join(SRC, 'backend', 'threads-wasm-bytes.ts');
const THREADS_ADDON_SOURCE = path.join(SRC, 'backend', 'threads-addon-source.ts');
const THREADS_BUILTIN = path.join(SRC, 'backend', 'threads-builtin.ts');
/**
 * The worker of createWorkerNetwork is a Blob-URL or eval'd script, from
 * which the chunk's relative name resolves to nothing: its threads.ts is a
 * stand-in for the add-on that the thread starting it puts first in its
 * script, when the network asks for threads where they can run.
 */
const WORKER_THREADS = async () => "export * from '../worker/worker-threads.js';";
/** The chunk's name, next to the library in dist/; the library imports it by this relative name. */
export const THREADS_CHUNK = 'wasmlp-threads.js';
const THREADS_LAZY = async () => [
  "import { lazyThreads } from './threads-lazy.js';",
  'export const { createThreadedWasmBackend, threadsAvailable, stopThreads, threadsForWorker } =',
  `  lazyThreads(() => import('./${THREADS_CHUNK}'));`,
].join('\n');
export const WASM_FILE = path.join(ROOT, 'build', 'wasmlp.wasm');
export const THREADS_WASM_FILE = path.join(ROOT, 'build', 'wasmlp.threads.wasm');

/**
 * A module exporting `name`, which returns `file`'s bytes from a base64
 * string of them deflated (embedded-wasm.ts): by zopfli, in the zlib format
 * DecompressionStream('deflate') reads, 5% smaller than zlib's level 9.
 */
async function embeddedWasm(file: string, name: string): Promise<string> {
  const base64 = Buffer.from(await zlibAsync(await readFile(file), { numiterations: 15 })).toString('base64');
  return [
    "import { unpackEmbeddedWasm } from './embedded-wasm.js';",
    `/** build/${path.basename(file)}, deflated, embedded by scripts/bundles.ts. */`,
    `const WASM_DEFLATED_BASE64 = ${JSON.stringify(base64)};`,
    `export function ${name}(): Promise<Uint8Array> { return unpackEmbeddedWasm(WASM_DEFLATED_BASE64); }`,
  ].join('\n');
}

/**
 * A module exporting `name`, which returns `script` (`entry` bundled by
 * bundleScript) as text. Inline, not deflated: the worker repeats much of
 * the library (its messages, for one), which the page's gzip finds nearby
 * (deflated apart, the library would gzip 2.8 kB larger).
 */
function embeddedScript(name: string, entry: string, script: string): () => Promise<string> {
  return async () => [
    `/** ${entry}, bundled by scripts/bundles.ts. */`,
    `const SCRIPT = ${JSON.stringify(script)};`,
    `export async function ${name}(): Promise<string> { return SCRIPT; }`,
  ].join('\n');
}

/** The library's import() of the chunk stays an import() of the file next to it. */
const threadsChunkExternal: Plugin = {
  name: 'wasmlp-threads-chunk',
  setup(pluginBuild) {
    const filter = new RegExp(`^\\./${THREADS_CHUNK.replace(/\./g, '\\.')}$`);
    pluginBuild.onResolve({ filter }, (args) => ({ path: args.path, external: true }));
  },
};

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

/** `entry` as one self-contained classic script (IIFE), minified, as text: nobody reads it but a Worker. */
async function bundleScript(entry: string, replacements: Record<string, () => Promise<string>>): Promise<string> {
  const result = await build({
    ...COMMON,
    entryPoints: [path.join(SRC, 'worker', entry)],
    format: 'iife',
    minify: true,
    write: false,
    plugins: [withoutLoader, replaceFiles(replacements)],
  });
  return result.outputFiles[0].text;
}

/** The worker of createWorkerNetwork. */
export function bundleWorker(): Promise<string> {
  return bundleScript('worker.ts', {
    [WASM_BYTES]: async () => "export { loadWasmBytes } from '../worker/posted-wasm-bytes.js';",
    [THREADS]: WORKER_THREADS,
  });
}

/** The threads chunk never instantiates the single-threaded kernels: it extends wasm.ts's classes only. */
const NO_WASM_BYTES = async () =>
  "export function loadWasmBytes(): Promise<Uint8Array> { throw new Error('the threaded backend carries only the threaded kernels'); }";

/**
 * The worker's threads add-on (src/worker/threads-addon.ts with threads.ts):
 * one self-contained classic script (IIFE), minified, for the threads chunk
 * to hand to createWorkerNetwork as a string. Its shared-memory kernels are
 * posted to the worker, not embedded a second time; it reaches
 * node:worker_threads with require(), which the worker's CommonJS script
 * has, and so holds no import() (nor anything else test/package/dist.test.ts looks
 * for in the chunk).
 */
export function bundleThreadsAddon(): Promise<string> {
  return bundleScript('threads-addon.ts', {
    [WASM_BYTES]: NO_WASM_BYTES,
    [THREADS_WASM_BYTES]: async () => "export { loadThreadedBytes } from '../worker/posted-wasm-bytes.js';",
    [THREADS_BUILTIN]: async () => 'export async function nodeBuiltin<T>(id: string): Promise<T> { return require(id) as T; }',
    [THREADS_ADDON_SOURCE]: async () =>
      "export function threadsAddonSource(): Promise<string> { throw new Error('the threads add-on is not in itself'); }",
  });
}

/**
 * The library, ESM, one file for Node and browsers, the kernels and the
 * worker inside; the threaded backend is the chunk (bundleThreads) it
 * imports on first use.
 */
export async function bundleLibrary(outfile: string, options: { minify: boolean; worker: string }): Promise<void> {
  await build({
    ...COMMON,
    entryPoints: [path.join(SRC, 'index.ts')],
    format: 'esm',
    minify: options.minify,
    outfile,
    plugins: [withoutLoader, threadsChunkExternal, replaceFiles({
      [WASM_BYTES]: () => embeddedWasm(WASM_FILE, 'loadWasmBytes'),
      [WORKER_SOURCE]: embeddedScript('workerSource', 'src/worker/worker.ts', options.worker),
      [THREADS]: THREADS_LAZY,
    })],
  });
}

/**
 * dist/wasmlp-threads.js: threads.ts with the shared-memory kernels inside,
 * self-contained (its own copy of the few classes of wasm.ts it extends), so
 * that one file serves wasmlp.js and wasmlp.min.js alike, and the worker's
 * threads add-on (bundleThreadsAddon) as a string. Minified but for
 * whitespace: bundlers read it too (webpack, Vite), and esbuild drops the
 * webpackIgnore / @vite-ignore comments of its import() of a Node built-in
 * with the whitespace, which makes webpack warn. The single-threaded
 * kernels, which it never instantiates, are kept out.
 */
export async function bundleThreads(outfile: string, options: { addon: string }): Promise<void> {
  await build({
    ...COMMON,
    entryPoints: [THREADS],
    format: 'esm',
    minifyIdentifiers: true,
    minifySyntax: true,
    outfile,
    plugins: [withoutLoader, replaceFiles({
      [WASM_BYTES]: NO_WASM_BYTES,
      [THREADS_WASM_BYTES]: () => embeddedWasm(THREADS_WASM_FILE, 'loadThreadedBytes'),
      [THREADS_ADDON_SOURCE]: embeddedScript('threadsAddonSource', 'src/worker/threads-addon.ts', options.addon),
    })],
  });
}

/**
 * The command line, for Node: src/cli with the library it imports left as
 * an import of the built dist/wasmlp.js (so the kernels are embedded once)
 * and its npm packages (commander, csv-parse, cli-progress) bundled in, so
 * that installing the library installs nothing else. Those packages are
 * CommonJS in part: `require` is made for them (an ESM file has none), and
 * their licenses are written next to the bundle, as their MIT terms ask.
 */
export async function bundleCli(outfile: string): Promise<void> {
  const library: Plugin = {
    name: 'wasmlp-cli-library',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({ path: './wasmlp.js', external: true }));
    },
  };
  const { metafile } = await build({
    ...COMMON,
    platform: 'node',
    entryPoints: [path.join(SRC, 'cli', 'main.ts')],
    format: 'esm',
    outfile,
    banner: { js: "import { createRequire as wasmlpCreateRequire } from 'node:module';\nconst require = wasmlpCreateRequire(import.meta.url);" },
    metafile: true,
    plugins: [library],
  });
  await writeFile(`${outfile.replace(/\.js$/, '')}.licenses.txt`, await bundledLicenses(Object.keys(metafile.inputs)));
}

/** The license texts of the npm packages among a bundle's inputs, each headed by its name and version. */
async function bundledLicenses(inputs: string[]): Promise<string> {
  const packages = new Set(inputs.flatMap((input) => {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    return match ? [match[1]] : [];
  }));
  const sections: string[] = [];
  for (const name of [...packages].sort()) {
    const dir = path.join(ROOT, 'node_modules', name);
    const { version, license } = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
    const file = (await readdir(dir)).find((entry) => /^licen[cs]e/i.test(entry));
    if (!file) throw new Error(`${name} is bundled into the CLI but has no license file`);
    sections.push(`${name} ${version} (${license})\n\n${(await readFile(path.join(dir, file), 'utf8')).trim()}\n`);
  }
  return `The wasmlp command (dist/cli.js) bundles these packages:\n\n${sections.join('\n---\n\n')}`;
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
