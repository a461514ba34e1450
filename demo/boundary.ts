/**
 * The decision boundary, as TensorFlow Playground draws it: the network's
 * prediction over a grid covering the data, as a coloured map (tinted by
 * the predicted class, stronger where the network is surer), with the
 * points on top in their true class's colour.
 */
import type { Dataset } from './datasets.js';

export const CLASS_COLORS = ['#2563eb', '#f97316', '#16a34a', '#db2777', '#7c3aed', '#ca8a04', '#0891b2', '#525252'];

/** Grid cells per side: 64² predictions per refresh is cheap. */
const RESOLUTION = 64;
/**
 * Image pixels per grid cell, each side. The outputs are interpolated
 * between cell centres before they are coloured: colouring the cells and
 * smoothing the colours left blocky edges, and white beads where a cell
 * near 0.5 sat between two coloured ones.
 */
const SCALE = 4;
const SIZE = RESOLUTION * SCALE;
/** How far the map's tint goes towards a class colour at full confidence. */
const MAX_TINT = 0.55;
const WHITE = [255, 255, 255];

interface Bounds {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export class BoundaryMap {
  private data: Dataset | undefined;
  /** Points held out to test on, drawn with a dark rim. */
  private test: Dataset | undefined;
  private showTest = true;
  /** Colour by the predicted class only, at full tint. */
  private discretize = false;
  /** The last predictions, to colour again when discretize changes. */
  private predictions: { outputs: ArrayLike<number>; classCount: number } | undefined;
  private bounds: Bounds = { x0: -1, x1: 1, y0: -1, y1: 1 };
  private readonly image = document.createElement('canvas');

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.image.width = this.image.height = SIZE;
    canvas.dataset.mapSize = String(SIZE);
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  /** The part of the plane the map shows. */
  get plane(): Bounds {
    return this.bounds;
  }

  /** Shows new data with no map under it (a new network has predicted nothing yet). */
  setData(data: Dataset, test?: Dataset): void {
    this.data = data;
    this.test = test;
    this.bounds = squareBounds([...data.x, ...(test?.x ?? [])]);
    this.clearMap();
    this.draw();
  }

  /** The grid's points, row-major from the top left, as a matrix predict() takes. */
  grid(): { data: Float64Array; shape: [number, number] } {
    const { x0, x1, y0, y1 } = this.bounds;
    const data = new Float64Array(RESOLUTION * RESOLUTION * 2);
    for (let row = 0; row < RESOLUTION; row++) {
      for (let col = 0; col < RESOLUTION; col++) {
        const i = 2 * (row * RESOLUTION + col);
        data[i] = x0 + ((col + 0.5) / RESOLUTION) * (x1 - x0);
        data[i + 1] = y1 - ((row + 0.5) / RESOLUTION) * (y1 - y0);
      }
    }
    return { data, shape: [RESOLUTION * RESOLUTION, 2] };
  }

  setShowTest(show: boolean): void {
    this.showTest = show;
    this.draw();
  }

  setDiscretize(discretize: boolean): void {
    this.discretize = discretize;
    if (this.predictions) this.setPredictions(this.predictions.outputs, this.predictions.classCount);
  }

