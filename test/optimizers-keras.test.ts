/**
 * RMSprop, Adagrad, AdamW and gradient clipping (src/optimizers.ts) against
 * Keras 3's update rules written out here in plain loops, after k steps of
 * random gradients: weights and every slot bit-equal in float64 on both
 * backends; in float32, bit-equal on wasm to the same loops rounded to
 * float32 after every operation (as its kernels round), and close on js
 * (which computes in float64 and rounds what it stores). Then networks:
 * threads against one thread, a saved and resumed run against an
 * uninterrupted one, and bad options that leave a network as it was.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, type Backend, type BackendName, DTYPES, type DType } from '../src/backend/backend.js';
import { createBackend } from '../src/backend/index.js';
import { stopThreads } from '../src/backend/threads.js';
import { engineOf } from '../src/engine.js';
import {
  cosineDecay,
  createNetwork,
  exponentialDecay,
  type LearningRate,
  loadNetwork,
  type NetworkConfig,
  type OptimizerSpec,
} from '../src/index.js';
import { createOptimizer, type OptimizerConfig, type Parameter, parseOptimizer } from '../src/optimizers.js';
import { prng } from './helpers.js';

afterAll(() => stopThreads());

type Rows = number[][];

function allocParameters(be: Backend, values: Rows): { params: Parameter[]; free(): void } {
  const params = values.map((v) => {
    const p = { value: be.alloc(v.length), grad: be.alloc(v.length), size: v.length };
    be.view(p.value, p.size).set(v);
    be.view(p.grad, p.size).fill(0);
    return p;
  });
  return {
    params,
    free: () => {
      for (const p of params) {
        be.free(p.value);
        be.free(p.grad);
      }
    },
  };
}

/**
 * Keras 3's rules (keras/src/optimizers/{base_optimizer,rmsprop,adagrad,adam}.py),
 * one full step over every parameter, each operation's result passed
 * through `r` (identity for float64, Math.fround for float32), each Python
 * float cast to the dtype once.
 */
class Reference {
  readonly slots: Record<string, Rows> = {};
  t = 0;

  constructor(
    readonly config: OptimizerConfig,
    readonly w: Rows,
    readonly r: (x: number) => number,
  ) {
    const zeros = () => w.map((row) => row.map(() => 0));
    if (config.type === 'rmsprop') {
      this.slots.v = zeros();
      if (config.momentum !== 0) this.slots.m = zeros();
    } else if (config.type === 'adagrad') {
      this.slots.accumulator = w.map((row) => row.map(() => r(config.initialAccumulatorValue)));
    } else if (config.type === 'adam' || config.type === 'adamw') {
      this.slots.m = zeros();
      this.slots.v = zeros();
    } else if (config.momentum !== 0) {
      this.slots.velocity = zeros();
    }
  }

  /** _clip_gradients: clipnorm, else global_clipnorm, else clipvalue. */
  private clip(g: Rows): Rows {
    const { r, config } = this;
    const squares = (row: number[]) => row.reduce((sum, x) => sum + x * x, 0);
    if (config.clipnorm !== undefined) {
      const c = r(config.clipnorm);
      return g.map((row) => {
        const norm = r(Math.sqrt(squares(row)));
        return row.map((x) => r(r(x * c) / Math.max(norm, c)));
      });
    }
    if (config.globalClipnorm !== undefined) {
      let total = 0;
      for (const row of g) total += squares(row);
      const norm = r(Math.sqrt(total));
      const c = config.globalClipnorm;
      const scale = r(r(c) * Math.min(r(1 / norm), r(1 / c))) + (norm - norm);
      return g.map((row) => row.map((x) => r(x * scale)));
    }
    if (config.clipvalue !== undefined) {
      const c = r(config.clipvalue);
      return g.map((row) => row.map((x) => Math.min(Math.max(x, -c), c)));
    }
    return g;
  }

