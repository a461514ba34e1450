/**
 * Optimisers (src/optimizers.ts) on both backends and dtypes: closed forms for
 * a constant gradient, a random gradient sequence against a plain-JS float64
 * reimplementation of Keras 3's rules, the life of their state in backend
 * memory, option parsing, and convergence on two small problems.
 */
import { describe, expect, it } from 'vitest';
import type { Arena } from '../src/backend/arena.js';
import { BACKENDS, type Backend, type BackendName, DTYPES, type DType } from '../src/backend/backend.js';
import { createBackend } from '../src/backend/index.js';
import { engineOf } from '../src/engine.js';
import { createNetwork, loadNetwork, type Network, type NetworkConfig } from '../src/index.js';
import {
  createOptimizer,
  denseParameters,
  OPTIMIZER_DEFAULTS,
  type OptimizerConfig,
  type OptimizerState,
  type Parameter,
  parseOptimizer,
  reuseOrCreateOptimizer,
  sameOptimizerConfig,
} from '../src/optimizers.js';
import { prng } from './helpers.js';

// ---------------------------------------------------------------- helpers

function arenaOf(be: Backend): Arena {
  return (be as unknown as { heap: { arena: Arena } }).heap.arena;
}

/** Parameters of the given sizes with initial values; their gradients start at zero. */
function allocParameters(be: Backend, values: number[][]): { params: Parameter[]; free(): void } {
  const params = values.map((v) => {
    const p = { value: be.alloc(v.length), grad: be.alloc(v.length), size: v.length };
    be.view(p.value, p.size).set(v);
    be.view(p.grad, p.size).fill(0);
    return p;
  });
  return {
    params,
    free: () =>
      params.forEach((p) => {
        be.free(p.value);
        be.free(p.grad);
      }),
  };
}

function setGrads(be: Backend, params: Parameter[], grads: number[][]): void {
  params.forEach((p, i) => be.view(p.grad, p.size).set(grads[i]));
}

function values(be: Backend, params: Parameter[]): number[][] {
  return params.map((p) => Array.from(be.view(p.value, p.size)));
}

/** Every element within tol(expected, i) of expected; lists the first few misses. */
function expectClose(actual: number[][], expected: number[][], tol: (p: number, i: number) => number, label: string): void {
  const bad: string[] = [];
  expected.forEach((row, p) =>
    row.forEach((e, i) => {
      const a = actual[p][i];
      if (!(Math.abs(a - e) <= tol(p, i)) && bad.length < 5) bad.push(`[${p}][${i}] got ${a}, want ${e} ± ${tol(p, i)}`);
    }),
  );
  expect(bad, label).toEqual([]);
}

/** Bit-for-bit equality (Object.is). */
function expectIdentical(actual: number[][], expected: number[][], label: string): void {
  const bad: string[] = [];
  expected.forEach((row, p) =>
    row.forEach((e, i) => {
      if (!Object.is(actual[p][i], e) && bad.length < 5) bad.push(`[${p}][${i}] got ${actual[p][i]}, want ${e}`);
    }),
  );
  expect(bad, label).toEqual([]);
}

const round = (dtype: DType) => (dtype === 'float32' ? Math.fround : (x: number) => x);
/** Unit roundoff per dtype. */
const EPS: Record<DType, number> = { float32: 2 ** -24, float64: 2 ** -53 };

/**
 * Keras 3's update rules in plain float64 (keras/src/optimizers/sgd.py and
 * adam.py, update_step), one parameter's arrays at a time; `t` counts from 1.
 */
const reference = {
  sgd(w: number[], g: number[], lr: number): void {
    for (let i = 0; i < w.length; i++) w[i] = w[i] - lr * g[i];
  },
  momentum(w: number[], g: number[], velocity: number[], lr: number, momentum: number, nesterov: boolean): void {
    for (let i = 0; i < w.length; i++) {
      velocity[i] = momentum * velocity[i] - lr * g[i];
      w[i] = w[i] + (nesterov ? momentum * velocity[i] - lr * g[i] : velocity[i]);
    }
  },
  adam(
    w: number[],
    g: number[],
    m: number[],
    v: number[],
    lr: number,
    t: number,
    beta1: number,
    beta2: number,
    epsilon: number,
  ): void {
    const alpha = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    for (let i = 0; i < w.length; i++) {
      m[i] = m[i] + (g[i] - m[i]) * (1 - beta1);
      v[i] = v[i] + (g[i] * g[i] - v[i]) * (1 - beta2);
      w[i] = w[i] - (m[i] * alpha) / (Math.sqrt(v[i]) + epsilon);
    }
  },
};

