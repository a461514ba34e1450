/**
 * `npm run bench`: wasmlp against TensorFlow.js, side by side in one process,
 * on the same data (tinybench, medians).
 *
 *   W1 seed    the seed network, 2-8-4-1 sigmoid, 200 points, full batch, 2000 epochs: ms
 *   W2 mlp     784-256-128-10, sigmoid, softmax + categoricalCrossentropy, batch 64, SGD,
 *              one epoch of 10,000 samples: samples/s; and wasmlp alone with Adam
 *   W3 gemm    float32 C = op(A) op(B), square n, NN / NT / TN: GFLOP/s
 *   kernels    sigmoid forward and backward, and tanh, over 1M float32 elements: ms
 *
 * Columns: wasmlp's wasm backend (one thread, and two threads where it can),
 * its js backend, tfjs-core 4.x on its wasm backend (XNNPACK, SIMD, one
 * thread) and on its cpu backend; then ratios (> 1: the first ahead): wasmlp
 * wasm against the best peer, against wasmlp js, and two threads against one.
 * Only ratios from one run mean anything on a shared machine.
 *
 *   npm run bench -- --json FILE     also write every number as JSON
 *   npm run bench -- --only w1,w3    run some workloads (w1, w2, w3, kernels)
 *   npm run bench -- --quick         shorter budgets (a smoke test, not for the README)
 *   npm run bench -- --busy          with another process spinning meanwhile, as on a
 *                                    machine where something else wants a core
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { format, LIBRARIES, measure, millis, rate, ratio, speedup, type Budget, type Library, type Metric, type Result, type Row } from './harness.js';
import { tfVersion, type TfBackend } from './tfjs.js';
import * as w from './workloads.js';
import { threadsAvailable } from './threads.js';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    busy: { type: 'boolean', default: false },
    threads: { type: 'string', default: '2' },
  },
});
const only = new Set((args.only ?? 'w1,w2,w3,kernels').split(',').map((s) => s.trim().toLowerCase()));
const quick = args.quick!;
const threads = Number(args.threads);
const withThreads = threads > 1 && (await threadsAvailable());
// A process that only spins, for as long as the bench runs.
const busy = args.busy ? spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }) : undefined;
busy?.unref(); // it must not keep the bench alive; 'exit' ends it
process.on('exit', () => busy?.kill());

const rows: Row[] = [];
const results: Result[] = [];

type Maker = () => Promise<w.Prepared>;

async function row(workload: string, metric: Metric, budget: Budget, tasks: Partial<Record<Library, Maker>>, note?: string): Promise<Row> {
  if (quick) budget = { time: Math.min(budget.time, 200), iterations: Math.min(budget.iterations, 2), warmup: 1 };
  const medians = await measure(budget, tasks);
  const values: Row['values'] = {};
  for (const [library, m] of Object.entries(medians) as [Library, { ms: number; samples: number }][]) {
    values[library] = metric.fromMs(m.ms);
    results.push({ workload, library, median: values[library]!, unit: metric.unit, ms: m.ms, samples: m.samples });
  }
  const r: Row = { workload, metric, values, note };
  rows.push(r);
  printRow(r);
  return r;
}

function wasmlpTasks<T>(make: (v: w.WasmlpVariant) => Promise<T>, opts: { js?: boolean; threaded?: boolean } = {}): Partial<Record<Library, () => Promise<T>>> {
  const tasks: Partial<Record<Library, () => Promise<T>>> = { 'wasmlp wasm': () => make({ backend: 'wasm' }) };
  if (withThreads && opts.threaded !== false) tasks['wasmlp wasm x2'] = () => make({ backend: 'wasm', threads });
  if (opts.js !== false) tasks['wasmlp js'] = () => make({ backend: 'js' });
  return tasks;
}

const header = `wasmlp bench: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism?.() ?? os.cpus().length} cores, ` +
  `Node ${process.version}, TensorFlow.js ${tfVersion()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}` +
  (busy ? ', another process spinning throughout (--busy)' : '');
console.log(header + '\n');

/**
 * A workload where the peers come in several variants (an API, a training
 * step by hand): wasmlp's tasks are measured once, each peer variant is a row
 * against those same numbers.
 */
async function variantRows(workload: string, metric: Metric, ours: Budget, theirs: Budget,
                           wasmlp: Partial<Record<Library, Maker>>,
                           variants: [string, (backend: TfBackend) => Promise<w.Prepared>][]): Promise<void> {
  const shrink = (b: Budget): Budget => quick ? { time: 0, iterations: 1, warmup: 1, rounds: b.rounds } : b;
  const mine = await measure(shrink(ours), wasmlp);
  for (const [library, m] of Object.entries(mine) as [Library, { ms: number; samples: number }][]) {
    results.push({ workload, library, median: metric.fromMs(m.ms), unit: metric.unit, ms: m.ms, samples: m.samples });
  }
  for (const [name, make] of variants) {
    const peers = await measure(shrink(theirs), { 'tfjs-wasm': () => make('tfjs-wasm'), 'tfjs-cpu': () => make('tfjs-cpu') });
    const values: Row['values'] = {};
    for (const [library, m] of Object.entries({ ...mine, ...peers }) as [Library, { ms: number; samples: number }][]) {
      values[library] = metric.fromMs(m.ms);
      if (library in peers) {
        results.push({ workload: `${workload}, tfjs ${name}`, library, median: values[library]!, unit: metric.unit, ms: m.ms, samples: m.samples });
      }
    }
    const r: Row = { workload: `${workload} vs tfjs ${name}`, metric, values };
    rows.push(r);
    printRow(r);
  }
}

