/**
 * The bench's plumbing: one tinybench suite per row, every library's task in
 * it, medians out; the table and the JSON file.
 */
import { Bench } from 'tinybench';

/** Every column of the table, in order. */
export const LIBRARIES = ['wasmlp wasm', 'wasmlp wasm x2', 'wasmlp js', 'tfjs-wasm', 'tfjs-cpu'] as const;
export type Library = typeof LIBRARIES[number];
export const PEERS: readonly Library[] = ['tfjs-wasm', 'tfjs-cpu'];

/** How a row turns a median time into the number it shows. */
export interface Metric {
  unit: string;
  /** From the median milliseconds per task run. */
  fromMs(ms: number): number;
  /** Whether a larger number is better (a rate) or a smaller one (a time). */
  higherIsBetter: boolean;
}

export const millis: Metric = { unit: 'ms', fromMs: (ms) => ms, higherIsBetter: false };
export const rate = (unit: string, workPerRun: number, scale = 1): Metric =>
  ({ unit, fromMs: (ms) => (workPerRun / (ms / 1000)) / scale, higherIsBetter: true });

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
  /** A note on a cell, e.g. which peer variant. */
  note?: string;
}

export type Task = () => unknown | Promise<unknown>;

export interface Budget {
  /** Milliseconds each task runs for at least... */
  time: number;
  /** ... and at least this many runs (after warm-up). */
  iterations: number;
  warmup?: number;
  /**
   * Rounds (default 1): the tasks take turns, each round running each task
   * for time / rounds, and the median is over every round's runs. The machine
   * drifts between states over seconds (two threads on this VM ran W2 at
   * 1.75x one thread for a while, then 1.45x): turns give every task the
   * same mix of them, so ratios between tasks hold. Only for tasks that can
   * be prepared side by side (wasmlp's; TensorFlow.js switches one global
   * backend).
   */
  rounds?: number;
}

/**
 * Runs each library's task in one suite (so their medians come from the same
 * stretch of machine time) and returns the medians in milliseconds.
 * A task is created just before it runs (or, with rounds, before the first)
 * and may return a cleanup.
 */
export async function measure(
  budget: Budget,
  tasks: Partial<Record<Library, () => Promise<{ run: Task; dispose?: () => void }>>>,
): Promise<Partial<Record<Library, { ms: number; samples: number }>>> {
  const rounds = budget.rounds ?? 1;
  const entries = Object.entries(tasks) as [Library, NonNullable<typeof tasks[Library]>][];
  const samples = new Map<Library, number[]>();
  const runRound = async (library: Library, run: Task, warmup: number) => {
    const bench = new Bench({
      time: budget.time / rounds,
      iterations: Math.ceil(budget.iterations / rounds),
      warmupIterations: warmup,
      warmupTime: 0,
      throws: true,
      retainSamples: true,
    });
    // tinybench awaits only functions declared async: a task returning a promise gets such a wrapper.
    const probe = run();
    const isAsync = typeof (probe as Promise<unknown> | undefined)?.then === 'function';
    if (isAsync) await probe;
    bench.add(library, isAsync ? async () => { await run(); } : run);
    await bench.run();
    const latency = (bench.tasks[0].result as { latency?: { samples?: readonly number[] } } | undefined)?.latency;
    if (!latency?.samples?.length) throw new Error(`bench task ${library} did not complete`);
    samples.set(library, [...(samples.get(library) ?? []), ...latency.samples]);
  };
  if (rounds === 1) {
    for (const [library, make] of entries) {
      const { run, dispose } = await make();
      await runRound(library, run, budget.warmup ?? 1);
      dispose?.();
    }
  } else {
    const prepared = [];
    for (const [library, make] of entries) prepared.push({ library, ...(await make()) });
    for (let round = 0; round < rounds; round++) {
      for (const { library, run } of prepared) await runRound(library, run, round === 0 ? budget.warmup ?? 1 : 0);
    }
    for (const { dispose } of prepared) dispose?.();
  }
  const out: Partial<Record<Library, { ms: number; samples: number }>> = {};
  for (const [library, all] of samples) out[library] = { ms: median(all), samples: all.length };
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function format(value: number | undefined, unit: string): string {
  if (value === undefined) return '';
  const digits = value >= 1000 ? 0 : value >= 100 ? 1 : value >= 10 ? 2 : 3;
  const text = unit === 'samples/s' ? Math.round(value).toLocaleString('en-US') : value.toFixed(digits);
  return `${text} ${unit}`;
}

/** wasmlp wasm (one thread) against the best peer: > 1 means wasmlp is ahead. */
/** How many times faster `library` is than `baseline` in this row (> 1: ahead), if the row has both. */
export function speedup(row: Row, library: Library, baseline: Library): number | undefined {
  const ours = row.values[library], theirs = row.values[baseline];
  if (ours === undefined || theirs === undefined) return undefined;
  return row.metric.higherIsBetter ? ours / theirs : theirs / ours;
}

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