  /**
   * Colours the map from predict(grid()): one sigmoid per cell for two
   * classes, class probabilities for more, a value for a regression
   * (classCount 0). A cell whose outputs are not finite (a diverging
   * network's NaN) has no confidence: it is left white.
   */
  setPredictions(outputs: ArrayLike<number>, classCount: number): void {
    this.predictions = { outputs, classCount };
    const context = this.image.getContext('2d')!;
    const pixels = context.createImageData(SIZE, SIZE);
    const colors = CLASS_COLORS.map(rgb);
    const width = classCount <= 2 ? 1 : classCount;
    const p = new Float64Array(width);
    // Each pixel's outputs, bilinear between the four nearest cell centres (clamped at the edges).
    const near = Array.from({ length: SIZE }, (_, i) => {
      const at = Math.min(RESOLUTION - 1, Math.max(0, (i + 0.5) / SCALE - 0.5));
      const low = Math.min(RESOLUTION - 2, Math.floor(at));
      return { low, t: at - low };
    });
    for (let row = 0; row < SIZE; row++) {
      const { low: r, t: v } = near[row];
      for (let col = 0; col < SIZE; col++) {
        const { low: c, t: u } = near[col];
        const [a, b, d, e] = [r * RESOLUTION + c, r * RESOLUTION + c + 1, (r + 1) * RESOLUTION + c, (r + 1) * RESOLUTION + c + 1];
        for (let k = 0; k < width; k++) {
          const top = outputs[a * width + k] * (1 - u) + outputs[b * width + k] * u;
          const bottom = outputs[d * width + k] * (1 - u) + outputs[e * width + k] * u;
          p[k] = top * (1 - v) + bottom * v;
        }
        let mix: number[];
        let confidence: number;
        if (classCount === 0) {
          // A regression's value: blue below 0, orange above, stronger towards -1 and 1.
          mix = colors[p[0] >= 0 ? 1 : 0];
          confidence = Math.abs(p[0]);
        } else if (classCount === 2) {
          mix = colors[p[0] >= 0.5 ? 1 : 0];
          confidence = Math.abs(2 * p[0] - 1);
        } else {
          mix = [0, 0, 0];
          let best = 0;
          let bestClass = 0;
          for (let k = 0; k < classCount; k++) {
            for (let ch = 0; ch < 3; ch++) mix[ch] += p[k] * colors[k][ch];
            if (p[k] > best) [best, bestClass] = [p[k], k];
          }
          confidence = (best - 1 / classCount) / (1 - 1 / classCount);
          if (this.discretize) mix = colors[bestClass];
        }
        let tint = Number.isFinite(confidence) ? MAX_TINT * Math.min(1, Math.max(0, confidence)) : 0;
        if (this.discretize && tint > 0) tint = MAX_TINT;
        if (tint === 0) mix = WHITE;
        const pixel = 4 * (row * SIZE + col);
        for (let ch = 0; ch < 3; ch++) pixels.data[pixel + ch] = 255 + (mix[ch] - 255) * tint;
        pixels.data[pixel + 3] = 255;
      }
    }
    context.putImageData(pixels, 0, 0);
    this.draw();
  }

  clearMap(): void {
    this.predictions = undefined;
    const context = this.image.getContext('2d')!;
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, SIZE, SIZE);
    this.draw();
  }

  draw(): void {
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    const size = Math.round(canvas.clientWidth * ratio);
    if (size === 0) return;
    if (canvas.width !== size || canvas.height !== size) canvas.width = canvas.height = size;
    const context = canvas.getContext('2d')!;
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = 'high';
    context.drawImage(this.image, 0, 0, size, size);
    this.drawAxes(context, size, ratio);
    if (!this.data) return;
    this.drawPoints(context, this.data, '#ffffff', size, ratio);
    if (this.test && this.showTest) this.drawPoints(context, this.test, '#0f172a', size, ratio);
  }

  /** Each point in its class's colour, with a rim: white for training points, dark for test points. */
  private drawPoints(context: CanvasRenderingContext2D, data: Dataset, rim: string, size: number, ratio: number): void {
    const { x0, x1, y0, y1 } = this.bounds;
    const radius = 3.6 * ratio;
    context.lineWidth = 1.2 * ratio;
    context.strokeStyle = rim;
    data.x.forEach(([a, b], i) => {
      context.beginPath();
      context.arc(((a - x0) / (x1 - x0)) * size, ((y1 - b) / (y1 - y0)) * size, radius, 0, 2 * Math.PI);
      context.fillStyle = data.targets ? valueColor(data.targets[i]) : CLASS_COLORS[data.classes[i] % CLASS_COLORS.length];
      context.fill();
      context.stroke();
    });
  }

  /** Faint lines through the origin, to read the plane by. */
  private drawAxes(context: CanvasRenderingContext2D, size: number, ratio: number): void {
    const { x0, x1, y0, y1 } = this.bounds;
    context.strokeStyle = 'rgba(15, 23, 42, 0.12)';
    context.lineWidth = ratio;
    context.beginPath();
    if (x0 < 0 && x1 > 0) {
      const x = (-x0 / (x1 - x0)) * size;
      context.moveTo(x, 0);
      context.lineTo(x, size);
    }
    if (y0 < 0 && y1 > 0) {
      const y = (y1 / (y1 - y0)) * size;
      context.moveTo(0, y);
      context.lineTo(size, y);
    }
    context.stroke();
  }
}

/** A square around the points with a margin, so both axes share one scale. */
function squareBounds(x: number[][]): Bounds {
  const xs = x.map((row) => row[0]);
  const ys = x.map((row) => row[1]);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const half = 0.55 * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 1e-9) * 1.08;
  return { x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half };
}

/** A regression target's colour: blue at -1, orange at 1, pale near 0 (never white: the point must show). */
function valueColor(value: number): string {
  const [blue, orange] = [CLASS_COLORS[0], CLASS_COLORS[1]].map(rgb);
  const strength = 0.25 + 0.75 * Math.min(1, Math.abs(value));
  const mix = (value >= 0 ? orange : blue).map((c) => Math.round(255 + (c - 255) * strength));
  return `rgb(${mix.join(', ')})`;
}

function rgb(hex: string): number[] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}
