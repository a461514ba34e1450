import { deterministicLog } from './deterministic-log.js';

/**
 * A seeded generator (sfc32: small, fast, passes PractRand) so that the same
 * seed gives the same weights and shuffles on every backend, platform and
 * JavaScript engine. The stream is 32-bit integer arithmetic; the doubles made
 * from it use only operations ECMAScript rounds exactly (+ - * /, Math.sqrt,
 * Math.floor) and deterministicLog, never Math.log, Math.sin or Math.cos,
 * whose last bit is up to each engine. No platform Math.random.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Warm up so that nearby seeds give unrelated streams.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * Standard normal, by Marsaglia's polar method (pairs cached): a point drawn
   * uniformly in the unit disc, scaled by sqrt(-2 ln(s) / s), s its squared
   * radius. Unlike Box-Muller it needs no sin or cos; it draws 4/pi points
   * per pair on average.
   */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    let u: number, v: number, s: number;
    do {
      u = this.signedUniform53();
      v = this.signedUniform53();
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const scale = Math.sqrt((-2 * deterministicLog(s)) / s);
    this.spareNormal = v * scale;
    return u * scale;
  }

  /**
   * Uniform in [-1, 1) on a grid of 2^-52, from two draws: a double's full
   * resolution, so that the grid never shows in the normals. (One 32-bit draw
   * would do in practice: ~10^19 points in the disc, tails to |z| = 9.3. The two
   * extra draws per pair cost nothing next to creating a network.)
   */
  private signedUniform53(): number {
    const high = this.nextUint32() >>> 11; // 21 bits
    const low = this.nextUint32(); // 32 bits
    return (high * 4294967296 + low) / 4503599627370496 - 1; // exact: an integer below 2^53, over 2^52
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Fisher-Yates, in place. */
  shuffle(values: Int32Array): void {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }
}

/** A seed for callers who gave none (like Keras, unseeded runs differ). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 4294967296);
}
