/**
 * How dist/ is bundled (esbuild), shared by `npm run build` (build.ts) and by
 * the source variants of two seams (src/platform/worker-script.source.ts,
 * threads-addon-script.source.ts), which bundle the worker and the threads
 * add-on on first use when wasmlp runs from source.
 *
 * Where bundles differ (how the kernels' bytes arrive, whether the worker's
 * script or the threaded backend is inside or fetched on first use, how a
 * Node built-in is reached), the source imports a seam, src/platform/<seam>.ts,
 * which re-exports the variant the source runs take; each variant is a real,
 * type-checked file, src/platform/<seam>.<variant>.ts. SEAMS below says which
 * variant each bundle takes: the build loads the seam file as a re-export of
 * that variant, and fails if a bundle reaches a seam its row does not name.
 * Text a variant embeds (kernels, scripts) is defined by the build as a
 * global constant (EMBEDS).
 *
 * The bundles (build.ts lists the files):
 * - library: dist/wasmlp.js and dist/wasmlp.min.js, one ESM file for Node,
 *   browsers and bundlers, which imports each chunk on first use, by its
 *   literal name relative to itself (a page importing dist/ from a static
 *   folder fetches it from there; a bundler splits it off or inlines it);
 * - kernels-chunk: dist/wasmlp-kernels.js, the single-threaded kernels,
 *   which the library imports when the first wasm backend is made;
 * - worker-chunk: dist/wasmlp-worker.js, the worker's script as a string,
 *   which the library imports on the first worker network;
 * - threads-chunk: dist/wasmlp-threads.js, the threaded backend and its
 *   shared-memory kernels, which the library imports on the first `threads`
 *   > 1 where threads can run, and which holds the threads add-on;
 * - worker: src/worker/worker.ts as one classic script (text, not a file);
 * - threads-addon: src/worker/threads-addon.ts with the threaded backend, one
 *   classic script run at the head of a worker network's worker for threads;
 * - formats: dist/wasmlp-formats.js, `wasmlp/formats`, importing dist/wasmlp.js;
 * - predict: dist/wasmlp-predict.js, `wasmlp/predict`, apart from the
 *   library: the float32 forward-only kernels embedded, no training code;
 * - predict-js-chunk: dist/wasmlp-predict-js.js, the js backend's forward
 *   kernels, which wasmlp-predict.js imports on the first backend 'js';
 * - predict-f64-chunk: dist/wasmlp-predict-f64.js, the float64 forward-only
 *   kernels, which wasmlp-predict.js imports on the first float64 predictor;
 * - node: dist/wasmlp-node.js, `wasmlp/node`, for Node: csvDataset, apart
 *   from the library (it reads files, and trains nothing itself);
 * - cli: dist/cli.js, for Node, importing dist/wasmlp.js.
 * platform 'browser' makes esbuild refuse any Node built-in that slips in.
 */

import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zlibAsync } from '@gfx/zopfli';
import { type BuildOptions, build, type Plugin } from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = path.join(ROOT, 'src');
const PLATFORM = path.join(SRC, 'platform');
/** The chunks' names, next to the library in dist/ as their entries are next to the seams in src/platform/. */
export const KERNELS_CHUNK = 'wasmlp-kernels.js';
export const WORKER_CHUNK = 'wasmlp-worker.js';
export const THREADS_CHUNK = 'wasmlp-threads.js';
export const FORMATS_ENTRY = 'wasmlp-formats.js';
export const PREDICT_ENTRY = 'wasmlp-predict.js';
export const PREDICT_JS_CHUNK = 'wasmlp-predict-js.js';
export const PREDICT_F64_CHUNK = 'wasmlp-predict-f64.js';
export const NODE_ENTRY = 'wasmlp-node.js';
export const WASM_FILE = path.join(ROOT, 'build', 'wasmlp.wasm');
export const THREADS_WASM_FILE = path.join(ROOT, 'build', 'wasmlp.threads.wasm');
export const PREDICT_F32_WASM_FILE = path.join(ROOT, 'build', 'wasmlp.predict.f32.wasm');
export const PREDICT_F64_WASM_FILE = path.join(ROOT, 'build', 'wasmlp.predict.f64.wasm');

