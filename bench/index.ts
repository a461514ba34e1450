/**
 * `npm run bench`: wasmlp against TensorFlow.js, side by side in one process,
 * on the same data (tinybench, medians).
 *
 *   W1 seed    the seed network, 2-8-4-1 sigmoid, 200 points, full batch, 2000 epochs: ms;
 *              in float64 too, against the notebook's own NumPy loop (bench/seed-numpy.py)
 *   W2 mlp     784-256-128-10, sigmoid, softmax + categoricalCrossentropy, batch 64, SGD,
 *              one epoch of 10,000 samples: samples/s; and wasmlp alone with Adam
 *   online     W2's network trained one row at a time against batches of 64: samples/s
 *   small      a w-w-1 sigmoid network, batch 1 to 200, widths 2 to 64: µs per training step
 *   W3 gemm    float32 C = op(A) op(B), square n, NN / NT / TN: GFLOP/s
 *   kernels    sigmoid forward and backward, and tanh, over 1M float32 elements: ms
 *   W4 predict inference of W2's network and of the seed's, float32, one thread:
 *              batch 1 (µs per call) and batch 1024 (rows/s)
 *   csv        reading a generated 100 MB numeric CSV, whole and streamed: rows/s, MB/s
 *
 * Columns: wasmlp's wasm backend (one thread, and two threads where it can),
 * its js backend, wasmlp/predict (W4 only: the inference-only build, wasm),
 * onnxruntime-web (W4 only: wasm, SIMD, one thread),
 * tfjs-core 4.x on its wasm backend (XNNPACK, SIMD, one thread) and on its
 * cpu backend; then ratios (> 1: the first ahead): wasmlp wasm against the
 * best peer, against onnxruntime-web (and wasmlp/predict against it),
 * against wasmlp js, and two threads against one.
 * Only ratios from one run mean anything on a shared machine.
 *
 *   npm run bench -- --json FILE     also write every number as JSON
 *   npm run bench -- --only w1,w3    run some workloads (w1, w2, online, small, w3, kernels, w4, csv)
 *   npm run bench -- --quick         shorter budgets (a smoke test, not for docs/speed.md)
 *   npm run bench -- --busy          with another process spinning meanwhile, as on a
 *                                    machine where something else wants a core
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { threadsAvailable } from '../src/backend/threads.js';
import { csvReading, type ReadFigures } from './csv-read.js';
import {
  type Budget,
  checkAgreement,
  type Entry,
  format,
  LIBRARIES,
  type Library,
  type Measured,
  type Metric,
  measure,
  micros,
  millis,
  type Outputs,
  type Prepared,
  type Result,
  type Row,
  rate,
  ratio,
  speedup,
} from './harness.js';
import * as inference from './inference.js';
import * as small from './small.js';
import { type TfBackend, tfVersion, useTf } from './tfjs.js';
import * as w from './workloads.js';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    busy: { type: 'boolean', default: false },
    threads: { type: 'string', default: '2' },
  },
});
const only = new Set((args.only ?? 'w1,w2,online,small,w3,kernels,w4,csv').split(',').map((s) => s.trim().toLowerCase()));
const quick = args.quick!;
const threads = Number(args.threads);
const withThreads = threads > 1 && (await threadsAvailable());
// A process that only spins, for as long as the bench runs.
const busy = args.busy ? spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }) : undefined;
busy?.unref(); // it must not keep the bench alive; 'exit' ends it
process.on('exit', () => busy?.kill());

/** Turns each workload's tasks take (see measure): a budget's time is over all of them. */
const ROUNDS = 4;

const rows: Row[] = [];
/** Lines printed again at the end, after the table: the online ratio, the small-shapes grid. */
const notes: string[] = [];
const results: Result[] = [];

type Maker = () => Promise<Prepared>;
type Tasks = Partial<Record<Library, Maker>>;

function wasmlpTasks(make: (v: w.WasmlpVariant) => Promise<Prepared>, opts: { js?: boolean; threaded?: boolean } = {}): Tasks {
  const tasks: Tasks = { 'wasmlp wasm': () => make({ backend: 'wasm' }) };
  if (withThreads && opts.threaded !== false) tasks['wasmlp wasm x2'] = () => make({ backend: 'wasm', threads });
  if (opts.js !== false) tasks['wasmlp js'] = () => make({ backend: 'js' });
  return tasks;
}

