/**
 * The fused dense kernels (Backend.denseForward, denseBackwardInput) give
 * exactly the numbers of the kernels they fuse, on each backend, and wasm
 * agrees with js. (Their gradients are checked through whole networks by
 * finite differences in gradient.test.ts and layers.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { DTYPES, type ElementwiseActivation } from '../../src/backend/backend.js';
import { createBackend } from '../../src/backend/index.js';
import { denseCase, runDense } from '../helpers.js';

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
});
