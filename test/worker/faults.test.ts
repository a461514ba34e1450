/**
 * WorkerNetwork under faults (src/worker/client.ts): nothing lost, nothing
 * corrupted, nothing stuck. dispose() rejects whatever is pending at once, a
 * fit() waiting on a callback that never settles included; a second fit() is
 * refused whenever the first is running; arguments that cannot be copied to
 * the worker are named with the reason; a predict() that runs out of memory
 * between epochs leaves the training as it was; and a worker that dies at any
 * message fails every pending call with an error naming it, fails every later
 * call the same way, and leaves other worker networks training on as before.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { seed, seedLabels } from '../../data/seed.js';
import {
  createNetwork,
  createWorkerNetwork,
  type FitOptions,
  type LayerWeights,
  type MatrixInput,
  type NetworkConfig,
  type WorkerNetwork,
} from '../../src/index.js';

const SEEDED: NetworkConfig = {
  inputs: 2,
  layers: [
    { units: 8, activation: 'sigmoid' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossentropy',
  seed: 31,
};
const FOREVER = 1_000_000; // epochs: far more than any test lets run
const ALREADY_TRAINING = 'fit: this network is already training (await the previous fit first)';

const never = () => new Promise<void>(() => {});

async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
}

/** The weights a network on this thread ends with after `options` from SEEDED. */
async function trainedHere(options: FitOptions): Promise<LayerWeights[]> {
  const local = await createNetwork(SEEDED);
  await local.fit(seed.X, seedLabels(), options);
  const weights = local.getWeights();
  local.dispose();
  return weights;
}

describe('WorkerNetwork.dispose()', () => {
  it.each([
    ['onEpochEnd', (hook: () => Promise<void>) => ({ onEpochEnd: (epoch: number) => (epoch === 3 ? hook() : undefined) })],
    ['onTrainBegin', (hook: () => Promise<void>) => ({ callbacks: [{ onTrainBegin: hook }] })],
    ['onTrainEnd', (hook: () => Promise<void>) => ({ callbacks: [{ onTrainEnd: hook }] })],
  ] as const)('rejects a fit() whose %s never settles, and every other pending call, at once', async (_, hooks) => {
    const remote = await createWorkerNetwork(SEEDED);
    let hookCalled!: () => void;
    const called = new Promise<void>((resolve) => {
      hookCalled = resolve;
    });
    const fit = remote.fit(seed.X, seedLabels(), {
      epochs: 10,
      learningRate: 1,
      ...hooks(() => {
        hookCalled();
        return never();
      }),
    });
    await called;
    expect(remote.isTraining).toBe(true);
    const predict = remote.predict(seed.X); // may or may not be answered before dispose(): either is fine
    await remote.dispose();
    expect(await messageOf(fit)).toBe('fit: this network was disposed while fit() awaited a callback');
    const predicted = await predict.then(
      () => 'answered',
      (error: Error) => error.message,
    );
    expect(['answered', 'predict: this network has been disposed']).toContain(predicted);
    expect(remote.isTraining).toBe(false);
    expect(remote.isDisposed).toBe(true);
    for (const call of [
      () => remote.getWeights(),
      () => remote.toJSON(),
      () => remote.fit(seed.X, seedLabels(), { epochs: 1, learningRate: 1 }),
    ]) {
      expect(await messageOf(call())).toMatch(/^\w+: this network has been disposed$/);
    }
  });
});