/** TensorFlow.js's two backends; each task switches to its own before its turns (tf has one global backend). */
const peerTasks = (make: (backend: TfBackend) => Promise<Prepared>): Tasks => {
  const on = (backend: TfBackend) => async (): Promise<Prepared> => ({
    ...(await make(backend)),
    activate: () => useTf(backend),
  });
  return { 'tfjs-wasm': on('tfjs-wasm'), 'tfjs-cpu': on('tfjs-cpu') };
};

const header =
  `wasmlp bench: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism?.() ?? os.cpus().length} cores, ` +
  `Node ${process.version}, TensorFlow.js ${tfVersion()}, onnxruntime-web ${inference.ortVersion()}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}` +
  (busy ? ', another process spinning throughout (--busy)' : '');
console.log(`${header}\n`);

/**
 * One workload: wasmlp's tasks and every peer variant's (an API, a step by
 * hand) measured together, taking turns in ROUNDS rounds, so each row's
 * ratios are over the same stretch of machine time; then a row per variant
 * against wasmlp's same numbers. Every task's first result must agree with
 * wasmlp wasm's to `tolerance` (see checkAgreement).
 */
async function workloadRows(
  workload: string,
  metric: Metric,
  tolerance: number,
  ours: { budget: Budget; tasks: Tasks },
  theirs: { budget: Budget; variants: [string, Tasks][] } = { budget: ours.budget, variants: [['', {}]] },
): Promise<void> {
  const budget = (b: Budget): Budget => (quick ? { time: 0, iterations: 1, warmup: 1 } : b);
  const entries = (prefix: string, tasks: Tasks, b: Budget): Entry[] =>
    (Object.entries(tasks) as [Library, Maker][]).map(([library, make]) => ({ key: prefix + library, make, budget: budget(b) }));
  const variantKey = (name: string) => `${name}: `;
  const measured = await measure(quick ? 1 : ROUNDS, [
    ...entries('', ours.tasks, ours.budget),
    ...theirs.variants.flatMap(([name, tasks]) => entries(variantKey(name), tasks, theirs.budget)),
  ]);
  const pick = (prefix: string, tasks: Tasks) =>
    (Object.keys(tasks) as Library[]).map((library) => [library, measured.get(prefix + library)!] as const);
  const record = (name: string, libraries: (readonly [Library, Measured])[]) => {
    for (const [library, m] of libraries) {
      results.push({ workload: name, library, median: metric.fromMs(m.ms), unit: metric.unit, ms: m.ms, samples: m.samples });
    }
  };
  const mine = pick('', ours.tasks);
  record(workload, mine);
  for (const [name, tasks] of theirs.variants) {
    const peers = pick(variantKey(name), tasks);
    record(name ? `${workload}, tfjs ${name}` : workload, peers);
    const values: Row['values'] = {};
    const outputs: Outputs = {};
    for (const [library, m] of [...mine, ...peers]) {
      values[library] = metric.fromMs(m.ms);
      if (m.output) outputs[library] = m.output;
    }
    const agreement = checkAgreement(workload, outputs, 'wasmlp wasm', tolerance);
    const r: Row = { workload: name ? `${workload} vs tfjs ${name}` : workload, metric, values, agreement };
    rows.push(r);
    printRow(r);
  }
}

// Tolerances: float32 libraries agree to about 1e-6 of the largest value on
// one product or elementwise pass; trainings accumulate more, and stay near 1e-5.
if (only.has('w1')) {
  await workloadRows(
    'W1 seed, 2000 epochs',
    millis,
    1e-3,
    { budget: { time: 2000, iterations: 5, warmup: 2 }, tasks: wasmlpTasks(w.seedWasmlp, { threaded: false }) },
    {
      budget: { time: 2000, iterations: 3, warmup: 1 },
      variants: [
        ['tf ops, optimizer.minimize', peerTasks(w.seedTf)],
        ['tf ops, hand-tuned', peerTasks(w.seedTfTuned)],
      ],
    },
  );
}

