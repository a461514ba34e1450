/**
 * The bench's plumbing: a workload's tasks measured taking turns (tinybench,
 * medians), the ratios between libraries, and the check that they agree.
 */
import { Bench } from 'tinybench';

/** Every column of the table, in order. */
export const LIBRARIES = [
  'wasmlp wasm',
  'wasmlp wasm x2',
  'wasmlp js',
  'wasmlp predict',
  'numpy',
  'onnxruntime-web',
  'tfjs-wasm',
  'tfjs-cpu',
] as const;
export type Library = (typeof LIBRARIES)[number];
export const PEERS: readonly Library[] = ['numpy', 'onnxruntime-web', 'tfjs-wasm', 'tfjs-cpu'];

/** How a row turns a median time into the number it shows. */
export interface Metric {
  unit: string;
  /** From the median milliseconds per task run. */
  fromMs(ms: number): number;
  /** Whether a larger number is better (a rate) or a smaller one (a time). */
  higherIsBetter: boolean;
}

export const millis: Metric = { unit: 'ms', fromMs: (ms) => ms, higherIsBetter: false };
export const micros: Metric = { unit: 'µs', fromMs: (ms) => ms * 1000, higherIsBetter: false };
export const rate = (unit: string, workPerRun: number, scale = 1): Metric => ({
  unit,
  fromMs: (ms) => workPerRun / (ms / 1000) / scale,
  higherIsBetter: true,
});

export interface Result {
  workload: string;
  library: Library;
  /** The row's metric computed from the median time. */
  median: number;
  unit: string;
  /** Median milliseconds per run, and the runs it is the median of. */
  ms: number;
  samples: number;
}

export interface Row {
  workload: string;
  metric: Metric;
  values: Partial<Record<Library, number>>;
  /** How far the libraries' results were from wasmlp wasm's, relative to its largest value. */
  agreement?: number;
}

export type Task = () => unknown | Promise<unknown>;

/** A library's task for one row, ready to run. */
export interface Prepared {
  run: Task;
  /** Puts the task's state back before each run, untimed (weights trained by the last run, a gradient scaled in place). */
  reset?: () => void;
  /** What a run computed (weights, a product), read after the first run: the row checks every library computed the same. */
  output?: () => ArrayLike<number>;
  dispose?: () => void;
  /** Makes the task's library ready to run, untimed, before each of its rounds (TensorFlow.js's backend is one global). */
  activate?: () => Promise<unknown>;
  /**
   * A task timed by its own process (NumPy in Python): runs for `ms`, and at
   * least `runs` times, and returns each run's milliseconds; its output is
   * what its first run computed. Takes the place of `run` in the turns.
   */
  selfTimed?: (ms: number, runs: number) => number[];
}

export type Outputs = Partial<Record<Library, ArrayLike<number>>>;

/** A task's median milliseconds per run, the runs it is the median of, and what its first run computed. */
export interface Measured {
  ms: number;
  samples: number;
  output?: Float64Array;
}

export interface Budget {
  /** Milliseconds each task runs for at least... */
  time: number;
  /** ... and at least this many runs (after warm-up)... */
  iterations: number;
  /** ... after this many untimed runs (default 1, at least 1: the first run's output is checked). */
  warmup?: number;
}

/** One task of a workload: its key in the result, how to make it, and its budget over all rounds. */
export interface Entry {
  key: string;
  make: () => Promise<Prepared>;
  budget: Budget;
}

/**
 * Runs a workload's tasks taking turns: every task is prepared first (side
 * by side), then each round runs each task for its budget / rounds, and a
 * task's median is over every round's runs. The machine drifts between
 * states over seconds to minutes (two threads ran W2 at 1.70x one thread
 * in one run here, 1.22x in another; the seed took 36 ms, then 66 ms):
 * turns give every task the same mix of them, so the ratios between tasks
 * hold, those against TensorFlow.js as much as one thread against two.
 * Each task's first run (the first warm-up run, untimed, from its reset
 * state) is also where its output is read.
 */
