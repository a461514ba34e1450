/**
 * Every kernel of the contract, on the wasm backend, against the js backend
 * (the readable specification) and against a naive reference written here in
 * float64 on plain arrays. Both dtypes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Backend, BCE_EPSILON, CCE_EPSILON, DTYPES, type DType, KERNEL_NAMES } from '../../src/backend/backend.js';
import { createBackend } from '../../src/backend/index.js';
import { prng } from '../helpers.js';

// ---------------------------------------------------------------- helpers

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
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  A: number[];
  B: number[];
  C: number[];
}

/** Runs one gemm on a backend; returns C with GUARD sentinels either side. */
function runGemm(be: Backend, g: GemmCase): number[] {
  const a = upload(be, g.A),
    b = upload(be, g.B);
  const guard = new Array<number>(GUARD).fill(SENTINEL);
  const cBuffer = upload(be, [...guard, ...g.C, ...guard]);
  // C deliberately starts GUARD elements into its block: not 16-byte aligned.
  be.gemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, b, g.beta, cBuffer + GUARD * be.bytesPerElement);
  const out = download(be, cBuffer, g.C.length + 2 * GUARD);
  expectIdentical(download(be, a, g.A.length), g.A, `${be.name}: A must be left as it was`);
  expectIdentical(download(be, b, g.B.length), g.B, `${be.name}: B must be left as it was`);
  be.free(a);
  be.free(b);
  be.free(cBuffer);
  return out;
}

