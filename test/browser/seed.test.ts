/**
 * The no-bundler page in real Chromium: dist/wasmlp.js, imported from a
 * static folder by a plain module script, reproduces the NumPy seed run
 * (float64, from the notebook's initial weights) on both backends and
 * through a Web Worker, and fetches nothing besides the page, the library,
 * the two chunks it imports for this (the kernels, the worker's script) and
 * the page's own data.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, seedWeights } from '../../data/seed.js';
import { type StaticServer, serveStatic } from '../../scripts/serve.js';
import { type Browser, launchChromium } from './chromium.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  loss: number[];
  acc: number[];
  weights: { W: number[][]; b: number[] }[];
  epochsSeen?: number;
}
type SeedResults = { userAgent: string; wasm: Run; js: Run; worker: Run; error?: string };

let server: StaticServer;
let browser: Browser;
let results: SeedResults;
let errors: string[];

beforeAll(async () => {
  server = await serveStatic(path.resolve(ROOT));
  browser = await launchChromium();
  const opened = await browser.page();
  errors = opened.errors;
  await opened.page.goto(`${server.url}test/browser/pages/seed.html`);
  await opened.page.waitForFunction(() => 'seedResults' in window, undefined, { timeout: 90_000 });
  results = await opened.page.evaluate(() => (window as unknown as { seedResults: SeedResults }).seedResults);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function maxRelative(actual: number[], expected: number[]): number {
  return Math.max(...actual.map((v, i) => Math.abs(v - expected[i]) / Math.abs(expected[i])));
}

it('runs in Chromium without an error', () => {
  expect(results.error).toBeUndefined();
  expect(results.userAgent).toMatch(/Chrome\/\d+/);
  expect(errors).toEqual([]);
});

describe.each(['wasm', 'js', 'worker'] as const)('the seed in Chromium, %s', (name) => {
  it('reproduces every epoch loss within 1e-9 relative of NumPy, and its accuracies', () => {
    const run = results[name];
    expect(run.loss).toHaveLength(2000);
    expect(maxRelative(run.loss, seed.loss)).toBeLessThan(1e-9);
    expect(run.acc).toEqual(seed.accuracy);
  });

  it("ends at the notebook's final weights within 1e-9", () => {
    const final = seedWeights('final');
    results[name].weights.forEach((layer, l) => {
      layer.W.forEach((row, i) => row.forEach((w, j) => expect(Math.abs(w - final[l].W[i][j])).toBeLessThan(1e-9)));
      layer.b.forEach((b, j) => expect(Math.abs(b - final[l].b[j])).toBeLessThan(1e-9));
    });
  });
});

it('the worker path returns the same weights as the main-thread path, bit for bit', () => {
  expect(results.worker.weights).toEqual(results.wasm.weights);
  expect(results.worker.loss).toEqual(results.wasm.loss);
  expect(results.worker.epochsSeen).toBe(2000);
});

it("fetches only the page, dist/wasmlp.js, its kernels and worker chunks and the page's data: no .wasm file", () => {
  // The page loads its data first, then trains: the kernels' chunk on the first wasm network, the worker's on the first worker network.
  expect(server.requests).toEqual([
    '/test/browser/pages/seed.html',
    '/dist/wasmlp.js',
    '/data/seed-numpy.json',
    '/dist/wasmlp-kernels.js',
    '/dist/wasmlp-worker.js',
  ]);
});
