import { describe, expect, it } from 'vitest';
import { checkAgreement, measure, type Prepared } from '../../bench/harness.js';

/** A task that counts what the harness did to it, in order. */
function counting(log: string[], name: string, isAsync: boolean): () => Promise<Prepared> {
  let state = 0;
  return async () => ({
    reset: () => {
      state = 0;
    },
    run: isAsync
      ? async () => {
          state++;
        }
      : () => {
          state++;
        },
    output: () => [state],
    activate: async () => {
      log.push(`${name} activate`);
    },
    dispose: () => {
      log.push(`${name} dispose`);
    },
  });
}

describe('bench harness', () => {
  it('runs every task in every round, in turns, each activated before its turn, and disposes them all', async () => {
    const log: string[] = [];
    const measured = await measure(3, [
      { key: 'a', make: counting(log, 'a', false), budget: { time: 0, iterations: 6 } },
      { key: 'b', make: counting(log, 'b', true), budget: { time: 0, iterations: 3, warmup: 2 } },
    ]);
    expect(log).toEqual([
      'a activate',
      'b activate',
      'a activate',
      'b activate',
      'a activate',
      'b activate',
      'a dispose',
      'b dispose',
    ]);
    // iterations are spread over the rounds: ceil(6 / 3) and ceil(3 / 3) timed runs per round
    expect(measured.get('a')!.samples).toBe(6);
    expect(measured.get('b')!.samples).toBe(3);
    // the output is read after the first run from the reset state, not after the warm-up or timed runs
    expect(Array.from(measured.get('a')!.output!)).toEqual([1]);
    expect(Array.from(measured.get('b')!.output!)).toEqual([1]);
    expect(measured.get('a')!.ms).toBeGreaterThanOrEqual(0);
  });

  it('disposes what it prepared when a task fails', async () => {
    const log: string[] = [];
    const failing = async (): Promise<Prepared> => ({
      run: () => {
        throw new Error('broken kernel');
      },
    });
    await expect(
      measure(2, [
        { key: 'a', make: counting(log, 'a', false), budget: { time: 0, iterations: 1 } },
        { key: 'b', make: failing, budget: { time: 0, iterations: 1 } },
      ]),
    ).rejects.toThrow('broken kernel');
    expect(log).toContain('a dispose');
  });

  it('stops on a library whose result differs from the reference beyond the tolerance', () => {
    const reference = [10, -20, 5];
    expect(checkAgreement('w', { 'wasmlp wasm': reference, 'tfjs-wasm': [10, -20.0001, 5] }, 'wasmlp wasm', 1e-5)).toBeCloseTo(
      0.0001 / 20,
      12,
    );
    expect(() => checkAgreement('w', { 'wasmlp wasm': reference, 'tfjs-wasm': [10, -20.01, 5] }, 'wasmlp wasm', 1e-5)).toThrow(
      /tfjs-wasm's result differs from wasmlp wasm's/,
    );
    expect(() => checkAgreement('w', { 'wasmlp wasm': reference, 'tfjs-cpu': [10, -20] }, 'wasmlp wasm', 1e-5)).toThrow(
      /computed 2 numbers/,
    );
  });
});
