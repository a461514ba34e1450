/**
 * The threaded wasm backend (src/backend/threads.ts, assembly/threads.ts):
 * large gemms and optimiser steps split across two threads give exactly the
 * numbers of one thread, and a network trained on two threads ends with
 * exactly the weights of one trained on one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DTYPES, type Backend, type DType } from '../src/backend/backend.js';
import { createBackend } from '../src/backend/index.js';
import { denseCase, prng, runDense } from './helpers.js';
import { stopThreads, threadsAvailable, ThreadedWasmBackend } from '../src/backend/threads.js';
import { createNetwork } from '../src/index.js';

// Node always has shared memory and workers: threads must start here, never skip.
beforeAll(async () => { expect(await threadsAvailable(2)).toBe(true); });
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
  it('splits large gemms across threads with results identical to one thread', async () => {
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

  it('splits the fused dense kernels, each thread finishing its own block, with results identical to one thread', async () => {
    const one = await createBackend('wasm', dtype);
    const two = await createBackend('wasm', dtype, 2);
    // Forward splits these by columns (units > rows), then by rows; backward by columns (inputs) or rows.
    const shapes = [[64, 784, 256], [64, 100, 250], [300, 50, 37], [301, 37, 50]];
    for (const activation of ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'] as const) {
      for (const [rows, inputs, units] of shapes) {
        for (const forward of [true, false]) {
          const c = denseCase(rows * inputs + units, rows, inputs, units, activation, forward);
          const label = `${forward ? 'denseForward' : 'denseBackwardInput'} ${activation} ${rows}x${inputs}x${units}`;
          expect(identical(runDense(two, forward, c), runDense(one, forward, c)), label).toEqual([]);
        }
      }
    }
  });

  it('splits large optimiser steps (sgd, momentum, nesterov, adam) with results identical to one thread', async () => {
    const one = await createBackend('wasm', dtype);
    const two = await createBackend('wasm', dtype, 2);
    const rand = prng(11);
    const steps: [string, (be: Backend, n: number, [w, g, s1, s2]: number[]) => void][] = [
      ['sgd', (be, n, [w, g]) => be.sgd(n, 0.1, w, g)],
      ['momentum', (be, n, [w, g, s1]) => be.sgdMomentum(n, 0.1, 0.9, false, w, g, s1)],
      ['nesterov', (be, n, [w, g, s1]) => be.sgdMomentum(n, 0.1, 0.9, true, w, g, s1)],
      ['adam', (be, n, [w, g, s1, s2]) => be.adam(n, 0.001, 0.9, 0.999, 1e-7, w, g, s1, s2)],
    ];
    for (const n of [40_000, 100_003]) {
      const start = [rand, () => rand() - 0.5, () => rand() - 0.5, rand].map((draw) => Array.from({ length: n }, draw));
      for (const [name, step] of steps) {
        const results = [one, two].map((be) => {
          const arrays = start.map((values) => upload(be, values));
          // Three steps, so the state written by one is read by the next.
          for (let i = 0; i < 3; i++) step(be, n, arrays);
          const out = arrays.map((offset) => Array.from(be.view(offset, n)));
          arrays.forEach((offset) => be.free(offset));
          return out.flat();
        });
        expect(identical(results[1], results[0]), `${name} n=${n}`).toEqual([]);
      }
    }
  });
});

describe('createNetwork({ threads })', () => {
  it('trains to exactly the weights of one thread', async () => {
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
      expect(net.threads).toBe(threads);
      await net.fit(x, y, { epochs: 3, batchSize: 64, learningRate: 0.5, shuffle: true });
      weights.push(net.getWeights());
      net.dispose();
    }
    expect(weights[1]).toEqual(weights[0]);
  });

  it('trains every elementwise activation and a regression head to exactly the weights of one thread', async () => {
    const rand = prng(4);
    const rows = 256, inputs = 120;
    const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => rand() - 0.5));
    const y = x.map((row) => [row[0] + row[1], row[2] * row[3]]);
    const weights = [];
    for (const threads of [1, 2]) {
      const net = await createNetwork({
        inputs,
        layers: [
          { units: 160, activation: 'relu' }, { units: 90, activation: 'leakyRelu', alpha: 0.1 },
          { units: 70, activation: 'linear' }, { units: 2, activation: 'linear' },
        ],
        loss: 'meanSquaredError',
        seed: 6,
        threads,
      });
      await net.fit(x, y, { epochs: 3, batchSize: 128, learningRate: 0.01, optimizer: 'adam' });
      weights.push(net.getWeights());
      net.dispose();
    }
    expect(weights[1]).toEqual(weights[0]);
  });

  it('refuses a bad thread count, and threads without the wasm backend', async () => {
    const config = { inputs: 2, layers: [{ units: 1, activation: 'sigmoid' as const }], loss: 'binaryCrossentropy' as const };
    await expect(createNetwork({ ...config, threads: 0 })).rejects.toThrow(/threads/);
    await expect(createNetwork({ ...config, threads: 1.5 })).rejects.toThrow(/threads/);
    await expect(createNetwork({ ...config, threads: 65 })).rejects.toThrow('createNetwork: threads must be at most 64, got 65');
    await expect(createNetwork({ ...config, backend: 'js', threads: 2 })).rejects.toThrow(/threads 2 needs the wasm backend/);
  });
});

describe('a worker that does not take its block', () => {
  it('leaves it to the main thread, which computes it with identical results instead of waiting', async () => {
    const one = await createBackend('wasm', 'float32');
    const two = await createBackend('wasm', 'float32', 2);
    // Stopped workers never claim a job again: every block falls to the main thread.
    await stopThreads();
    for (const forward of [true, false]) {
      const c = denseCase(9, 64, 300, 200, 'sigmoid', forward);
      expect(identical(runDense(two, forward, c), runDense(one, forward, c))).toEqual([]);
    }
    const rand = prng(2);
    const w = Array.from({ length: 50_000 }, () => rand()), g = w.map((v) => v - 0.5);
    const [w1, w2] = [one, two].map((be) => {
      const wo = upload(be, w), go = upload(be, g);
      be.sgd(w.length, 0.1, wo, go);
      return Array.from(be.view(wo, w.length));
    });
    expect(identical(w2, w1)).toEqual([]);
  });
});