/** The textbook triple loop in float64; also the magnitude sum |alpha a b| + |beta c| per element. */
function referenceGemm(g: GemmCase): { value: number[]; magnitude: number[] } {
  const { transA, transB, m, n, k, alpha, beta, A, B, C } = g;
  const value: number[] = [],
    magnitude: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0,
        abs = 0;
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
  [1, 1, 1],
  [1, 9, 1],
  [9, 1, 1],
  [2, 3, 1],
  [3, 5, 7],
  [5, 3, 9],
  [13, 17, 11],
  [4, 8, 16],
  [8, 4, 16],
  // The 2-8-4-1 seed network on 200 samples: forward X W, backward A^T dZ and dZ W^T.
  [200, 8, 2],
  [200, 4, 8],
  [200, 1, 4],
  [2, 8, 200],
  [8, 4, 200],
  [4, 1, 200],
  [8, 200, 4],
  [200, 2, 8],
  [200, 8, 4],
  [200, 4, 1],
  // Several row blocks (MC), column chunks and depth blocks (KC) of the wasm kernel.
  [257, 129, 65],
  [7, 19, 513],
  [530, 70, 130],
  // Degenerate: an empty product (C = beta C), and empty outputs.
  [3, 4, 0],
  [0, 5, 3],
  [4, 0, 3],
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
            transA,
            transB,
            m,
            n,
            k,
            alpha,
            beta,
            A: uniform(rand, dtype, m * k),
            B: uniform(rand, dtype, k * n),
            C: beta === 0 ? new Array<number>(m * n).fill(NaN) : uniform(rand, dtype, m * n),
          };
          const label = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} alpha=${alpha} beta=${beta}`;
          const ref = referenceGemm(g);
          const tol = (i: number) => tolScale * (1 + ref.magnitude[i]);
          const fromWasm = runGemm(wasm, g),
            fromJs = runGemm(js, g);
          const guard = new Array<number>(GUARD).fill(SENTINEL);
          for (const [name, out] of [
            ['wasm', fromWasm],
            ['js', fromJs],
          ] as const) {
            expectIdentical(out.slice(0, GUARD), guard, `${name} ${label}: wrote before C`);
            expectIdentical(out.slice(GUARD + m * n), guard, `${name} ${label}: wrote past C`);
            expectClose(out.slice(GUARD, GUARD + m * n), ref.value, tol, `${name} vs reference, ${label}`);
          }
          expectClose(
            fromWasm.slice(GUARD, GUARD + m * n),
            fromJs.slice(GUARD, GUARD + m * n),
            (i) => 2 * tol(i),
            `wasm vs js, ${label}`,
          );
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
    for (const [m, n, k] of [
      [37, 45, 300],
      [6, 10, 5],
    ]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const g: GemmCase = { transA, transB, m, n, k, alpha: 1, beta: 1, A: ints(m * k), B: ints(k * n), C: ints(m * n) };
          const out = runGemm(wasm, g).slice(GUARD, GUARD + m * n);
          expectIdentical(out, referenceGemm(g).value, `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${m}x${n}x${k}`);
        }
      }
    }
  });

  it('sweeps every small m and n against every k edge of the blocking, exactly', async () => {
    // Small integers and dyadic alpha, beta: every product and sum is exact in
    // both dtypes, so the result must equal the triple loop (a zero's sign aside:
    // compared with ===). m and n walk every micro-tile remainder (MR = 4; NR = 8
    // f32, 4 f64; f32's narrow 4-column panels), A^T in place or packed (rows of
    // at most 64 bytes or more), B in place (n = NR) or packed; k every side of
    // KC = 128, and deep products of many k-blocks.
    const { wasm } = await backends(dtype);
    const rand = prng(4242);
    const ints = (count: number) => Array.from({ length: count }, () => Math.floor(rand() * 7) - 3);
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17];
    const scalings = [
      { alpha: 1, beta: 0 },
      { alpha: -0.5, beta: 2 },
      { alpha: 2, beta: 1 },
    ];
    const shapes: [number, number, number][] = [
      [3, 5, 2000],
      [33, 17, 1100],
    ];
    for (const m of sizes) for (const n of sizes) for (const k of [1, 2, 3, 127, 128, 129, 257]) shapes.push([m, n, k]);
    let count = 0;
    for (const [m, n, k] of shapes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const { alpha, beta } = scalings[count++ % scalings.length];
          const g: GemmCase = {
            transA,
            transB,
            m,
            n,
            k,
            alpha,
            beta,
            A: ints(m * k),
            B: ints(k * n),
            C: beta === 0 ? new Array<number>(m * n).fill(NaN) : ints(m * n),
          };
          const out = runGemm(wasm, g);
          const label = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${m}x${n}x${k} alpha=${alpha} beta=${beta}`;
          const guard = new Array<number>(GUARD).fill(SENTINEL);
          expectIdentical(
            [...out.slice(0, GUARD), ...out.slice(GUARD + m * n)],
            [...guard, ...guard],
            `${label}: wrote outside C`,
          );
          expectClose(out.slice(GUARD, GUARD + m * n), referenceGemm(g).value, () => 0, label);
        }
      }
    }
  });

  it('few rows (m = 1 to 8) match the reference, and give each row the bits a 64-row product gives it', async () => {
    // A product of one row, or of up to four over a B larger than a packed
    // chunk (32 KB), reads B in place rather than packing it (untransposed:
    // float32 only; B transposed: both dtypes, each element a dot product);
    // every path must sum each element in the same order, so a row's result
    // does not depend on how many rows share its product. n covers
    // whole vectors, a partial last one, and rows of B longer than the strip
    // summed at a time (2048 bytes); k both sides of the depth block KC = 128
    // and of the four rows of B taken together.
    const { wasm, js } = await backends(dtype);
    const rand = prng(8128);
    const BIG = 64;
    for (const [n, k] of [
      [1, 1],
      [3, 7],
      [10, 128],
      [5, 17],
      [33, 129],
      [67, 5],
      [130, 257],
      [600, 9],
    ]) {
      for (const [transA, transB] of [
        [false, false],
        [true, false],
        [false, true],
      ] as const) {
        for (const { alpha, beta } of SCALINGS) {
          const full: GemmCase = {
            transA,
            transB,
            m: BIG,
            n,
            k,
            alpha,
            beta,
            A: uniform(rand, dtype, BIG * k),
            B: uniform(rand, dtype, k * n),
            C: beta === 0 ? new Array<number>(BIG * n).fill(NaN) : uniform(rand, dtype, BIG * n),
          };
          const all = runGemm(wasm, full).slice(GUARD, GUARD + BIG * n);
          for (let m = 1; m <= 8; m++) {
            // The first m rows of op(A), stored as the transpose flag says.
            const A: number[] = [];
            if (transA) for (let p = 0; p < k; p++) A.push(...full.A.slice(p * BIG, p * BIG + m));
            else A.push(...full.A.slice(0, m * k));
            const g: GemmCase = { ...full, m, A, C: full.C.slice(0, m * n) };
            const label = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${m}x${n}x${k} alpha=${alpha} beta=${beta}`;
            const out = runGemm(wasm, g);
            const guard = new Array<number>(GUARD).fill(SENTINEL);
            expectIdentical(
              [...out.slice(0, GUARD), ...out.slice(GUARD + m * n)],
              [...guard, ...guard],
              `${label}: wrote outside C`,
            );
            const few = out.slice(GUARD, GUARD + m * n);
            expectIdentical(few, all.slice(0, m * n), `${label}: rows as in a ${BIG}-row product`);
            const ref = referenceGemm(g);
            const tol = (i: number) => tolScale * (1 + ref.magnitude[i]);
            expectClose(few, ref.value, tol, `wasm vs reference, ${label}`);
            expectClose(runGemm(js, g).slice(GUARD, GUARD + m * n), ref.value, tol, `js vs reference, ${label}`);
          }
        }
      }
    }
  });

  it('one column of C (n = 1) has the bits of the first column of a wider product', async () => {
    // op(A) times a single column is computed as a row, the operands' roles
    // swapped; every element must still be the blocked path's sum.
    const { wasm } = await backends(dtype);
    const rand = prng(4242);
    const WIDE = 5;
    for (const [m, k] of [
      [1, 1],
      [3, 4],
      [200, 4],
      [17, 129],
      [64, 300],
    ]) {
      for (const transA of [false, true]) {
        for (const { alpha, beta } of SCALINGS) {
          const A = uniform(rand, dtype, m * k);
          const column = uniform(rand, dtype, k);
          const wideB = column.flatMap((v) => [v, ...uniform(rand, dtype, WIDE - 1)]);
          const C = beta === 0 ? new Array<number>(m).fill(NaN) : uniform(rand, dtype, m);
          const wideC = C.flatMap((v) => [v, ...new Array<number>(WIDE - 1).fill(0)]);
          const base = { transA, transB: false, m, k, alpha, beta, A };
          const one = runGemm(wasm, { ...base, n: 1, B: column, C }).slice(GUARD, GUARD + m);
          const wide = runGemm(wasm, { ...base, n: WIDE, B: wideB, C: wideC }).slice(GUARD, GUARD + m * WIDE);
          const label = `${transA ? 'T' : 'N'}N ${m}x1x${k} alpha=${alpha} beta=${beta}`;
          expectIdentical(
            one,
            wide.filter((_, e) => e % WIDE === 0),
            label,
          );
        }
      }
    }
  });

  it('an outer product (k = 1: A^T B over one row of A, or A B^T through one unit) is alpha (0 + a b) + beta c, bit for bit', async () => {
    // The weight gradient of one row, and the backward pass through a layer
    // of one unit, read A and B in place (gemmOuter); each element must be
    // exactly the blocked path's operations: a sum from zero, scaled by
    // alpha, beta C added when beta is not 0. Rows of one or two vectors
    // (n = 4, 8 in float32; 2, 4 in float64) hold B in registers.
    const { wasm } = await backends(dtype);
    const round = rounder(dtype);
    const rand = prng(99);
    for (const [m, n] of [
      [1, 1],
      [7, 3],
      [16, 10],
      [33, 130],
      [784, 17],
      [200, 4],
      [9, 8],
      [5, 2],
    ]) {
      for (const [transA, transB] of [
        [true, false],
        [false, true],
      ])
        for (const { alpha, beta } of SCALINGS) {
          const A = uniform(rand, dtype, m);
          const B = uniform(rand, dtype, n);
          A[0] = -0; // 0 + (-0 b) is +0: the sum starts from zero
          const C = beta === 0 ? new Array<number>(m * n).fill(NaN) : uniform(rand, dtype, m * n);
          const out = runGemm(wasm, { transA, transB, m, n, k: 1, alpha, beta, A, B, C });
          const expected = C.map((c, e) => {
            const v = round(alpha * round(0 + round(A[Math.floor(e / n)] * B[e % n])));
            return beta !== 0 ? round(v + round(beta * c)) : v;
          });
          const label = `${transA ? 'TN' : 'NT'} ${m}x${n}x1 alpha=${alpha} beta=${beta}`;
          expectIdentical(out.slice(GUARD, GUARD + m * n), expected, label);
        }
    }
  });

  it('a product over a small op(B) (one or two vectors of columns, k = 2 to 8) sums from zero in p order, bit for bit', async () => {
    // A small layer's x W and delta W^T hold op(B) in registers (gemmSmallB):
    // each element must be exactly the blocked path's operations, a sum from
    // zero with the products added in p order, scaled by alpha, beta C added
    // when beta is not 0. Shapes around the path's edges take the others.
    const { wasm } = await backends(dtype);
    const round = rounder(dtype);
    const rand = prng(77);
    const lanes = dtype === 'float32' ? 4 : 2;
    const shapes: [number, number, number][] = [];
    for (const m of [1, 5, 200]) {
      for (const n of [lanes, 2 * lanes, lanes - 1, 2 * lanes + 1]) for (let k = 1; k <= 9; k++) shapes.push([m, n, k]);
    }
    for (const [m, n, k] of shapes) {
      for (const transB of [false, true]) {
        for (const { alpha, beta } of SCALINGS) {
          const A = uniform(rand, dtype, m * k);
          const B = uniform(rand, dtype, k * n);
          // Row 0 of A all -0 against a column 0 of op(B) all positive: every product -0, and the sum +0 only
          // because it starts from zero.
          for (let p = 0; p < k; p++) {
            A[p] = -0;
            const at = transB ? p : p * n;
            B[at] = Math.abs(B[at]) || 1;
          }
          const C = beta === 0 ? new Array<number>(m * n).fill(NaN) : uniform(rand, dtype, m * n);
          const out = runGemm(wasm, { transA: false, transB, m, n, k, alpha, beta, A, B, C });
          const expected = C.map((c, e) => {
            const i = Math.floor(e / n),
              j = e % n;
            let sum = 0;
            for (let p = 0; p < k; p++) sum = round(sum + round(A[i * k + p] * (transB ? B[j * k + p] : B[p * n + j])));
            const v = round(alpha * sum);
            return beta !== 0 ? round(v + round(beta * c)) : v;
          });
          const label = `N${transB ? 'T' : 'N'} ${m}x${n}x${k} alpha=${alpha} beta=${beta}`;
          expectIdentical(out.slice(GUARD, GUARD + m * n), expected, label);
        }
      }
    }
  });

  it('alpha = 0 is not special-cased: C = beta C exactly for finite A and B, NaN where A or B has NaN or ±Infinity', async () => {
    // Reference BLAS skips A and B when alpha is 0 (so their NaN never reaches C).
    // wasmlp's kernels do not: alpha multiplies the computed product, as for any
    // alpha, and IEEE 0 * NaN and 0 * Infinity are NaN. Both backends agree; a
    // BLAS-style shortcut in one of them fails here. (The library itself only
    // ever passes alpha = 1.)
    const { wasm, js } = await backends(dtype);
    const rand = prng(43);
    // [m, n, k]: small tiles, edges, and several k-blocks.
    for (const [m, n, k] of [
      [1, 1, 1],
      [3, 5, 4],
      [9, 9, 130],
      [5, 17, 2],
    ]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const beta of [0, 1, -2]) {
            const label = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${m}x${n}x${k} beta=${beta}`;
            const C = uniform(rand, dtype, m * n, -4, 4);
            const scaled = C.map((c) => (beta === 0 ? 0 : beta * c)); // exact: beta is a power of two
            // Finite A and B: alpha 0 times the product is ±0, and ±0 + beta C is beta C.
            const finite: GemmCase = {
              transA,
              transB,
              m,
              n,
              k,
              alpha: 0,
              beta,
              A: uniform(rand, dtype, m * k, -4, 4),
              B: uniform(rand, dtype, k * n, -4, 4),
              C,
            };
            // Every row of op(A) and every column of op(B) meets a NaN or an Infinity.
            const A = finite.A.map((v, i) => (i % 3 === 0 ? NaN : i % 3 === 1 ? Infinity : v));
            const B = finite.B.map((v, i) => (i % 2 === 0 ? -Infinity : v));
            const poisoned: GemmCase = { ...finite, A, B };
            for (const be of [wasm, js]) {
              // Zeros compared with ===: wasm writes -0 where alpha 0 meets a negative product and beta is 0, js +0.
              expectClose(runGemm(be, finite).slice(GUARD, GUARD + m * n), scaled, () => 0, `${be.name} finite ${label}`);
              const out = runGemm(be, poisoned).slice(GUARD, GUARD + m * n);
              expectIdentical(out, new Array<number>(m * n).fill(NaN), `${be.name} NaN or Infinity in A and B, ${label}`);
            }
          }
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
    for (const [rows, cols] of [
      [7, 13],
      [200, 8],
      [5, 1],
      [3, 2],
      [1, 37],
      [0, 4],
      // Rows of 4 or 8 bytes take the tiled path: whole vectors, then a tail.
      [200, 1],
      [201, 2],
      [1, 1],
      [2, 2],
      // Rows of one or two whole vectors keep the bias in registers.
      [9, 4],
      [3, 8],
    ]) {
      const x = uniform(rand, dtype, rows * cols, -3, 3),
        bias = uniform(rand, dtype, cols, -3, 3);
      const expected = x.map((v, i) => round(v + bias[i % cols]));
      for (const be of [wasm, js]) {
        const xo = upload(be, x),
          bo = upload(be, bias);
        be.addBias(rows, cols, bo, xo);
        expectIdentical(download(be, xo, x.length), expected, `${be.name} ${rows}x${cols}`);
        expectIdentical(download(be, bo, cols), bias, `${be.name}: bias must be left as it was`);
        be.free(xo);
        be.free(bo);
      }
    }
  });

  it('sumColumns overwrites out with the column sums, bit-equal to js', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(2);
    for (const [rows, cols] of [
      [37, 1],
      [37, 3],
      [37, 19],
      [37, 37],
      [200, 8],
      [1, 5],
      [0, 6],
      // Strips of four vectors, then two side by side, then one, then single columns.
      [37, 27],
      [37, 4],
    ]) {
      const x = uniform(rand, dtype, rows * cols, -2, 2);
      // Row by row from zero, rounding after every addition, as js.ts does.
      const expected = Array.from({ length: cols }, (_, c) => {
        let s = 0;
        for (let r = 0; r < rows; r++) s = round(s + x[r * cols + c]);
        return s;
      });
      const results: number[][] = [];
      for (const be of [wasm, js]) {
        const xo = upload(be, x),
          out = upload(be, new Array<number>(cols).fill(NaN));
        be.sumColumns(rows, cols, xo, out);
        results.push(download(be, out, cols));
        be.free(xo);
        be.free(out);
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
      const xo = upload(be, x),
        out = upload(be, new Array<number>(x.length).fill(NaN));
      be.sigmoid(x.length, xo, out);
      const separate = download(be, out, x.length);
      expectIdentical(download(be, xo, x.length), x, `${be.name}: x must be left as it was`);
      be.sigmoid(x.length, xo, xo);
      expectIdentical(download(be, xo, x.length), separate, `${be.name}: in place equals out of place`);
      results.push(separate);
      be.free(xo);
      be.free(out);
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
    const a = [0, 1, 0.5, ...uniform(rand, dtype, n - 3, 0, 1)],
      grad = uniform(rand, dtype, n, -2, 2);
    const expected = grad.map((g, i) => round(g * (a[i] * (1 - a[i]))));
    const results: number[][] = [];
    for (const be of [wasm, js]) {
      const ao = upload(be, a),
        go = upload(be, grad);
      be.sigmoidBackward(n, ao, go);
      results.push(download(be, go, n));
      be.free(ao);
      be.free(go);
    }
    if (f32) {
      // f32 rounds a (1 - a) before the product; js rounds once at the end.
      expectClose(results[0], expected, (i) => 2 * EPS.float32 * Math.abs(expected[i]), 'wasm vs reference');
    } else {
      expectIdentical(results[0], results[1], 'wasm vs js');
      expectIdentical(results[0], expected, 'wasm vs reference');
    }
  });

  it('binaryCrossentropy is the mean loss in float64, bit-equal to js', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(5);
    const round = rounder(dtype);
    const loss = (a: number[], y: number[]) =>
      [wasm, js].map((be) => {
        const ao = upload(be, a),
          yo = upload(be, y);
        const value = be.binaryCrossentropy(a.length, ao, yo);
        be.free(ao);
        be.free(yo);
        return value;
      });
    for (const n of [1, 2, 7, 200, 1001, 20001]) {
      // Mostly 0/1 labels (one factor of the product a term), with soft ones among them (two logs) at n = 1001.
      const y = Array.from({ length: n }, (_, i) => (n === 1001 && i % 17 === 5 ? round(rand()) : rand() < 0.5 ? 0 : 1));
      // Confident hits and misses, exact 0 and 1 (the epsilon's job, 30 bits of the product a miss), and everything between.
      const a = uniform(rand, dtype, n, 0, 1).map((v, i) => round(i % 11 === 0 ? y[i] : i % 13 === 0 ? 1 - y[i] : v));
      // The sum of the logs, compensated (Neumaier), for a reference good to about an ulp.
      let sum = 0,
        carry = 0;
      for (let i = 0; i < n; i++) {
        const term = y[i] * Math.log(a[i] + BCE_EPSILON) + (1 - y[i]) * Math.log(1 - a[i] + BCE_EPSILON);
        const t = sum + term;
        carry += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
        sum = t;
      }
      const expected = -(sum + carry) / n;
      const [wasmLoss, jsLoss] = loss(a, y);
      expect(Number.isFinite(wasmLoss), `finite loss, n=${n}`).toBe(true);
      // The product's roundings: at most n 2^-53 on the sum of the logs, 1.2e-16 on the mean; the rest is the logs' own ulps.
      expect(Math.abs(wasmLoss - expected), `wasm vs reference, n=${n}`).toBeLessThanOrEqual(
        1.2e-16 + 4 * EPS.float64 * expected,
      );
      // The same factors, products, rescalings and log (fdlibm's: assembly/log.ts and Math.log), in the same order.
      expect(wasmLoss, `wasm vs js, n=${n}`).toBe(jsLoss);
    }
    // A product rescaled at almost every factor: every prediction wrong by all it can be, log(1e-9) a term.
    const misses = Array.from({ length: 401 }, (_, i) => i % 2);
    const [wasmMisses, jsMisses] = loss(
      misses.map((v) => 1 - v),
      misses,
    );
    expect(wasmMisses).toBe(jsMisses);
    expect(Math.abs(wasmMisses + Math.log(BCE_EPSILON)), 'all misses').toBeLessThanOrEqual(1e-13);
    // Outside [0, 1] a factor can be negative: the loss is NaN, as its log, even when an even number of them would
    // make the product positive. A NaN prediction or label gives NaN too.
    for (const [a, y] of [
      [
        [-0.5, -0.5, 0.3],
        [1, 1, 0],
      ],
      [
        [1.5, 0.2],
        [0, 1],
      ],
      [
        [0.2, Number.NaN, 0.7],
        [0, 1, 1],
      ],
      [
        [0.2, 0.4],
        [0, Number.NaN],
      ],
    ]) {
      expect(loss(a, y).map(Number.isNaN), `NaN for a = ${a}, y = ${y}`).toEqual([true, true]);
    }
  });

  it('binaryCrossentropySigmoidBackward is (a - y) / n, bit-equal to js', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(6);
    for (const n of [1, 3, 13, 200]) {
      const a = uniform(rand, dtype, n, 0, 1),
        y = Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1));
      const expected = a.map((v, i) => round((v - y[i]) / n));
      const results: number[][] = [];
      for (const be of [wasm, js]) {
        const ao = upload(be, a),
          yo = upload(be, y),
          go = upload(be, new Array<number>(n).fill(NaN));
        be.binaryCrossentropySigmoidBackward(n, ao, yo, go);
        results.push(download(be, go, n));
        be.free(ao);
        be.free(yo);
        be.free(go);
      }
      expectIdentical(results[0], results[1], `wasm vs js, n=${n}`);
      expectIdentical(results[0], expected, `wasm vs reference, n=${n}`);
    }
  });

  it('binaryAccuracy counts (a > 0.5) == y', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(7);
    for (const n of [1, 7, 10, 200, 1001]) {
      const y = Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1));
      // 0.5 itself predicts 0; the thresholds' neighbours predict what they should.
      const near = [0.5, round(0.5 + 1e-6), round(0.5 - 1e-6), 0, 1];
      const a = uniform(rand, dtype, n, 0, 1).map((v, i) => (i % 3 === 0 ? near[i % near.length] : v));
      const expected = a.filter((v, i) => (v > 0.5 ? 1 : 0) === y[i]).length / n;
      for (const be of [wasm, js]) {
        const ao = upload(be, a),
          yo = upload(be, y);
        expect(be.binaryAccuracy(n, ao, yo), `${be.name}, n=${n}`).toBe(expected);
        be.free(ao);
        be.free(yo);
      }
    }
    // And the extremes, so a constant answer cannot pass.
    const ones = [0.9, 0.8, 0.7, 0.6],
      zeros = [0.1, 0.2, 0.3, 0.5];
    const ao = upload(wasm, [...ones, ...zeros]);
    const right = upload(wasm, [1, 1, 1, 1, 0, 0, 0, 0]),
      wrong = upload(wasm, [0, 0, 0, 0, 1, 1, 1, 1]);
    expect(wasm.binaryAccuracy(8, ao, right)).toBe(1);
    expect(wasm.binaryAccuracy(8, ao, wrong)).toBe(0);
    wasm.free(ao);
    wasm.free(right);
    wasm.free(wrong);
  });

  it('sgd steps w by -lr g', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(8);
    for (const n of [1, 5, 8, 203]) {
      for (const lr of [0.1, 1, 0.5]) {
        const w = uniform(rand, dtype, n, -2, 2),
          g = uniform(rand, dtype, n, -2, 2);
        const expected = w.map((v, i) => round(v - lr * g[i]));
        const results: number[][] = [];
        for (const be of [wasm, js]) {
          const wo = upload(be, w),
            go = upload(be, g);
          be.sgd(n, lr, wo, go);
          results.push(download(be, wo, n));
          expectIdentical(download(be, go, n), g, `${be.name}: g must be left as it was`);
          be.free(wo);
          be.free(go);
        }
        if (f32) {
          // f32 rounds lr and lr * g to f32 first; js works in f64 and rounds once.
          expectClose(
            results[0],
            expected,
            (i) => 2 * EPS.float32 * (Math.abs(w[i]) + Math.abs(lr * g[i])),
            `wasm vs reference, n=${n} lr=${lr}`,
          );
        } else {
          expectIdentical(results[0], results[1], `wasm vs js, n=${n} lr=${lr}`);
          expectIdentical(results[0], expected, `wasm vs reference, n=${n} lr=${lr}`);
        }
      }
    }
  });

  it('copy copies n floats and nothing around them', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(12);
    for (const n of [0, 1, 3, 61, 1000]) {
      const src = uniform(rand, dtype, n, -5, 5);
      for (const be of [wasm, js]) {
        const from = upload(be, src),
          to = upload(be, new Array<number>(n + 2).fill(7));
        // Into the middle of a block: the elements on either side stay.
        be.copy(n, from, to + be.bytesPerElement);
        expectIdentical(download(be, to, n + 2), [7, ...src, 7], `${be.name} n=${n}`);
        be.free(from);
        be.free(to);
      }
    }
  });

  it('gatherRows copies the indexed rows in order', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(9);
    for (const [rows, cols] of [
      [200, 2],
      [50, 1],
      [33, 5],
      [17, 12],
      [9, 9],
    ]) {
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
          const so = upload(be, src),
            dst = upload(be, new Array<number>(index.length * cols).fill(NaN));
          const io = be.allocIndices(index.length);
          be.indexView(io, index.length).set(index);
          be.gatherRows(index.length, cols, so, io, dst);
          expectIdentical(download(be, dst, index.length * cols), expected, `${be.name} ${rows}x${cols}`);
          be.free(so);
          be.free(dst);
          be.free(io);
        }
      }
    }
  });
});