if (only.has('w1')) {
  // float64 against the seed notebook itself: NumPy's loop, timed inside Python.
  const numpy = w.seedNumpy();
  console.log(
    numpy
      ? `W1 seed float64: NumPy ${numpy.version} (${numpy.python})`
      : `W1 seed float64: NumPy not run, no Python with NumPy among ${w.PYTHONS.join(', ')}`,
  );
  const budget: Budget = { time: 2000, iterations: 5, warmup: 2 };
  await workloadRows(
    'W1 seed float64, 2000 epochs',
    millis,
    1e-9,
    {
      budget,
      tasks: {
        'wasmlp wasm': () => w.seedWasmlp({ backend: 'wasm' }, 'float64'),
        'wasmlp js': () => w.seedWasmlp({ backend: 'js' }, 'float64'),
      },
    },
    numpy ? { budget, variants: [['', { numpy: async () => numpy }]] } : undefined,
  );
}

if (only.has('w2')) {
  const data = w.mlpData(),
    init = w.mlpInitialWeights();
  const samples = rate('samples/s', w.MLP.samples);
  await workloadRows(
    'W2 mlp',
    samples,
    1e-3,
    { budget: { time: 4000, iterations: 4, warmup: 1 }, tasks: wasmlpTasks((v) => w.mlpWasmlp(v, data, init)) },
    {
      budget: { time: 1500, iterations: 2, warmup: 1 },
      variants: [
        ['layers API (sequential + fit)', peerTasks((b) => w.mlpTfLayers(b, data, init))],
        ['tf ops, optimizer.minimize', peerTasks((b) => w.mlpTfMinimize(b, data, init))],
        ['tf ops, hand-tuned', peerTasks((b) => w.mlpTfTuned(b, data, init))],
      ],
    },
  );
  // wasmlp alone: how its threads do when the optimiser step is Adam's (three state arrays to update).
  await workloadRows('W2 mlp, Adam (wasmlp only)', samples, 1e-3, {
    budget: { time: 4000, iterations: 4, warmup: 1 },
    tasks: wasmlpTasks((v) => w.mlpWasmlp(v, data, init, 'adam'), { js: false }),
  });
}

if (only.has('online')) {
  // Online training: the same network one row at a time against W2's batches of 64, on fewer samples (one row at a time is slow).
  const data = w.mlpData(),
    init = w.mlpInitialWeights();
  const samples = 2_000;
  const budget = (time: number): Budget => (quick ? { time: 0, iterations: 1, warmup: 1 } : { time, iterations: 4, warmup: 1 });
  const make = (batch: number) => () => w.mlpWasmlp({ backend: 'wasm' }, data, init, 'sgd', { samples, batch });
  const measured = await measure(quick ? 1 : ROUNDS, [
    { key: 'batch 1', make: make(1), budget: budget(4000) },
    { key: 'batch 64', make: make(64), budget: budget(2000) },
  ]);
  const perSecond = rate('samples/s', samples);
  const [one, many] = ['batch 1', 'batch 64'].map((key) => perSecond.fromMs(measured.get(key)!.ms));
  for (const [batch, value] of [
    [1, one],
    [64, many],
  ] as const) {
    results.push({
      workload: `W2 online, batch ${batch}`,
      library: 'wasmlp wasm',
      median: value,
      unit: perSecond.unit,
      ms: measured.get(`batch ${batch}`)!.ms,
      samples: measured.get(`batch ${batch}`)!.samples,
    });
  }
  const line =
    `W2 online, ${samples.toLocaleString('en-US')} samples: batch 1 ${format(one, perSecond.unit)} | ` +
    `batch 64 ${format(many, perSecond.unit)} | batch 1 / batch 64 ${((100 * one) / many).toFixed(1)}%`;
  console.log(line);
  notes.push(line);
}