const SEAM_NAMES = [
  'kernels',
  'threaded-kernels',
  'threaded-backend',
  'worker-script',
  'threads-addon-script',
  'node-builtin',
  'predict-kernels',
  'predict-js-backend',
] as const;
type Seam = (typeof SEAM_NAMES)[number];
type Bundle =
  | 'source'
  | 'library'
  | 'kernels-chunk'
  | 'worker-chunk'
  | 'threads-chunk'
  | 'worker'
  | 'threads-addon'
  | 'formats'
  | 'predict'
  | 'predict-js-chunk'
  | 'predict-f64-chunk'
  | 'node'
  | 'cli';

/**
 * Which variant of each seam (src/platform/<seam>.<variant>.ts) each bundle
 * takes; '-': the bundle never reaches the seam. `source` is what the seam
 * files re-export for tsx and vitest, which the build checks too.
 */
const SEAMS: Record<Bundle, readonly string[]> = {
  //   kernels  threaded-kernels  threaded-backend  worker-script  threads-addon-script  node-builtin  predict-kernels  predict-js-backend
  source: ['node', 'node', 'direct', 'source', 'source', 'import', 'node', 'direct'],
  library: ['chunk', '-', 'lazy', 'chunk', '-', 'import', '-', '-'],
  'kernels-chunk': ['embedded', '-', '-', '-', '-', '-', '-', '-'],
  'worker-chunk': ['-', '-', '-', 'embedded', '-', '-', '-', '-'],
  'threads-chunk': ['none', 'embedded', '-', '-', 'embedded', 'import', '-', '-'],
  worker: ['posted', '-', 'worker', '-', '-', '-', '-', '-'],
  'threads-addon': ['none', 'posted', '-', '-', 'none', 'require', '-', '-'],
  formats: ['-', '-', '-', '-', '-', '-', '-', '-'],
  predict: ['-', '-', '-', '-', '-', '-', 'embedded', 'lazy'],
  'predict-js-chunk': ['-', '-', '-', '-', '-', '-', '-', 'direct'],
  'predict-f64-chunk': ['-', '-', '-', '-', '-', '-', 'float64', '-'],
  node: ['-', '-', '-', '-', '-', '-', '-', '-'],
  cli: ['-', '-', '-', '-', '-', '-', '-', '-'],
};

/**
 * What the embedded variants embed, by the global constant each declares:
 * the kernels deflated and in base64, the scripts as text.
 */
const EMBEDS: Record<string, { constant: string; text: () => Promise<string> }> = {
  'kernels.embedded': { constant: 'WASMLP_KERNELS', text: () => embeddedWasm(WASM_FILE) },
  'threaded-kernels.embedded': { constant: 'WASMLP_THREADED_KERNELS', text: () => embeddedWasm(THREADS_WASM_FILE) },
  'predict-kernels.embedded': { constant: 'WASMLP_PREDICT_F32_KERNELS', text: () => embeddedWasm(PREDICT_F32_WASM_FILE) },
  'predict-kernels.float64': { constant: 'WASMLP_PREDICT_F64_KERNELS', text: () => embeddedWasm(PREDICT_F64_WASM_FILE) },
  'worker-script.embedded': { constant: 'WASMLP_WORKER_SCRIPT', text: () => bundleWorker() },
  'threads-addon-script.embedded': { constant: 'WASMLP_THREADS_ADDON_SCRIPT', text: () => bundleThreadsAddon() },
};

/** Made once per process, whichever bundle or source run asks first. */
const memo = <T>(fn: () => Promise<T>): (() => Promise<T>) => {
  let cached: Promise<T> | undefined;
  return () => (cached ??= fn());
};

/**
 * build/wasmlp*.wasm deflated by zopfli, in the zlib format
 * DecompressionStream('deflate') reads (5% smaller than zlib's level 9), then
 * base64 (src/platform/embedded-wasm.ts unpacks it).
 */
const embeddedWasm = async (file: string): Promise<string> =>
  Buffer.from(await zlibAsync(await readFile(file), { numiterations: 15 })).toString('base64');