// ---------------------------------------------------------------- optimiser kernels

describe.each(DTYPES)('optimiser kernels, %s', (dtype) => {
  const f32 = dtype === 'float32';
  const fr = Math.fround;
  /** Odd sizes: all-tail, one vector and a tail, many vectors and a tail. */
  const SIZES = [1, 3, 5, 17, 1000];

  /** Uploads `data` GUARD elements into a block of sentinels, so the pointer is not 16-byte aligned. */
  function uploadGuarded(be: Backend, data: number[]): { block: number; at: number } {
    const guard = new Array<number>(GUARD).fill(SENTINEL);
    const block = upload(be, [...guard, ...data, ...guard]);
    return { block, at: block + GUARD * be.bytesPerElement };
  }

  /** The guarded block's contents without the guards, after checking the guards are intact. */
  function downloadGuarded(be: Backend, { block }: { block: number }, n: number, label: string): number[] {
    const all = download(be, block, n + 2 * GUARD);
    const guards = [...all.slice(0, GUARD), ...all.slice(GUARD + n)];
    expectIdentical(guards, new Array<number>(2 * GUARD).fill(SENTINEL), `${label}: written outside its buffer`);
    return all.slice(GUARD, GUARD + n);
  }

  it('sgdMomentum: velocity = momentum v - lr g; w += velocity, or momentum velocity - lr g (nesterov)', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(10);
    for (const n of SIZES) {
      for (const nesterov of [false, true]) {
        const lr = 0.1,
          momentum = 0.9;
        const w = uniform(rand, dtype, n, -2, 2),
          g = uniform(rand, dtype, n, -2, 2),
          vel = uniform(rand, dtype, n, -1, 1);
        // The kernel's own arithmetic: in f64 exactly as written; in f32 every operation
        // rounded to f32 (Math.fround after an f64 operation on f32 values is the f32 result).
        const ref = { w: [] as number[], vel: [] as number[], tolW: [] as number[], tolV: [] as number[] };
        for (let i = 0; i < n; i++) {
          if (f32) {
            const step = fr(fr(lr) * g[i]);
            const v1 = fr(fr(fr(momentum) * vel[i]) - step);
            ref.vel.push(v1);
            ref.w.push(fr(w[i] + (nesterov ? fr(fr(fr(momentum) * v1) - step) : v1)));
          } else {
            const step = lr * g[i];
            const v1 = momentum * vel[i] - step;
            ref.vel.push(v1);
            ref.w.push(w[i] + (nesterov ? momentum * v1 - step : v1));
          }
          // js in f32 rounds only at its stores: a few f32 roundings of these magnitudes apart.
          const magnitudeV = Math.abs(momentum * vel[i]) + Math.abs(lr * g[i]);
          ref.tolV.push(4 * EPS.float32 * magnitudeV);
          ref.tolW.push(4 * EPS.float32 * (Math.abs(w[i]) + 2 * magnitudeV));
        }
        const results: Record<string, { w: number[]; vel: number[] }> = {};
        for (const be of [wasm, js]) {
          const label = `${be.name} n=${n} nesterov=${nesterov}`;
          const wo = uploadGuarded(be, w),
            go = uploadGuarded(be, g),
            vo = uploadGuarded(be, vel);
          be.sgdMomentum(n, lr, momentum, nesterov, wo.at, go.at, vo.at);
          results[be.name] = { w: downloadGuarded(be, wo, n, label), vel: downloadGuarded(be, vo, n, label) };
          expectIdentical(downloadGuarded(be, go, n, label), g, `${label}: g must be left as it was`);
          be.free(wo.block);
          be.free(go.block);
          be.free(vo.block);
        }
        const label = `n=${n} nesterov=${nesterov}`;
        expectIdentical(results.wasm.w, ref.w, `wasm w vs reference, ${label}`);
        expectIdentical(results.wasm.vel, ref.vel, `wasm velocity vs reference, ${label}`);
        if (f32) {
          expectClose(results.js.w, ref.w, (i) => ref.tolW[i], `js w vs reference, ${label}`);
          expectClose(results.js.vel, ref.vel, (i) => ref.tolV[i], `js velocity vs reference, ${label}`);
        } else {
          expectIdentical(results.js.w, results.wasm.w, `wasm vs js w, ${label}`);
          expectIdentical(results.js.vel, results.wasm.vel, `wasm vs js velocity, ${label}`);
        }
      }
    }
  });

  it('adam: m += (g - m)(1 - beta1); v += (g² - v)(1 - beta2); w -= m alpha / (sqrt(v) + epsilon)', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(11);
    const beta1 = 0.9,
      beta2 = 0.999,
      epsilon = 1e-7,
      t = 3;
    const alpha = (0.01 * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    for (const n of SIZES) {
      const w = uniform(rand, dtype, n, -2, 2),
        g = uniform(rand, dtype, n, -2, 2);
      const m = uniform(rand, dtype, n, -1, 1),
        v = uniform(rand, dtype, n, 0.25, 1);
      // A zero gradient on zero moments: 0 / (0 + epsilon) leaves w alone (epsilon keeps it finite).
      g[0] = m[0] = v[0] = 0;
      const ref = {
        w: [] as number[],
        m: [] as number[],
        v: [] as number[],
        tolW: [] as number[],
        tolM: [] as number[],
        tolV: [] as number[],
      };
      for (let i = 0; i < n; i++) {
        let m1: number, v1: number;
        if (f32) {
          const c1 = fr(1 - beta1),
            c2 = fr(1 - beta2); // rounded once, from f64, as wasm.ts passes them
          m1 = fr(m[i] + fr(fr(g[i] - m[i]) * c1));
          v1 = fr(v[i] + fr(fr(fr(g[i] * g[i]) - v[i]) * c2));
          ref.w.push(fr(w[i] - fr(fr(m1 * fr(alpha)) / fr(fr(Math.sqrt(v1)) + fr(epsilon)))));
        } else {
          m1 = m[i] + (g[i] - m[i]) * (1 - beta1);
          v1 = v[i] + (g[i] * g[i] - v[i]) * (1 - beta2);
          ref.w.push(w[i] - (m1 * alpha) / (Math.sqrt(v1) + epsilon));
        }
        ref.m.push(m1);
        ref.v.push(v1);
        // First-order bounds on js's f32 result, which rounds only at its stores.
        const errM = 4 * EPS.float32 * (Math.abs(m[i]) + Math.abs(g[i] - m[i]) * (1 - beta1) + Math.abs(m1));
        const errV = 4 * EPS.float32 * (v[i] + (g[i] * g[i] + v[i]) * (1 - beta2) + v1);
        const step = Math.abs(m1 * alpha) / (Math.sqrt(v1) + epsilon);
        ref.tolM.push(errM);
        ref.tolV.push(errV);
        ref.tolW.push(
          4 * EPS.float32 * (Math.abs(w[i]) + step) +
            (alpha * errM) / (Math.sqrt(v1) + epsilon) +
            (v1 > 0 ? (step * errV) / v1 : 0),
        );
      }
      const results: Record<string, { w: number[]; m: number[]; v: number[] }> = {};
      for (const be of [wasm, js]) {
        const label = `${be.name} n=${n}`;
        const wo = uploadGuarded(be, w),
          go = uploadGuarded(be, g),
          mo = uploadGuarded(be, m),
          vo = uploadGuarded(be, v);
        be.adam(n, alpha, beta1, beta2, epsilon, wo.at, go.at, mo.at, vo.at);
        results[be.name] = {
          w: downloadGuarded(be, wo, n, label),
          m: downloadGuarded(be, mo, n, label),
          v: downloadGuarded(be, vo, n, label),
        };
        expectIdentical(downloadGuarded(be, go, n, label), g, `${label}: g must be left as it was`);
        be.free(wo.block);
        be.free(go.block);
        be.free(mo.block);
        be.free(vo.block);
      }
      expect(results.wasm.w[0], 'a zero gradient on zero moments leaves w').toBe(w[0]);
      expectIdentical(results.wasm.w, ref.w, `wasm w vs reference, n=${n}`);
      expectIdentical(results.wasm.m, ref.m, `wasm m vs reference, n=${n}`);
      expectIdentical(results.wasm.v, ref.v, `wasm v vs reference, n=${n}`);
      if (f32) {
        expectClose(results.js.w, ref.w, (i) => ref.tolW[i], `js w vs reference, n=${n}`);
        expectClose(results.js.m, ref.m, (i) => ref.tolM[i], `js m vs reference, n=${n}`);
        expectClose(results.js.v, ref.v, (i) => ref.tolV[i], `js v vs reference, n=${n}`);
      } else {
        for (const key of ['w', 'm', 'v'] as const) {
          expectIdentical(results.js[key], results.wasm[key], `wasm vs js ${key}, n=${n}`);
        }
      }
    }
  });
});

