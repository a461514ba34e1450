/**
 * `threads: 2` from dist/ with no bundler, in real Chromium. On a page served
 * cross-origin isolated (COOP + COEP), dist/wasmlp.js and dist/wasmlp.min.js
 * each fetch dist/wasmlp-threads.js, run the network on two threads (a
 * Web Worker on shared memory) and end with exactly the weights of one
 * thread. On the same page without those headers, `threads: 2` quietly runs
 * on one thread, to the same weights, and the chunk is never fetched; nor is
 * it on the isolated page while no network asks for threads. Either way the
 * single-threaded kernels' chunk (dist/wasmlp-kernels.js) is fetched once,
 * for the first network.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaticServer, serveStatic } from '../../scripts/serve.js';
import { type Browser, launchChromium } from './chromium.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PAGE = '/test/browser/pages/threads.html';
const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
const DTYPES = ['float32', 'float64'] as const;

interface Run {
  threads: number;
  /** ThreadedWasmBackend.threadStats() after fit: chunks of split work each thread computed; null on one thread. */
  threadStats: number[] | null;
  loss: number[];
  weights: { W: number[][]; b: number[] }[];
}
interface ThreadsResults {
  crossOriginIsolated: boolean;
  threadsAvailable?: boolean;
  runs: Record<string, Run>;
  error?: string;
}
interface Visit {
  results: ThreadsResults;
  errors: string[];
  /** What the page fetched, in order. */
  requests: string[];
  /** The page's Web Workers once it is done. */
  workers: string[];
}

let isolated: StaticServer;
let plain: StaticServer;
let browser: Browser;

beforeAll(async () => {
  isolated = await serveStatic(path.resolve(ROOT), 0, CROSS_ORIGIN_ISOLATION);
  plain = await serveStatic(path.resolve(ROOT));
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

async function visit(server: StaticServer, query: string): Promise<Visit> {
  const { page, errors } = await browser.page();
  const first = server.requests.length;
  try {
    await page.goto(`${server.url}${PAGE.slice(1)}?${query}`);
    await page.waitForFunction(() => 'threadsResults' in window, undefined, { timeout: 90_000 });
    const results = await page.evaluate(() => (window as unknown as { threadsResults: ThreadsResults }).threadsResults);
    return { results, errors, requests: server.requests.slice(first), workers: page.workers().map((worker) => worker.url()) };
  } finally {
    await page.close();
  }
}

describe.each(['wasmlp.js', 'wasmlp.min.js'])('dist/%s, no bundler', (lib) => {
  describe('on a cross-origin isolated page', () => {
    let visited: Visit;
    beforeAll(async () => {
      visited = await visit(isolated, `lib=${lib}`);
    }, 120_000);

    it('runs without an error, cross-origin isolated', () => {
      expect(visited.results.error).toBeUndefined();
      expect(visited.errors).toEqual([]);
      expect(visited.results.crossOriginIsolated).toBe(true);
    });

    it('runs threads: 2 on two threads: threadsAvailable(), the backend, and a Web Worker', () => {
      expect(visited.results.threadsAvailable).toBe(true);
      for (const dtype of DTYPES) {
        expect(visited.results.runs[`${dtype} 2`].threads, dtype).toBe(2);
        expect(visited.results.runs[`${dtype} 1`].threads, dtype).toBe(1);
      }
      // One pool per thread count, shared by both dtypes: one worker, started from a Blob URL.
      expect(visited.workers).toHaveLength(1);
      expect(visited.workers[0]).toMatch(/^blob:/);
    });

    it.each(DTYPES)('%s: the worker computes its share of the split work', (dtype) => {
      const [main, worker, ...more] = visited.results.runs[`${dtype} 2`].threadStats ?? [];
      expect(more).toEqual([]);
      expect(main + worker).toBeGreaterThan(0);
      expect(worker).toBeGreaterThan(0);
      expect(visited.results.runs[`${dtype} 1`].threadStats).toBeNull();
    });

    it.each(DTYPES)('%s: trains on two threads to exactly the weights and losses of one', (dtype) => {
      const one = visited.results.runs[`${dtype} 1`],
        two = visited.results.runs[`${dtype} 2`];
      expect(one.loss.at(-1)).toBeLessThan(one.loss[0]);
      expect(two.loss).toEqual(one.loss);
      expect(two.weights).toEqual(one.weights);
    });

    it('fetches the threads chunk, next to the library, once', () => {
      // The kernels' chunk for the first network (one thread), then the threads chunk for the second.
      expect(visited.requests).toEqual([PAGE, `/dist/${lib}`, '/dist/wasmlp-kernels.js', '/dist/wasmlp-threads.js']);
    });
  });

  describe('on a page that is not cross-origin isolated', () => {
    let visited: Visit;
    let reference: Visit;
    beforeAll(async () => {
      visited = await visit(plain, `lib=${lib}`);
      reference = await visit(isolated, `lib=${lib}&threads=1`);
    }, 120_000);

    it('runs without an error, not isolated', () => {
      expect(visited.results.error).toBeUndefined();
      expect(visited.errors).toEqual([]);
      expect(visited.results.crossOriginIsolated).toBe(false);
    });

    it('falls back to one thread for threads: 2, and threadsAvailable() says so', () => {
      expect(visited.results.threadsAvailable).toBe(false);
      for (const dtype of DTYPES) {
        expect(visited.results.runs[`${dtype} 2`].threads, dtype).toBe(1);
        expect(visited.results.runs[`${dtype} 2`].threadStats, dtype).toBeNull();
      }
      expect(visited.workers).toEqual([]);
    });

    it.each(DTYPES)('%s: still trains to the weights of one thread, here and on the isolated page', (dtype) => {
      const one = visited.results.runs[`${dtype} 1`],
        two = visited.results.runs[`${dtype} 2`];
      expect(two.weights).toEqual(one.weights);
      expect(two.weights).toEqual(reference.results.runs[`${dtype} 1`].weights);
    });

    it('never fetches the threads chunk; nor does an isolated page that asks for no threads', () => {
      expect(visited.requests).toEqual([PAGE, `/dist/${lib}`, '/dist/wasmlp-kernels.js']);
      expect(reference.results.error).toBeUndefined();
      expect(reference.results.crossOriginIsolated).toBe(true);
      expect(reference.requests).toEqual([PAGE, `/dist/${lib}`, '/dist/wasmlp-kernels.js']);
      expect(reference.workers).toEqual([]);
    });
  });
});