  step(given: Rows, learningRate: number): void {
    const { r, config, w, slots } = this;
    const g = this.clip(given.map((row) => [...row]));
    const lr = r(learningRate);
    this.t++;
    if (config.type === 'adamw') {
      const wd = r(config.weightDecay);
      for (const row of w) for (let i = 0; i < row.length; i++) row[i] = r(row[i] - r(r(row[i] * wd) * lr));
    }
    w.forEach((row, p) => {
      const gp = g[p];
      for (let i = 0; i < row.length; i++) {
        const gi = gp[i];
        switch (config.type) {
          case 'rmsprop': {
            const v = slots.v[p];
            v[i] = r(r(r(config.rho) * v[i]) + r(r(1 - config.rho) * r(gi * gi)));
            let inc = r(r(lr * gi) / r(Math.sqrt(r(v[i] + r(config.epsilon)))));
            if (slots.m) {
              slots.m[p][i] = r(r(r(config.momentum) * slots.m[p][i]) + inc);
              inc = slots.m[p][i];
            }
            row[i] = r(row[i] - inc);
            break;
          }
          case 'adagrad': {
            const a = slots.accumulator[p];
            a[i] = r(a[i] + r(gi * gi));
            row[i] = r(row[i] - r(r(lr * gi) / r(Math.sqrt(r(a[i] + r(config.epsilon))))));
            break;
          }
          case 'adam':
          case 'adamw': {
            const { beta1, beta2, epsilon } = config;
            const alpha = r((learningRate * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t));
            const m = slots.m[p],
              v = slots.v[p];
            m[i] = r(m[i] + r(r(gi - m[i]) * r(1 - beta1)));
            v[i] = r(v[i] + r(r(r(gi * gi) - v[i]) * r(1 - beta2)));
            row[i] = r(row[i] - r(r(m[i] * alpha) / r(r(Math.sqrt(v[i])) + r(epsilon))));
            break;
          }
          default: {
            if (!slots.velocity) {
              row[i] = r(row[i] - r(lr * gi));
              break;
            }
            const vel = slots.velocity[p];
            vel[i] = r(r(r(config.momentum) * vel[i]) - r(lr * gi));
            row[i] = r(row[i] + vel[i]);
          }
        }
      }
    });
  }
}

function mismatches(actual: Rows, expected: Rows, close: ((a: number, e: number) => boolean) | undefined): string[] {
  const bad: string[] = [];
  expected.forEach((row, p) =>
    row.forEach((e, i) => {
      const a = actual[p][i];
      const ok = close ? close(a, e) : Object.is(a, e);
      if (!ok && bad.length < 5) bad.push(`[${p}][${i}] got ${a}, want ${e}`);
    }),
  );
  return bad;
}

const SPECS: OptimizerSpec[] = [
  'rmsprop',
  { type: 'rmsprop', rho: 0.8, momentum: 0.9, epsilon: 1e-3 },
  'adagrad',
  { type: 'adagrad', initialAccumulatorValue: 0, epsilon: 1e-4 },
  'adamw',
  { type: 'adamw', weightDecay: 0.1, beta1: 0.5, beta2: 0.9, epsilon: 1e-3 },
  { type: 'sgd', clipvalue: 0.7 },
  { type: 'sgd', clipnorm: 1.5 },
  { type: 'sgd', momentum: 0.9, globalClipnorm: 2 },
  { type: 'adam', clipnorm: 1.5 },
  { type: 'adam', globalClipnorm: 0.5 },
  { type: 'rmsprop', momentum: 0.5, clipvalue: 0.3 },
  { type: 'adagrad', globalClipnorm: 2 },
  { type: 'adamw', clipnorm: 1 },
  { type: 'adamw', globalClipnorm: 1e6 }, // never clips, yet scales: c min(1/norm, 1/c) is not exactly 1
];

const CASES = BACKENDS.flatMap((backend) => DTYPES.map((dtype) => [backend, dtype] as [BackendName, DType]));