/** The variant `bundle` takes of each seam, by seam. */
function row(bundle: Bundle): Map<Seam, string> {
  return new Map(SEAM_NAMES.flatMap((seam, i) => (SEAMS[bundle][i] === '-' ? [] : [[seam, SEAMS[bundle][i]] as const])));
}

/**
 * Loads each seam file reached as a re-export of the variant `bundle`
 * takes, and defines the constants its embedded variants declare.
 */
async function seams(bundle: Bundle): Promise<{ plugin: Plugin; define: Record<string, string> }> {
  const variants = row(bundle);
  const define: Record<string, string> = {};
  for (const [seam, variant] of variants) {
    const embed = EMBEDS[`${seam}.${variant}`];
    if (embed) define[embed.constant] = JSON.stringify(await embed.text());
  }
  const source = row('source');
  const plugin: Plugin = {
    name: 'wasmlp-seams',
    setup(pluginBuild) {
      const filter = new RegExp(`[\\/]src[\\/]platform[\\/](${SEAM_NAMES.join('|')})\\.ts$`);
      pluginBuild.onLoad({ filter }, async (args) => {
        const seam = filter.exec(args.path)![1] as Seam;
        const sourceExport = `export * from './${seam}.${source.get(seam)}.js';`;
        if (!(await readFile(args.path, 'utf8')).includes(sourceExport)) {
          throw new Error(`${args.path} must re-export the variant SEAMS gives the source: ${sourceExport}`);
        }
        const variant = variants.get(seam);
        if (!variant) throw new Error(`the ${bundle} bundle reaches the seam ${seam}, which SEAMS says it never does`);
        return { contents: `export * from './${seam}.${variant}.js';`, loader: 'ts', resolveDir: PLATFORM };
      });
    },
  };
  return { plugin, define };
}

/** The library's (and wasmlp-predict.js's) import() of a chunk stays an import() of the file next to it. */
const chunksExternal: Plugin = {
  name: 'wasmlp-chunks',
  setup(pluginBuild) {
    const names = [KERNELS_CHUNK, WORKER_CHUNK, THREADS_CHUNK, PREDICT_JS_CHUNK, PREDICT_F64_CHUNK].map((name) =>
      name.replace(/\./g, '\\.'),
    );
    pluginBuild.onResolve({ filter: new RegExp(`^\\./(${names.join('|')})$`) }, (args) => ({ path: args.path, external: true }));
  },
};

const COMMON: BuildOptions = {
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  legalComments: 'none',
  logLevel: 'warning',
};

/** `entry` as bundle `bundle` with its seams; `options` say the rest. */
async function bundleWith(bundle: Bundle, entry: string, options: BuildOptions) {
  const { plugin, define } = await seams(bundle);
  return build({ ...COMMON, entryPoints: [entry], define, ...options, plugins: [plugin, ...(options.plugins ?? [])] });
}

/** `entry` as one self-contained classic script (IIFE), minified, as text: nobody reads it but a Worker. */
async function bundleScript(bundle: 'worker' | 'threads-addon', entry: string): Promise<string> {
  const result = await bundleWith(bundle, path.join(SRC, 'worker', entry), { format: 'iife', minify: true, write: false });
  return result.outputFiles![0].text;
}

/** The worker of createWorkerNetwork; the kernels are posted to it, not embedded a second time. */
export const bundleWorker = memo(() => bundleScript('worker', 'worker.ts'));

/**
 * The worker's threads add-on (src/worker/threads-addon.ts with the
 * threaded backend): one classic script for the threads chunk to hand to
 * createWorkerNetwork as a string. Its shared-memory kernels are posted to
 * the worker, not embedded a second time; it reaches node:worker_threads
 * with require(), which the worker's CommonJS script has in Node, and so
 * holds no import() (nor anything else test/package/dist.test.ts looks for
 * in the chunk).
 */
export const bundleThreadsAddon = memo(() => bundleScript('threads-addon', 'threads-addon.ts'));

/**
 * The library, ESM, one file for Node and browsers; the kernels, the
 * worker's script and the threaded backend are the chunks
 * (bundleKernelsChunk, bundleWorkerChunk, bundleThreads) it imports on
 * first use.
 */
