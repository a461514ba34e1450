/**
 * Training progress: a line per epoch on stdout (every `logEvery`th, and
 * the last; none when quiet) and, on a terminal, a progress bar on stderr.
 * The bar is drawn only when stderr is a TTY (never in pipes, files or
 * tests) and the run is not quiet.
 *
 * Each epoch gets a bar of its own, stopped (and cleared) before the epoch's
 * line is printed: cli-progress restores the cursor to where its bar started
 * when it stops, so a bar that outlived printed lines would send the cursor
 * back over them. The ETA is the whole run's, from the time per batch so far.
 *
 * The run's last line, the summary, says how long it took, the last
 * epoch's metrics and where the model went; a quiet run prints only it.
 */
import cliProgress from 'cli-progress';
import type { Callback, Logs } from '../index.js';
import { count, formatLogs, formatMetric } from './format.js';
import type { Io } from './io.js';

export interface ProgressOptions {
  /** No epoch lines and no bar. */
  quiet?: boolean;
  /** An epoch line every this many epochs (and for the last); 1 by default. */
  logEvery?: number;
  /** Each epoch's line ends with its last update's learning_rate (a schedule's; a constant rate is the run's option). */
  showRate?: boolean;
}

/** The callback that reports, and the run's summary line once it has ended. */
export interface Progress {
  callback: Callback;
  /** `Trained 60 epochs in 1.3s: loss ...  acc .... Saved the model to FILE`, with its newline. */
  summary(saved: string | undefined): string;
  /** The epochs completed, the seconds they took and the last one's metrics. */
  result(): { epochs: number; seconds: number; metrics: Logs };
}

export function trainingProgress(io: Io, epochs: number, batchesPerEpoch: number, options: ProgressOptions = {}): Progress {
  const { quiet = false, logEvery = 1, showRate = false } = options;
  const width = String(epochs).length;
  const stream = io.stderr.isTTY && !quiet ? io.stderr.stream : undefined;
  const bar = stream
    ? new cliProgress.SingleBar(
        {
          stream,
          format: 'Epoch {epoch}/{epochs} [{bar}] {percentage}% | loss {loss} | eta {remaining}',
          barsize: 30,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const totalBatches = epochs * batchesPerEpoch;
  let started = performance.now();
  let ended: number | undefined;
  let batchesDone = 0;
  let epochsDone = 0;
  let last: Logs = {};
  const callback: Callback = {
    onTrainBegin() {
      started = performance.now();
    },
    onEpochBegin(epoch: number) {
      bar?.start(batchesPerEpoch, 0, { epoch: String(epoch + 1).padStart(width), epochs, loss: '-', remaining: '-' });
    },
    onBatchEnd(_batch: number, logs?: Logs) {
      batchesDone++;
      if (!bar) return;
      const seconds = ((performance.now() - started) / 1000 / batchesDone) * (totalBatches - batchesDone);
      bar.increment(1, { loss: logs ? formatMetric(logs.loss) : '-', remaining: formatDuration(seconds) });
    },
    onEpochEnd(epoch: number, logs: Logs = {}) {
      bar?.stop();
      const { learning_rate: rate, ...rest } = logs;
      const shown = showRate ? { ...rest, learning_rate: rate } : rest;
      last = shown;
      epochsDone = epoch + 1;
      if (quiet || (epochsDone % logEvery !== 0 && epochsDone !== epochs)) return;
      io.stdout.write(`Epoch ${String(epochsDone).padStart(width)}/${epochs}  ${formatLogs(shown)}\n`);
    },
    onTrainEnd() {
      bar?.stop(); // if an epoch failed midway; a no-op otherwise
      ended = performance.now();
    },
  };
  const elapsed = (): number => ((ended ?? performance.now()) - started) / 1000;
  return {
    callback,
    result: () => ({ epochs: epochsDone, seconds: elapsed(), metrics: last }),
    summary(saved) {
      const seconds = elapsed();
      const where = saved === undefined ? 'Not saved (no --save).' : `Saved the model to ${saved}`;
      return `Trained ${count(epochsDone, 'epoch')} in ${formatElapsed(seconds)}: ${formatLogs(last)}. ${where}\n`;
    },
  };
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}

/** A run's length: `43ms`, `12.3s`, `2m05s`, `1h02m`. */
export function formatElapsed(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
