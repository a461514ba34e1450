/**
 * The threaded wasm backend (src/backend/threads.ts, assembly/threads.ts):
 * large gemms and SGD steps split across two threads give exactly the
 * numbers of one thread, and a network trained on two threads ends with
 * exactly the weights of one trained on one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DTYPES, type Backend, type DType } from '../src/backend/backend.js';
import { createBackend } from '../src/backend/index.js';
import { prng } from './helpers.js';
import { stopThreads, threadsAvailable, ThreadedWasmBackend } from '../src/backend/threads.js';
import { createNetwork } from '../src/index.js';

let available = false;
beforeAll(async () => { available = await threadsAvailable(2); });
afterAll(() => stopThreads());


function upload(be: Backend, values: ArrayLike<number>): number {
  const offset = be.alloc(values.length);
  be.view(offset, values.length).set(Array.from(values));
  return offset;
}

/** C for one gemm on `be`, with a guard element either side of it. */
function gemmOn(be: Backend, transA: boolean, transB: boolean, m: number, n: number, k: number,
                alpha: number, beta: number, A: number[], B: number[], C: number[]): number[] {
  const a = upload(be, A), b = upload(be, B);
  const c = upload(be, [-7, ...C, -7]);
  be.gemm(transA, transB, m, n, k, alpha, a, b, beta, c + be.bytesPerElement);
  const out = Array.from(be.view(c, m * n + 2));
  for (const o of [a, b, c]) be.free(o);
  return out;
}

function identical(actual: number[], expected: number[]): string[] {
  const bad: string[] = [];
  for (let i = 0; i < expected.length && bad.length < 5; i++) {
    if (!Object.is(actual[i], expected[i])) bad.push(`[${i}] ${actual[i]} != ${expected[i]}`);
  }
  return actual.length === expected.length ? bad : [`length ${actual.length} != ${expected.length}`];
}

describe.each(DTYPES)('threaded wasm backend, %s', (dtype: DType) => {
  it('splits large gemms across threads with results identical to one thread', async (context) => {
    if (!available) context.skip();
    const one = await createBackend('wasm', dtype);
    const two = await createBackend('wasm', dtype, 2);
    expect(two).toBeInstanceOf(ThreadedWasmBackend);
    const rand = prng(7);
    // Split by rows (m >= n) and by columns, edges that are not whole
    // micro-tiles or panels, a k of several depth blocks, and W2's shapes.
    const shapes = [[64, 256, 784], [784, 256, 64], [64, 10, 128], [128, 10, 64], [333, 77, 129], [37, 301, 50], [1000, 3, 50], [5, 999, 33]];
    for (const [m, n, k] of shapes) {
      const A = Array.from({ length: m * k }, () => 2 * rand() - 1);
      const B = Array.from({ length: k * n }, () => 2 * rand() - 1);
      const C = Array.from({ length: m * n }, () => 2 * rand() - 1);
      for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
        for (const [alpha, beta] of [[1, 0], [0.5, 2]]) {
          const label = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${m}x${n}x${k} alpha=${alpha} beta=${beta}`;
          const expected = gemmOn(one, transA, transB, m, n, k, alpha, beta, A, B, C);
          expect(identical(gemmOn(two, transA, transB, m, n, k, alpha, beta, A, B, C), expected), label).toEqual([]);
        }
      }
    }
  });

  it('splits large SGD steps with results identical to one thread', async (context) => {
    if (!available) context.skip();
    const one = await createBackend('wasm', dtype);
    const two = await createBackend('wasm', dtype, 2);
    const rand = prng(11);
    for (const n of [40_000, 100_003]) {
      const w = Array.from({ length: n }, () => rand()), g = Array.from({ length: n }, () => rand() - 0.5);
      const results = [one, two].map((be) => {
        const wo = upload(be, w), go = upload(be, g);
        be.sgd(n, 0.1, wo, go);
        const out = Array.from(be.view(wo, n));
        be.free(wo);
        be.free(go);
        return out;
      });
      expect(identical(results[1], results[0]), `n=${n}`).toEqual([]);
    }
  });
});

describe('createNetwork({ threads })', () => {
  it('trains to exactly the weights of one thread', async (context) => {
    if (!available) context.skip();
    const rand = prng(3);
    const rows = 300, inputs = 100, classes = 10;
    const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => rand()));
    const y = Array.from({ length: rows }, (_, r) => Array.from({ length: classes }, (_, c) => (c === r % classes ? 1 : 0)));
    const weights = [];
    for (const threads of [1, 2]) {
      const net = await createNetwork({
        inputs,
        layers: [{ units: 96, activation: 'sigmoid' }, { units: 48, activation: 'tanh' }, { units: classes, activation: 'softmax' }],
        loss: 'categoricalCrossentropy',
        seed: 5,
        threads,
      });
      await net.fit(x, y, { epochs: 3, batchSize: 64, learningRate: 0.5, shuffle: true });
      weights.push(net.getWeights());
      net.dispose();
    }
    expect(weights[1]).toEqual(weights[0]);
  });

  it('refuses a bad thread count, and threads without the wasm backend', async () => {
    const config = { inputs: 2, layers: [{ units: 1, activation: 'sigmoid' as const }], loss: 'binaryCrossentropy' as const };
    await expect(createNetwork({ ...config, threads: 0 })).rejects.toThrow(/threads/);
    await expect(createNetwork({ ...config, threads: 1.5 })).rejects.toThrow(/threads/);
    await expect(createNetwork({ ...config, backend: 'js', threads: 2 })).rejects.toThrow(/threads 2 needs the wasm backend/);
  });
});
