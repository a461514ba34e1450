/**
 * Every kernel of the contract, on the wasm backend, against the js backend
 * (the readable specification) and against a naive reference written here in
 * float64 on plain arrays. Both dtypes.
 */
import { describe, expect, it } from 'vitest';
import { BCE_EPSILON, DTYPES, type Backend, type DType } from '../src/backend/backend.js';
import { createBackend } from '../src/backend/index.js';

// ---------------------------------------------------------------- helpers

/** mulberry32: a tiny seeded PRNG, so every run sees the same data. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rounds to the dtype, so the float64 reference sees exactly the stored inputs. */
function rounder(dtype: DType): (x: number) => number {
  return dtype === 'float32' ? Math.fround : (x) => x;
}

/** n uniform values in [lo, hi), representable in the dtype. */
function uniform(rand: () => number, dtype: DType, n: number, lo = -1, hi = 1): number[] {
  const r = rounder(dtype);
  return Array.from({ length: n }, () => r(lo + (hi - lo) * rand()));
}

function upload(be: Backend, data: ArrayLike<number>): number {
  const offset = be.alloc(data.length);
  be.view(offset, data.length).set(Array.from(data)); // a fresh view: alloc may have grown memory
  return offset;
}

function download(be: Backend, offset: number, n: number): number[] {
  return Array.from(be.view(offset, n));
}

/** Fails listing the first few indices where |actual - expected| > tol[i] (or NaN where a number is due). */
function expectClose(actual: number[], expected: number[], tol: (i: number) => number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length && bad.length < 5; i++) {
    const ok = Number.isNaN(expected[i]) ? Number.isNaN(actual[i]) : Math.abs(actual[i] - expected[i]) <= tol(i);
    if (!ok) bad.push(`[${i}] got ${actual[i]}, want ${expected[i]} ± ${tol(i)}`);
  }
  expect(bad, label).toEqual([]);
}

/** Bit-for-bit equality (Object.is, so NaN equals NaN and 0 differs from -0). */
function expectIdentical(actual: number[], expected: number[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length && bad.length < 5; i++) {
    if (!Object.is(actual[i], expected[i])) bad.push(`[${i}] got ${actual[i]}, want ${expected[i]}`);
  }
  expect(bad, label).toEqual([]);
}

async function backends(dtype: DType): Promise<Record<'wasm' | 'js', Backend>> {
  return { wasm: await createBackend('wasm', dtype), js: await createBackend('js', dtype) };
}

/** Unit roundoff per dtype: tolerances are multiples of it. */
const EPS: Record<DType, number> = { float32: 2 ** -24, float64: 2 ** -53 };

// ---------------------------------------------------------------- gemm

/** Values either side of C in its buffer: a kernel that writes outside C changes them. */
const GUARD = 3;
const SENTINEL = 777.25;

interface GemmCase {
  transA: boolean; transB: boolean; m: number; n: number; k: number;
  alpha: number; beta: number; A: number[]; B: number[]; C: number[];
}

/** Runs one gemm on a backend; returns C with GUARD sentinels either side. */
function runGemm(be: Backend, g: GemmCase): number[] {
  const a = upload(be, g.A), b = upload(be, g.B);
  const guard = new Array<number>(GUARD).fill(SENTINEL);
  const cBuffer = upload(be, [...guard, ...g.C, ...guard]);
  // C deliberately starts GUARD elements into its block: not 16-byte aligned.
  be.gemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, b, g.beta, cBuffer + GUARD * be.bytesPerElement);
  const out = download(be, cBuffer, g.C.length + 2 * GUARD);
  expectIdentical(download(be, a, g.A.length), g.A, `${be.name}: A must be left as it was`);
  expectIdentical(download(be, b, g.B.length), g.B, `${be.name}: B must be left as it was`);
  be.free(a); be.free(b); be.free(cBuffer);
  return out;
}

