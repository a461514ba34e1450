/**
 * The threaded wasm backend (src/backend/threads.ts, assembly/threads.ts):
 * large gemms and optimiser steps split across two threads give exactly the
 * numbers of one thread, and a network trained on two threads ends with
 * exactly the weights of one trained on one. ThreadedWasmBackend.threadStats()
 * counts the chunks each thread computed: each call meant to split does, into
 * the expected chunks, and the worker really computes some of them. Where
 * threads cannot start, createNetwork runs on one thread.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Backend, DTYPES, type DType } from '../../src/backend/backend.js';
import { createBackend } from '../../src/backend/index.js';
import { stopThreads, ThreadedWasmBackend, threadsAvailable } from '../../src/backend/threads.js';
import { engineOf } from '../../src/engine.js';
import { createNetwork, type Network } from '../../src/index.js';
import { denseCase, prng, runDense } from '../helpers.js';

// Node always has shared memory and workers: threads must start here, never skip.
beforeAll(async () => {
  expect(await threadsAvailable(2)).toBe(true);
});
afterAll(() => stopThreads());

function upload(be: Backend, values: ArrayLike<number>): number {
  const offset = be.alloc(values.length);
  be.view(offset, values.length).set(Array.from(values));
  return offset;
}

/** C for one gemm on `be`, with a guard element either side of it. */
function gemmOn(
  be: Backend,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  beta: number,
  A: number[],
  B: number[],
  C: number[],
): number[] {
  const a = upload(be, A),
    b = upload(be, B);
  const c = upload(be, [-7, ...C, -7]);
  be.gemm(transA, transB, m, n, k, alpha, a, b, beta, c + be.bytesPerElement);
  const out = Array.from(be.view(c, m * n + 2));
  for (const o of [a, b, c]) be.free(o);
  return out;
}

/**
 * The chunks runJob (assembly/threads.ts) cuts a split call into on `parts`
 * threads: `length` rows, columns or parameters in units of `unit`, at most
 * CHUNKS_PER_PART (4) a part, each at least `minChunk` long where there are enough.
 */
function chunksOf(parts: number, length: number, unit: number, minChunk: number): number {
  return Math.min(Math.ceil(length / unit), parts * 4, Math.max(parts, Math.floor(length / minChunk)));
}

/** A split gemm's chunks: C's longer side at whole micro-tiles (MR = 4 rows) or panels (32 bytes of columns). */
function gemmChunks(dtype: DType, parts: number, m: number, n: number): number {
  return m >= n ? chunksOf(parts, m, 4, 128) : chunksOf(parts, n, dtype === 'float32' ? 8 : 4, 128);
}

/** A split optimiser step's chunks: whole 64-byte cache lines. */
function updateChunks(dtype: DType, parts: number, n: number): number {
  const unit = dtype === 'float32' ? 16 : 8;
  return chunksOf(parts, n, unit, unit);
}