export async function measure(rounds: number, entries: Entry[]): Promise<Map<string, Measured>> {
  const tasks: { entry: Entry; prepared: Prepared; timed?: Task; output?: Float64Array; samples: number[] }[] = [];
  try {
    for (const entry of entries) tasks.push({ entry, prepared: await entry.make(), samples: [] });
    for (let round = 0; round < rounds; round++) {
      for (const task of tasks) {
        const {
          entry: { key, budget },
          prepared: { run, reset, output, activate },
        } = task;
        await activate?.();
        if (task.prepared.selfTimed) {
          const times = task.prepared.selfTimed(budget.time / rounds, Math.ceil(budget.iterations / rounds));
          if (!task.output && output) task.output = Float64Array.from(output());
          for (const sample of times) task.samples.push(sample);
          continue;
        }
        if (!task.timed) {
          reset?.();
          const probe = run();
          const isAsync = typeof (probe as Promise<unknown> | undefined)?.then === 'function';
          if (isAsync) await probe;
          if (output) task.output = Float64Array.from(output());
          // tinybench awaits only functions declared async: a task returning a promise gets such a wrapper.
          task.timed = isAsync
            ? async () => {
                await run();
              }
            : run;
        }
        const bench = new Bench({
          time: budget.time / rounds,
          iterations: Math.ceil(budget.iterations / rounds),
          warmupIterations: round === 0 ? Math.max(0, (budget.warmup ?? 1) - 1) : 0,
          warmupTime: 0,
          throws: true,
          retainSamples: true,
        });
        bench.add(key, task.timed, reset ? { beforeEach: reset } : {});
        await bench.run();
        const latency = (bench.tasks[0].result as { latency?: { samples?: readonly number[] } } | undefined)?.latency;
        if (!latency?.samples?.length) throw new Error(`bench task ${key} did not complete`);
        // A loop, not push(...samples): a microsecond task's turn has more samples than a call takes arguments.
        for (const sample of latency.samples) task.samples.push(sample);
      }
    }
    return new Map(
      tasks.map(({ entry, samples, output }) => [entry.key, { ms: median(samples), samples: samples.length, output }]),
    );
  } finally {
    for (const { prepared } of tasks) prepared.dispose?.();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function format(value: number | undefined, unit: string): string {
  if (value === undefined) return '';
  const digits = value >= 1000 ? 0 : value >= 100 ? 1 : value >= 10 ? 2 : 3;
  const text = unit === 'samples/s' || unit === 'rows/s' ? Math.round(value).toLocaleString('en-US') : value.toFixed(digits);
  return `${text} ${unit}`;
}

/** How many times faster `library` is than `baseline` in this row (> 1: ahead), if the row has both. */
export function speedup(row: Row, library: Library, baseline: Library): number | undefined {
  const ours = row.values[library],
    theirs = row.values[baseline];
  if (ours === undefined || theirs === undefined) return undefined;
  return row.metric.higherIsBetter ? ours / theirs : theirs / ours;
}

/** wasmlp wasm (one thread) against the best peer: > 1 means wasmlp is ahead. */
export function ratio(row: Row, library: Library = 'wasmlp wasm'): { value: number; peer: Library } | undefined {
  const ours = row.values[library];
  if (ours === undefined) return undefined;
  let best: Library | undefined;
  for (const peer of PEERS) {
    const v = row.values[peer];
    if (v === undefined) continue;
    if (best === undefined || (row.metric.higherIsBetter ? v > row.values[best]! : v < row.values[best]!)) best = peer;
  }
  if (!best) return undefined;
  return { value: speedup(row, library, best)!, peer: best };
}

/**
 * Checks that every library computed what `reference` did, to `tolerance`
 * of the reference's largest magnitude (float32 libraries summing in
 * different orders agree only so far). A fast wrong kernel fails the bench
 * here instead of winning a row. Returns the largest difference found, so
 * relative.
 */
export function checkAgreement(workload: string, outputs: Outputs, reference: Library, tolerance: number): number {
  const expected = outputs[reference];
  if (!expected) throw new Error(`bench ${workload}: ${reference} reported no result to check the others against`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0;
  for (const [library, actual] of Object.entries(outputs) as [Library, ArrayLike<number>][]) {
    if (actual.length !== expected.length) {
      throw new Error(`bench ${workload}: ${library} computed ${actual.length} numbers, ${reference} ${expected.length}`);
    }
    let difference = 0;
    for (let i = 0; i < actual.length; i++) difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
    if (!(difference <= tolerance * scale)) {
      throw new Error(
        `bench ${workload}: ${library}'s result differs from ${reference}'s by ${difference} ` +
          `(${(difference / scale).toExponential(2)} of its largest value ${scale}; allowed ${tolerance})`,
      );
    }
    worst = Math.max(worst, difference / scale);
  }
  return worst;
}