describe('a second WorkerNetwork.fit() while one runs', () => {
  const options = { epochs: 20, learningRate: 1, batchSize: 50, shuffle: true };

  it('is refused, decided on the calling thread, at every point of the first, which trains on undisturbed', async () => {
    const expected = await trainedHere(options);
    const remote = await createWorkerNetwork(SEEDED);
    const refusals: Promise<string>[] = [];
    const again = () => {
      refusals.push(messageOf(remote.fit(seed.X, seedLabels(), options)));
    };
    const first = remote.fit(seed.X, seedLabels(), {
      ...options,
      callbacks: [
        {
          onTrainBegin: () => {
            again();
          }, // the worker waits for this hook
          onEpochEnd: (epoch: number) => {
            if (epoch === 5) again(); // during a callback
            if (epoch === 6) setTimeout(again, 0); // while the worker trains on
          },
          onTrainEnd: async () => {
            again();
            await new Promise((resolve) => setTimeout(resolve, 20));
            again();
          }, // the worker is done
        },
      ],
    });
    again(); // before the worker has answered anything
    await first;
    expect(await Promise.all(refusals)).toEqual(Array(6).fill(ALREADY_TRAINING));
    expect(await remote.getWeights()).toEqual(expected);
    // Once it has settled, the next one runs.
    expect((await remote.fit(seed.X, seedLabels(), { epochs: 2, learningRate: 1 })).epoch).toEqual([0, 1]);
    await remote.dispose();
  });
});

describe('arguments that cannot be copied to the worker', () => {
  /** `levels` nested one-element arrays around `inner`. */
  const nested = (levels: number, inner: unknown = 1) => {
    let value: unknown = inner;
    for (let i = 0; i < levels; i++) value = [value];
    return value;
  };

  it('are refused naming the argument and what is wrong with it, and change nothing', async () => {
    const remote = await createWorkerNetwork(SEEDED);
    const deep = nested(10_000);
    const deepObject = (() => {
      const root: Record<string, unknown> = {};
      let at = root;
      for (let i = 0; i < 10_000; i++) at = (at.next = {}) as Record<string, unknown>;
      return root;
    })();
    const base = { epochs: 1, learningRate: 1 };
    const tooDeep = (method: string, argument: string) =>
      new RegExp(`^${method}: ${argument} is nested too deeply to be sent to the worker \\(Maximum call stack size exceeded\\)$`);
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => remote.fit(deep as MatrixInput, seedLabels(), base), tooDeep('fit', 'x')],
      [() => remote.fit(seed.X, deep as MatrixInput, base), tooDeep('fit', 'y')],
      [
        () => remote.fit(seed.X, seedLabels(), { ...base, validationData: [seed.X, deep as MatrixInput] }),
        tooDeep('fit', 'options'),
      ],
      [() => remote.predict(deep as MatrixInput), tooDeep('predict', 'x')],
      [() => remote.evaluate(seed.X, deepObject as never), tooDeep('evaluate', 'y')],
      [() => remote.setWeights(deep as never), tooDeep('setWeights', 'weights')],
      [() => createWorkerNetwork({ ...SEEDED, note: deepObject } as never), tooDeep('createWorkerNetwork', 'config')],
      [
        () => remote.predict(new WeakMap() as never),
        /^predict: x holds a value that cannot be copied, which cannot be sent to the worker \(#<WeakMap> could not be cloned\.\)$/,
      ],
      [
        () => remote.setWeights([{ W: [[1]], b: new Proxy([1], {}) }] as never),
        /^setWeights: weights holds a value that cannot be copied, which cannot be sent to the worker \(\[object Array\] could not be cloned\.\)$/,
      ],
    ];
    for (const [call, message] of cases) expect(await messageOf(call())).toMatch(message);
    // Nothing reached the network: it trains as a twin on this thread does.
    const options = { epochs: 10, learningRate: 1 };
    await remote.fit(seed.X, seedLabels(), options);
    expect(await remote.getWeights()).toEqual(await trainedHere(options));
    await remote.dispose();
  });
});

