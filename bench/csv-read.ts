/**
 * The reading workload: a generated numeric CSV of about 100 MB (8 float
 * columns, an integer column, a class; every 20th row with quoted cells),
 * written to a temporary folder at bench time, read as `wasmlp train`
 * reads a file whole (every column into checked numbers), and streamed
 * once as a dataset (csvDataset's pass, batches of 256 through a shuffle
 * buffer of 10,000 rows). Rows/s and MB/s, medians of a few runs.
 */
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

/** Generates the file, reads it whole and streams it; removes it after. */
export async function csvReading(quick: boolean): Promise<ReadFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wasmlp-bench-csv-'));
  try {
    const file = join(dir, 'numeric.csv');
    const { rows, bytes } = writeNumericCsv(file, quick ? CSV_BYTES / 10 : CSV_BYTES);
    const times = quick ? 1 : 3;
    const figures = (workload: string, seconds: number): ReadFigures => ({
      workload,
      rows,
      megabytes: bytes / 1e6,
      seconds,
      rowsPerSecond: rows / seconds,
      megabytesPerSecond: bytes / 1e6 / seconds,
    });
    const whole = await timed(times, async () => {
      await readCsv(file, (header) => header.header.map((_, column): ColumnRead => ({ kind: 'number', column, why: '' })));
    });
    const streamed = await timed(times, async () => {
      const dataset = await csvDataset(file, { target: 'label', batchSize: 256, shuffleBuffer: 10_000, seed: 1 });
      for await (const batch of dataset) void batch;
    });
    return [figures('R1 read CSV whole (train)', whole), figures('R2 csvDataset: first pass + one streamed pass', streamed)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
