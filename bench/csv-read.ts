/**
 * The reading workloads, on files generated in a temporary folder at bench
 * time: R1, a numeric CSV of about 100 MB (8 float columns, an integer
 * column, a class; every 20th row with quoted cells), read as `wasmlp
 * train` reads a file whole (every column into checked numbers); R2, the
 * same file streamed once as a dataset (csvDataset's pass, batches of 256
 * through a shuffle buffer of 10,000 rows); R3, a file of MNIST's shape
 * (8,000 rows of a label and 784 pixels, most of them 0) read whole. Where
 * a Python with pandas is found, R1's and R3's files are also read by
 * `pandas.read_csv` into a float64 array, timed inside Python the same
 * number of times: the reader data scientists compare against. Rows/s and
 * MB/s, medians of a few runs.
 */ import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ColumnRead, readCsv } from '../src/cli/csv.js';
import { csvDataset } from '../src/cli/csv-dataset.js';

export const CSV_BYTES = 100e6;

/** Writes the file: `bytes` long, rows drawn from a fixed linear congruential sequence. */
export function writeNumericCsv(file: string, bytes = CSV_BYTES): { rows: number; bytes: number } {
  let state = 1;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, 'x0,x1,x2,x3,x4,x5,x6,x7,count,label\n');
    let written = 0;
    let rows = 0;
    let lines: string[] = [];
    while (written < bytes) {
      const cells = Array.from({ length: 8 }, (_, k) => (next() * 200 - 100).toFixed((k % 4) + 2));
      cells.push(String(Math.floor(next() * 1000)), String(rows % 3));
      if (rows % 20 === 0) {
        cells[1] = `"${cells[1]}"`;
        cells[8] = `" ${cells[8]}"`;
      }
      const line = `${cells.join(',')}\n`;
      written += line.length;
      rows++;
      lines.push(line);
      if (lines.length === 10_000) {
        writeSync(fd, lines.join(''));
        lines = [];
      }
    }
    writeSync(fd, lines.join(''));
    return { rows, bytes: statSync(file).size };
  } finally {
    closeSync(fd);
  }
}

export interface ReadFigures {
  workload: string;
  rows: number;
  megabytes: number;
  /** Median seconds, rows/s and MB/s. */
  seconds: number;
  rowsPerSecond: number;
  megabytesPerSecond: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Times `run` `times` times (after nothing: the first run is a cold one, as a command's is), the median. */
async function timed(times: number, run: () => Promise<void>): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await run();
    seconds.push((performance.now() - start) / 1000);
  }
  return median(seconds);
}

const PANDAS_READ = `
import sys, time, statistics, numpy as np, pandas as pd
seconds = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    pd.read_csv(sys.argv[1]).to_numpy(dtype=np.float64)
    seconds.append(time.perf_counter() - start)
print(statistics.median_low(seconds), pd.__version__)
`;

/** The Pythons tried for pandas, in order: $PYTHON, the one on PATH, the system's (Debian's python3-pandas). */
const PYTHONS = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => Boolean(p));

/** pandas' median seconds and version for the file, from the first Python that has it; undefined if none. */
function pandasSeconds(file: string, times: number): { seconds: number; version: string } | undefined {
  for (const python of PYTHONS) {
    try {
      const [seconds, version] = execFileSync(python, ['-c', PANDAS_READ, file, String(times)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .trim()
        .split(' ');
      return { seconds: Number(seconds), version };
    } catch {
      // No such Python, or no pandas in it: try the next.
    }
  }
  return undefined;
}

/** Writes a file of MNIST's shape: a label then 784 pixels per row, most 0, the rest 1-255. */
export function writeImageCsv(file: string, rows = 8_000): { rows: number; bytes: number } {
  let state = 7;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, `label,${Array.from({ length: 784 }, (_, k) => `p${k}`).join(',')}\n`);
    for (let r = 0; r < rows; r++) {
      const cells = [String(r % 10)];
      for (let k = 0; k < 784; k++) cells.push(next() < 0.8 ? '0' : String(1 + Math.floor(next() * 255)));
      writeSync(fd, `${cells.join(',')}\n`);
    }
    return { rows, bytes: statSync(file).size };
  } finally {
    closeSync(fd);
  }
}

/** Reads `file` as `wasmlp train` reads it whole: every column into checked numbers. */
async function readWhole(file: string): Promise<void> {
  await readCsv(file, (header) => header.header.map((_, column): ColumnRead => ({ kind: 'number', column, why: '' })));
}

/**
 * Generates the files; reads each whole, with pandas beside where it is
 * found, and streams the numeric one as a dataset; removes them after.
 */
export async function csvReading(quick: boolean): Promise<ReadFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wasmlp-bench-csv-'));
  const times = quick ? 1 : 3;
  const results: ReadFigures[] = [];
  const figures = (workload: string, seconds: number, size: { rows: number; bytes: number }): ReadFigures => ({
    workload,
    rows: size.rows,
    megabytes: size.bytes / 1e6,
    seconds,
    rowsPerSecond: size.rows / seconds,
    megabytesPerSecond: size.bytes / 1e6 / seconds,
  });
  const readWithPandas = async (name: string, file: string, size: { rows: number; bytes: number }) => {
    results.push(figures(`${name} read whole (train)`, await timed(times, () => readWhole(file)), size));
    const pandas = pandasSeconds(file, times);
    if (pandas) results.push(figures(`${name} pandas ${pandas.version} read_csv + to_numpy`, pandas.seconds, size));
    else console.log(`${name} pandas: not run, no Python with pandas among ${PYTHONS.join(', ')}`);
  };
  try {
    const numeric = join(dir, 'numeric.csv');
    const numericSize = writeNumericCsv(numeric, quick ? CSV_BYTES / 10 : CSV_BYTES);
    await readWithPandas('R1 numeric', numeric, numericSize);
    const streamed = await timed(times, async () => {
      const dataset = await csvDataset(numeric, { target: 'label', batchSize: 256, shuffleBuffer: 10_000, seed: 1 });
      for await (const batch of dataset) void batch;
    });
    results.push(figures('R2 numeric csvDataset: first pass + one streamed pass', streamed, numericSize));
    const image = join(dir, 'image.csv');
    await readWithPandas('R3 MNIST-shaped', image, writeImageCsv(image, quick ? 800 : 8_000));
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