// ---------------------------------------------------------------- activations and losses beyond the seed

/** Lengths that leave every remainder mod 4 (and mod 2) for the vector loops, and a long run. */
const ODD_SIZES = [1, 3, 5, 17, 1001];

/** `values` cycled or cut to exactly n. */
function sized(values: number[], n: number): number[] {
  return Array.from({ length: n }, (_, i) => values[i % values.length]);
}

/** Runs an elementwise kernel `run(be, n, in, out)` out of place and in place; returns out, checking both agree and x is kept. */
function runUnary(be: Backend, x: number[], run: (be: Backend, n: number, x: number, out: number) => void): number[] {
  const xo = upload(be, x),
    out = upload(be, new Array<number>(x.length).fill(NaN));
  run(be, x.length, xo, out);
  const separate = download(be, out, x.length);
  expectIdentical(download(be, xo, x.length), x, `${be.name}: x must be left as it was`);
  run(be, x.length, xo, xo);
  expectIdentical(download(be, xo, x.length), separate, `${be.name}: in place equals out of place`);
  be.free(xo);
  be.free(out);
  return separate;
}

/** Runs a backward kernel `run(be, n, a, grad)` on a copy of grad; returns the new grad, checking a is kept. */
function runBackward(
  be: Backend,
  a: number[],
  grad: number[],
  run: (be: Backend, n: number, a: number, grad: number) => void,
): number[] {
  const ao = upload(be, a),
    go = upload(be, grad);
  run(be, a.length, ao, go);
  expectIdentical(download(be, ao, a.length), a, `${be.name}: a must be left as it was`);
  const out = download(be, go, grad.length);
  be.free(ao);
  be.free(go);
  return out;
}

