/**
 * Worker networks from dist/ with no bundler, in real Chromium
 * (pages/worker.html): a network trained in a Web Worker saves with
 * toJSON() exactly what a Network on the page saves after the same
 * training, runs the page's onTrainBegin / onEpochEnd / onTrainEnd hooks as
 * a Network does (the first epoch waits for onTrainBegin), rejects fit()
 * with a throwing hook's own error; loadWorkerNetwork() predicts bit for bit
 * as loadNetwork() and fails with its messages. With threads: 2, on a page
 * served cross-origin isolated, the worker network runs on two threads (a
 * worker of its worker), the library having fetched dist/wasmlp-threads.js
 * for it, to exactly the weights of one thread; on the same page served
 * without those headers it runs on one thread, to the same weights, and
 * the threads chunk is never fetched. Either way the library fetches its
 * kernels and the worker's script (dist/wasmlp-kernels.js,
 * dist/wasmlp-worker.js) once each, on first use.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaticServer, serveStatic } from '../../scripts/serve.js';
import { type Browser, launchChromium } from './chromium.js';

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
  threaded: { threads: number; loss: [number[], number[]]; weights: [unknown, unknown] };
  loadedThreaded: { threads: number; predictions: [number[], number[]]; saved: [unknown, unknown] };
  workersStartedByThreads: number;
  workersStarted: number;
  error?: string;
}

let servers: Record<'isolated' | 'plain', StaticServer>;
let browser: Browser;

beforeAll(async () => {
  servers = {
    isolated: await serveStatic(path.resolve(ROOT), 0, CROSS_ORIGIN_ISOLATION),
    plain: await serveStatic(path.resolve(ROOT)),
  };
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const server of Object.values(servers ?? {})) await server.close();
});

describe.each([
  ['wasmlp.js', 'isolated'],
  ['wasmlp.min.js', 'isolated'],
  ['wasmlp.js', 'plain'],
  ['wasmlp.min.js', 'plain'],
] as const)('worker networks from dist/%s, no bundler, on a %s page', (lib, serving) => {
  const isolated = serving === 'isolated';
  let results: WorkerResults;
  let errors: string[];
  /** What the page fetched, in order. */
  let requests: string[];

  beforeAll(async () => {
    const server = servers[serving];
    const opened = await browser.page();
    errors = opened.errors;
    const first = server.requests.length;
    try {
      await opened.page.goto(`${server.url}${PAGE.slice(1)}?lib=${lib}`);
      await opened.page.waitForFunction(() => 'workerResults' in window, undefined, { timeout: 90_000 });
      results = await opened.page.evaluate(() => (window as unknown as { workerResults: WorkerResults }).workerResults);
      requests = server.requests.slice(first);
    } finally {
      await opened.page.close();
    }
  }, 120_000);

  it(`runs without an error, ${isolated ? '' : 'not '}cross-origin isolated`, () => {
    expect(results.error).toBeUndefined();
    expect(errors).toEqual([]);
    expect(results.crossOriginIsolated).toBe(isolated);
  });

  it("saves with toJSON() exactly what the page's Network saves after the same training; JSON.stringify(net) refuses", () => {
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

  it(`runs threads: 2 on ${isolated ? 'two threads' : 'one thread, as a Network would here'}, to exactly the losses and weights of one thread`, () => {
    expect(results.threads).toBe(1); // the networks above, which ask for no threads
    expect(results.threaded.threads).toBe(isolated ? 2 : 1);
    const [one, two] = results.threaded.loss;
    expect(one.at(-1)).toBeLessThan(one[0]);
    expect(two).toEqual(one);
    expect(results.threaded.weights[1]).toEqual(results.threaded.weights[0]);
  });

  it(`loadWorkerNetwork(text, { threads: 2 }) runs on ${isolated ? 'two threads' : 'one'}, and trains with Adam and predicts as loadNetwork() on one`, () => {
    expect(results.loadedThreaded.threads).toBe(isolated ? 2 : 1);
    expect(results.loadedThreaded.predictions[1]).toHaveLength(256 * 10 * 4);
    expect(results.loadedThreaded.predictions[1]).toEqual(results.loadedThreaded.predictions[0]);
    expect(results.loadedThreaded.saved[1]).toHaveProperty('optimizer.config.type', 'adam');
    expect(results.loadedThreaded.saved[1]).toStrictEqual(results.loadedThreaded.saved[0]);
  });

  it(`fetches the kernels and the worker's script once each, and the threads chunk ${isolated ? "once, for the worker networks' threads" : 'never'}`, () => {
    expect(requests.slice(0, 2)).toEqual([PAGE, `/dist/${lib}`]);
    // Each chunk once; the order in which they arrive is the page's and the network's timing.
    const chunks = ['/dist/wasmlp-kernels.js', '/dist/wasmlp-worker.js', ...(isolated ? ['/dist/wasmlp-threads.js'] : [])];
    expect(requests.slice(2).sort()).toEqual(chunks.sort());
  });

  it("starts one Web Worker per network on the page (a worker network's threads are its own workers)", () => {
    expect(results.workersStartedByThreads).toBe(2);
    // Two networks, the four malformed loads and the two on threads, each in a worker of its own: the count sees them.
    expect(results.workersStarted).toBe(8);
  });
});