export async function bundleLibrary(outfile: string, options: { minify: boolean }): Promise<void> {
  await bundleWith('library', path.join(SRC, 'index.ts'), {
    format: 'esm',
    minify: options.minify,
    outfile,
    plugins: [chunksExternal],
  });
}

/** dist/wasmlp-kernels.js: the single-threaded kernels, deflated, base64. */
export async function bundleKernelsChunk(outfile: string): Promise<void> {
  await bundleWith('kernels-chunk', path.join(PLATFORM, 'wasmlp-kernels.ts'), { format: 'esm', minify: true, outfile });
}

/**
 * dist/wasmlp-worker.js: the worker's script as a string. Inline, not
 * deflated: the page's gzip takes it as well as it takes any script.
 */
export async function bundleWorkerChunk(outfile: string): Promise<void> {
  await bundleWith('worker-chunk', path.join(PLATFORM, 'wasmlp-worker.ts'), { format: 'esm', minify: true, outfile });
}

/**
 * dist/wasmlp-threads.js: the threaded backend with the shared-memory
 * kernels inside, self-contained (its own copy of the few classes of
 * wasm.ts it extends), so that one file serves wasmlp.js and wasmlp.min.js
 * alike, and the worker's threads add-on as a string. Minified but for
 * whitespace: bundlers read it too (webpack, Vite), and esbuild drops the
 * webpackIgnore / @vite-ignore comments of its import() of a Node built-in
 * with the whitespace, which makes webpack warn. The single-threaded
 * kernels, which it never instantiates, are kept out.
 */
export async function bundleThreads(outfile: string): Promise<void> {
  await bundleWith('threads-chunk', path.join(PLATFORM, 'wasmlp-threads.ts'), {
    format: 'esm',
    minifyIdentifiers: true,
    minifySyntax: true,
    outfile,
  });
}

/** A bundle's import of `specifier` left as an import of the built library next to it, so that both share one Network. */
function libraryExternal(specifier: RegExp): Plugin {
  return {
    name: 'wasmlp-library-external',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: specifier }, () => ({ path: './wasmlp.js', external: true }));
    },
  };
}

/**
 * dist/wasmlp-formats.js, the package's `wasmlp/formats`: ONNX and
 * TensorFlow.js conversions, with protobufjs's runtime bundled in (its
 * license written beside it). Apart from the library, whose Network and
 * loadNetwork it imports from ./wasmlp.js, because protobuf weighs as much
 * as the library itself. `long` stays out: protobufjs requires it inside a
 * try and reads 64-bit fields as numbers without it, which is all an MLP's
 * dimensions and versions need.
 */
export async function bundleFormats(outfile: string): Promise<void> {
  const { metafile } = await bundleWith('formats', path.join(SRC, 'formats', 'index.ts'), {
    format: 'esm',
    minify: true,
    outfile,
    external: ['long'],
    metafile: true,
    plugins: [libraryExternal(/^\.\.\/network\.js$/)],
  });
  await writeFile(
    `${outfile.replace(/\.js$/, '')}.licenses.txt`,
    await bundledLicenses('dist/wasmlp-formats.js', Object.keys(metafile!.inputs)),
  );
}

/**
 * dist/wasmlp-predict.js, the package's `wasmlp/predict`: loadPredictor
 * with the float32 forward-only kernels embedded, apart from the library (it
 * imports neither it nor its chunks), minified, for pages that only run a
 * trained model. Its own chunks, imported on first use: the js backend's
 * forward kernels, dist/wasmlp-predict-js.js (bundlePredictJsChunk), and
 * the float64 kernels, dist/wasmlp-predict-f64.js (bundlePredictF64Chunk).
 * None reaches training code: test/package/dist.test.ts holds them to
 * their budgets and looks for none.
 */
export async function bundlePredict(outfile: string): Promise<void> {
  await bundleWith('predict', path.join(SRC, 'predict', 'index.ts'), {
    format: 'esm',
    minify: true,
    outfile,
    plugins: [chunksExternal],
  });
}