describe.each(CASES)("Keras 3's rules on %s, %s", (backendName, dtype) => {
  const r = dtype === 'float32' ? Math.fround : (x: number) => x;
  // wasm rounds every operation to the dtype as the reference does; js computes in float64 and rounds what it stores.
  const close =
    backendName === 'js' && dtype === 'float32'
      ? (a: number, e: number) => Math.abs(a - e) <= 2e-6 * (1 + Math.abs(e))
      : undefined;

  it.each(SPECS.map((spec) => [JSON.stringify(spec), spec]))('%s: weights and every slot after 25 steps', async (_, spec) => {
    const be = await createBackend(backendName, dtype);
    const config = parseOptimizer(spec);
    const rand = prng(17);
    // A 2x3 weight matrix, its bias, and a longer vector: SIMD bodies and tails.
    const init = [6, 3, 17].map((n) => Array.from({ length: n }, () => r(2 * rand() - 1)));
    const { params, free } = allocParameters(be, init);
    const opt = createOptimizer(config, be, params);
    const reference = new Reference(
      config,
      init.map((row) => [...row]),
      r,
    );
    for (let t = 1; t <= 25; t++) {
      const g = init.map((row) => row.map(() => r(4 * rand() - 2)));
      // Now and then a zero gradient: a zero norm must not divide by 0.
      if (t === 5) g[1].fill(0);
      const lr = [0.05, 0.01, 0.2][t % 3];
      params.forEach((p, i) => be.view(p.grad, p.size).set(g[i]));
      opt.step(lr);
      reference.step(g, lr);
    }
    const weights = params.map((p) => Array.from(be.view(p.value, p.size)));
    expect(mismatches(weights, reference.w, close), 'weights').toEqual([]);
    const state = opt.getWeights();
    expect(state.iterations).toBe(25);
    expect(Object.keys(state.slots).sort()).toEqual(Object.keys(reference.slots).sort());
    for (const [name, slot] of Object.entries(reference.slots)) {
      expect(mismatches(state.slots[name], slot, close), `slot ${name}`).toEqual([]);
    }
    opt.dispose();
    free();
  });

  it('clipping acts on the gradient before the step, and only as configured', async () => {
    const be = await createBackend(backendName, dtype);
    const g = [
      [3, -4, 0, 0, 0, 0], // norm 5
      [0.5, -0.25, 0], // within any bound below
    ];
    const run = (spec: OptimizerSpec) => {
      const { params, free } = allocParameters(be, [new Array(6).fill(0), new Array(3).fill(0)]);
      const opt = createOptimizer(parseOptimizer(spec), be, params);
      params.forEach((p, i) => be.view(p.grad, p.size).set(g[i]));
      opt.step(1);
      const moved = params.map((p) => Array.from(be.view(p.value, p.size), (w) => 0 - w));
      opt.dispose();
      free();
      return moved;
    };
    // Plain SGD at rate 1 moves each weight by its clipped gradient.
    expect(run({ type: 'sgd', clipvalue: 1 })).toEqual([
      [1, -1, 0, 0, 0, 0],
      [0.5, -0.25, 0],
    ]);
    const byNorm = run({ type: 'sgd', clipnorm: 2.5 });
    expect(byNorm[0].slice(0, 2)).toEqual([1.5, -2]); // 3 2.5 / 5, -4 2.5 / 5: exact
    expect(byNorm[1]).toEqual([0.5, -0.25, 0]); // (g 2.5) / 2.5 is g for these
    // Jointly: the norm of both is sqrt(25 + 0.3125), and every gradient shrinks by one scale.
    const joint = run({ type: 'sgd', globalClipnorm: 2.5 });
    const scale = joint[0][0] / 3;
    expect(scale).toBeCloseTo(2.5 / Math.sqrt(25.3125), 6);
    expect(joint[1][0] / 0.5).toBe(scale);
    // An infinite gradient makes every gradient NaN, as Keras's scale + (norm - norm) does.
    const { params, free } = allocParameters(be, [
      [0, 0],
      [0, 0],
    ]);
    const opt = createOptimizer(parseOptimizer({ type: 'sgd', globalClipnorm: 1 }), be, params);
    be.view(params[0].grad, 2).set([Infinity, 1]);
    be.view(params[1].grad, 2).set([1, 0]);
    opt.step(1);
    expect(params.flatMap((p) => Array.from(be.view(p.value, 2)))).toEqual([NaN, NaN, NaN, NaN]);
    opt.dispose();
    free();
  });
});

// ---------------------------------------------------------------- networks

const CONFIG: NetworkConfig = {
  inputs: 3,
  layers: [
    { units: 8, activation: 'tanh' },
    { units: 2, activation: 'softmax' },
  ],
  loss: 'categoricalCrossentropy',
  seed: 5,
};

function data(rows: number): { x: number[][]; y: number[][] } {
  const rand = prng(99);
  const x = Array.from({ length: rows }, () => [rand() * 2 - 1, rand() * 2 - 1, rand() * 2 - 1]);
  const y = x.map(([a, b, c]) => (a * b + c > 0 ? [1, 0] : [0, 1]));
  return { x, y };
}

const RUNS: { optimizer: OptimizerSpec; learningRate: LearningRate }[] = [
  {
    optimizer: { type: 'rmsprop', momentum: 0.5, globalClipnorm: 0.5 },
    learningRate: exponentialDecay({ initialLearningRate: 0.01, decaySteps: 7, decayRate: 0.8 }),
  },
  { optimizer: { type: 'adagrad', clipvalue: 0.05 }, learningRate: 0.1 },
  {
    optimizer: { type: 'adamw', weightDecay: 0.05, clipnorm: 0.2 },
    learningRate: cosineDecay({ initialLearningRate: 0.02, decaySteps: 30 }),
  },
];