/** Softmax of one row in float64: max subtracted, exps summed from the first, then divided. */
function referenceSoftmax(row: number[]): number[] {
  const max = Math.max(...row);
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

/** Keras's categorical_crossentropy (from_logits=False), mean over rows, in float64. */
function referenceCategoricalCrossentropy(rows: number, cols: number, a: number[], y: number[]): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const row = a.slice(r * cols, (r + 1) * cols);
    const sum = row.reduce((s, v) => s + v, 0);
    for (let c = 0; c < cols; c++) {
      const p = Math.min(Math.max(row[c] / sum, 1e-7), 1 - 1e-7);
      total -= y[r * cols + c] * Math.log(p);
    }
  }
  return total / rows;
}

/** Random one-hot label rows. */
function oneHot(rand: () => number, rows: number, cols: number): number[] {
  const y = new Array<number>(rows * cols).fill(0);
  for (let r = 0; r < rows; r++) y[r * cols + Math.floor(rand() * cols)] = 1;
  return y;
}

describe.each(DTYPES)('activation and loss kernels, %s', (dtype) => {
  const round = rounder(dtype);
  const f32 = dtype === 'float32';

  it('tanh is accurate at every length, saturates to exactly ±1 and keeps signs, NaN and -0', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(101);
    const special = [
      0,
      -0,
      0.625,
      -0.625,
      0.6249,
      1e-30,
      -1e-30,
      1e-5,
      1,
      -1,
      9,
      -9,
      20,
      -20,
      44,
      -44,
      1000,
      -1000,
      1e30,
      -1e30,
      Infinity,
      -Infinity,
      NaN,
    ];
    const sweep = Array.from({ length: 801 }, (_, i) => -20 + i * 0.05);
    const all = [...special, ...sweep, ...uniform(rand, dtype, 199, -3, 3)].map(round);
    for (const n of [...ODD_SIZES, all.length]) {
      const x = n === all.length ? all : sized(uniform(rand, dtype, n, -4, 4), n);
      const expected = x.map(Math.tanh);
      const fromWasm = runUnary(wasm, x, (be, k, xo, out) => be.tanh(k, xo, out));
      const fromJs = runUnary(js, x, (be, k, xo, out) => be.tanh(k, xo, out));
      // float64: Cephes's two forms on two lanes, at most 3 ulps from V8's Math.tanh
      // over a sweep of [-20, 20] and a million random points: within 8 half-ulps.
      // float32: the polynomial / exp form within a couple of ulps.
      const tol = f32
        ? (i: number) => 4 * EPS.float32 * Math.abs(expected[i])
        : (i: number) => 8 * EPS.float64 * Math.abs(expected[i]);
      expectClose(fromWasm, expected, tol, `wasm vs Math.tanh, n=${n}`);
      expectClose(fromWasm, fromJs, (i) => 2 * tol(i), `wasm vs js, n=${n}`);
      for (const [i, v] of fromWasm.entries()) {
        if (Number.isNaN(x[i])) continue;
        expect(Number.isNaN(v), `tanh(${x[i]}) is a number`).toBe(false);
        expect(Math.abs(v) <= 1, `|tanh(${x[i]})| <= 1`).toBe(true);
        if (Math.abs(x[i]) >= 20) expect(v, `tanh(${x[i]}) saturates`).toBe(Math.sign(x[i]));
        expect(
          Object.is(v, 0) || Object.is(v, -0) ? Object.is(v, x[i]) : Math.sign(v) === Math.sign(x[i]),
          `sign of tanh(${x[i]})`,
        ).toBe(true);
      }
    }
  });

  it('sigmoid and tanh: NaN in, NaN out, in the vector body and the scalar tail, its neighbours unchanged', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(111);
    // [n, NaN positions]. float32 wasm runs whole vectors in blocks of 256
    // elements, then the last n % 4 one at a time: 1031 puts NaNs at a block's
    // first lane and a middle lane, in the second block, in the last vector of
    // the short final block, and in the tail; 3 is all tail. (float64 runs pairs,
    // then the odd last element alone.)
    const cases: [number, number[]][] = [
      [1031, [0, 5, 258, 1027, 1029, 1030]],
      [3, [1]],
      [7, [2, 4, 6]],
      [1, [0]],
    ];
    for (const [kernel, run] of [
      ['sigmoid', (be: Backend, k: number, xo: number, out: number) => be.sigmoid(k, xo, out)],
      ['tanh', (be: Backend, k: number, xo: number, out: number) => be.tanh(k, xo, out)],
    ] as const) {
      for (const [n, at] of cases) {
        // Numbers across both branches and both saturations, then NaN at `at`.
        const clean = sized(
          [0, -0, 0.5, -0.5, 3, -3, 30, -30, 1000, -1000, Infinity, -Infinity, ...uniform(rand, dtype, 37, -20, 20)],
          n,
        ).map(round);
        const x = clean.map((v, i) => (at.includes(i) ? NaN : v));
        for (const be of [wasm, js]) {
          const label = `${be.name} ${kernel}, n=${n}`;
          const withNaN = runUnary(be, x, run),
            without = runUnary(be, clean, run);
          for (const i of at) expect(withNaN[i], `${label}: ${kernel}(NaN) at ${i}`).toBeNaN();
          // Every other element exactly as without the NaNs: no lane is poisoned.
          const others = (out: number[]) => out.filter((_, i) => !at.includes(i));
          expectIdentical(others(withNaN), others(without), `${label}: the numbers beside the NaNs`);
          expect(others(withNaN).some(Number.isNaN), `${label}: NaN only where NaN went in`).toBe(false);
        }
      }
    }
  });

  it('tanhBackward multiplies grad by (1 - a)(1 + a)', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(102);
    for (const n of ODD_SIZES) {
      const a = sized([0, 1, -1, 0.5, round(1 - 1e-7), ...uniform(rand, dtype, n, -1, 1)], n);
      const grad = uniform(rand, dtype, n, -2, 2);
      const expected = grad.map((g, i) => round(g * ((1 - a[i]) * (1 + a[i]))));
      const fromWasm = runBackward(wasm, a, grad, (be, k, ao, go) => be.tanhBackward(k, ao, go));
      const fromJs = runBackward(js, a, grad, (be, k, ao, go) => be.tanhBackward(k, ao, go));
      if (f32) {
        // wasm rounds 1 - a (exact), 1 + a and their product in float32; js rounds once.
        expectClose(fromWasm, expected, (i) => 3 * EPS.float32 * Math.abs(expected[i]), `wasm vs reference, n=${n}`);
        expectIdentical(fromJs, expected, `js vs reference, n=${n}`);
      } else {
        expectIdentical(fromWasm, fromJs, `wasm vs js, n=${n}`);
        expectIdentical(fromWasm, expected, `wasm vs reference, n=${n}`);
      }
    }
  });

  it('relu is max(x, 0), bit-equal everywhere, NaN kept', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(103);
    for (const n of ODD_SIZES) {
      const x = sized([0, -0, NaN, -1e30, 1e30, -Infinity, Infinity, ...uniform(rand, dtype, n, -3, 3)], n).map(round);
      const expected = x.map((v) => Math.max(v, 0));
      for (const be of [wasm, js]) {
        expectIdentical(
          runUnary(be, x, (b, k, xo, out) => b.relu(k, xo, out)),
          expected,
          `${be.name}, n=${n}`,
        );
      }
    }
  });

  it('reluBackward passes grad where a > 0 and zeroes it elsewhere', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(104);
    for (const n of ODD_SIZES) {
      // relu outputs: zeros (as for z <= 0) and positives.
      const a = sized([0, 1e-30, 2, 0, ...uniform(rand, dtype, n, -1, 1).map((v) => Math.max(v, 0))], n).map(round);
      const grad = uniform(rand, dtype, n, -2, 2);
      const expected = grad.map((g, i) => (a[i] > 0 ? g : 0));
      for (const be of [wasm, js]) {
        expectIdentical(
          runBackward(be, a, grad, (b, k, ao, go) => b.reluBackward(k, ao, go)),
          expected,
          `${be.name}, n=${n}`,
        );
      }
    }
  });

  it.each([0.01, 0.3, 0, 1.5])('leakyRelu and its backward with alpha %f, bit-equal everywhere', async (alpha) => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(105);
    const alphaT = round(alpha); // the kernel's alpha is a dtype value
    for (const n of ODD_SIZES) {
      const x = sized([0, -0, NaN, -1000, 1000, ...uniform(rand, dtype, n, -3, 3)], n).map(round);
      const expected = x.map((v) => (v > 0 ? v : round(alphaT * v)));
      for (const be of [wasm, js]) {
        expectIdentical(
          runUnary(be, x, (b, k, xo, out) => b.leakyRelu(k, alpha, xo, out)),
          expected,
          `${be.name} forward, n=${n}`,
        );
      }
      const a = expected.map((v) => (Number.isNaN(v) ? 0 : v));
      const grad = uniform(rand, dtype, n, -2, 2);
      const expectedGrad = grad.map((g, i) => (a[i] > 0 ? g : round(alphaT * g)));
      for (const be of [wasm, js]) {
        expectIdentical(
          runBackward(be, a, grad, (b, k, ao, go) => b.leakyReluBackward(k, alpha, ao, go)),
          expectedGrad,
          `${be.name} backward, n=${n}`,
        );
      }
    }
  });

  it('softmax rows sum to 1, match the float64 reference, and survive extreme logits', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(106);
    const extremes = [
      [1000, -1000, 0],
      [-1000, -1000, -1000],
      [1e30, -1e30, 1e30],
      [-1e30, 3, 5],
      [0, 0, 0],
      [88, -88, 0],
      [1000, 999, 998],
      [-745, 0, -700],
    ];
    const shapes: [number, number][] = [
      [1, 1],
      [3, 1],
      [1, 3],
      [5, 3],
      [3, 5],
      [17, 17],
      [2, 1001],
      [4, 4],
      [7, 8],
    ];
    const cases: { rows: number; cols: number; x: number[] }[] = shapes.map(([rows, cols]) => ({
      rows,
      cols,
      x: uniform(rand, dtype, rows * cols, -10, 10),
    }));
    cases.push({ rows: extremes.length, cols: 3, x: extremes.flat().map(round) });
    // A wide row with one dominant logit and the rest far below: exps underflow to 0.
    cases.push({ rows: 1, cols: 37, x: Array.from({ length: 37 }, (_, i) => (i === 20 ? 500 : round(-500 + i))) });
    for (const { rows, cols, x } of cases) {
      const label = `${rows}x${cols}`;
      const expected: number[] = [];
      const spread: number[] = []; // |x - max|: float32 rounds x - max, costing up to that many ulps
      for (let r = 0; r < rows; r++) {
        const row = x.slice(r * cols, (r + 1) * cols);
        expected.push(...referenceSoftmax(row));
        const max = Math.max(...row);
        spread.push(...row.map((v) => Math.min(Math.abs(v - max), 100)));
      }
      const run = (be: Backend) => runUnary(be, x, (b, _n, xo, out) => b.softmax(rows, cols, xo, out));
      const fromWasm = run(wasm),
        fromJs = run(js);
      const tol = f32
        ? (i: number) => (6 + spread[i]) * EPS.float32 * expected[i] + 2 ** -126
        : (i: number) => 1e-15 * expected[i] + 1e-300;
      expectClose(fromWasm, expected, tol, `wasm vs reference ${label}`);
      expectClose(fromJs, expected, tol, `js vs reference ${label}`);
      expectClose(fromWasm, fromJs, (i) => 2 * tol(i), `wasm vs js ${label}`);
      for (const [name, out] of [
        ['wasm', fromWasm],
        ['js', fromJs],
      ] as const) {
        for (let r = 0; r < rows; r++) {
          const row = out.slice(r * cols, (r + 1) * cols);
          expect(
            row.every((v) => v >= 0 && v <= 1),
            `${name} ${label} row ${r} in [0, 1]`,
          ).toBe(true);
          const sum = row.reduce((s, v) => s + v, 0);
          expect(Math.abs(sum - 1), `${name} ${label} row ${r} sums to 1`).toBeLessThanOrEqual(
            (f32 ? 4 * EPS.float32 : 4 * EPS.float64) * (2 + cols),
          );
        }
      }
    }
  });

  it('softmax of rows with NaN or ±Infinity: NaN rows for NaN, +Infinity or all -Infinity; -Infinity entries 0', async () => {
    // The conventions of TensorFlow's softmax (and NumPy's e / e.sum() after
    // subtracting the max), both backends alike: the max is subtracted first, so
    //   a NaN anywhere in a row makes the whole row NaN;
    //   +Infinity makes the whole row NaN (Infinity - Infinity), not a one-hot:
    //     a diverged network is reported, not hidden behind a confident answer;
    //   -Infinity (a masked logit) gives exactly 0, the rest the softmax of the
    //     finite entries; a row of only -Infinity has no finite entry: NaN (0 / 0).
    // Other rows are unaffected. float32 wasm takes four columns at a time and
    // the last cols % 4 singly: 9 columns put a special in the vector part
    // (columns 0..7) or the tail (column 8); 3 columns are all tail.
    const { wasm, js } = await backends(dtype);
    const rand = prng(112);
    for (const cols of [9, 3, 1]) {
      const rows: number[][] = [];
      const specials = [NaN, Infinity, -Infinity];
      for (const special of specials) {
        for (const at of new Set([0, 1, cols >> 1, cols - 1])) {
          rows.push(uniform(rand, dtype, cols, -3, 3).map((v, j) => (j === at ? special : v)));
        }
      }
      if (cols > 1) {
        rows.push(uniform(rand, dtype, cols, -3, 3).map((v, j) => (j % 2 === 0 ? -Infinity : v))); // several masked
        rows.push(uniform(rand, dtype, cols, -3, 3).map((v, j) => (j === 0 ? -Infinity : j === cols - 1 ? Infinity : v)));
        rows.push(uniform(rand, dtype, cols, -3, 3).map((v, j) => (j === 0 ? NaN : j === 1 ? Infinity : v)));
      }
      rows.push(new Array<number>(cols).fill(-Infinity));
      rows.push(uniform(rand, dtype, cols, -3, 3)); // a plain row among them
      const x = rows.flat();
      const run = (be: Backend) => runUnary(be, x, (b, _n, xo, out) => b.softmax(rows.length, cols, xo, out));
      const fromWasm = run(wasm),
        fromJs = run(js);
      for (const [r, row] of rows.entries()) {
        const label = `${cols} columns, row [${row.join(', ')}]`;
        const nanRow = row.some((v) => Number.isNaN(v) || v === Infinity) || row.every((v) => v === -Infinity);
        // Expected: NaN throughout, or 0 at -Infinity and the softmax of the finite entries elsewhere.
        const finite = row.filter(Number.isFinite);
        const soft = nanRow ? [] : referenceSoftmax(finite);
        let f = 0;
        const expected = row.map((v) => (nanRow ? NaN : v === -Infinity ? 0 : soft[f++]));
        const tol = f32 ? (i: number) => 12 * EPS.float32 * expected[i] + 2 ** -126 : (i: number) => 1e-15 * expected[i];
        for (const [name, out] of [
          ['wasm', fromWasm],
          ['js', fromJs],
        ] as const) {
          const got = out.slice(r * cols, (r + 1) * cols);
          expectClose(got, expected, tol, `${name} ${label}`);
          expect(
            got.map((v, j) => Object.is(v, 0) === (row[j] === -Infinity && !nanRow)),
            `${name} ${label}: +0 exactly where masked`,
          ).toEqual(new Array<boolean>(cols).fill(true));
        }
        expectClose(
          fromWasm.slice(r * cols, (r + 1) * cols),
          fromJs.slice(r * cols, (r + 1) * cols),
          (i) => 2 * tol(i),
          `wasm vs js ${label}`,
        );
      }
    }
  });

  it("categoricalCrossentropy is Keras's (rescaled, clipped to [1e-7, 1 - 1e-7]), mean over rows", async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(107);
    const shapes: [number, number][] = [
      [1, 1],
      [1, 3],
      [3, 5],
      [17, 3],
      [200, 10],
      [5, 1001],
    ];
    for (const [rows, cols] of shapes) {
      const label = `${rows}x${cols}`;
      const a: number[] = [];
      for (let r = 0; r < rows; r++) a.push(...referenceSoftmax(uniform(rand, 'float64', cols, -4, 4)).map(round));
      const soft = Array.from({ length: rows }, () => referenceSoftmax(uniform(rand, 'float64', cols, -1, 1)))
        .flat()
        .map(round);
      for (const [kind, y] of [
        ['one-hot', oneHot(rand, rows, cols)],
        ['soft', soft],
      ] as const) {
        const expected = referenceCategoricalCrossentropy(rows, cols, a, y);
        const losses: number[] = [];
        for (const be of [wasm, js]) {
          const ao = upload(be, a),
            yo = upload(be, y);
          losses.push(be.categoricalCrossentropy(rows, cols, ao, yo));
          be.free(ao);
          be.free(yo);
        }
        expect(Math.abs(losses[0] - expected), `wasm vs reference, ${kind} ${label}`).toBeLessThanOrEqual(
          1e-13 * Math.abs(expected) + 1e-300,
        );
        // The same log (fdlibm's: assembly/log.ts and Math.log) and the same additions in the same order.
        expect(losses[0], `wasm vs js, ${kind} ${label}`).toBe(losses[1]);
      }
    }
    // The clip, both ends: a true class at probability 0 costs -log(1e-7), not Infinity;
    // a certain hit costs -log(1 - 1e-7), not 0. And rows that do not sum to 1 are rescaled.
    const cases: [number[], number[], number][] = [
      [[0, 1, 0, 1], [1, 0, 1, 0], -Math.log(CCE_EPSILON)],
      [[1, 0], [1, 0], -Math.log(1 - CCE_EPSILON)],
      [[0.5, 1.5], [0, 1], -Math.log(0.75)],
    ];
    for (const [a, y, expected] of cases) {
      const cols = 2,
        rows = a.length / cols;
      for (const be of [wasm, js]) {
        const ao = upload(be, a),
          yo = upload(be, y);
        const loss = be.categoricalCrossentropy(rows, cols, ao, yo);
        expect(Math.abs(loss - expected), `${be.name} a=${a} y=${y}: ${loss} vs ${expected}`).toBeLessThanOrEqual(
          1e-12 * expected,
        );
        be.free(ao);
        be.free(yo);
      }
    }
  });

  it('categoricalCrossentropySoftmaxBackward is (a - y) / rows, bit-equal to js', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(108);
    for (const [rows, cols] of [
      [1, 1],
      [1, 3],
      [3, 5],
      [17, 3],
      [7, 1001],
    ]) {
      const a = uniform(rand, dtype, rows * cols, 0, 1),
        y = oneHot(rand, rows, cols);
      const expected = a.map((v, i) => round((v - y[i]) / rows));
      const results: number[][] = [];
      for (const be of [wasm, js]) {
        const ao = upload(be, a),
          yo = upload(be, y),
          go = upload(be, new Array<number>(a.length).fill(NaN));
        be.categoricalCrossentropySoftmaxBackward(rows, cols, ao, yo, go);
        results.push(download(be, go, a.length));
        be.free(ao);
        be.free(yo);
        be.free(go);
      }
      expectIdentical(results[0], results[1], `wasm vs js ${rows}x${cols}`);
      expectIdentical(results[0], expected, `wasm vs reference ${rows}x${cols}`);
    }
  });

  it('categoricalAccuracy matches argmax per row, the first of equal maxima winning', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(109);
    const argmax = (row: number[]) => row.indexOf(Math.max(...row));
    for (const [rows, cols] of [
      [1, 1],
      [1, 3],
      [3, 5],
      [17, 3],
      [200, 10],
      [3, 1001],
    ]) {
      const a = uniform(rand, dtype, rows * cols, 0, 1),
        y = oneHot(rand, rows, cols);
      // Make about half the rows hits, so neither 0 nor 1 is the answer by accident.
      for (let r = 0; r < rows; r += 2) {
        const target = argmax(y.slice(r * cols, (r + 1) * cols));
        a[r * cols + target] = 2;
      }
      let hits = 0;
      for (let r = 0; r < rows; r++) {
        if (argmax(a.slice(r * cols, (r + 1) * cols)) === argmax(y.slice(r * cols, (r + 1) * cols))) hits++;
      }
      for (const be of [wasm, js]) {
        const ao = upload(be, a),
          yo = upload(be, y);
        expect(be.categoricalAccuracy(rows, cols, ao, yo), `${be.name} ${rows}x${cols}`).toBe(hits / rows);
        be.free(ao);
        be.free(yo);
      }
    }
    // Ties: [0.4, 0.4, 0.2] predicts class 0, so it hits a class-0 label and misses a class-1 one.
    const a = [0.4, 0.4, 0.2, 0.4, 0.4, 0.2, 0.1, 0.3, 0.3, 0.5, 0.5, 0.5].map(round);
    const y = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1];
    for (const be of [wasm, js]) {
      const ao = upload(be, a),
        yo = upload(be, y);
      expect(be.categoricalAccuracy(4, 3, ao, yo), `${be.name} ties`).toBe(1 / 4);
      be.free(ao);
      be.free(yo);
    }
  });

  it('meanSquaredError is the mean of (a - y)² over every element, and its backward 2 (a - y) / n', async () => {
    const { wasm, js } = await backends(dtype);
    const rand = prng(110);
    for (const n of ODD_SIZES) {
      const a = uniform(rand, dtype, n, -5, 5),
        y = uniform(rand, dtype, n, -5, 5);
      const expected = a.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / n;
      const losses: number[] = [];
      const grads: number[][] = [];
      for (const be of [wasm, js]) {
        const ao = upload(be, a),
          yo = upload(be, y),
          go = upload(be, new Array<number>(n).fill(NaN));
        losses.push(be.meanSquaredError(n, ao, yo));
        be.meanSquaredErrorBackward(n, ao, yo, go);
        grads.push(download(be, go, n));
        expectIdentical(download(be, ao, n), a, `${be.name}: a must be left as it was`);
        be.free(ao);
        be.free(yo);
        be.free(go);
      }
      expect(Math.abs(losses[0] - expected), `wasm vs reference, n=${n}`).toBeLessThanOrEqual(1e-13 * expected);
      expect(losses[0], `wasm vs js, n=${n}`).toBe(losses[1]);
      const expectedGrad = a.map((v, i) => round((2 * (v - y[i])) / n));
      expectIdentical(grads[0], grads[1], `backward wasm vs js, n=${n}`);
      expectIdentical(grads[0], expectedGrad, `backward wasm vs reference, n=${n}`);
    }
  });
});

// ---------------------------------------------------------------- the module

describe('build/wasmlp.wasm', () => {
  it('exports each kernel of the contract once per dtype, and no kernel the contract lacks', () => {
    const module = new WebAssembly.Module(readFileSync(new URL('../../build/wasmlp.wasm', import.meta.url)));
    const kernels = WebAssembly.Module.exports(module)
      .map(({ name }) => name)
      .filter((name) => /F(32|64)$/.test(name));
    expect(kernels.sort()).toEqual(KERNEL_NAMES.flatMap((name) => [`${name}F32`, `${name}F64`]).sort());
  });
});
