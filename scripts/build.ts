/**
 * `npm run build` (after its prebuild, `npm run asbuild`): dist/ from src/.
 *
 *   dist/wasmlp.js       the library: ESM, one file for Node, browsers and
 *                        bundlers, which imports the chunks below on first use
 *   dist/wasmlp.min.js   the same, minified, for pages that import it directly
 *   dist/wasmlp-kernels.js  the kernels, deflated: either of the two imports
 *                        it (import('./wasmlp-kernels.js')) when the first
 *                        wasm backend is made (or worker network started)
 *   dist/wasmlp-worker.js   the worker networks' worker, as a string: either
 *                        of the two imports it (import('./wasmlp-worker.js'))
 *                        on the first createWorkerNetwork or
 *                        loadWorkerNetwork, never before
 *   dist/wasmlp-threads.js  the threaded backend with the shared-memory
 *                        kernels, minified: either of the two imports it
 *                        (import('./wasmlp-threads.js')) on the first
 *                        `threads` > 1 where threads can run, never before;
 *                        it holds the worker networks' threads add-on too
 *   dist/types/          type declarations (tsc)
 *   dist/wasmlp-formats.js  `wasmlp/formats`: ONNX and TensorFlow.js in and out,
 *                        importing the library from ./wasmlp.js
 *   dist/wasmlp-predict.js  `wasmlp/predict`: a saved network loaded to predict,
 *                        apart from the library, the float32 forward-only
 *                        kernels embedded; it imports dist/wasmlp-predict-js.js,
 *                        the js backend's forward kernels, on the first
 *                        predictor on backend 'js', and
 *                        dist/wasmlp-predict-f64.js, the float64 kernels, on
 *                        the first float64 predictor
 *   dist/wasmlp-node.js  `wasmlp/node`: csvDataset, a CSV file streamed as a
 *                        dataset, for Node
 *   dist/cli.js          the `wasmlp` command (bin/wasmlp.js runs it)
 *   dist/demo/           the playground page (`npm run demo`)
 *
 * Prints the gzipped size of the minified build, of each chunk and of the
 * command line, which docs/browser.md quotes (docs/threads.md the threads chunk's, docs/predict.md
 * wasmlp/predict's) and test/package/dist.test.ts caps.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  bundleCli,
  bundleDemo,
  bundleFormats,
  bundleKernelsChunk,
  bundleLibrary,
  bundleNode,
  bundlePredict,
  bundlePredictF64Chunk,
  bundlePredictJsChunk,
  bundleThreads,
  bundleWorkerChunk,
  FORMATS_ENTRY,
  KERNELS_CHUNK,
  NODE_ENTRY,
  PREDICT_ENTRY,
  PREDICT_F32_WASM_FILE,
  PREDICT_F64_CHUNK,
  PREDICT_F64_WASM_FILE,
  PREDICT_JS_CHUNK,
  ROOT,
  THREADS_CHUNK,
  THREADS_WASM_FILE,
  WASM_FILE,
  WORKER_CHUNK,
} from './bundles.js';
import { pruneDeclarations } from './declarations.js';

const DIST = path.join(ROOT, 'dist');

async function main(): Promise<void> {
  for (const file of [WASM_FILE, THREADS_WASM_FILE, PREDICT_F32_WASM_FILE, PREDICT_F64_WASM_FILE]) {
    await stat(file).catch(() => {
      throw new Error(`${file} is missing: run \`npm run asbuild\` first (npm run build does)`);
    });
  }
  await rm(DIST, { recursive: true, force: true });

  await bundleLibrary(path.join(DIST, 'wasmlp.js'), { minify: false });
  await bundleLibrary(path.join(DIST, 'wasmlp.min.js'), { minify: true });
  await bundleKernelsChunk(path.join(DIST, KERNELS_CHUNK));
  await bundleWorkerChunk(path.join(DIST, WORKER_CHUNK));
  await bundleThreads(path.join(DIST, THREADS_CHUNK));
  await bundleFormats(path.join(DIST, FORMATS_ENTRY));
  await bundlePredict(path.join(DIST, PREDICT_ENTRY));
  await bundlePredictJsChunk(path.join(DIST, PREDICT_JS_CHUNK));
  await bundlePredictF64Chunk(path.join(DIST, PREDICT_F64_CHUNK));
  await bundleNode(path.join(DIST, NODE_ENTRY));
  await bundleCli(path.join(DIST, 'cli.js'));

  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', path.join(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  pruneDeclarations(path.join(DIST, 'types'));

  // After the library: the demo imports it from dist/ by the package's name.
  const demo = path.join(DIST, 'demo');
  await mkdir(demo, { recursive: true });
  await bundleDemo(path.join(demo, 'demo.js'));
  for (const file of ['index.html', 'style.css']) await copyFile(path.join(ROOT, 'demo', file), path.join(demo, file));

  for (const file of [
    'wasmlp.min.js',
    KERNELS_CHUNK,
    WORKER_CHUNK,
    THREADS_CHUNK,
    FORMATS_ENTRY,
    PREDICT_ENTRY,
    PREDICT_JS_CHUNK,
    PREDICT_F64_CHUNK,
    NODE_ENTRY,
    'cli.js',
  ]) {
    const bytes = await readFile(path.join(DIST, file));
    console.log(`dist/${file}: ${(bytes.length / 1000).toFixed(1)} kB, ${(gzipSync(bytes).length / 1000).toFixed(1)} kB gzipped`);
  }
}

await main();
