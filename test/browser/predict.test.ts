/**
 * wasmlp/predict on a no-bundler page in real Chromium: dist/wasmlp-predict.js,
 * imported from a static folder by a plain module script, predicts bit for
 * bit what the library's networks predict in Node, on each backend and
 * dtype, and fetches nothing but itself and, for float64 or the js backend,
 * its chunks.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type StaticServer, serveStatic } from '../../scripts/serve.js';
import { createNetwork } from '../../src/index.js';
import { prng } from '../helpers.js';
import { type Browser, launchChromium } from './chromium.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What the page answers: the predictions' typed array, by its name and bytes. */
type PredictWith = (text: string, backend: string, x: number[][]) => Promise<{ type: string; bytes: number[] }>;

let server: StaticServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  server = await serveStatic(path.resolve(ROOT));
  browser = await launchChromium();
  ({ page, errors } = await browser.page());
  await page.goto(`${server.url}test/browser/pages/predict.html`);
  await page.waitForFunction(() => 'predictWith' in window, undefined, { timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('predicts in Chromium the bits the library predicts in Node, on each backend and dtype', async () => {
  const rand = prng(31);
  const x = Array.from({ length: 1100 }, () => Array.from({ length: 5 }, () => 6 * rand() - 3));
  for (const backend of ['wasm', 'js'] as const)
    for (const dtype of ['float32', 'float64'] as const) {
      const net = await createNetwork({
        inputs: 5,
        layers: [
          { units: 16, activation: 'tanh' },
          { units: 8, activation: 'sigmoid' },
          { units: 4, activation: 'softmax' },
        ],
        loss: 'categoricalCrossentropy',
        backend,
        dtype,
        seed: 2,
      });
      const expected = net.predict(x);
      const text = JSON.stringify(net.toJSON());
      net.dispose();
      const got = await page.evaluate(
        ([t, b, rows]) => (window as unknown as { predictWith: PredictWith }).predictWith(t, b, rows),
        [text, backend, x] as const,
      );
      expect(got.type, `${backend} ${dtype}`).toBe(expected.constructor.name);
      expect(got.bytes, `${backend} ${dtype}`).toEqual(Array.from(new Uint8Array(expected.buffer)));
      if (backend === 'wasm' && dtype === 'float32') {
        // The first and the common case: one file.
        expect(server.requests).toEqual(['/test/browser/pages/predict.html', '/dist/wasmlp-predict.js']);
      }
    }
  expect(errors).toEqual([]);
});

it('fetches only the page, dist/wasmlp-predict.js and, for float64 and the js backend, their chunks: no .wasm file', () => {
  expect(server.requests).toEqual([
    '/test/browser/pages/predict.html',
    '/dist/wasmlp-predict.js',
    '/dist/wasmlp-predict-f64.js',
    '/dist/wasmlp-predict-js.js',
  ]);
});
