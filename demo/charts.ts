/**
 * The loss and accuracy curves, with Chart.js (only the parts a line chart
 * needs are registered, so the rest stays out of the bundle). Points are
 * kept for every epoch; the decimation plugin draws at most a few hundred.
 */
import {
  Chart,
  type ChartConfiguration,
  Decimation,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  type Scale,
  Tooltip,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Decimation);

interface Point {
  x: number;
  y: number;
}

/** 0.5, 0.01, 1e-4, 2.5e-5: short labels for a log scale too. */
function formatTick(value: number | string): string {
  const v = Number(Number(value).toPrecision(2));
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

/** Labels on the y axes: at most this many, so that they never crowd each other on a 170-pixel chart. */
const Y_TICKS = 5;
/** Between two labels on the log axis, at least this share of it: 16 pixels of its 110, a 12-pixel label's line and some. */
const MIN_TICK_GAP = 0.15;

/**
 * The log axis's ticks: at most Y_TICKS round values, spread evenly up the
 * axis. Chart.js puts one at each 1..9 x 10^k and at both ends of the data,
 * and when it drops some to fit, it keeps every n-th: on a log axis those
 * crowd at the bottom of a decade (0.2, 0.25, 0.29 on iris).
 */
function logTicks(scale: Scale): void {
  const { min, max } = scale;
  if (!(min > 0) || !(max > min)) return;
  const span = Math.log10(max / min);
  // The coarsest round values that give three ticks: powers of ten for a loss that fell by
  // decades, finer steps for one that moved within a decade.
  const fine = Array.from({ length: 90 }, (_, i) => 1 + i / 10);
  for (const mantissas of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9], fine]) {
    const values: number[] = [];
    for (let exponent = Math.floor(Math.log10(min)); exponent <= Math.ceil(Math.log10(max)); exponent++) {
      for (const m of mantissas) {
        const value = Number((m * 10 ** exponent).toPrecision(12));
        if (value >= min * (1 - 1e-9) && value <= max * (1 + 1e-9)) values.push(value);
      }
    }
    if (values.length < 3 && mantissas !== fine) continue;
    if (values.length < 2) return; // Chart.js's own, then
    // Every n-th, for the smallest n that leaves at most Y_TICKS, each far enough above the last.
    for (let stride = 1; ; stride++) {
      const kept = values.filter((_, i) => i % stride === 0);
      const apart = kept.every((value, i) => i === 0 || Math.log10(value / kept[i - 1]) >= MIN_TICK_GAP * span);
      if ((kept.length <= Y_TICKS && apart) || kept.length <= 2) {
        scale.ticks = kept.map((value) => ({ value }));
        return;
      }
    }
  }
}

/** Where each y-axis label is drawn, for the tests: [label, pixels from the top], once the chart is laid out. */
const recordTicks = {
  id: 'recordTicks',
  afterLayout(chart: Chart) {
    const scale = chart.scales.y;
    chart.canvas.dataset.yTicks = JSON.stringify(
      scale.ticks.map((tick, i) => [tick.label, Math.round(scale.getPixelForTick(i))]),
    );
  },
};

/**
 * The lowest loss the log axis shows. Losses at or below it are drawn on
 * it: a log axis has no zero, and binaryCrossentropy's eps (inside the log,
 * as the seed notebook has it) gives tiny negative values once a float32
 * output saturates at exactly 1.
 */
const LOSS_FLOOR = 1e-8;

const INK = '#475569';
const GRID = 'rgba(15, 23, 42, 0.07)';

function lineChart(
  canvas: HTMLCanvasElement,
  color: string,
  y: { type: 'linear' | 'logarithmic'; min?: number; max?: number },
): Chart<'line', Point[]> {
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
          type: 'linear',
          min: 0,
          title: { display: true, text: 'epoch', color: INK },
          ticks: { color: INK, maxTicksLimit: 6, precision: 0 },
          grid: { color: GRID },
        },
        y: {
          ...y,
          grid: { color: GRID },
          ticks: { color: INK, maxTicksLimit: Y_TICKS, callback: formatTick },
          afterBuildTicks: y.type === 'logarithmic' ? logTicks : undefined,
        },
      },
      plugins: {
        decimation: { enabled: true, algorithm: 'lttb', samples: 400 },
        tooltip: { displayColors: false },
      },
    },
    plugins: [recordTicks],
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