const CASES = BACKENDS.flatMap((backend) => DTYPES.map((dtype) => [backend, dtype] as [BackendName, DType]));

// ---------------------------------------------------------------- update rules

describe.each(CASES)('optimisers on %s, %s', (backendName, dtype) => {
  const f32 = dtype === 'float32';
  const r = round(dtype);
  const backend = () => createBackend(backendName, dtype);

  it('plain SGD (momentum 0, with or without nesterov) is the sgd kernel, and keeps no state', async () => {
    const be = await backend();
    const rand = prng(1);
    const init = [6, 3].map((n) => Array.from({ length: n }, () => r(2 * rand() - 1)));
    const grads = init.map((row) => row.map(() => r(2 * rand() - 1)));
    for (const spec of ['sgd', { type: 'sgd', nesterov: true }, { type: 'sgd', momentum: 0 }] as const) {
      const a = allocParameters(be, init),
        b = allocParameters(be, init);
      const inUse = arenaOf(be).bytesInUse;
      const opt = createOptimizer(parseOptimizer(spec), be, a.params);
      expect(arenaOf(be).bytesInUse, `${JSON.stringify(spec)} allocates nothing`).toBe(inUse);
      setGrads(be, a.params, grads);
      setGrads(be, b.params, grads);
      for (let s = 0; s < 3; s++) {
        opt.step(0.3);
        b.params.forEach((p) => be.sgd(p.size, 0.3, p.value, p.grad));
      }
      expectIdentical(values(be, a.params), values(be, b.params), `${JSON.stringify(spec)} vs the sgd kernel`);
      expect(opt.iterations).toBe(3);
      opt.dispose();
      a.free();
      b.free();
    }
  });

  it('SGD with momentum, constant gradient: velocity is a geometric series', async () => {
    const be = await backend();
    const lr = 0.1,
      momentum = 0.9,
      T = 20;
    const w0 = [
      [0.5, -1, 2, 0, 1.5],
      [0.25, -0.75, 0],
    ].map((row) => row.map(r));
    const g = [
      [0.5, -1.25, 2, 0.125, -0.5],
      [1, -2, 0],
    ];
    for (const nesterov of [false, true]) {
      const { params, free } = allocParameters(be, w0);
      const opt = createOptimizer(parseOptimizer({ type: 'sgd', momentum, nesterov }), be, params);
      setGrads(be, params, g);
      for (let t = 0; t < T; t++) opt.step(lr);
      // velocity_t = -lr g (1 - mu^t) / (1 - mu); classical w moves by velocity_t,
      // nesterov by mu velocity_t - lr g.
      let sum = 0;
      for (let t = 1; t <= T; t++) {
        const series = (1 - momentum ** t) / (1 - momentum);
        sum += nesterov ? momentum * series + 1 : series;
      }
      const expected = w0.map((row, p) => row.map((w, i) => w - lr * g[p][i] * sum));
      const scale = (p: number, i: number) => Math.abs(w0[p][i]) + lr * Math.abs(g[p][i]) * sum;
      const tol = (p: number, i: number) => (f32 ? 8 * T * EPS.float32 : 1e-12) * scale(p, i);
      expectClose(values(be, params), expected, tol, `nesterov=${nesterov}`);
      expect(opt.iterations).toBe(T);
      opt.dispose();
      free();
    }
  });

  it('Adam, constant gradient: the closed form m = g(1 - b1^t), v = g²(1 - b2^t)', async () => {
    const be = await backend();
    const T = 10;
    // Ordinary gradients, a zero one, and tiny ones where epsilon dominates: Keras's
    // epsilon is added to sqrt(v), not to the bias-corrected sqrt(v_hat).
    const g = [
      [0.5, -2, 0, 1e-7, -3e-8],
      [1e-3, 4],
    ];
    const w0 = [
      [1, -1, 0.5, 0, 0],
      [0.25, -0.5],
    ].map((row) => row.map(r));
    for (const { lr, beta1, beta2, epsilon } of [
      { lr: 0.01, ...OPTIMIZER_DEFAULTS.adam },
      { lr: 0.1, beta1: 0.5, beta2: 0.9, epsilon: 1e-3 },
    ]) {
      const { params, free } = allocParameters(be, w0);
      const opt = createOptimizer(parseOptimizer({ type: 'adam', beta1, beta2, epsilon }), be, params);
      setGrads(be, params, g);
      for (let t = 0; t < T; t++) opt.step(lr);
      // alpha_t m_t / (sqrt(v_t) + eps) = lr s_t g / (|g| s_t + eps), with s_t = sqrt(1 - b2^t).
      const steps = g.map((row) =>
        row.map((gi) => {
          let total = 0;
          for (let t = 1; t <= T; t++) {
            const s = Math.sqrt(1 - beta2 ** t);
            total += (lr * s * gi) / (Math.abs(gi) * s + epsilon);
          }
          return total;
        }),
      );
      const expected = w0.map((row, p) => row.map((w, i) => w - steps[p][i]));
      // f32 also rounds (1 - beta) and the gradient itself: a relative 1e-6 on the steps.
      const tol = (p: number, i: number) =>
        f32
          ? 8 * T * EPS.float32 * Math.abs(w0[p][i]) + 2e-6 * Math.abs(steps[p][i])
          : 1e-12 * (Math.abs(w0[p][i]) + Math.abs(steps[p][i]));
      expectClose(values(be, params), expected, tol, `lr=${lr} beta1=${beta1} beta2=${beta2} epsilon=${epsilon}`);
      expect(values(be, params)[0][2], 'a zero gradient leaves its weight').toBe(w0[0][2]);
      opt.dispose();
      free();
    }
  });

  it("a random gradient sequence matches Keras 3's rules in float64", async () => {
    const be = await backend();
    const configs: OptimizerConfig[] = [
      parseOptimizer({ type: 'sgd', momentum: 0.9 }),
      parseOptimizer({ type: 'sgd', momentum: 0.5, nesterov: true }),
      parseOptimizer('adam'),
      parseOptimizer({ type: 'adam', beta1: 0.5, beta2: 0.9, epsilon: 1e-3 }),
    ];
    const T = 25;
    for (const config of configs) {
      const rand = prng(7);
      // A 2x3 weight matrix, its bias, and a longer vector: SIMD bodies and tails.
      const init = [6, 3, 17].map((n) => Array.from({ length: n }, () => r(2 * rand() - 1)));
      const { params, free } = allocParameters(be, init);
      const opt = createOptimizer(config, be, params);
      const w = init.map((row) => [...row]);
      const s1 = init.map((row) => row.map(() => 0)),
        s2 = init.map((row) => row.map(() => 0));
      for (let t = 1; t <= T; t++) {
        const g = init.map((row) => row.map(() => r(2 * rand() - 1)));
        const lr = [0.05, 0.01, 0.2][t % 3]; // a learning rate may change between steps
        setGrads(be, params, g);
        opt.step(lr);
        w.forEach((wp, p) => {
          if (config.type === 'adam') reference.adam(wp, g[p], s1[p], s2[p], lr, t, config.beta1, config.beta2, config.epsilon);
          else if (config.type === 'sgd') reference.momentum(wp, g[p], s1[p], lr, config.momentum, config.nesterov);
        });
      }
      const label = JSON.stringify(config);
      if (f32) {
        // 25 steps of float32 roundings: about 2e-7 (a few ulps of |w| ~ 1) in practice.
        expectClose(values(be, params), w, (p, i) => 2e-6 * (1 + Math.abs(w[p][i])), label);
      } else {
        // The same operations in the same order as Keras: the same bits.
        expectIdentical(values(be, params), w, label);
      }
      opt.dispose();
      free();
    }
  });

  it('state persists across steps and belongs to one optimiser', async () => {
    const be = await backend();
    const init = [[0.5, -0.5, 1, 2, -1], [0.1]];
    const grads = [[0.3, -0.2, 0.1, 0.9, -0.4], [1]];
    const a = allocParameters(be, init),
      b = allocParameters(be, init);
    const optA = createOptimizer(parseOptimizer('adam'), be, a.params);
    const optB = createOptimizer(parseOptimizer('adam'), be, b.params);
    setGrads(be, a.params, grads);
    setGrads(be, b.params, grads);
    optA.step(0.01);
    const afterOne = values(be, a.params);
    optA.step(0.01);
    optA.step(0.01);
    // B's first step is a first step, whatever A has done.
    optB.step(0.01);
    expectIdentical(values(be, b.params), afterOne, 'B after one step equals A after one step');
    expect([optA.iterations, optB.iterations]).toEqual([3, 1]);
    // A's fourth step continues its moments: with a constant gradient, step t moves
    // each weight by lr s_t g / (|g| s_t + eps), s_t = sqrt(1 - b2^t).
    const before = values(be, a.params);
    optA.step(0.01);
    const s4 = Math.sqrt(1 - 0.999 ** 4);
    const expected = before.map((row, p) =>
      row.map((w, i) => w - (0.01 * s4 * grads[p][i]) / (Math.abs(grads[p][i]) * s4 + 1e-7)),
    );
    expectClose(values(be, a.params), expected, (p, i) => (f32 ? 1e-6 : 1e-14) * (1 + Math.abs(expected[p][i])), 'A step 4');
    optA.dispose();
    optB.dispose();
    a.free();
    b.free();
  });

  it('state starts at zero even in reused memory, and a step allocates nothing', async () => {
    const be = await backend();
    const init = [[0.5, -0.5, 1, 2, -1, 3, 0.25]];
    const grads = [[0.3, -0.2, 0.1, 0.9, -0.4, 2, -1]];
    const fresh = allocParameters(be, init);
    const clean = createOptimizer(parseOptimizer({ type: 'sgd', momentum: 0.9 }), be, fresh.params);
    // Leave garbage where the next optimiser's velocity will be allocated.
    const garbage = be.alloc(64);
    be.view(garbage, 64).fill(1e6);
    be.free(garbage);
    const reused = allocParameters(be, init);
    const calls: string[] = [];
    const spy = Object.create(be) as Backend;
    for (const method of ['alloc', 'free', 'view', 'allocIndices'] as const) {
      (spy as unknown as Record<string, unknown>)[method] = (...args: never[]) => {
        calls.push(method);
        return (be[method] as (...a: never[]) => unknown).apply(be, args);
      };
    }
    const dirty = createOptimizer(parseOptimizer({ type: 'sgd', momentum: 0.9 }), spy, reused.params);
    expect(calls.filter((c) => c === 'alloc')).toHaveLength(1); // one velocity
    calls.length = 0;
    setGrads(be, fresh.params, grads);
    setGrads(be, reused.params, grads);
    for (let s = 0; s < 3; s++) {
      clean.step(0.1);
      dirty.step(0.1);
    }
    expect(calls, 'a step calls no alloc, free or view').toEqual([]);
    expectIdentical(values(be, reused.params), values(be, fresh.params), 'velocity started at zero');
    clean.dispose();
    dirty.dispose();
    fresh.free();
    reused.free();
  });

  it("dispose gives the state's bytes back; a step after dispose throws", async () => {
    const be = await backend();
    const sizes = [6, 3, 17, 1];
    const { params, free } = allocParameters(
      be,
      sizes.map((n) => new Array<number>(n).fill(0.5)),
    );
    const bytes = sizes.reduce((sum, n) => sum + Math.ceil((n * be.bytesPerElement) / 16) * 16, 0);
    const arena = arenaOf(be);
    for (const [spec, slots] of [
      ['sgd', 0],
      [{ type: 'sgd', momentum: 0.9 }, 1],
      ['adam', 2],
    ] as const) {
      const inUse = arena.bytesInUse;
      const opt = createOptimizer(parseOptimizer(spec), be, params);
      expect(arena.bytesInUse - inUse, `${JSON.stringify(spec)}: state bytes`).toBe(slots * bytes);
      opt.step(0.1);
      opt.dispose();
      expect(arena.bytesInUse, `${JSON.stringify(spec)}: after dispose`).toBe(inUse);
      opt.dispose(); // idempotent
      expect(arena.bytesInUse).toBe(inUse);
      expect(() => opt.step(0.1)).toThrow(/step after dispose/);
    }
    free();
  });

  it('reuseOrCreateOptimizer keeps an optimiser with an equal config, and replaces one without', async () => {
    const be = await backend();
    const { params, free } = allocParameters(be, [[1, 2, 3]]);
    const arena = arenaOf(be);
    const inUse = arena.bytesInUse;
    const adam = reuseOrCreateOptimizer(undefined, parseOptimizer('adam'), be, params);
    adam.step(0.1);
    // Same config, spelled differently: the same optimiser, moments and step count kept.
    const again = reuseOrCreateOptimizer(adam, parseOptimizer({ type: 'adam', beta1: 0.9 }), be, params);
    expect(again).toBe(adam);
    expect(again.iterations).toBe(1);
    const stateBytes = arena.bytesInUse - inUse;
    const other = reuseOrCreateOptimizer(adam, parseOptimizer({ type: 'adam', beta2: 0.99 }), be, params);
    expect(other).not.toBe(adam);
    expect(other.iterations).toBe(0);
    expect(() => adam.step(0.1), 'the replaced optimiser is disposed').toThrow(/after dispose/);
    expect(arena.bytesInUse - inUse).toBe(stateBytes);
    const sgd = reuseOrCreateOptimizer(other, parseOptimizer('sgd'), be, params);
    expect(arena.bytesInUse).toBe(inUse);
    sgd.dispose();
    free();
  });
});

