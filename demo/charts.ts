/**
 * The loss and accuracy curves, with Chart.js (only the parts a line chart
 * needs are registered, so the rest stays out of the bundle). Points are
 * kept for every epoch; the decimation plugin draws at most a few hundred.
 */
import {
  Chart, Decimation, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip,
  type ChartConfiguration,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Decimation);

interface Point { x: number; y: number }

/** 0.5, 0.01, 1e-4: short labels for a log scale too. */
function formatTick(value: number | string): string {
  const v = Number(value);
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(2)));
}

/**
 * The lowest loss the log axis shows. Losses at or below it are drawn on
 * it: a log axis has no zero, and binaryCrossentropy's eps (inside the log,
 * as the seed notebook has it) gives tiny negative values once a float32
 * output saturates at exactly 1.
 */
const LOSS_FLOOR = 1e-8;

const INK = '#475569';
const GRID = 'rgba(15, 23, 42, 0.07)';

function lineChart(canvas: HTMLCanvasElement, color: string, y: { type: 'linear' | 'logarithmic'; min?: number; max?: number }): Chart<'line', Point[]> {
  const config: ChartConfiguration<'line', Point[]> = {
    type: 'line',
    data: { datasets: [{ data: [], borderColor: color, borderWidth: 1.75, pointRadius: 0, tension: 0 }] },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear', min: 0, title: { display: true, text: 'epoch', color: INK },
          ticks: { color: INK, maxTicksLimit: 6, precision: 0 }, grid: { color: GRID },
        },
        y: { ...y, ticks: { color: INK, maxTicksLimit: 5, callback: formatTick }, grid: { color: GRID } },
      },
      plugins: {
        decimation: { enabled: true, algorithm: 'lttb', samples: 400 },
        tooltip: { displayColors: false },
      },
    },
  };
  return new Chart(canvas, config);
}

export class Curves {
  private readonly loss: Chart<'line', Point[]>;
  private readonly accuracy: Chart<'line', Point[]>;
  private lossPoints: Point[] = [];
  private accuracyPoints: Point[] = [];

  constructor(lossCanvas: HTMLCanvasElement, accuracyCanvas: HTMLCanvasElement) {
    // Loss falls by orders of magnitude: a log scale shows the whole run.
    this.loss = lineChart(lossCanvas, '#dc2626', { type: 'logarithmic' });
    this.accuracy = lineChart(accuracyCanvas, '#2563eb', { type: 'linear', min: 0, max: 1 });
  }

  clear(): void {
    this.lossPoints = [];
    this.accuracyPoints = [];
    this.refresh();
  }

  /** Records an epoch (counted from 1); refresh() draws. */
  push(epoch: number, loss: number, accuracy: number | undefined): void {
    this.lossPoints.push({ x: epoch, y: Math.max(loss, LOSS_FLOOR) });
    if (accuracy !== undefined) this.accuracyPoints.push({ x: epoch, y: accuracy });
  }

  refresh(): void {
    // Assigned, not pushed to: once decimation runs, dataset.data reads back the
    // decimated sample, and assigning sets the full series it samples from.
    this.loss.data.datasets[0].data = this.lossPoints;
    this.accuracy.data.datasets[0].data = this.accuracyPoints;
    // How many epochs each chart holds, for the tests (the series is decimated when drawn).
    this.loss.canvas.dataset.points = String(this.lossPoints.length);
    this.accuracy.canvas.dataset.points = String(this.accuracyPoints.length);
    this.loss.update('none');
    this.accuracy.update('none');
  }
}
