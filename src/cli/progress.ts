/**
 * Training progress: a line per epoch on stdout and, on a terminal, a
 * progress bar on stderr. The bar is drawn only when stderr is a TTY (never
 * in pipes, files or tests).
 *
 * Each epoch gets a bar of its own, stopped (and cleared) before the epoch's
 * line is printed: cli-progress restores the cursor to where its bar started
 * when it stops, so a bar that outlived printed lines would send the cursor
 * back over them. The ETA is the whole run's, from the time per batch so far.
 */
import cliProgress from 'cli-progress';
import type { Callback, Logs } from '../index.js';
import { formatLogs, formatMetric } from './format.js';
import type { Io } from './io.js';

/** `showRate`: each epoch's line ends with its last update's learning_rate (a schedule's; a constant rate is the run's option). */
export function progressCallback(io: Io, epochs: number, batchesPerEpoch: number, showRate = false): Callback {
  const width = String(epochs).length;
  const stream = io.stderr.isTTY ? io.stderr.stream : undefined;
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
  let started = 0;
  let batchesDone = 0;
  return {
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
      io.stdout.write(`Epoch ${String(epoch + 1).padStart(width)}/${epochs}  ${formatLogs(shown)}\n`);
    },
    onTrainEnd() {
      bar?.stop(); // if an epoch failed midway; a no-op otherwise
    },
  };
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}