/** The textbook triple loop in float64; also the magnitude sum |alpha a b| + |beta c| per element. */
function referenceGemm(g: GemmCase): { value: number[]; magnitude: number[] } {
  const { transA, transB, m, n, k, alpha, beta, A, B, C } = g;
  const value: number[] = [], magnitude: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0, abs = 0;
      for (let p = 0; p < k; p++) {
        const aip = transA ? A[p * m + i] : A[i * k + p];
        const bpj = transB ? B[j * k + p] : B[p * n + j];
        sum += aip * bpj;
        abs += Math.abs(aip * bpj);
      }
      const prior = beta === 0 ? 0 : beta * C[i * n + j];
      value.push(alpha * sum + prior);
      magnitude.push(Math.abs(alpha) * abs + Math.abs(prior));
    }
  }
  return { value, magnitude };
}

/** [m, n, k]: edge cases, odd sizes, the seed network's products, multi-block sizes. */
const GEMM_SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 9, 1], [9, 1, 1], [2, 3, 1],
  [3, 5, 7], [5, 3, 9], [13, 17, 11], [4, 8, 16], [8, 4, 16],
  // The 2-8-4-1 seed network on 200 samples: forward X W, backward A^T dZ and dZ W^T.
  [200, 8, 2], [200, 4, 8], [200, 1, 4],
  [2, 8, 200], [8, 4, 200], [4, 1, 200], [8, 200, 4],
  [200, 2, 8], [200, 8, 4], [200, 4, 1],
  // Several row blocks (MC), column chunks and depth blocks (KC) of the wasm kernel.
  [257, 129, 65], [7, 19, 513], [530, 70, 130],
  // Degenerate: an empty product (C = beta C), and empty outputs.
  [3, 4, 0], [0, 5, 3], [4, 0, 3],
];

const SCALINGS = [
  { alpha: 1, beta: 0 }, // C's NaN garbage must not leak through
  { alpha: 1, beta: 1 }, // accumulate
  { alpha: 0.5, beta: 0 },
  { alpha: -0.5, beta: 2 },
];

