/**
 * The TensorFlow.js peers: tfjs-core with its wasm backend (XNNPACK, SIMD,
 * one thread, its .wasm files read from node_modules) and its cpu backend
 * (plain JavaScript), in this process, switched with tf.setBackend.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { build } from 'esbuild';

export { tf };
export type TfBackend = 'tfjs-wasm' | 'tfjs-cpu';

let ready: Promise<void> | undefined;

/** Registers the wasm backend once: multithreading off (the one-thread setting); SIMD as tfjs detects it (on in Node 20). */
function init(): Promise<void> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    setWasmPaths(dist);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await registerGradients(require);
  })();
  return ready;
}

export async function useTf(backend: TfBackend): Promise<typeof tf> {
  await init();
  const name = backend === 'tfjs-wasm' ? 'wasm' : 'cpu';
  if (tf.getBackend() !== name) {
    if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to initialise`);
    await tf.ready();
  }
  return tf;
}

export function tfVersion(): string {
  return tf.version_core;
}

/**
 * tfjs-core registers its ops' gradients in a separate module,
 * dist/register_all_gradients.js, which the @tensorflow/tfjs umbrella
 * package imports and tfjs-core's own Node bundle does not. That module is
 * published only as extensionless ES modules, which Node cannot load as they
 * are, so esbuild bundles it here: its copies of the ops register into
 * tfjs-core's global gradient registry and run on its global engine.
 */
async function registerGradients(require: NodeJS.Require): Promise<void> {
  const entry = path.join(
    path.dirname(require.resolve('@tensorflow/tfjs-core/package.json')),
    'dist',
    'register_all_gradients.js',
  );
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    logLevel: 'error',
  });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', result.outputFiles[0].text)(module, module.exports, require);
}