/** Chunks computed, by every thread, in `run`. */
function chunksIn(be: ThreadedWasmBackend, run: () => void): number {
  be.resetThreadStats();
  run();
  return be.threadStats().reduce((sum, count) => sum + count, 0);
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
    const two = (await createBackend('wasm', dtype, 2)) as ThreadedWasmBackend;
    expect(two).toBeInstanceOf(ThreadedWasmBackend);
    const rand = prng(7);
    // Split by rows (m >= n) and by columns (beta 0 only), edges that are not whole
    // micro-tiles or panels, a k of several depth blocks, products as thin
    // as W2's (n = 10) but long enough to split; then W2's own two, which
    // are below PARALLEL_GEMM_MACS and stay on one thread (no chunks).
    const split = [
      [64, 256, 784],
      [784, 256, 64],
      [1280, 10, 64],
      [64, 10, 1280],
      [333, 77, 129],
      [37, 301, 50],
      [1000, 3, 50],
      [5, 999, 33],
    ];
    const unsplit = [
      [64, 10, 128],
      [128, 10, 64],
    ];
    for (const [m, n, k] of [...split, ...unsplit]) {
      const splits = split.some((shape) => shape.join() === [m, n, k].join());
      if (splits) expect(gemmChunks(dtype, 2, m, n), `${m}x${n}x${k}`).toBeGreaterThan(1);
      const A = Array.from({ length: m * k }, () => 2 * rand() - 1);
      const B = Array.from({ length: k * n }, () => 2 * rand() - 1);
      const C = Array.from({ length: m * n }, () => 2 * rand() - 1);
      for (const [transA, transB] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ]) {
        for (const [alpha, beta] of [
          [1, 0],
          [0.5, 2],
        ]) {
          const label = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${m}x${n}x${k} alpha=${alpha} beta=${beta}`;
          // beta != 0 reads the C it writes, which a chunk could not be computed again over: one thread.
          const chunks = splits && beta === 0 ? gemmChunks(dtype, 2, m, n) : 0;
          const expected = gemmOn(one, transA, transB, m, n, k, alpha, beta, A, B, C);
          let actual: number[] = [];
          expect(
            chunksIn(two, () => {
              actual = gemmOn(two, transA, transB, m, n, k, alpha, beta, A, B, C);
            }),
            `${label}: chunks`,
          ).toBe(chunks);
          expect(identical(actual, expected), label).toEqual([]);
        }
      }
    }
  });

  it('splits the fused dense kernels, each thread finishing its own block, with results identical to one thread', async () => {
    const one = await createBackend('wasm', dtype);
    const two = (await createBackend('wasm', dtype, 2)) as ThreadedWasmBackend;
    // Forward splits these by columns (units > rows), then by rows; backward by columns (inputs) or rows.
    const shapes = [
      [64, 784, 256],
      [64, 100, 250],
      [300, 50, 37],
      [301, 37, 50],
    ];
    for (const activation of ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'] as const) {
      for (const [rows, inputs, units] of shapes) {
        for (const forward of [true, false]) {
          const c = denseCase(rows * inputs + units, rows, inputs, units, activation, forward);
          const label = `${forward ? 'denseForward' : 'denseBackwardInput'} ${activation} ${rows}x${inputs}x${units}`;
          let actual: number[] = [];
          expect(
            chunksIn(two, () => {
              actual = runDense(two, forward, c);
            }),
            `${label}: chunks`,
          ).toBe(gemmChunks(dtype, 2, rows, forward ? units : inputs));
          expect(identical(actual, runDense(one, forward, c)), label).toEqual([]);
        }
      }
    }
  });

  it('splits large optimiser steps (sgd, momentum, nesterov, adam) with results identical to one thread', async () => {
    const one = await createBackend('wasm', dtype);
    const two = (await createBackend('wasm', dtype, 2)) as ThreadedWasmBackend;
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
          const steps = () => {
            for (let i = 0; i < 3; i++) step(be, n, arrays);
          };
          if (be === two) expect(chunksIn(two, steps), `${name} n=${n}: chunks`).toBe(3 * updateChunks(dtype, 2, n));
          else steps();
          const out = arrays.map((offset) => Array.from(be.view(offset, n)));
          arrays.forEach((offset) => be.free(offset));
          return out.flat();
        });
        expect(identical(results[1], results[0]), `${name} n=${n}`).toEqual([]);
      }
    }
  });
});

describe.each(DTYPES)('the work really is shared, %s', (dtype: DType) => {
  /**
   * Repeats `call` (`chunks` chunks each) until the worker has computed some
   * of them: a worker asleep when a job is posted, or whose core is busy, may
   * find its range taken by the main thread, but not in every call of many.
   * Each chunk is computed exactly once, by one thread or the other (on a
   * busy machine a spinning worker may even take the main thread's range).
   */
  async function expectShared(call: () => void, chunks: number, most: number): Promise<void> {
    const two = (await createBackend('wasm', dtype, 2)) as ThreadedWasmBackend;
    two.resetThreadStats();
    let calls = 0;
    do {
      call();
      calls++;
    } while (calls < most && (calls < 4 || two.threadStats()[1] === 0));
    const [main, worker, ...more] = two.threadStats();
    expect(more).toEqual([]);
    expect(worker, `worker's chunks of ${calls} calls`).toBeGreaterThan(0);
    expect(main + worker).toBe(calls * chunks);
  }

  it('the worker computes its share of large gemms', async () => {
    const be = await createBackend('wasm', dtype, 2);
    const rand = prng(12);
    const size = 512;
    const [a, b, c] = [0, 1, 2].map(() =>
      upload(
        be,
        Array.from({ length: size * size }, () => rand() - 0.5),
      ),
    );
    await expectShared(() => be.gemm(false, false, size, size, size, 1, a, b, 0, c), gemmChunks(dtype, 2, size, size), 40);
    await expectShared(() => be.gemm(true, false, size, 256, size, 1, a, b, 0, c), gemmChunks(dtype, 2, size, 256), 40);
    await expectShared(() => be.gemm(false, true, 256, size, size, 1, a, b, 0, c), gemmChunks(dtype, 2, 256, size), 40);
    [a, b, c].forEach((offset) => be.free(offset));
  });

  it('the worker computes its share of a fused dense forward and backward', async () => {
    const be = await createBackend('wasm', dtype, 2);
    const rows = 256,
      inputs = 512,
      units = 384;
    const rand = prng(13);
    const [x, w, bias, out, delta, back] = [rows * inputs, inputs * units, units, rows * units, rows * units, rows * inputs].map(
      (n) =>
        upload(
          be,
          Array.from({ length: n }, () => rand() - 0.5),
        ),
    );
    await expectShared(
      () => be.denseForward(rows, inputs, units, x, w, bias, 'relu', 0, out),
      gemmChunks(dtype, 2, rows, units),
      40,
    );
    await expectShared(
      () => be.denseBackwardInput(rows, inputs, units, delta, w, 'tanh', 0, x, back),
      gemmChunks(dtype, 2, rows, inputs),
      40,
    );
    [x, w, bias, out, delta, back].forEach((offset) => be.free(offset));
  });

  it('the worker computes its share of optimiser steps', async () => {
    const be = await createBackend('wasm', dtype, 2);
    const n = 1 << 20;
    const rand = prng(14);
    const [w, g, m, v] = [0, 1, 2, 3].map((i) =>
      upload(
        be,
        Array.from({ length: n }, () => (i === 3 ? rand() : rand() - 0.5)),
      ),
    );
    // Each step is short (a millisecond or so): more of them, for a worker that was asleep.
    await expectShared(() => be.sgd(n, 0.01, w, g), updateChunks(dtype, 2, n), 200);
    await expectShared(() => be.adam(n, 0.001, 0.9, 0.999, 1e-7, w, g, m, v), updateChunks(dtype, 2, n), 200);
    [w, g, m, v].forEach((offset) => be.free(offset));
  });
});