describe('a predict() between epochs that runs out of memory', () => {
  it('is refused, and the fit around it ends with exactly the weights of an undisturbed one', async () => {
    // predict() takes up to 1,024 rows at a time: 1,024 x 600,000 activations and their deltas need 4.9 GB,
    // more than wasm memory's 4 GiB. Training takes 8 rows at a time.
    const wide: NetworkConfig = {
      inputs: 1,
      layers: [
        { units: 600_000, activation: 'tanh' },
        { units: 1, activation: 'linear' },
      ],
      loss: 'meanSquaredError',
      seed: 3,
    };
    const x = Array.from({ length: 32 }, (_, i) => [i / 32]);
    const y = x.map(([v]) => [Math.sin(3 * v)]);
    const options = { epochs: 4, batchSize: 8, learningRate: 1e-6, shuffle: true };
    const results: { weights: LayerWeights[]; refusal?: string }[] = [];
    for (const disturb of [false, true]) {
      const remote = await createWorkerNetwork(wide);
      let refusal: string | undefined;
      await remote.fit(x, y, {
        ...options,
        onEpochEnd: async (epoch) => {
          if (disturb && epoch === 1)
            refusal = await messageOf(remote.predict({ data: new Float32Array(2048), shape: [2048, 1] }));
        },
      });
      results.push({ weights: await remote.getWeights(), refusal });
      await remote.dispose();
    }
    expect(results[1].refusal).toMatch(/rows at a time do not fit in memory/);
    expect(results[1].weights).toEqual(results[0].weights);
  }, 60_000);
});

/** The worker behind a WorkerNetwork, to kill it as a page or a crash might. */
function workerOf(net: WorkerNetwork): { terminate(): void; post(message: unknown, transfer: Transferable[]): void } {
  return (net as unknown as { handle: { terminate(): void; post(message: unknown, transfer: Transferable[]): void } }).handle;
}

/** Terminated from outside, as a page may; or dead of an error of its own (a message it cannot read crashes it). */
const KILLS = {
  terminated: (net: WorkerNetwork) => workerOf(net).terminate(),
  crashed: (net: WorkerNetwork) => workerOf(net).post(null, []),
};
const DEAD = /^(\w+): the wasmlp worker \(thread \d+\) (was terminated|failed: .+|exited \(code \d+\))$/;

