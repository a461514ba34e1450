/**
 * The fused dense kernels (Backend.denseForward, denseBackwardInput,
 * denseBackwardWeights) give
 * exactly the numbers of the kernels they fuse, on each backend, and wasm
 * agrees with js. (Their gradients are checked through whole networks by
 * finite differences in gradient.test.ts and layers.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { type Backend, DTYPES, type ElementwiseActivation } from '../../src/backend/backend.js';
import { createBackend } from '../../src/backend/index.js';
import { denseCase, prng, runDense } from '../helpers.js';

const ACTIVATIONS: ElementwiseActivation[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'];
/** rows x inputs x units: a single element, odd edges, and the size of W2's first layer. */
const SHAPES = [
  [1, 1, 1],
  [5, 7, 3],
  [13, 33, 19],
  [64, 784, 256],
];

describe.each(DTYPES)('fused dense kernels, %s', (dtype) => {
  for (const forward of [true, false]) {
    const kernel = forward ? 'denseForward' : 'denseBackwardInput';
    it(`${kernel} equals its parts bit for bit on each backend, and wasm agrees with js`, async () => {
      const wasm = await createBackend('wasm', dtype),
        js = await createBackend('js', dtype);
      for (const activation of ACTIVATIONS) {
        for (const [rows, inputs, units] of SHAPES) {
          const label = `${kernel} ${activation} ${rows}x${inputs}x${units}`;
          const c = denseCase(rows + inputs + units, rows, inputs, units, activation, forward);
          const fromWasm = runDense(wasm, forward, c),
            fromJs = runDense(js, forward, c);
          expect(fromWasm, `${label} wasm`).toEqual(runDense(wasm, forward, c, true));
          expect(fromJs, `${label} js`).toEqual(runDense(js, forward, c, true));
          // The gemm's sums are ordered differently (blocked vs naive), and float32 exp is a polynomial on wasm.
          const depth = forward ? inputs : units;
          const tol = (dtype === 'float32' ? 2 ** -24 : 2 ** -53) * (4 * depth + 8);
          const bad = fromWasm.flatMap((v, i) =>
            Math.abs(v - fromJs[i]) <= tol * Math.max(1, Math.abs(fromJs[i])) ? [] : [`[${i}] ${v} vs ${fromJs[i]}`],
          );
          expect(bad.slice(0, 5), `${label} wasm vs js`).toEqual([]);
        }
      }
    });
  }

  it('denseBackwardWeights equals gemm (TN) and sumColumns bit for bit on each backend, and wasm agrees with js', async () => {
    const wasm = await createBackend('wasm', dtype),
      js = await createBackend('js', dtype);
    // x^T delta and delta's column sums, from the kernel or from its two parts.
    const run = (be: Backend, rows: number, inputs: number, units: number, x: number[], delta: number[], parts: boolean) => {
      const put = (values: number[]) => {
        const offset = be.alloc(values.length);
        be.view(offset, values.length).set(values);
        return offset;
      };
      const xo = put(x),
        d = put(delta),
        w = put(new Array<number>(inputs * units).fill(Number.NaN)),
        b = put(new Array<number>(units).fill(Number.NaN));
      if (parts) {
        be.gemm(true, false, inputs, units, rows, 1, xo, d, 0, w);
        be.sumColumns(rows, units, d, b);
      } else be.denseBackwardWeights(rows, inputs, units, xo, d, w, b);
      const out = [...be.view(w, inputs * units), ...be.view(b, units)];
      for (const offset of [xo, d, w, b]) be.free(offset);
      return out;
    };
    // One unit with 1 to 9 inputs (the one-pass path takes 8, 16 or 32 bytes of them), over batches either side
    // of the gemm's k-blocks of 128; and wider layers, which take the two kernels.
    const shapes: [number, number][] = [1, 2, 3, 4, 5, 8, 9].map((inputs) => [inputs, 1]);
    shapes.push([2, 8], [8, 4], [7, 3], [33, 19]);
    const rand = prng(17);
    const values = (n: number) => Array.from({ length: n }, () => Math.fround(2 * rand() - 1));
    for (const rows of [1, 3, 127, 128, 129, 300]) {
      for (const [inputs, units] of shapes) {
        const label = `${rows}x${inputs}x${units}`;
        const x = values(rows * inputs),
          delta = values(rows * units);
        const fromWasm = run(wasm, rows, inputs, units, x, delta, false),
          fromJs = run(js, rows, inputs, units, x, delta, false);
        expect(fromWasm, `${label} wasm`).toEqual(run(wasm, rows, inputs, units, x, delta, true));
        expect(fromJs, `${label} js`).toEqual(run(js, rows, inputs, units, x, delta, true));
        // The gemm's sums are blocked on wasm, naive on js; the column sums are the same additions on both.
        const tol = (dtype === 'float32' ? 2 ** -24 : 2 ** -53) * (4 * rows + 8);
        const bad = fromWasm.flatMap((v, i) =>
          Math.abs(v - fromJs[i]) <= tol * Math.max(1, Math.abs(fromJs[i])) ? [] : [`[${i}] ${v} vs ${fromJs[i]}`],
        );
        expect(bad.slice(0, 5), `${label} wasm vs js`).toEqual([]);
        expect(fromWasm.slice(inputs * units), `${label} bias, wasm vs js`).toEqual(fromJs.slice(inputs * units));
      }
    }
  });
});