if (only.has('small')) {
  const cells = new Map<string, Row>();
  for (const batch of small.BATCHES) {
    for (const width of small.WIDTHS) {
      const data = small.smallData(batch, width);
      const steps = small.stepsFor(batch);
      const budget: Budget = { time: 300, iterations: 4 };
      const before = rows.length;
      await workloadRows(
        `small ${width}-${width}-1, batch ${batch}`,
        small.perStep(steps),
        1e-3,
        {
          budget,
          tasks: {
            'wasmlp wasm': () => small.smallWasmlp({ backend: 'wasm' }, data, steps),
            'wasmlp js': () => small.smallWasmlp({ backend: 'js' }, data, steps),
          },
        },
        { budget, variants: [['', { 'tfjs-wasm': () => small.smallTf(data, steps) }]] },
      );
      cells.set(`${batch} ${width}`, rows[before]);
    }
  }
  // The sweep again as one grid: wasm's time per step, and how many times faster than js and tfjs-wasm.
  const grid = [
    `| batch | ${small.WIDTHS.map((width) => `${width}-${width}-1`).join(' | ')} |`,
    `| ---: | ${small.WIDTHS.map(() => '---:').join(' | ')} |`,
    ...small.BATCHES.map((batch) => {
      const line = small.WIDTHS.map((width) => {
        const r = cells.get(`${batch} ${width}`)!;
        const vs = (peer: Library) => `${speedup(r, 'wasmlp wasm', peer)!.toFixed(1)}x`;
        return `${format(r.values['wasmlp wasm'], 'µs')}, ${vs('wasmlp js')} js, ${vs('tfjs-wasm')} tfjs-wasm`;
      });
      return `| ${batch} | ${line.join(' | ')} |`;
    }),
  ].join('\n');
  console.log(
    `\nSmall shapes, µs per training step (wasmlp wasm), and how many times faster than wasmlp js and tfjs-wasm:\n${grid}`,
  );
  notes.push(grid);
}

if (only.has('w3')) {
  for (const t of ['NN', 'NT', 'TN'] as const) {
    for (const n of [64, 256, 512, 1024]) {
      const budget: Budget = n <= 256 ? { time: 500, iterations: 10 } : { time: 500, iterations: 3 };
      await workloadRows(
        `W3 gemm ${t} ${n}`,
        rate('GFLOP/s', 2 * n ** 3, 1e9),
        1e-5,
        { budget: { ...budget, time: 1000 }, tasks: wasmlpTasks((v) => w.gemmWasmlp(v, n, t), { threaded: n >= 256 }) },
        { budget, variants: [['', peerTasks((b) => w.gemmTf(b, n, t))]] },
      );
    }
  }
}

if (only.has('kernels')) {
  for (const kernel of ['sigmoid', 'sigmoidBackward', 'tanh'] as const) {
    const budget: Budget = { time: 500, iterations: 10 };
    await workloadRows(
      `${kernel}, 1M f32`,
      millis,
      1e-5,
      { budget, tasks: wasmlpTasks((v) => w.kernelWasmlp(v, kernel), { threaded: false }) },
      { budget, variants: [['', peerTasks((b) => w.kernelTf(b, kernel))]] },
    );
  }
}

if (only.has('w4')) {
  const data = w.mlpData();
  const nets = [inference.mlpNet(data, w.mlpInitialWeights()), inference.seedNet()];
  for (const net of nets) {
    for (const batch of inference.BATCHES) {
      const metric = batch === 1 ? micros : rate('rows/s', batch);
      const budget: Budget = batch === 1 ? { time: 2000, iterations: 200, warmup: 20 } : { time: 2000, iterations: 8 };
      await workloadRows(`W4 predict ${net.name}, batch ${batch}`, metric, 1e-5, {
        budget,
        tasks: {
          'wasmlp wasm': () => inference.predictWasmlp(net, batch),
          'wasmlp predict': () => inference.predictWasmlpPredict(net, batch),
          'onnxruntime-web': () => inference.predictOnnx(net, batch),
          'tfjs-wasm': async () => ({
            ...(await inference.predictTf('tfjs-wasm', net, batch)),
            activate: () => useTf('tfjs-wasm'),
          }),
        },
      });
    }
  }
}