/** dist/wasmlp-predict-js.js: the js backend's forward kernels, for wasmlp-predict.js. */
export async function bundlePredictJsChunk(outfile: string): Promise<void> {
  await bundleWith('predict-js-chunk', path.join(PLATFORM, 'wasmlp-predict-js.ts'), { format: 'esm', minify: true, outfile });
}

/** dist/wasmlp-predict-f64.js: the float64 forward-only kernels, deflated, base64, for wasmlp-predict.js. */
export async function bundlePredictF64Chunk(outfile: string): Promise<void> {
  await bundleWith('predict-f64-chunk', path.join(PLATFORM, 'wasmlp-predict-f64.ts'), { format: 'esm', minify: true, outfile });
}

/**
 * dist/wasmlp-node.js, the package's `wasmlp/node`: csvDataset, the CSV
 * reader `wasmlp train` streams with, for Node (it reads files), minified.
 * It needs nothing of the library's: its batches are plain typed arrays,
 * which any Network's fitDataset takes.
 */
export async function bundleNode(outfile: string): Promise<void> {
  await bundleWith('node', path.join(SRC, 'node', 'index.ts'), { platform: 'node', format: 'esm', minify: true, outfile });
}

/**
 * The command line, for Node: src/cli with the library and the formats it
 * imports left as imports of the built dist/wasmlp.js and
 * dist/wasmlp-formats.js (so the kernels, the converters and protobufjs are
 * in the package once, and no seam is reached here) and its npm packages
 * (commander, cli-progress) bundled in, so that installing the
 * library installs nothing else. Those packages are CommonJS in part:
 * `require` is made for them (an ESM file has none), and their licenses are
 * written next to the bundle, as their MIT terms ask.
 */
export async function bundleCli(outfile: string): Promise<void> {
  // Any module of src/formats but index.ts and written.ts (constants) would be a second copy of the converters.
  const formatsExternal: Plugin = {
    name: 'wasmlp-formats-external',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\.\.\/formats\/[^/]+\.js$/ }, (args) => {
        if (args.path === '../formats/index.js') return { path: `./${FORMATS_ENTRY}`, external: true };
        if (args.path === '../formats/written.js') return undefined;
        return {
          errors: [
            { text: `${args.importer} imports ${args.path}: the command line takes the formats from ../formats/index.js` },
          ],
        };
      });
    },
  };
  const { metafile } = await bundleWith('cli', path.join(SRC, 'cli', 'main.ts'), {
    platform: 'node',
    format: 'esm',
    outfile,
    banner: {
      js: "import { createRequire as wasmlpCreateRequire } from 'node:module';\nconst require = wasmlpCreateRequire(import.meta.url);",
    },
    metafile: true,
    plugins: [libraryExternal(/^\.\.\/index\.js$/), formatsExternal],
  });
  await writeFile(
    `${outfile.replace(/\.js$/, '')}.licenses.txt`,
    await bundledLicenses('dist/cli.js', Object.keys(metafile!.inputs)),
  );
}

/** The license texts of the npm packages among a bundle's inputs, each headed by its name and version. */
async function bundledLicenses(bundle: string, inputs: string[]): Promise<string> {
  // The package directory is the part up to the last node_modules/<name>/ (a nested package is its own).
  const packages = new Set(
    inputs.flatMap((input) => {
      const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      return match ? [match[1]] : [];
    }),
  );
  const sections: string[] = [];
  for (const dir of [...packages].sort()) {
    const { name, version, license } = JSON.parse(await readFile(path.join(ROOT, dir, 'package.json'), 'utf8'));
    const file = (await readdir(path.join(ROOT, dir))).find((entry) => /^licen[cs]e/i.test(entry));
    if (!file) throw new Error(`${name} is bundled into ${bundle} but has no license file`);
    sections.push(`${name} ${version} (${license})\n\n${(await readFile(path.join(ROOT, dir, file), 'utf8')).trim()}\n`);
  }
  return `${bundle} bundles these packages:\n\n${[...new Set(sections)].join('\n---\n\n')}`;
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
    if (!inputs.includes('dist/wasmlp.js'))
      throw new Error(`the demo bundle did not take wasmlp from dist/ (inputs: ${inputs.join(', ')})`);
  });
}