describe.each(DTYPES)('gemm, %s', (dtype) => {
  const tolScale = dtype === 'float64' ? 1e-12 : 1e-5;

  it.each(GEMM_SHAPES)('m=%i n=%i k=%i, every transpose and scaling', async (m, n, k) => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(m * 1_000_003 + n * 1009 + k);
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const { alpha, beta } of SCALINGS) {
          const g: GemmCase = {
            transA, transB, m, n, k, alpha, beta,
            A: uniform(rand, dtype, m * k), B: uniform(rand, dtype, k * n),
            C: beta === 0 ? new Array<number>(m * n).fill(NaN) : uniform(rand, dtype, m * n),
          };
          const label = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} alpha=${alpha} beta=${beta}`;
          const ref = referenceGemm(g);
          const tol = (i: number) => tolScale * (1 + ref.magnitude[i]);
          const fromWasm = runGemm(wasm, g), fromJs = runGemm(js, g);
          const guard = new Array<number>(GUARD).fill(SENTINEL);
          for (const [name, out] of [['wasm', fromWasm], ['js', fromJs]] as const) {
            expectIdentical(out.slice(0, GUARD), guard, `${name} ${label}: wrote before C`);
            expectIdentical(out.slice(GUARD + m * n), guard, `${name} ${label}: wrote past C`);
            expectClose(out.slice(GUARD, GUARD + m * n), ref.value, tol, `${name} vs reference, ${label}`);
          }
          expectClose(fromWasm.slice(GUARD, GUARD + m * n), fromJs.slice(GUARD, GUARD + m * n),
            (i) => 2 * tol(i), `wasm vs js, ${label}`);
        }
      }
    }
  });

  it('is exact on small integers, whatever the blocking', async () => {
    // Integer products and sums below 2^24 are exact in both dtypes: any
    // misplaced, doubled or dropped term shows as a wrong integer.
    const { wasm } = await backends(dtype);
    const rand = prng(99);
    const ints = (count: number) => Array.from({ length: count }, () => Math.floor(rand() * 7) - 3);
    for (const [m, n, k] of [[37, 45, 300], [6, 10, 5]]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const g: GemmCase = { transA, transB, m, n, k, alpha: 1, beta: 1, A: ints(m * k), B: ints(k * n), C: ints(m * n) };
          const out = runGemm(wasm, g).slice(GUARD, GUARD + m * n);
          expectIdentical(out, referenceGemm(g).value, `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${m}x${n}x${k}`);
        }
      }
    }
  });
});

// ---------------------------------------------------------------- elementwise kernels

describe.each(DTYPES)('elementwise kernels, %s', (dtype) => {
  const round = rounder(dtype);
  const f32 = dtype === 'float32';

  it('addBias adds the bias to every row, bit-equal to js', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(1);
    for (const [rows, cols] of [[7, 13], [200, 8], [5, 1], [3, 2], [1, 37], [0, 4]]) {
      const x = uniform(rand, dtype, rows * cols, -3, 3), bias = uniform(rand, dtype, cols, -3, 3);
      const expected = x.map((v, i) => round(v + bias[i % cols]));
      for (const be of [wasm, js]) {
        const xo = upload(be, x), bo = upload(be, bias);
        be.addBias(rows, cols, bo, xo);
        expectIdentical(download(be, xo, x.length), expected, `${be.name} ${rows}x${cols}`);
        expectIdentical(download(be, bo, cols), bias, `${be.name}: bias must be left as it was`);
        be.free(xo); be.free(bo);
      }
    }
  });

  it('sumColumns overwrites out with the column sums, bit-equal to js', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(2);
    for (const [rows, cols] of [[37, 1], [37, 3], [37, 19], [37, 37], [200, 8], [1, 5], [0, 6]]) {
      const x = uniform(rand, dtype, rows * cols, -2, 2);
      // Row by row from zero, rounding after every addition, as js.ts does.
      const expected = Array.from({ length: cols }, (_, c) => {
        let s = 0;
        for (let r = 0; r < rows; r++) s = round(s + x[r * cols + c]);
        return s;
      });
      const results: number[][] = [];
      for (const be of [wasm, js]) {
        const xo = upload(be, x), out = upload(be, new Array<number>(cols).fill(NaN));
        be.sumColumns(rows, cols, xo, out);
        results.push(download(be, out, cols));
        be.free(xo); be.free(out);
      }
      expectIdentical(results[0], results[1], `wasm vs js ${rows}x${cols}`);
      expectIdentical(results[0], expected, `wasm vs reference ${rows}x${cols}`);
    }
  });

  it('sigmoid is accurate, in place or not, and saturates without NaN', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(3);
    const special = [0, -0, 1, -1, 20, -20, 88, -88, 100, -100, 700, -700, 1000, -1000, 1e30, -1e30, Infinity, -Infinity];
    // Specials, a dense sweep through the whole non-saturated range, random values.
    const sweep = Array.from({ length: 1301 }, (_, i) => -100 + i * 0.1);
    const x = [...special, ...sweep, ...uniform(rand, dtype, 203, -12, 12)].map(round);
    const expected = x.map((z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))));
    const results: number[][] = [];
    for (const be of [wasm, js]) {
      const xo = upload(be, x), out = upload(be, new Array<number>(x.length).fill(NaN));
      be.sigmoid(x.length, xo, out);
      const separate = download(be, out, x.length);
      expectIdentical(download(be, xo, x.length), x, `${be.name}: x must be left as it was`);
      be.sigmoid(x.length, xo, xo);
      expectIdentical(download(be, xo, x.length), separate, `${be.name}: in place equals out of place`);
      results.push(separate);
      be.free(xo); be.free(out);
    }
    const [fromWasm, fromJs] = results;
    for (const v of fromWasm) expect(v >= 0 && v <= 1, `sigmoid value ${v}`).toBe(true);
    for (const [i, z] of special.entries()) {
      if (Math.abs(z) >= 1000) expect(fromWasm[i], `sigmoid(${z})`).toBe(z > 0 ? 1 : 0);
    }
    // float64: within a couple of ulps (Math.exp may differ in the last bit between
    // V8 and AssemblyScript's libm). float32: a few ulps relative (so also far below
    // 1e-6 absolute), results under FLT_MIN may be flushed to 0.
    const tol = f32
      ? (i: number) => 4 * EPS.float32 * Math.abs(expected[i]) + 2 ** -126
      : (i: number) => 4 * EPS.float64 * Math.abs(expected[i]);
    expectClose(fromWasm, expected, tol, 'wasm vs Math');
    expectClose(fromWasm, fromJs, (i) => 2 * tol(i), 'wasm vs js');
  });

  it('sigmoidBackward multiplies grad by a (1 - a)', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(4);
    const n = 203;
    const a = [0, 1, 0.5, ...uniform(rand, dtype, n - 3, 0, 1)], grad = uniform(rand, dtype, n, -2, 2);
    const expected = grad.map((g, i) => round(g * (a[i] * (1 - a[i]))));
    const results: number[][] = [];
    for (const be of [wasm, js]) {
      const ao = upload(be, a), go = upload(be, grad);
      be.sigmoidBackward(n, ao, go);
      results.push(download(be, go, n));
      be.free(ao); be.free(go);
    }
    if (f32) {
      // f32 rounds a (1 - a) before the product; js rounds once at the end.
      expectClose(results[0], expected, (i) => 2 * EPS.float32 * Math.abs(expected[i]), 'wasm vs reference');
    } else {
      expectIdentical(results[0], results[1], 'wasm vs js');
      expectIdentical(results[0], expected, 'wasm vs reference');
    }
  });

  it('binaryCrossentropy is the mean loss, summed in float64', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(5);
    for (const n of [1, 7, 200, 1001]) {
      const y = Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1));
      // Confident hits and misses, exact 0 and 1 (the epsilon's job), and everything between.
      const a = uniform(rand, dtype, n, 0, 1).map((v, i) => (i % 11 === 0 ? y[i] : i % 13 === 0 ? 1 - y[i] : v));
      let sum = 0;
      for (let i = 0; i < n; i++) sum += y[i] * Math.log(a[i] + BCE_EPSILON) + (1 - y[i]) * Math.log(1 - a[i] + BCE_EPSILON);
      const expected = -sum / n;
      const losses: number[] = [];
      for (const be of [wasm, js]) {
        const ao = upload(be, a), yo = upload(be, y);
        losses.push(be.binaryCrossentropy(n, ao, yo));
        be.free(ao); be.free(yo);
      }
      expect(Number.isFinite(losses[0]), `finite loss, n=${n}`).toBe(true);
      expect(Math.abs(losses[0] - expected), `wasm vs reference, n=${n}`).toBeLessThanOrEqual(1e-13 * Math.abs(expected));
      expect(Math.abs(losses[0] - losses[1]), `wasm vs js, n=${n}`).toBeLessThanOrEqual(1e-13 * Math.abs(expected));
    }
  });

  it('binaryCrossentropySigmoidBackward is (a - y) / n, bit-equal to js', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(6);
    for (const n of [1, 3, 13, 200]) {
      const a = uniform(rand, dtype, n, 0, 1), y = Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1));
      const expected = a.map((v, i) => round((v - y[i]) / n));
      const results: number[][] = [];
      for (const be of [wasm, js]) {
        const ao = upload(be, a), yo = upload(be, y), go = upload(be, new Array<number>(n).fill(NaN));
        be.binaryCrossentropySigmoidBackward(n, ao, yo, go);
        results.push(download(be, go, n));
        be.free(ao); be.free(yo); be.free(go);
      }
      expectIdentical(results[0], results[1], `wasm vs js, n=${n}`);
      expectIdentical(results[0], expected, `wasm vs reference, n=${n}`);
    }
  });

  it('binaryAccuracy counts (a > 0.5) == y', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(7);
    for (const n of [1, 10, 200]) {
      const y = Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1));
      // 0.5 itself predicts 0; the thresholds' neighbours predict what they should.
      const near = [0.5, round(0.5 + 1e-6), round(0.5 - 1e-6), 0, 1];
      const a = uniform(rand, dtype, n, 0, 1).map((v, i) => (i % 3 === 0 ? near[i % near.length] : v));
      const expected = a.filter((v, i) => (v > 0.5 ? 1 : 0) === y[i]).length / n;
      for (const be of [wasm, js]) {
        const ao = upload(be, a), yo = upload(be, y);
        expect(be.binaryAccuracy(n, ao, yo), `${be.name}, n=${n}`).toBe(expected);
        be.free(ao); be.free(yo);
      }
    }
    // And the extremes, so a constant answer cannot pass.
    const ones = [0.9, 0.8, 0.7, 0.6], zeros = [0.1, 0.2, 0.3, 0.5];
    const ao = upload(wasm, [...ones, ...zeros]);
    const right = upload(wasm, [1, 1, 1, 1, 0, 0, 0, 0]), wrong = upload(wasm, [0, 0, 0, 0, 1, 1, 1, 1]);
    expect(wasm.binaryAccuracy(8, ao, right)).toBe(1);
    expect(wasm.binaryAccuracy(8, ao, wrong)).toBe(0);
    wasm.free(ao); wasm.free(right); wasm.free(wrong);
  });

  it('sgd steps w by -lr g', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(8);
    for (const n of [1, 5, 8, 203]) {
      for (const lr of [0.1, 1, 0.5]) {
        const w = uniform(rand, dtype, n, -2, 2), g = uniform(rand, dtype, n, -2, 2);
        const expected = w.map((v, i) => round(v - lr * g[i]));
        const results: number[][] = [];
        for (const be of [wasm, js]) {
          const wo = upload(be, w), go = upload(be, g);
          be.sgd(n, lr, wo, go);
          results.push(download(be, wo, n));
          expectIdentical(download(be, go, n), g, `${be.name}: g must be left as it was`);
          be.free(wo); be.free(go);
        }
        if (f32) {
          // f32 rounds lr and lr * g to f32 first; js works in f64 and rounds once.
          expectClose(results[0], expected, (i) => 2 * EPS.float32 * (Math.abs(w[i]) + Math.abs(lr * g[i])),
            `wasm vs reference, n=${n} lr=${lr}`);
        } else {
          expectIdentical(results[0], results[1], `wasm vs js, n=${n} lr=${lr}`);
          expectIdentical(results[0], expected, `wasm vs reference, n=${n} lr=${lr}`);
        }
      }
    }
  });

  it('gatherRows copies the indexed rows in order', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(9);
    for (const [rows, cols] of [[200, 2], [50, 1], [33, 5], [17, 12], [9, 9]]) {
      const src = uniform(rand, dtype, rows * cols, -5, 5);
      // Fisher-Yates permutation; then take fewer rows than there are, with a repeat.
      const perm = Array.from({ length: rows }, (_, i) => i);
      for (let i = rows - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      for (const index of [perm, [...perm.slice(0, rows >> 1), perm[0]]]) {
        const expected = index.flatMap((r) => src.slice(r * cols, (r + 1) * cols));
        for (const be of [wasm, js]) {
          const so = upload(be, src), dst = upload(be, new Array<number>(index.length * cols).fill(NaN));
          const io = be.allocIndices(index.length);
          be.indexView(io, index.length).set(index);
          be.gatherRows(index.length, cols, so, io, dst);
          expectIdentical(download(be, dst, index.length * cols), expected, `${be.name} ${rows}x${cols}`);
          be.free(so); be.free(dst); be.free(io);
        }
      }
    }
  });
});
