/**
 * The steps of RMSprop (with and without momentum), Adagrad (its state
 * named twice) and AdamW's weight decay split across two threads
 * (assembly/threads.ts): the chunks expected, results identical to one
 * thread's, bit for bit.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type Backend, DTYPES, type DType } from '../../src/backend/backend.js';
import { createBackend } from '../../src/backend/index.js';
import { stopThreads, type ThreadedWasmBackend } from '../../src/backend/threads.js';
import { prng } from '../helpers.js';

afterAll(() => stopThreads());

function upload(be: Backend, values: number[]): number {
  const offset = be.alloc(values.length);
  be.view(offset, values.length).set(values);
  return offset;
}

/** A split optimiser step's chunks: whole 64-byte cache lines, at most 4 a part (assembly/threads.ts). */
function updateChunks(dtype: DType, parts: number, n: number): number {
  const unit = dtype === 'float32' ? 16 : 8;
  return Math.min(Math.ceil(n / unit), parts * 4, Math.max(parts, Math.floor(n / unit)));
}

describe.each(DTYPES)('new optimiser steps on two threads, %s', (dtype) => {
  it('split, with results identical to one thread', async () => {
    const one = await createBackend('wasm', dtype);
    const two = (await createBackend('wasm', dtype, 2)) as ThreadedWasmBackend;
    const rand = prng(21);
    const steps: [string, (be: Backend, n: number, [w, g, v, m]: number[]) => void][] = [
      ['rmsprop', (be, n, [w, g, v]) => be.rmsprop(n, 0.01, 0.9, 1 - 0.9, 1e-7, 0, w, g, v, v)],
      ['rmsprop with momentum', (be, n, [w, g, v, m]) => be.rmsprop(n, 0.01, 0.8, 1 - 0.8, 1e-3, 0.9, w, g, v, m)],
      ['adagrad', (be, n, [w, g, v]) => be.rmsprop(n, 0.1, 1, 1, 1e-7, 0, w, g, v, v)],
      ['decayWeights', (be, n, [w]) => be.decayWeights(n, 0.004, 0.01, w)],
    ];
    for (const n of [40_000, 100_003]) {
      const start = [() => rand() - 0.5, () => rand() - 0.5, rand, () => rand() - 0.5].map((draw) =>
        Array.from({ length: n }, draw),
      );
      for (const [name, step] of steps) {
        const results = [one, two].map((be) => {
          const arrays = start.map((values) => upload(be, values));
          // Three steps, so the state written by one is read by the next.
          const run = () => {
            for (let i = 0; i < 3; i++) step(be, n, arrays);
          };
          if (be === two) {
            two.resetThreadStats();
            run();
            expect(
              two.threadStats().reduce((sum, count) => sum + count, 0),
              `${name} n=${n}: chunks`,
            ).toBe(3 * updateChunks(dtype, 2, n));
          } else run();
          const out = arrays.map((offset) => Array.from(be.view(offset, n)));
          for (const offset of arrays) be.free(offset);
          return out.flat();
        });
        const differ = results[1].findIndex((v, i) => !Object.is(v, results[0][i]));
        expect(differ, `${name} n=${n}: first element that differs`).toBe(-1);
      }
    }
  });
});
