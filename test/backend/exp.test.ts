/**
 * The exps behind sigmoid, tanh and softmax (assembly/exp.ts), measured
 * against Math.exp over their whole domain t <= 0: a dense sweep, random
 * points, and the edges. float32 in ulps of the float32 result; float64 in
 * ulps of the float64 result, against Math.exp (itself within 1 ulp of the
 * truth, and what the js backend calls).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMathExports } from './math-exports.js';

let wasm: Awaited<ReturnType<typeof loadMathExports>>;

beforeAll(async () => {
  wasm = await loadMathExports();
});

/** exp of every value, through the wasm function (staged passes and scalar tail alike). */
function wasmExp(values: ArrayLike<number>): Float32Array {
  return wasm.run('expNonPositiveF32', values, Float32Array) as Float32Array;
}

/** exp of every value through the float64 function (two lanes, and the odd last one alone). */
function wasmExp64(values: Float64Array): Float64Array {
  return wasm.run('expNonPositiveF64', values, Float64Array) as Float64Array;
}

/** The distance between a float64 and the next one away from zero. */
function ulpOf64(x: number): number {
  const f = new Float64Array([Math.abs(x)]);
  const i = new BigInt64Array(f.buffer);
  const lo = f[0];
  i[0] += 1n;
  return f[0] - lo;
}

/** ln(DBL_MIN): at or above it exp(t) is a normal float64. */
const MIN_ARG_64 = Math.log(2 ** -1022);

function worstUlp64(inputs: Float64Array): { ulps: number; at: number } {
  const got = wasmExp64(inputs);
  let ulps = 0,
    at = NaN;
  for (let i = 0; i < inputs.length; i++) {
    const exact = Math.exp(inputs[i]);
    const error = Math.abs(got[i] - exact) / ulpOf64(exact);
    if (error > ulps) {
      ulps = error;
      at = inputs[i];
    }
  }
  return { ulps, at };
}

/** The distance between a float32 and the next one away from zero. */
function ulpOf(x: number): number {
  const f = new Float32Array([Math.abs(x)]);
  const i = new Int32Array(f.buffer);
  const lo = f[0];
  i[0] += 1;
  return f[0] - lo;
}

/** ln(FLT_MIN): at or above it exp(t) is a normal float32. */
const MIN_ARG = Math.log(2 ** -126);

function worstUlp(inputs: Float32Array): { ulps: number; at: number } {
  const got = wasmExp(inputs);
  let ulps = 0,
    at = NaN;
  for (let i = 0; i < inputs.length; i++) {
    const exact = Math.exp(inputs[i]);
    const error = Math.abs(got[i] - exact) / ulpOf(Math.fround(exact));
    if (error > ulps) {
      ulps = error;
      at = inputs[i];
    }
  }
  return { ulps, at };
}

describe('float32 exp (assembly/exp.ts)', () => {
  it('is within 1 ulp of exp over a dense sweep of [ln(FLT_MIN), 0]', () => {
    const n = 1 << 20; // a multiple of 4 plus a tail, below
    const inputs = new Float32Array(n + 3);
    for (let i = 0; i < inputs.length; i++) inputs[i] = Math.fround((MIN_ARG * i) / inputs.length);
    const { ulps, at } = worstUlp(inputs);
    expect(ulps, `worst at t = ${at}`).toBeLessThan(1);
  });

  it('is within 1 ulp at random points, and near 0 where exp is near 1', () => {
    let s = 12345;
    const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const inputs = new Float32Array(1 << 18);
    for (let i = 0; i < inputs.length; i++) {
      inputs[i] = Math.fround(i % 2 ? MIN_ARG * random() : -(2 ** (-30 * random())));
    }
    const { ulps, at } = worstUlp(inputs);
    expect(ulps, `worst at t = ${at}`).toBeLessThan(1);
  });

  it('is exact at 0 and at powers of two, flushes below FLT_MIN to 0, keeps NaN', () => {
    const inputs = [0, -0, -Math.LN2, -2 * Math.LN2, -10 * Math.LN2, MIN_ARG - 0.01, -100, -1e30, -Infinity, NaN];
    const got = Array.from(wasmExp(Float32Array.from(inputs)));
    expect(got[0]).toBe(1);
    expect(got[1]).toBe(1);
    for (const [i, k] of [
      [2, 1],
      [3, 2],
      [4, 10],
    ]) {
      expect(Math.abs(got[i] - 2 ** -k)).toBeLessThanOrEqual(ulpOf(2 ** -k));
    }
    expect(got.slice(5, 9)).toEqual([0, 0, 0, 0]);
    expect(got[9]).toBeNaN();
    // The smallest arguments kept give normal numbers, never subnormals.
    const edge = wasmExp(Float32Array.from([Math.fround(MIN_ARG) + 1e-5, -87, -86.5]));
    for (const v of edge) expect(v).toBeGreaterThanOrEqual(2 ** -126);
  });
});

describe('float64 exp (assembly/exp.ts)', () => {
  it('is within 1 ulp of Math.exp over a dense sweep of [ln(DBL_MIN), 0]', () => {
    const n = 1 << 21; // even, plus an odd tail below
    const inputs = new Float64Array(n + 1);
    for (let i = 0; i < inputs.length; i++) inputs[i] = (MIN_ARG_64 * i) / inputs.length;
    const { ulps, at } = worstUlp64(inputs);
    expect(ulps, `worst at t = ${at}`).toBeLessThanOrEqual(1);
  });

  it('is within 1 ulp of Math.exp at random points, and near 0 where exp is near 1', () => {
    let s = 54321;
    const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const inputs = new Float64Array(1 << 18);
    for (let i = 0; i < inputs.length; i++) {
      // Two draws for 53 bits, so the arguments are not all on a float32 grid.
      const u = random() + random() * 2 ** -32;
      inputs[i] = i % 2 ? MIN_ARG_64 * u : -(2 ** (-60 * u));
    }
    const { ulps, at } = worstUlp64(inputs);
    expect(ulps, `worst at t = ${at}`).toBeLessThanOrEqual(1);
  });

  it('is exact at 0 and at powers of two, flushes below DBL_MIN to 0, keeps NaN', () => {
    const inputs = [0, -0, -Math.LN2, -2 * Math.LN2, -10 * Math.LN2, MIN_ARG_64 - 0.01, -1000, -1e300, -Infinity, NaN];
    const got = Array.from(wasmExp64(Float64Array.from(inputs)));
    expect(got[0]).toBe(1);
    expect(got[1]).toBe(1);
    for (const [i, k] of [
      [2, 1],
      [3, 2],
      [4, 10],
    ]) {
      expect(Math.abs(got[i] - 2 ** -k)).toBeLessThanOrEqual(ulpOf64(2 ** -k));
    }
    expect(got.slice(5, 9)).toEqual([0, 0, 0, 0]);
    expect(got[9]).toBeNaN();
    const edge = wasmExp64(Float64Array.from([MIN_ARG_64 + 1e-9, -708, -700]));
    for (const v of edge) expect(v).toBeGreaterThanOrEqual(2 ** -1022);
  });
});
