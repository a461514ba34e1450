/**
 * Worker networks from dist/ with no bundler, in real Chromium
 * (pages/worker.html): a network trained in a Web Worker saves with
 * toJSON() exactly what a Network on the page saves after the same
 * training, runs the page's onTrainBegin / onEpochEnd / onTrainEnd hooks as
 * a Network does (the first epoch waits for onTrainBegin), rejects fit()
 * with a throwing hook's own error; loadWorkerNetwork() predicts bit for bit
 * as loadNetwork() and fails with its messages; and threads > 1 is refused
 * before any worker starts, even on a cross-origin isolated page.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '../../scripts/serve.js';
import { launchChromium, type Browser } from './chromium.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PAGE = '/test/browser/pages/worker.html';
const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

type Pair<T> = { local: T; remote: T };
interface WorkerResults {
  crossOriginIsolated: boolean;
  threads: number;
  hooks: Pair<{ log: string[]; beganUntrained: boolean }>;
  toJSON: Pair<unknown[]> & { stringify: string };
  throwing: Pair<{ log: number[]; same: boolean; training: boolean }>;
  predictions: Pair<number[]>;
  malformed: [string, string][];
  refused: string[];
  workersStartedByRefusals: number;
  workersStarted: number;
  error?: string;
}

let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  server = await serveStatic(path.resolve(ROOT), 0, CROSS_ORIGIN_ISOLATION);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.each(['wasmlp.js', 'wasmlp.min.js'])('worker networks from dist/%s, no bundler', (lib) => {
  let results: WorkerResults;
  let errors: string[];

  beforeAll(async () => {
    const opened = await browser.page();
    errors = opened.errors;
    try {
      await opened.page.goto(`${server.url}${PAGE.slice(1)}?lib=${lib}`);
      await opened.page.waitForFunction(() => 'workerResults' in window, undefined, { timeout: 90_000 });
      results = await opened.page.evaluate(() => (window as unknown as { workerResults: WorkerResults }).workerResults);
    } finally {
      await opened.page.close();
    }
  }, 120_000);

  it('runs without an error, cross-origin isolated', () => {
    expect(results.error).toBeUndefined();
    expect(errors).toEqual([]);
    expect(results.crossOriginIsolated).toBe(true);
  });

  it('saves with toJSON() exactly what the page\'s Network saves after the same training; JSON.stringify(net) refuses', () => {
    expect(results.toJSON.remote).toStrictEqual(results.toJSON.local);
    expect(results.toJSON.remote[1]).toHaveProperty('optimizer.config.type', 'adam');
    expect(results.toJSON.stringify).toMatch(/^toJSON: a worker network's toJSON\(\) returns a promise/);
  });

  it('runs onTrainBegin (awaited before the first epoch), onEpochEnd and onTrainEnd on the page as a Network does', () => {
    expect(results.hooks.remote).toEqual(results.hooks.local);
    expect(results.hooks.remote.beganUntrained).toBe(true);
    expect(results.hooks.remote.log).toEqual(['begin', ...Array.from({ length: 200 }, (_, epoch) => `epoch ${epoch}`), 'end']);
  });

  it('rejects fit() with the very error a throwing hook threw', () => {
    expect(results.throwing.remote).toEqual({ log: [0, 1, 2], same: true, training: false });
    expect(results.throwing.local).toEqual(results.throwing.remote);
  });

  it('loadWorkerNetwork() predicts bit for bit as loadNetwork(), and fails with its messages', () => {
    expect(results.predictions.remote).toHaveLength(200 * 4);
    expect(results.predictions.remote).toEqual(results.predictions.local);
    for (const [remote, local] of results.malformed) expect(remote).toBe(local);
    expect(results.malformed[0][0]).toMatch(/^loadNetwork: the text is not JSON/);
  });

  it('runs on one thread, and refuses threads: 2 before starting a worker', () => {
    expect(results.threads).toBe(1);
    expect(results.refused[0]).toMatch(/^createWorkerNetwork: threads 2 cannot run in a worker network/);
    expect(results.refused[1]).toMatch(/^loadWorkerNetwork: threads 2 cannot run in a worker network/);
    expect(results.workersStartedByRefusals).toBe(0);
    // Two networks and the four malformed loads, each in a worker of its own: the count sees them.
    expect(results.workersStarted).toBe(6);
  });
});