describe.each(RUNS.map((run) => [JSON.stringify(run.optimizer), run]))('a network trained with %s', (_, run) => {
  const { x, y } = data(100);
  const options = { batchSize: 16, ...run };

  it('on 2 threads ends with exactly the weights of 1 thread, both dtypes', async () => {
    // Wide enough that the products and the older optimisers' steps split.
    const wide: NetworkConfig = {
      ...CONFIG,
      layers: [{ units: 300, activation: 'relu' }, { units: 120, activation: 'relu' }, CONFIG.layers[1]],
    };
    for (const dtype of DTYPES) {
      const one = await createNetwork({ ...wide, dtype });
      const two = await createNetwork({ ...wide, dtype, threads: 2 });
      expect(two.threads).toBe(2);
      const h1 = await one.fit(x, y, { ...options, epochs: 3 });
      const h2 = await two.fit(x, y, { ...options, epochs: 3 });
      expect(h2.history).toEqual(h1.history);
      expect(two.getWeights()).toEqual(one.getWeights());
      expect(two.toJSON({ includeOptimizer: true }).optimizer).toEqual(one.toJSON({ includeOptimizer: true }).optimizer);
      one.dispose();
      two.dispose();
    }
  });

  it.each(CASES)('saved mid-run and resumed on %s, %s, ends as an uninterrupted run', async (backend, dtype) => {
    const whole = await createNetwork({ ...CONFIG, backend, dtype });
    const full = await whole.fit(x, y, { ...options, epochs: 6 });
    const first = await createNetwork({ ...CONFIG, backend, dtype });
    const early = await first.fit(x, y, { ...options, epochs: 2 });
    const text = JSON.stringify(first.toJSON({ includeOptimizer: true }));
    first.dispose();
    const resumed = await loadNetwork(JSON.parse(text), { backend });
    const late = await resumed.fit(x, y, { ...options, epochs: 4 });
    expect([...early.history.loss, ...late.history.loss]).toEqual(full.history.loss);
    expect([...early.history.learning_rate, ...late.history.learning_rate]).toEqual(full.history.learning_rate);
    expect(resumed.getWeights()).toEqual(whole.getWeights());
    expect(resumed.toJSON({ includeOptimizer: true }).optimizer).toEqual(whole.toJSON({ includeOptimizer: true }).optimizer);
    whole.dispose();
    resumed.dispose();
  });
});

