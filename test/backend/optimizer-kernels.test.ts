/**
 * The kernels of RMSprop (and Adagrad), AdamW's weight decay and gradient
 * clipping (assembly/rmsprop.ts, clip.ts) against their js twins and a
 * direct computation, at every length around the SIMD width: float64
 * bit-equal; float32 bit-equal to the same arithmetic rounded per operation
 * on wasm. sumSquares is float64 front to back on both.
 */
import { describe, expect, it } from 'vitest';
import { type Backend, DTYPES } from '../../src/backend/backend.js';
import { createBackend } from '../../src/backend/index.js';
import { prng } from '../helpers.js';

function upload(be: Backend, values: number[]): number {
  const offset = be.alloc(Math.max(values.length, 1));
  be.view(offset, values.length).set(values);
  return offset;
}

const LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 37];

describe.each(DTYPES)('optimiser kernels, %s', (dtype) => {
  const r = dtype === 'float32' ? Math.fround : (x: number) => x;
  const random = (n: number, seed: number, scale = 2) => {
    const rand = prng(seed);
    return Array.from({ length: n }, () => r(scale * (2 * rand() - 1)));
  };

  it('sumSquares: float64, front to back, the same on wasm and js', async () => {
    for (const name of ['wasm', 'js'] as const) {
      const be = await createBackend(name, dtype);
      for (const n of LENGTHS) {
        const x = random(n, n + 1);
        let expected = 0;
        for (const v of x) expected += v * v;
        const at = upload(be, x);
        expect(be.sumSquares(n, at), `${name} n=${n}`).toBe(expected);
        be.free(at);
      }
    }
  });

  it('clipByValue, scaleGradient and decayWeights, element by element', async () => {
    const wasm = await createBackend('wasm', dtype);
    const js = await createBackend('js', dtype);
    for (const n of LENGTHS) {
      const g = random(n, 3 * n + 1);
      if (n > 3) g.splice(0, 3, 0, -0, r(1e-30));
      const cases: [string, (be: Backend, at: number) => void, (x: number) => number][] = [
        ['clipByValue', (be, at) => be.clipByValue(n, 0.75, at), (x) => Math.min(Math.max(x, -r(0.75)), r(0.75))],
        ['scaleGradient', (be, at) => be.scaleGradient(n, 1.5, 1.75, at), (x) => r(r(x * r(1.5)) / r(1.75))],
        ['decayWeights', (be, at) => be.decayWeights(n, 0.004, 0.3, at), (x) => r(x - r(r(x * r(0.004)) * r(0.3)))],
      ];
      for (const [name, run, expected] of cases) {
        const results = [wasm, js].map((be) => {
          const at = upload(be, g);
          run(be, at);
          const out = Array.from(be.view(at, n));
          be.free(at);
          return out;
        });
        expect(results[0], `wasm ${name} n=${n}`).toEqual(g.map(expected));
        // js computes in float64 and rounds what it stores: equal in float64, within a rounding in float32.
        if (dtype === 'float64') expect(results[1], `js ${name} n=${n}`).toEqual(results[0]);
        else
          results[1].forEach((v, i) =>
            expect(Math.abs(v - results[0][i])).toBeLessThanOrEqual(2 ** -23 * Math.abs(results[0][i])),
          );
      }
    }
  });

  it('rmsprop leaves m alone without momentum, and is Adagrad with rho = 1 - rho = 1', async () => {
    for (const name of ['wasm', 'js'] as const) {
      const be = await createBackend(name, dtype);
      for (const n of LENGTHS) {
        const g = random(n, n + 7),
          w0 = random(n, n + 8);
        const v0 = random(n, n + 9).map(Math.abs);
        const w = upload(be, w0),
          grad = upload(be, g),
          v = upload(be, v0),
          m = upload(be, new Array(n).fill(123));
        be.rmsprop(n, 0.1, 0.9, 1 - 0.9, 1e-7, 0, w, grad, v, m);
        expect(Array.from(be.view(m, n)), `${name} m untouched`).toEqual(new Array(n).fill(123));
        const a = upload(be, v0),
          wa = upload(be, w0);
        be.rmsprop(n, 0.1, 1, 1, 1e-7, 0, wa, grad, a, a);
        // wasm rounds g² to the dtype first; js squares in float64 (exactly, for a float32 g).
        const accumulated = v0.map((x, i) => r(x + (name === 'wasm' ? r(g[i] * g[i]) : g[i] * g[i])));
        expect(Array.from(be.view(a, n)), `${name} a += g²`).toEqual(accumulated);
        for (const at of [w, grad, v, m, a, wa]) be.free(at);
      }
    }
  });
});
