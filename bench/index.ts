/**
 * `npm run bench`: wasmlp's wasm kernels against its js backend, side by side
 * in one process, on the same data. Prints the median time of each and the
 * ratio; only ratios from one run mean anything on a shared machine.
 */
import os from 'node:os';
import { Bench } from 'tinybench';
import { createBackend } from '../src/backend/index.js';
import type { Backend, BackendName } from '../src/backend/backend.js';
import { createNetwork } from '../src/index.js';
import { Random } from '../src/random.js';
import { seed, seedLabels, seedWeights } from '../test/seed.js';

const BACKENDS: BackendName[] = ['wasm', 'js'];

interface Row {
  workload: string;
  /** Median milliseconds per run, by backend. */
  median: Record<BackendName, number>;
  /** Optional throughput, computed from the median. */
  rate?: (ms: number) => string;
}

/** Runs one task per backend in a single tinybench suite; returns the medians. */
async function measure(options: { time: number; iterations: number },
                       task: (backend: BackendName) => Promise<() => unknown>): Promise<Record<BackendName, number>> {
  const bench = new Bench({ ...options, warmupIterations: 2 });
  for (const name of BACKENDS) bench.add(name, await task(name));
  await bench.run();
  const median = {} as Record<BackendName, number>;
  for (const t of bench.tasks) {
    const result = t.result;
    if (!result || !('latency' in result)) throw new Error(`bench task ${t.name} did not complete: ${JSON.stringify(result)}`);
    median[t.name as BackendName] = result.latency.p50;
  }
  return median;
}

function filled(backend: Backend, random: Random, elements: number): number {
  const offset = backend.alloc(elements);
  const view = backend.view(offset, elements);
  for (let i = 0; i < view.length; i++) view[i] = 2 * random.uniform() - 1;
  return offset;
}

const rows: Row[] = [];

for (const n of [64, 256, 512]) {
  const median = await measure({ time: 1000, iterations: 5 }, async (name) => {
    const backend = await createBackend(name, 'float32');
    const random = new Random(n);
    const a = filled(backend, random, n * n), b = filled(backend, random, n * n), c = backend.alloc(n * n);
    return () => backend.gemm(false, false, n, n, n, 1, a, b, 0, c);
  });
  rows.push({ workload: `gemm ${n}x${n}x${n} f32`, median, rate: (ms) => `${((2 * n ** 3) / ms / 1e6).toFixed(2)} GFLOP/s` });
}

const ELEMENTS = 1 << 20;
for (const kernel of ['sigmoid', 'sigmoidBackward'] as const) {
  const median = await measure({ time: 1000, iterations: 5 }, async (name) => {
    const backend = await createBackend(name, 'float32');
    const random = new Random(3);
    const x = filled(backend, random, ELEMENTS), out = backend.alloc(ELEMENTS);
    backend.sigmoid(ELEMENTS, x, out);
    return kernel === 'sigmoid'
      ? () => backend.sigmoid(ELEMENTS, x, out)
      : () => backend.sigmoidBackward(ELEMENTS, out, x);
  });
  rows.push({ workload: `${kernel} 1M f32`, median, rate: (ms) => `${(ELEMENTS / ms / 1e3).toFixed(0)} M elements/s` });
}

const y = seedLabels();
for (const dtype of ['float32', 'float64'] as const) {
  const median = await measure({ time: 2000, iterations: 5 }, async (backend) => {
    const net = await createNetwork({
      inputs: 2,
      layers: [8, 4, 1].map((units) => ({ units, activation: 'sigmoid' as const })),
      loss: 'binaryCrossentropy',
      backend,
      dtype,
    });
    return async () => {
      net.setWeights(seedWeights('init'));
      await net.fit(seed.X, y, { epochs: 2000, learningRate: 20 });
    };
  });
  rows.push({ workload: `seed training, 2000 epochs, ${dtype}`, median, rate: (ms) => `${(2000 / ms * 1000).toFixed(0)} epochs/s` });
}

console.log(`wasmlp bench: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}\n`);
console.table(rows.map(({ workload, median, rate }) => ({
  workload,
  'wasm (median)': `${median.wasm.toFixed(3)} ms`,
  'js (median)': `${median.js.toFixed(3)} ms`,
  'wasm speed-up (js / wasm)': `${(median.js / median.wasm).toFixed(2)}x`,
  'wasm rate': rate ? rate(median.wasm) : '',
})));
