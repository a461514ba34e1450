/**
 * The loss and accuracy curves, with Chart.js (only the parts a line chart
 * needs are registered, so the rest stays out of the bundle): training's as
 * a solid line, the test points' dashed. Each curve is a BoundedSeries, so a
 * long run draws as fast and holds as little as a short one (Chart.js's
 * decimation plugin samples when drawing, but keeps and rescans every
 * epoch).
 */
import {
  Chart,
  type ChartConfiguration,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  type Scale,
  Tooltip,
} from 'chart.js';

import { BoundedSeries, type Point } from './series.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip);

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

/**
 * A loss that hardly moves (a saturated network's, or a few epochs') spans
 * too little of a decade for distinct round labels: the axis is widened to
 * a factor of 4 around it.
 */
function widenFlat(scale: Scale): void {
  const { min, max } = scale;
  if (!(min > 0) || max / min >= 4) return;
  const middle = Math.sqrt(min * max);
  scale.min = middle / 2;
  scale.max = middle * 2;
}

/** Drops a tick whose label repeats the one below it (rounded to two digits, close values read alike). */
function uniqueLabels(scale: Scale): void {
  const seen = new Set<string>();
  scale.ticks = scale.ticks.filter(({ value }) => {
    const label = formatTick(value);
    if (seen.has(label)) return false;
    seen.add(label);
    return true;
  });
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
  const line = { borderColor: color, borderWidth: 1.75, pointRadius: 0, tension: 0 };
  const config: ChartConfiguration<'line', Point[]> = {
    type: 'line',
    data: {
      datasets: [
        { label: 'training', data: [], ...line },
        { label: 'test', data: [], ...line, borderWidth: 1.5, borderDash: [5, 3] },
      ],
    },
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
          afterDataLimits: y.type === 'logarithmic' ? widenFlat : undefined,
          afterBuildTicks: (scale) => {
            if (y.type === 'logarithmic') logTicks(scale);
            uniqueLabels(scale);
          },
        },
      },
      plugins: {
        tooltip: { displayColors: false },
      },
    },
    plugins: [recordTicks],
  };
  return new Chart(canvas, config);
}

/** A chart's training and test curves. */
class Pair {
  readonly training = new BoundedSeries();
  readonly test = new BoundedSeries();

  constructor(readonly chart: Chart<'line', Point[]>) {}

  clear(): void {
    this.training.clear();
    this.test.clear();
  }

  refresh(force: boolean): void {
    const [training, test] = this.chart.data.datasets;
    const [trainingPoints, testPoints] = [this.training.points(), this.test.points()];
    // Nothing new (a frame while the worker predicts the map, say): nothing to redraw.
    if (!force && training.data === trainingPoints && test.data === testPoints) return;
    training.data = trainingPoints;
    test.data = testPoints;
    // For the tests: how many epochs the chart has been given, and how many points it keeps.
    this.chart.canvas.dataset.points = String(this.training.count);
    this.chart.canvas.dataset.kept = String(training.data.length + test.data.length);
    this.chart.update('none');
  }
}

export class Curves {
  private readonly loss: Pair;
  private readonly accuracy: Pair;

  constructor(lossCanvas: HTMLCanvasElement, accuracyCanvas: HTMLCanvasElement) {
    // Loss falls by orders of magnitude: a log scale shows the whole run.
    this.loss = new Pair(lineChart(lossCanvas, '#dc2626', { type: 'logarithmic' }));
    this.accuracy = new Pair(lineChart(accuracyCanvas, '#2563eb', { type: 'linear', min: 0, max: 1 }));
  }

  /** Whether any epoch is drawn. */
  get isEmpty(): boolean {
    return this.loss.training.count === 0;
  }

  clear(): void {
    this.loss.clear();
    this.accuracy.clear();
    this.refresh();
  }

  /** The training loss curve as drawn: [epoch, loss] points, at most two per bucket. */
  get lossCurve(): [number, number][] {
    return this.loss.training.points().map(({ x, y }) => [x, y]);
  }

  /** Records an epoch (counted from 1), with the test points' numbers if there are any; refresh() draws. */
  push(epoch: number, logs: Partial<Record<'loss' | 'acc' | 'val_loss' | 'val_acc', number>>): void {
    if (logs.loss === undefined) return;
    this.loss.training.push(epoch, Math.max(logs.loss, LOSS_FLOOR));
    if (logs.acc !== undefined) this.accuracy.training.push(epoch, logs.acc);
    if (logs.val_loss !== undefined) this.loss.test.push(epoch, Math.max(logs.val_loss, LOSS_FLOOR));
    if (logs.val_acc !== undefined) this.accuracy.test.push(epoch, logs.val_acc);
  }

  /** Draws what was pushed; `force`: even if nothing was (to time a redraw). */
  refresh(force = false): void {
    this.loss.refresh(force);
    this.accuracy.refresh(force);
  }
}