// ---------------------------------------------------------------- options

describe('parseOptimizer', () => {
  it("fills in Keras's defaults, and the result is plain JSON", () => {
    expect(parseOptimizer('sgd')).toEqual({ type: 'sgd', momentum: 0, nesterov: false });
    expect(parseOptimizer('adam')).toEqual({ type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(parseOptimizer({ type: 'sgd' })).toEqual(parseOptimizer('sgd'));
    expect(parseOptimizer({ type: 'sgd', momentum: 0.9 })).toEqual({ type: 'sgd', momentum: 0.9, nesterov: false });
    expect(parseOptimizer({ type: 'sgd', momentum: 0.9, nesterov: true })).toEqual({
      type: 'sgd',
      momentum: 0.9,
      nesterov: true,
    });
    expect(parseOptimizer({ type: 'adam', beta1: undefined, beta2: 0.99 })).toEqual({
      type: 'adam',
      beta1: 0.9,
      beta2: 0.99,
      epsilon: 1e-7,
    });
    expect(parseOptimizer({ type: 'adam', beta1: 0, beta2: 0, epsilon: 1 })).toEqual({
      type: 'adam',
      beta1: 0,
      beta2: 0,
      epsilon: 1,
    });
    for (const spec of ['sgd', 'adam', { type: 'sgd', momentum: 0.5, nesterov: true }, { type: 'adam', epsilon: 1e-3 }]) {
      const config = parseOptimizer(spec);
      expect(JSON.parse(JSON.stringify(config))).toEqual(config);
      expect(parseOptimizer(config), 'a config parses to itself').toEqual(config);
    }
  });

  it('does not share the defaults object: a config may be changed freely', () => {
    const config = parseOptimizer('adam') as { beta1: number };
    config.beta1 = 0.5;
    expect(parseOptimizer('adam')).toEqual({ type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  });

  it('rejects every bad spec with a message naming it', () => {
    const cases: [unknown, RegExp][] = [
      ['nadam', /optimizer "nadam" is unknown; expected one of 'sgd', 'adam', 'rmsprop', 'adagrad', 'adamw'/],
      ['SGD', /optimizer "SGD" is unknown/],
      [
        42,
        /optimizer must be 'sgd', 'adam', 'rmsprop', 'adagrad', 'adamw' or an object \{ type: 'sgd' \| 'adam' \| 'rmsprop' \| 'adagrad' \| 'adamw', \.\.\. \}, got 42/,
      ],
      [null, /optimizer must be .* got null/],
      [undefined, /optimizer must be .* got undefined/],
      [['adam'], /optimizer must be .* got an array of length 1/],
      [() => 'adam', /optimizer must be .* got a function/],
      [{}, /optimizer.type undefined is unknown; expected one of 'sgd', 'adam', 'rmsprop', 'adagrad', 'adamw'/],
      [{ type: 'nadam' }, /optimizer.type "nadam" is unknown/],
      [{ type: 'sgd', beta1: 0.9 }, /optimizer \(sgd\): unknown option "beta1"; expected one of type, momentum, nesterov/],
      [
        { type: 'adam', momentum: 0.9 },
        /optimizer \(adam\): unknown option "momentum"; expected one of type, beta1, beta2, epsilon/,
      ],
      [{ type: 'adam', learningRate: 0.1 }, /unknown option "learningRate"/],
      [{ type: 'sgd', momentum: -0.1 }, /optimizer.momentum must be a number in \[0, 1\), got -0.1/],
      [{ type: 'sgd', momentum: 1 }, /optimizer.momentum must be a number in \[0, 1\), got 1/],
      [{ type: 'sgd', momentum: NaN }, /optimizer.momentum must be a number in \[0, 1\), got NaN/],
      [{ type: 'sgd', momentum: '0.9' }, /optimizer.momentum must be a number in \[0, 1\), got "0.9"/],
      [{ type: 'sgd', momentum: null }, /optimizer.momentum must be a number in \[0, 1\), got null/],
      [{ type: 'sgd', nesterov: 'yes' }, /optimizer.nesterov must be true or false, got "yes"/],
      [{ type: 'sgd', nesterov: 1 }, /optimizer.nesterov must be true or false, got 1/],
      [{ type: 'adam', beta1: 1 }, /optimizer.beta1 must be a number in \[0, 1\), got 1/],
      [{ type: 'adam', beta1: -0.5 }, /optimizer.beta1 must be a number in \[0, 1\), got -0.5/],
      [{ type: 'adam', beta2: 1 }, /optimizer.beta2 must be a number in \[0, 1\), got 1/],
      [{ type: 'adam', beta2: Infinity }, /optimizer.beta2 must be a number in \[0, 1\), got Infinity/],
      [{ type: 'adam', epsilon: 0 }, /optimizer.epsilon must be a positive finite number, got 0/],
      [{ type: 'adam', epsilon: -1e-7 }, /optimizer.epsilon must be a positive finite number, got -1e-7/],
      [{ type: 'adam', epsilon: Infinity }, /optimizer.epsilon must be a positive finite number, got Infinity/],
      [{ type: 'adam', epsilon: '1e-7' }, /optimizer.epsilon must be a positive finite number, got "1e-7"/],
    ];
    for (const [spec, message] of cases) expect(() => parseOptimizer(spec), String(message)).toThrow(message);
    expect(() => parseOptimizer('lion', 'fit: optimizer')).toThrow(/^fit: optimizer "lion" is unknown/);
    expect(() => parseOptimizer({ type: 'sgd', momentum: 2 }, 'fit: optimizer')).toThrow(/^fit: optimizer.momentum must/);
  });

  it('sameOptimizerConfig compares every field', () => {
    const adam = parseOptimizer('adam'),
      sgd = parseOptimizer('sgd');
    expect(sameOptimizerConfig(adam, parseOptimizer({ type: 'adam', epsilon: 1e-7 }))).toBe(true);
    expect(sameOptimizerConfig(sgd, parseOptimizer({ type: 'sgd', momentum: 0 }))).toBe(true);
    expect(sameOptimizerConfig(adam, sgd)).toBe(false);
    for (const change of [{ beta1: 0.8 }, { beta2: 0.99 }, { epsilon: 1e-8 }]) {
      expect(sameOptimizerConfig(adam, parseOptimizer({ type: 'adam', ...change })), JSON.stringify(change)).toBe(false);
    }
    expect(sameOptimizerConfig(sgd, parseOptimizer({ type: 'sgd', momentum: 0.5 }))).toBe(false);
    expect(sameOptimizerConfig(sgd, parseOptimizer({ type: 'sgd', nesterov: true }))).toBe(false);
  });

  it('createOptimizer checks its config and its parameters', async () => {
    const be = await createBackend('js', 'float64');
    const ok = { value: 16, grad: 32, size: 1 };
    expect(() => createOptimizer({ type: 'sgd', momentum: 2, nesterov: false }, be, [ok])).toThrow(
      /momentum must be a number in \[0, 1\)/,
    );
    expect(() => createOptimizer({ type: 'nadam' } as never, be, [ok])).toThrow(/type "nadam" is unknown/);
    for (const bad of [{ value: 16, grad: 32, size: 0 }, { value: 16, grad: 1.5, size: 1 }, { value: 16, size: 1 }, null]) {
      expect(() => createOptimizer(parseOptimizer('adam'), be, [ok, bad as never])).toThrow(
        /parameters\[1\] must be \{ value, grad, size \}/,
      );
    }
  });
});

// ---------------------------------------------------------------- convergence

describe.each(CASES)('Adam converges on %s, %s', (backendName, dtype) => {
  it('on an ill-conditioned quadratic, where plain SGD crawls', async () => {
    const be = await createBackend(backendName, dtype);
    // f(w) = 1/2 sum a_i (w_i - c_i)^2: curvatures 100 to 0.01. SGD's learning rate
    // must stay below 2/100 for the stiff coordinate, so the flat ones barely move;
    // Adam scales each coordinate by its own gradient.
    const a = [100, 10, 1, 0.1, 0.01],
      c = [1, -2, 0.5, 3, -1];
    const loss = (w: number[]) => w.reduce((sum, wi, i) => sum + 0.5 * a[i] * (wi - c[i]) ** 2, 0);
    const run = (spec: 'sgd' | 'adam', lr: number, steps: number): number[] => {
      const { params, free } = allocParameters(be, [[0, 0, 0, 0, 0]]);
      const opt = createOptimizer(parseOptimizer(spec), be, params);
      const losses: number[] = [];
      for (let s = 0; s < steps; s++) {
        const w = Array.from(be.view(params[0].value, 5));
        losses.push(loss(w));
        setGrads(be, params, [w.map((wi, i) => a[i] * (wi - c[i]))]);
        opt.step(lr);
      }
      losses.push(loss(Array.from(be.view(params[0].value, 5))));
      opt.dispose();
      free();
      return losses;
    };
    const adam = run('adam', 0.1, 400),
      sgd = run('sgd', 0.019, 400);
    const initial = adam[0];
    expect(initial).toBeCloseTo(0.5 * (100 + 40 + 0.25 + 0.9 + 0.01), 10);
    // Means over windows of 50 steps fall every window (single steps may overshoot).
    const windows = Array.from({ length: 8 }, (_, k) => adam.slice(50 * k, 50 * (k + 1)).reduce((s, v) => s + v, 0) / 50);
    for (let k = 1; k < windows.length; k++) expect(windows[k], `window ${k}`).toBeLessThan(windows[k - 1]);
    expect(adam[400]).toBeLessThan(1e-3 * initial);
    expect(sgd[400]).toBeGreaterThan(100 * adam[400]);
  });

  it('trains a 2-2-1 sigmoid network on XOR', async () => {
    const network = await createNetwork({
      inputs: 2,
      layers: [
        { units: 2, activation: 'sigmoid' },
        { units: 1, activation: 'sigmoid' },
      ],
      loss: 'binaryCrossentropy',
      backend: backendName,
      dtype,
      seed: 1, // one of the seeds whose start does not lead Adam into XOR's local minimum
    });
    const net = engineOf(network);
    const be = net.backend;
    const data = net.loadData(
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      [[0], [1], [1], [0]],
    );
    net.reserveBatch(4);
    const opt = createOptimizer(parseOptimizer('adam'), be, denseParameters(net.layers));
    const losses: number[] = [];
    for (let s = 0; s < 1500; s++) {
      const out = net.forward(data.x, 4);
      losses.push(be.binaryCrossentropy(4, out, data.y));
      net.backward(data.x, data.y, 4);
      opt.step(0.05);
    }
    const out = net.forward(data.x, 4);
    const predictions = Array.from(be.view(out, 4));
    const final = be.binaryCrossentropy(4, out, data.y);
    expect(losses[0]).toBeGreaterThan(0.6);
    expect(final).toBeLessThan(0.01);
    expect(predictions.map((p) => (p > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    // The loss falls over every window of 150 steps.
    for (let k = 150; k < 1500; k += 150) expect(losses[k], `step ${k}`).toBeLessThan(losses[k - 150]);
    opt.dispose();
    be.free(data.x);
    be.free(data.y);
    network.dispose();
  });
});

describe('setWeights and loadNetwork check an optimiser state array by array, each value read once', () => {
  /* eslint-disable no-sparse-arrays */
  const config: NetworkConfig = {
    inputs: 2,
    layers: [
      { units: 2, activation: 'tanh' },
      { units: 1, activation: 'sigmoid' },
    ],
    loss: 'binaryCrossentropy',
    seed: 3,
    backend: 'js',
  };
  const x = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ],
    y = [[0], [1], [1], [0]];
  async function trained(): Promise<Network> {
    const net = await createNetwork(config);
    await net.fit(x, y, { epochs: 2, learningRate: 0.1, optimizer: 'adam' });
    return net;
  }

  it('a hole among the parameters or among the values is an Error naming it, and nothing is written', async () => {
    const net = await trained();
    const optimizer = engineOf(net).optimizer!;
    const state = optimizer.getWeights();
    const { m, v } = state.slots;
    const cases: [OptimizerState, string][] = [
      // forEach skipped the hole: the check passed, and the write read undefined.
      [{ ...state, slots: { m: [, ...m.slice(1)] as number[][], v } }, 'slots.m[0] is missing (a hole in the array)'],
      [
        { ...state, slots: { m, v: [v[0], [0, ,] as number[], ...v.slice(2)] } },
        'slots.v[1][1] is missing (a hole in the array)',
      ],
      [
        { ...state, slots: { m: new Proxy(m, { get: (t, k, r) => (k === 'length' ? Symbol('n') : Reflect.get(t, k, r)) }), v } },
        'slots.m has a length of a symbol, which no array has',
      ],
    ];
    for (const [bad, message] of cases) {
      expect(() => optimizer.setWeights(bad)).toThrow(`optimizer (adam).setWeights: ${message}`);
      expect(optimizer.getWeights()).toEqual(state);
      const json = { ...net.toJSON(), optimizer: { config: optimizer.config, ...bad } };
      // It passed the check, and failed after allocating: "Cannot convert undefined or null to object".
      await expect(loadNetwork(json)).rejects.toThrow(`loadNetwork: optimizer (adam).setWeights: ${message}`);
    }
    net.dispose();
  });

  it('what is written is what was checked, however the arrays answer a second read', async () => {
    const net = await trained();
    const optimizer = engineOf(net).optimizer!;
    const state = optimizer.getWeights();
    // Each value finite on its first read, NaN (or a negative second moment) after.
    const once = (values: number[], later: number) => {
      const seen = new Set<PropertyKey>();
      return new Proxy(values, {
        get: (t, k, r) => (typeof k === 'string' && /^\d+$/.test(k) && seen.has(k) ? later : (seen.add(k), Reflect.get(t, k, r))),
      });
    };
    const given = {
      iterations: 7,
      slots: { m: state.slots.m.map((a) => once(a, NaN)), v: state.slots.v.map((a) => once(a, -1)) },
    };
    optimizer.setWeights(given);
    expect(optimizer.getWeights()).toEqual({ ...state, iterations: 7 });
    const json = {
      ...net.toJSON(),
      optimizer: {
        config: optimizer.config,
        iterations: 7,
        slots: { m: state.slots.m.map((a) => once(a, NaN)), v: state.slots.v.map((a) => once(a, -1)) },
      },
    };
    const loaded = await loadNetwork(json);
    expect(engineOf(loaded).optimizer!.getWeights()).toEqual({ ...state, iterations: 7 });
    loaded.dispose();
    net.dispose();
  });
  /* eslint-enable no-sparse-arrays */
});