describe.each(Object.keys(KILLS) as (keyof typeof KILLS)[])('a worker network whose worker is %s', (how) => {
  const kill = KILLS[how];
  const options = { epochs: 30, learningRate: 1, batchSize: 40, shuffle: true };

  /** Rejects naming `method` and the dead worker; resolves its message. */
  async function expectDead(method: string, promise: Promise<unknown>): Promise<void> {
    const message = await messageOf(promise);
    expect(message).toMatch(DEAD);
    expect(DEAD.exec(message)![1]).toBe(method);
  }

  /** Every call after the death rejects the same way; dispose() resolves. */
  async function expectDeadForGood(net: WorkerNetwork): Promise<void> {
    await expectDead('predict', net.predict(seed.X));
    await expectDead('evaluate', net.evaluate(seed.X, seedLabels()));
    await expectDead('getWeights', net.getWeights());
    await expectDead('setWeights', net.setWeights([]));
    await expectDead('toJSON', net.toJSON());
    await expectDead('fit', net.fit(seed.X, seedLabels(), { epochs: 1, learningRate: 1 }));
    expect(net.isTraining).toBe(false);
    await net.dispose();
    expect(await messageOf(net.predict(seed.X))).toBe('predict: this network has been disposed');
  }

  // Points where the worker dies, each given the victim; each returns the calls pending then, by method.
  const points: [string, (victim: WorkerNetwork) => Promise<[string, Promise<unknown>][]>, boolean][] = [
    [
      'after create',
      async (victim) => {
        kill(victim);
        return [];
      },
      true,
    ],
    [
      'during fit, from a callback',
      async (victim) => {
        let died!: () => void;
        const dead = new Promise<void>((resolve) => {
          died = resolve;
        });
        const fit = victim.fit(seed.X, seedLabels(), {
          epochs: FOREVER,
          learningRate: 1,
          onEpochEnd: (epoch) => {
            if (epoch === 3) {
              kill(victim);
              died();
            }
          },
        });
        await dead;
        return [['fit', fit]];
      },
      true,
    ],
    [
      'during fit, with predict, getWeights and toJSON pending',
      async (victim) => {
        const fit = victim.fit(seed.X, seedLabels(), { epochs: FOREVER, learningRate: 1 });
        const pending: [string, Promise<unknown>][] = [
          ['fit', fit],
          ['predict', victim.predict(seed.X)],
          ['getWeights', victim.getWeights()],
          ['toJSON', victim.toJSON()],
        ];
        kill(victim);
        return pending;
      },
      how === 'terminated',
    ], // a crash waits its turn behind the calls before it, which may be answered
    [
      'during predict',
      async (victim) => {
        const pending: [string, Promise<unknown>][] = [['predict', victim.predict(seed.X)]];
        kill(victim);
        return pending;
      },
      how === 'terminated',
    ],
    [
      'during getWeights and toJSON',
      async (victim) => {
        const pending: [string, Promise<unknown>][] = [
          ['getWeights', victim.getWeights()],
          ['toJSON', victim.toJSON({ includeOptimizer: true })],
        ];
        kill(victim);
        return pending;
      },
      how === 'terminated',
    ],
  ];

  it.each(points.filter(([, , applies]) => applies).map(([name, at]) => [name, at] as const))(
    '%s: fails what was pending and what follows, naming the worker; another network trains on, bit for bit',
    async (_, at) => {
      const expected = await trainedHere(options);
      const bystander = await createWorkerNetwork(SEEDED);
      const victim = await createWorkerNetwork(SEEDED);
      const training = bystander.fit(seed.X, seedLabels(), options); // alongside the death
      for (const [method, promise] of await at(victim)) await expectDead(method, promise);
      await expectDeadForGood(victim);
      await training;
      expect(await bystander.getWeights()).toEqual(expected);
      await bystander.dispose();
    },
  );

  it('during dispose: dispose() resolves, what was pending rejects as disposed', async () => {
    const victim = await createWorkerNetwork(SEEDED);
    const fit = victim.fit(seed.X, seedLabels(), { epochs: FOREVER, learningRate: 1 });
    const disposing = victim.dispose();
    kill(victim);
    await disposing;
    expect(await messageOf(fit)).toBe('fit: this network has been disposed');
    expect(await messageOf(victim.getWeights())).toBe('getWeights: this network has been disposed');
  });
});

describe('a worker network dropped without dispose()', () => {
  it('has its worker terminated once it is collected; one awaited but held nowhere is not collected mid-call', async () => {
    // In a child process with --expose-gc: every Worker it starts counted, and their exits.
    const script = `
      const threads = process.getBuiltinModule('node:worker_threads');
      let started = 0, exited = 0;
      class Counted extends threads.Worker {
        constructor(...args) { super(...args); started++; this.on('exit', () => { exited++; }); }
      }
      const builtin = process.getBuiltinModule;
      process.getBuiltinModule = (id) => (id === 'node:worker_threads' ? { ...threads, Worker: Counted } : builtin(id));
      const { createWorkerNetwork } = await import(${JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)});
      const config = ${JSON.stringify(SEEDED)};
      const x = [[0, 1], [1, 0], [1, 1], [0, 0]], y = [[1], [1], [0], [0]];
      // Held nowhere but by the awaited call: must run to its end, gc or not.
      const fit = (await createWorkerNetwork(config)).fit(x, y, { epochs: 3000, learningRate: 1, onEpochEnd: (epoch) => { if (epoch % 500 === 0) gc(); } });
      for (let i = 0; i < 3; i++) await (await createWorkerNetwork(config)).predict(x); // dropped once answered
      const history = await fit;
      for (let i = 0; i < 100 && exited < started; i++) { gc(); await new Promise((resolve) => setTimeout(resolve, 20)); }
      console.log(JSON.stringify({ epochs: history.epoch.length, started, exited }));
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--expose-gc', '--input-type=module', '-e', script],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 60_000, killSignal: 'SIGKILL' },
    );
    expect(JSON.parse(stdout)).toEqual({ epochs: 3000, started: 4, exited: 4 });
  }, 70_000);
});