if (only.has('w1')) {
  await variantRows('W1 seed, 2000 epochs', millis, { time: 2000, iterations: 5, warmup: 2 }, { time: 2000, iterations: 3, warmup: 1 },
    wasmlpTasks(w.seedWasmlp, { threaded: false }), [
      ['tf ops, optimizer.minimize', w.seedTf],
      ['tf ops, hand-tuned', w.seedTfTuned],
    ]);
}

if (only.has('w2')) {
  const data = w.mlpData();
  await variantRows('W2 mlp', rate('samples/s', w.MLP.samples), { time: 4000, iterations: 4, warmup: 1, rounds: 4 }, { time: 1500, iterations: 2, warmup: 1 },
    wasmlpTasks((v) => w.mlpWasmlp(v, data)), [
      ['layers API (sequential + fit)', (b) => w.mlpTfLayers(b, data)],
      ['tf ops, optimizer.minimize', (b) => w.mlpTfMinimize(b, data)],
      ['tf ops, hand-tuned', (b) => w.mlpTfTuned(b, data)],
    ]);
  // wasmlp alone: how its threads do when the optimiser step is Adam's (three state arrays to update).
  await row('W2 mlp, Adam (wasmlp only)', rate('samples/s', w.MLP.samples), { time: 4000, iterations: 4, warmup: 1, rounds: 4 },
    wasmlpTasks((v) => w.mlpWasmlp(v, data, 'adam'), { js: false }));
}

if (only.has('w3')) {
  for (const t of ['NN', 'NT', 'TN'] as const) {
    for (const n of [64, 256, 512, 1024]) {
      const budget: Budget = n <= 256 ? { time: 500, iterations: 10 } : { time: 500, iterations: 3 };
      await row(`W3 gemm ${t} ${n}`, rate('GFLOP/s', 2 * n ** 3, 1e9), budget, {
        ...wasmlpTasks((v) => w.gemmWasmlp(v, n, t), { threaded: n >= 256 }),
        'tfjs-wasm': () => w.gemmTf('tfjs-wasm', n, t),
        'tfjs-cpu': () => w.gemmTf('tfjs-cpu', n, t),
      });
    }
  }
}

if (only.has('kernels')) {
  for (const kernel of ['sigmoid', 'sigmoidBackward', 'tanh'] as const) {
    await row(`${kernel}, 1M f32`, millis, { time: 500, iterations: 10 }, {
      ...wasmlpTasks((v) => w.kernelWasmlp(v, kernel), { threaded: false }),
      'tfjs-wasm': () => w.kernelTf('tfjs-wasm', kernel),
      'tfjs-cpu': () => w.kernelTf('tfjs-cpu', kernel),
    });
  }
}

console.log('\n' + markdownTable());
if (args.json) {
  writeFileSync(args.json, JSON.stringify({ machine: header, results }, null, 2) + '\n');
  console.log(`\nwrote ${args.json}`);
}

function printRow(r: Row): void {
  const cells = LIBRARIES.filter((l) => r.values[l] !== undefined).map((l) => `${l} ${format(r.values[l], r.metric.unit)}`);
  const q = ratio(r);
  const js = speedup(r, 'wasmlp wasm', 'wasmlp js');
  console.log(`${r.workload}: ${cells.join(' | ')}${q ? ` | wasm vs best peer (${q.peer}) ${q.value.toFixed(2)}x` : ''}` +
    `${js ? ` | wasm vs js ${js.toFixed(2)}x` : ''}`);
}

function markdownTable(): string {
  const columns = LIBRARIES.filter((l) => rows.some((r) => r.values[l] !== undefined));
  const threaded = columns.includes('wasmlp wasm x2');
  const lines = [
    `| workload | ${columns.join(' | ')} | wasmlp wasm / best peer | wasm / js |${threaded ? ' wasm x2 / wasm |' : ''}`,
    `| --- | ${columns.map(() => '---:').join(' | ')} | ---: | ---: |${threaded ? ' ---: |' : ''}`,
  ];
  const times = (value: number | undefined) => (value === undefined ? '' : `${value.toFixed(2)}x`);
  for (const r of rows) {
    lines.push(`| ${r.workload} | ${columns.map((l) => format(r.values[l], r.metric.unit)).join(' | ')} | ` +
      `${times(ratio(r)?.value)} | ${times(speedup(r, 'wasmlp wasm', 'wasmlp js'))} |` +
      `${threaded ? ` ${times(speedup(r, 'wasmlp wasm x2', 'wasmlp wasm'))} |` : ''}`);
  }
  return lines.join('\n');
}