describe('createNetwork({ threads })', () => {
  it('trains to exactly the weights of one thread', async () => {
    const rand = prng(3);
    const rows = 300,
      inputs = 100,
      classes = 10;
    const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => rand()));
    const y = Array.from({ length: rows }, (_, r) => Array.from({ length: classes }, (_, c) => (c === r % classes ? 1 : 0)));
    const weights = [];
    for (const threads of [1, 2]) {
      const net = await createNetwork({
        inputs,
        layers: [
          { units: 96, activation: 'sigmoid' },
          { units: 48, activation: 'tanh' },
          { units: classes, activation: 'softmax' },
        ],
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
    const rows = 256,
      inputs = 120;
    const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => rand() - 0.5));
    const y = x.map((row) => [row[0] + row[1], row[2] * row[3]]);
    const weights = [];
    for (const threads of [1, 2]) {
      const net = await createNetwork({
        inputs,
        layers: [
          { units: 160, activation: 'relu' },
          { units: 90, activation: 'leakyRelu', alpha: 0.1 },
          { units: 70, activation: 'linear' },
          { units: 2, activation: 'linear' },
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
    await expect(createNetwork({ ...config, threads: 65 })).rejects.toThrow(
      'createNetwork: threads must be an integer from 1 to 64, got 65',
    );
    await expect(createNetwork({ ...config, backend: 'js', threads: 2 })).rejects.toThrow(/threads 2 needs the wasm backend/);
  });
});

describe('createNetwork({ threads: 2 }) where threads cannot run', () => {
  const rand = prng(8);
  const x = Array.from({ length: 128 }, () => Array.from({ length: 40 }, () => rand()));
  const y = x.map((row) => [row[0] > 0.5 ? 1 : 0]);
  const config = {
    inputs: 40,
    layers: [
      { units: 300, activation: 'tanh' as const },
      { units: 1, activation: 'sigmoid' as const },
    ],
    loss: 'binaryCrossentropy' as const,
    seed: 9,
  };

  /** A network of `threads` created while `stub` is in force, and its weights after some training. */
  async function trained(threads: number, stub: () => () => void = () => () => {}) {
    const restore = stub();
    let net: Awaited<ReturnType<typeof createNetwork>>;
    try {
      net = await createNetwork({ ...config, threads });
    } finally {
      restore();
    }
    await net.fit(x, y, { epochs: 2, batchSize: 64, learningRate: 0.5 });
    const result = { threads: net.threads, weights: net.getWeights() };
    net.dispose();
    return result;
  }

  it('runs on one thread without SharedArrayBuffer, to the weights of one thread, and threadsAvailable() says so', async () => {
    const one = await trained(1);
    let available: boolean | undefined;
    // What sharedMemoryPossible() looks for. A pool of two threads is already running (beforeAll): it must not be used.
    const fallback = await trained(2, () => {
      vi.stubGlobal('SharedArrayBuffer', undefined);
      return () => vi.unstubAllGlobals();
    });
    vi.stubGlobal('SharedArrayBuffer', undefined);
    try {
      available = await threadsAvailable(2);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(available).toBe(false);
    expect(fallback).toEqual(one);
  });

  it('runs on one thread where shared WebAssembly.Memory cannot be created; the next asking starts threads', async () => {
    const one = await trained(1);
    const Memory = WebAssembly.Memory;
    const noSharedMemory = () => {
      (WebAssembly as { Memory: unknown }).Memory = (descriptor: WebAssembly.MemoryDescriptor) => {
        if (descriptor.shared) throw new TypeError('test: no shared WebAssembly.Memory');
        return new Memory(descriptor);
      };
      return () => {
        (WebAssembly as { Memory: unknown }).Memory = Memory;
      };
    };
    // Three threads: a count with no pool yet, so one must be created, and fails.
    expect(await trained(3, noSharedMemory)).toEqual(one);
    const restore = noSharedMemory();
    try {
      expect(await threadsAvailable(3)).toBe(false);
    } finally {
      restore();
    }
    // The failure is not remembered.
    expect(await threadsAvailable(3)).toBe(true);
  });

  it('runs on one thread when a worker fails to start', async () => {
    const one = await trained(1);
    const getBuiltinModule = process.getBuiltinModule;
    const real = getBuiltinModule('node:worker_threads') as typeof import('node:worker_threads');
    let started = 0;
    // Each worker the pool starts throws at once, before it takes its module.
    class FailingWorker extends real.Worker {
      constructor() {
        super('throw new Error("test: this worker fails to start")', { eval: true });
        started++;
      }
    }
    const failingWorkers = () => {
      process.getBuiltinModule = ((id: string) =>
        id === 'node:worker_threads' ? { ...real, Worker: FailingWorker } : getBuiltinModule(id)) as typeof getBuiltinModule;
      return () => {
        process.getBuiltinModule = getBuiltinModule;
      };
    };
    // Four threads: a count with no pool yet.
    expect(await trained(4, failingWorkers)).toEqual(one);
    expect(started).toBe(1);
  });
});

describe('a worker that does not take its block', () => {
  it('leaves it to the main thread, which computes it with identical results instead of waiting', async () => {
    const one = await createBackend('wasm', 'float32');
    const two = await createBackend('wasm', 'float32', 2);
    if (!(two instanceof ThreadedWasmBackend)) throw new Error('threads: 2 gave no threaded backend');
    // Workers told to stop in the job block (as stopThreads() tells them, but behind the backend's back,
    // so that it still splits its calls) never claim a job again: every block falls to the main thread.
    const { pool } = two as unknown as {
      pool: { exports: { stopWorkers(ctl: number, workers: number): void }; control: number; count: number };
    };
    pool.exports.stopWorkers(pool.control, pool.count);
    two.resetThreadStats();
    for (const forward of [true, false]) {
      const c = denseCase(9, 64, 300, 200, 'sigmoid', forward);
      expect(identical(runDense(two, forward, c), runDense(one, forward, c))).toEqual([]);
    }
    expect(two.threadStats()).toEqual([gemmChunks('float32', 2, 64, 200) + gemmChunks('float32', 2, 64, 300), 0]);
    const rand = prng(2);
    const w = Array.from({ length: 50_000 }, () => rand()),
      g = w.map((v) => v - 0.5);
    const [w1, w2] = [one, two].map((be) => {
      const wo = upload(be, w),
        go = upload(be, g);
      be.sgd(w.length, 0.1, wo, go);
      return Array.from(be.view(wo, w.length));
    });
    expect(identical(w2, w1)).toEqual([]);
    await stopThreads(); // and ends the pool, whose workers no longer work
  });
});

/** The pool of workers a threaded network's backend uses. */
function poolOf(net: Network): unknown {
  return (engineOf(net).backend as unknown as { pool: unknown }).pool;
}

/**
 * Networks whose workers are gone, ended by stopThreads() or dead, go on on
 * one thread, say so, and train to the weights of one thread; the next
 * network of that thread count starts new workers.
 */
describe('workers that are gone', () => {
  const rand = prng(12);
  const x = Array.from({ length: 256 }, () => Array.from({ length: 100 }, () => rand()));
  const y = x.map((_, r) => [r % 2]);
  const config = {
    inputs: 100,
    layers: [
      { units: 200, activation: 'tanh' as const },
      { units: 1, activation: 'sigmoid' as const },
    ],
    loss: 'binaryCrossentropy' as const,
    seed: 4,
  };
  const options = { epochs: 2, batchSize: 128, learningRate: 0.1 };

  it.each([
    ['ended by stopThreads()', 2, () => stopThreads()],
    [
      'one of which died',
      3,
      (net: Network) => {
        (poolOf(net) as { workers: { terminate(part: number): void } }).workers.terminate(2);
      },
    ],
  ] as const)('%s', async (_, threads, end) => {
    const alone = await createNetwork(config);
    await alone.fit(x, y, options);
    const before = await createNetwork({ ...config, threads });
    expect(before.threads).toBe(threads);
    await end(before);
    await vi.waitFor(() => expect(before.threads).toBe(1)); // a worker's death is an event to wait for
    const stats = engineOf(before).backend as ThreadedWasmBackend;
    stats.resetThreadStats();
    await before.fit(x, y, options);
    expect(stats.threadStats().every((chunks) => chunks === 0)).toBe(true); // nothing split: no one to split with
    expect(before.getWeights()).toEqual(alone.getWeights());

    const after = await createNetwork({ ...config, threads });
    expect(after.threads).toBe(threads);
    expect(poolOf(after)).not.toBe(poolOf(before)); // new workers (whether they take chunks is up to the OS)
    await after.fit(x, y, options);
    expect(after.getWeights()).toEqual(alone.getWeights());
    for (const net of [alone, before, after]) net.dispose();
  });
});

describe('threadsAvailable()', () => {
  it('refuses a thread count createNetwork would refuse, rather than answering for it', async () => {
    for (const [threads, got] of [
      [0, '0'],
      [-3, '-3'],
      [1.5, '1.5'],
      [65, '65'],
      [NaN, 'NaN'],
      ['3', '"3"'],
    ] as const) {
      await expect(threadsAvailable(threads as number)).rejects.toThrow(
        `threadsAvailable: threads must be an integer from 1 to 64, got ${got}`,
      );
    }
    expect(await threadsAvailable(1)).toBe(true);
  });
});

describe('the shared memory of threads', () => {
  it("grows as far as a one-thread network's, past 1 GiB", async () => {
    const net = await createNetwork({
      inputs: 1,
      layers: [
        { units: 100_000, activation: 'tanh' },
        { units: 1, activation: 'sigmoid' },
      ],
      loss: 'binaryCrossentropy',
      threads: 2,
    });
    expect(net.threads).toBe(2);
    // 3,000 rows of 100,000 activations and their deltas: 2.4 GB, reserved (never touched, so never committed).
    engineOf(net).reserveBatch(3000);
    expect(engineOf(net).batchCapacity).toBe(3000);
    net.dispose();
  });
});