describe('bad optimiser options', () => {
  const { x, y } = data(20);
  const bad: [OptimizerSpec | Record<string, unknown>, RegExp][] = [
    [
      { type: 'rmsprop', beta1: 0.9 },
      /fit: optimizer \(rmsprop\): unknown option "beta1"; expected one of type, rho, epsilon, momentum, clipvalue, clipnorm, globalClipnorm/,
    ],
    [{ type: 'sgd', clipNorm: 1 }, /unknown option "clipNorm"/],
    [{ type: 'rmsprop', rho: -0.1 }, /fit: optimizer.rho must be a number in \[0, 1\), got -0.1/],
    [{ type: 'rmsprop', rho: 1 }, /fit: optimizer.rho must be a number in \[0, 1\), got 1/],
    [{ type: 'rmsprop', momentum: NaN }, /fit: optimizer.momentum must be a number in \[0, 1\), got NaN/],
    [{ type: 'rmsprop', epsilon: 0 }, /fit: optimizer.epsilon must be a positive finite number, got 0/],
    [{ type: 'adagrad', epsilon: Infinity }, /fit: optimizer.epsilon must be a positive finite number, got Infinity/],
    [
      { type: 'adagrad', initialAccumulatorValue: -0.1 },
      /fit: optimizer.initialAccumulatorValue must be a finite number >= 0, got -0.1/,
    ],
    [
      { type: 'adagrad', initialAccumulatorValue: Infinity },
      /initialAccumulatorValue must be a finite number >= 0, got Infinity/,
    ],
    [{ type: 'adamw', weightDecay: -1 }, /fit: optimizer.weightDecay must be a finite number >= 0, got -1/],
    [{ type: 'adamw', weightDecay: NaN }, /fit: optimizer.weightDecay must be a finite number >= 0, got NaN/],
    [{ type: 'adamw', beta2: 1 }, /fit: optimizer.beta2 must be a number in \[0, 1\), got 1/],
    [{ type: 'sgd', clipvalue: -1 }, /fit: optimizer.clipvalue must be a positive finite number, got -1/],
    [{ type: 'adam', clipnorm: 0 }, /fit: optimizer.clipnorm must be a positive finite number, got 0/],
    [
      { type: 'adagrad', globalClipnorm: Infinity },
      /fit: optimizer.globalClipnorm must be a positive finite number, got Infinity/,
    ],
    [{ type: 'rmsprop', clipnorm: '1' }, /fit: optimizer.clipnorm must be a positive finite number, got "1"/],
    [{ type: 'sgd', clipnorm: 1, globalClipnorm: 1 }, /fit: optimizer: give clipnorm or globalClipnorm, not both/],
    [{ type: 'adamw', clipvalue: 1, clipnorm: 1 }, /fit: optimizer: give clipvalue or a norm/],
    [{ type: 'adam', clipvalue: 1, globalClipnorm: 1 }, /fit: optimizer: give clipvalue or a norm/],
    [{ type: 'adamw', epsilon: 1e-50 }, /fit: optimizer.epsilon 1e-50 rounds to 0 in float32/],
    [{ type: 'sgd', clipnorm: 1e39 }, /fit: optimizer.clipnorm 1e\+39 is beyond float32's range/],
    [{ type: 'rmsprop', rho: 0.99999999 }, /fit: optimizer.rho 0.99999999 rounds to 1 in float32/],
  ];

  it.each(bad.map(([spec, message]) => [JSON.stringify(spec), spec, message] as const))(
    '%s is an Error naming it; the network and its optimiser state are unchanged',
    async (_, spec, message) => {
      const net = await createNetwork(CONFIG);
      await net.fit(x, y, { epochs: 2, batchSize: 8, learningRate: 0.01, optimizer: { type: 'rmsprop', momentum: 0.5 } });
      const before = net.toJSON({ includeOptimizer: true });
      await expect(net.fit(x, y, { epochs: 1, learningRate: 0.01, optimizer: spec as OptimizerSpec })).rejects.toThrow(message);
      expect(net.toJSON({ includeOptimizer: true })).toEqual(before);
      net.dispose();
    },
  );

  it("a saved state is checked against the optimiser's slots before anything is written", async () => {
    const net = await createNetwork(CONFIG);
    await net.fit(x, y, { epochs: 1, batchSize: 8, learningRate: 0.01, optimizer: 'adagrad' });
    const json = net.toJSON({ includeOptimizer: true });
    const optimizer = json.optimizer!;
    expect(Object.keys(optimizer.slots)).toEqual(['accumulator']);
    const negative = structuredClone(optimizer);
    negative.slots.accumulator[1][2] = -1;
    await expect(loadNetwork({ ...json, optimizer: negative })).rejects.toThrow(
      /slots.accumulator\[1\]\[2\] is -1, expected >= 0 \(a sum of squares\)/,
    );
    const renamed = { ...optimizer, slots: { v: optimizer.slots.accumulator } };
    await expect(loadNetwork({ ...json, optimizer: renamed })).rejects.toThrow(/unknown slot "v"; its slots are accumulator/);
    const rmsprop = { ...optimizer, config: { type: 'rmsprop', rho: 0.9, epsilon: 1e-7, momentum: 0.5 } as const };
    await expect(loadNetwork({ ...json, optimizer: rmsprop })).rejects.toThrow(/unknown slot "accumulator"; its slots are v, m/);
    const before = engineOf(net).optimizer!.getWeights();
    const { config: _, ...state } = negative;
    expect(() => engineOf(net).optimizer!.setWeights(state)).toThrow(/expected >= 0/);
    expect(engineOf(net).optimizer!.getWeights()).toEqual(before);
    net.dispose();
  });

  it('a changed clip starts a new optimiser; an equal config keeps the state', async () => {
    const net = await createNetwork(CONFIG);
    const optimizer: OptimizerSpec = { type: 'adagrad', clipnorm: 1 };
    await net.fit(x, y, { epochs: 2, learningRate: 0.01, optimizer });
    const kept = engineOf(net).optimizer;
    await net.fit(x, y, { epochs: 1, learningRate: 0.01, optimizer: { ...optimizer, initialAccumulatorValue: 0.1 } });
    expect(engineOf(net).optimizer).toBe(kept);
    expect(kept!.iterations).toBe(3);
    await net.fit(x, y, { epochs: 1, learningRate: 0.01, optimizer: { type: 'adagrad', clipnorm: 2 } });
    expect(engineOf(net).optimizer).not.toBe(kept);
    expect(engineOf(net).optimizer!.iterations).toBe(1);
    net.dispose();
  });
});
