/**
 * The two-lane log behind the cross-entropy losses (assembly/log.ts), which
 * follows fdlibm's log operation for operation: compared with Math.log
 * (V8 runs fdlibm's) for identical bits over every branch fdlibm takes, on
 * the arguments the losses give it and on the whole positive range.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMathExports } from './math-exports.js';

let wasm: Awaited<ReturnType<typeof loadMathExports>>;

beforeAll(async () => {
  wasm = await loadMathExports();
});

/** log of every value through the wasm function (pairs, one-at-a-time pairs, and the odd last one). */
function wasmLog(values: ArrayLike<number>): Float64Array {
  return wasm.run('logArrayF64', values, Float64Array) as Float64Array;
}

/** How many of the values' logs differ from Math.log's bits, and the first such value. */
function mismatches(values: Float64Array): { count: number; first: number } {
  const got = wasmLog(values);
  let count = 0,
    first = NaN;
  for (let i = 0; i < values.length; i++) {
    if (!Object.is(got[i], Math.log(values[i]))) {
      if (count === 0) first = values[i];
      count++;
    }
  }
  return { count, first };
}

let s = 2024;
/** A uniform draw in [0, 1) with 53 random bits (two 32-bit draws). */
function random(): number {
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return next() + next() * 2 ** -32;
}

describe('float64 log (assembly/log.ts)', () => {
  it("equals Math.log bit for bit on a loss's arguments: a + 1e-9 and 1 - a + 1e-9 for a in [0, 1]", () => {
    const n = 1 << 19;
    const inputs = new Float64Array(2 * n + 1); // an odd count: the last one alone
    for (let i = 0; i < n; i++) {
      // Sigmoid outputs, half of them within 2^-20 of 0 or 1, where fdlibm's |f| < 2^-20 branch and k = 0 bite.
      const a = i % 2 ? random() : i % 4 ? 1 - 2 ** (-20 - 30 * random()) : 2 ** (-40 * random());
      const af = i % 3 ? Math.fround(a) : a; // float32 outputs, promoted, as the float32 losses see them
      inputs[2 * i] = af + 1e-9;
      inputs[2 * i + 1] = 1 - af + 1e-9;
    }
    inputs[2 * n] = 0.5;
    const { count, first } = mismatches(inputs);
    expect(count, `first at x = ${first}`).toBe(0);
  });

  it('equals Math.log bit for bit over the whole normal range and around every branch point', () => {
    const inputs = new Float64Array(1 << 19);
    for (let i = 0; i < inputs.length; i++) {
      const e = Math.floor(random() * 2046) - 1022; // every binade of normal numbers
      inputs[i] = (1 + random()) * 2 ** e;
    }
    // fdlibm's branches turn on the 20 high mantissa bits: sqrt(2)/2 scaled (0x6a09c), near
    // sqrt(2) (0x6147a..0x6b851) and within 2^-20 of a power of two; each with its neighbours.
    const edges: number[] = [];
    const view = new DataView(new ArrayBuffer(8));
    for (const high of [0x6147a, 0x6a09c, 0x6b851, 0xffffd, 0xffffe, 0xfffff, 0, 1, 2, 3]) {
      for (const exponent of [1022, 1023, 1024, 1, 2046]) {
        for (const delta of [-1, 0, 1]) {
          for (const low of [0, 1, 0xffffffff]) {
            const h = (exponent << 20) | ((high + delta) & 0xfffff);
            view.setUint32(0, h >>> 0);
            view.setUint32(4, low);
            edges.push(view.getFloat64(0));
          }
        }
      }
    }
    expect(mismatches(inputs).count).toBe(0);
    const edge = mismatches(Float64Array.from(edges.filter((x) => x > 0)));
    expect(edge.count, `first at x = ${edge.first}`).toBe(0);
  });

  it('gives -Infinity at 0, NaN below 0 and for NaN, Infinity at Infinity, and finite logs of subnormals', () => {
    const got = Array.from(wasmLog([0, -0, -1, Number.NaN, Number.POSITIVE_INFINITY, 5e-324, 1e-310, 1, 2, 1, 1]));
    expect(got.slice(0, 5)).toEqual([-Infinity, -Infinity, NaN, NaN, Infinity]);
    expect(got[5]).toBeCloseTo(Math.log(5e-324), 12);
    expect(got[6]).toBeCloseTo(Math.log(1e-310), 12);
    expect(got.slice(7)).toEqual([0, Math.LN2, 0, 0]);
  });
});