const reading: ReadFigures[] = [];
if (only.has('csv')) {
  for (const r of await csvReading(quick)) {
    reading.push(r);
    console.log(
      `${r.workload}, ${r.megabytes.toFixed(0)} MB, ${r.rows} rows: ${r.seconds.toFixed(2)} s, ` +
        `${Math.round(r.rowsPerSecond).toLocaleString('en')} rows/s, ${r.megabytesPerSecond.toFixed(0)} MB/s`,
    );
  }
  for (const name of ['R1 numeric', 'R3 MNIST-shaped']) {
    const whole = reading.find((r) => r.workload.startsWith(`${name} read whole`));
    const pandas = reading.find((r) => r.workload.startsWith(`${name} pandas`));
    if (whole && pandas)
      console.log(`${name}: wasmlp reads it whole ${(pandas.seconds / whole.seconds).toFixed(2)}x as fast as pandas`);
  }
}

if (rows.length > 0) console.log(`\n${markdownTable()}`);
for (const note of notes) console.log(`\n${note}`);
if (args.json) {
  const table = rows.map((r) => ({
    workload: r.workload,
    unit: r.metric.unit,
    values: r.values,
    bestPeer: ratio(r)?.peer,
    wasmVsBestPeer: ratio(r)?.value,
    wasmVsOnnxruntime: speedup(r, 'wasmlp wasm', 'onnxruntime-web'),
    predictVsOnnxruntime: speedup(r, 'wasmlp predict', 'onnxruntime-web'),
    wasmVsJs: speedup(r, 'wasmlp wasm', 'wasmlp js'),
    twoThreadsVsOne: speedup(r, 'wasmlp wasm x2', 'wasmlp wasm'),
    agreement: r.agreement,
  }));
  writeFileSync(args.json, `${JSON.stringify({ machine: header, rows: table, results, reading }, null, 2)}\n`);
  console.log(`\nwrote ${args.json}`);
}

function printRow(r: Row): void {
  const cells = LIBRARIES.filter((l) => r.values[l] !== undefined).map((l) => `${l} ${format(r.values[l], r.metric.unit)}`);
  const q = ratio(r);
  const js = speedup(r, 'wasmlp wasm', 'wasmlp js');
  const onnx = speedup(r, 'wasmlp wasm', 'onnxruntime-web');
  const predictOnnx = speedup(r, 'wasmlp predict', 'onnxruntime-web');
  console.log(
    `${r.workload}: ${cells.join(' | ')}${q ? ` | wasm vs best peer (${q.peer}) ${q.value.toFixed(2)}x` : ''}` +
      `${onnx ? ` | wasm vs onnxruntime-web ${onnx.toFixed(2)}x` : ''}` +
      `${predictOnnx ? ` | predict vs onnxruntime-web ${predictOnnx.toFixed(2)}x` : ''}` +
      `${js ? ` | wasm vs js ${js.toFixed(2)}x` : ''} | results agree to ${r.agreement!.toExponential(1)}`,
  );
}

function markdownTable(): string {
  const columns = LIBRARIES.filter((l) => rows.some((r) => r.values[l] !== undefined));
  // Ratio columns, each only where some row has both of its libraries.
  const ratios: [string, (r: Row) => number | undefined][] = [
    ['wasmlp wasm / best peer', (r) => ratio(r)?.value],
    ['wasm / onnxruntime-web', (r) => speedup(r, 'wasmlp wasm', 'onnxruntime-web')],
    ['predict / onnxruntime-web', (r) => speedup(r, 'wasmlp predict', 'onnxruntime-web')],
    ['wasm / js', (r) => speedup(r, 'wasmlp wasm', 'wasmlp js')],
    ['wasm x2 / wasm', (r) => speedup(r, 'wasmlp wasm x2', 'wasmlp wasm')],
  ];
  const shown = ratios.filter(([, of]) => rows.some((r) => of(r) !== undefined));
  const times = (value: number | undefined) => (value === undefined ? '' : `${value.toFixed(2)}x`);
  const lines = [
    `| workload | ${[...columns, ...shown.map(([name]) => name)].join(' | ')} |`,
    `| --- | ${[...columns, ...shown].map(() => '---:').join(' | ')} |`,
  ];
  for (const r of rows) {
    const cells = [...columns.map((l) => format(r.values[l], r.metric.unit)), ...shown.map(([, of]) => times(of(r)))];
    lines.push(`| ${r.workload} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
