/**
 * What each hidden unit has learned, as TensorFlow Playground shows it: a
 * small map per input and per hidden unit (its output over the plane, blue
 * below its middle value, orange above), and the weights between them as
 * lines, orange for positive and blue for negative, thicker for larger
 * on one scale for every network (so a penalty's smaller weights draw
 * thinner lines).
 * The units' outputs are computed here from getWeights(), over a coarse
 * grid: cheap for the small networks it is drawn for.
 */
import type { ActivationName, LayerWeights } from 'wasmlp';
import { CLASS_COLORS } from './boundary.js';
import { FEATURES, type FeatureId } from './inputs.js';

/** Pixels per side of each unit's map. */
const GRID = 24;
/** Drawn for networks up to this many units a layer and hidden layers. */
export const MAX_UNITS = 16;
export const MAX_LAYERS = 5;

/** A weight this large or larger draws the thickest line, as in TensorFlow Playground. */
const FULL_WEIGHT = 5;

const LEAKY_SLOPE = 0.01; // the library's leakyRelu slope when none is given

const ACTIVATIONS: Partial<Record<ActivationName, (z: number) => number>> = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: Math.tanh,
  relu: (z) => Math.max(0, z),
  leakyRelu: (z) => (z > 0 ? z : LEAKY_SLOPE * z),
  linear: (z) => z,
};

/** The value each activation is centred on: the map's white. */
const MIDDLE: Partial<Record<ActivationName, number>> = { sigmoid: 0.5 };

/** Why a network's units are not drawn (too many, none, an activation not computed here), or undefined if they are. */
export function notDrawn(hidden: readonly number[], activation: ActivationName): string | undefined {
  if (hidden.length === 0) return 'No hidden layer: the map above is the whole network.';
  if (hidden.length > MAX_LAYERS || hidden.some((units) => units > MAX_UNITS))
    return `Drawn for networks of up to ${MAX_LAYERS} hidden layers of ${MAX_UNITS} units.`;
  if (!ACTIVATIONS[activation]) return `Not drawn for ${activation} units.`;
  return undefined;
}

export interface NetworkView {
  weights: LayerWeights[];
  features: readonly FeatureId[];
  activation: ActivationName;
  /** The plane the map shows: x₁ from x0 to x1, x₂ from y0 to y1. */
  bounds: { x0: number; x1: number; y0: number; y1: number };
}

export class NeuronMaps {
  private view: NetworkView | undefined;
  private readonly columns: HTMLDivElement;
  private readonly lines: SVGSVGElement;

  constructor(
    private readonly container: HTMLElement,
    private readonly note: HTMLElement,
  ) {
    this.lines = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.lines.setAttribute('aria-hidden', 'true');
    this.lines.classList.add('weights');
    this.columns = document.createElement('div');
    this.columns.className = 'units';
    container.append(this.lines, this.columns);
    new ResizeObserver(() => this.drawLines()).observe(container);
  }

  clear(message = 'Train to see what each unit learns.'): void {
    this.view = undefined;
    this.columns.replaceChildren();
    this.lines.replaceChildren();
    this.note.textContent = message;
  }

  show(view: NetworkView): void {
    const hidden = view.weights.slice(0, -1);
    const why = notDrawn(
      hidden.map(({ b }) => b.length),
      view.activation,
    );
    if (why) return this.clear(why);
    const activate = ACTIVATIONS[view.activation]!;
    this.view = view;
    this.note.textContent =
      'Each unit’s output over the plane; lines: the weights (orange positive, blue negative, thicker for larger).';

    // Every grid point's inputs, then each hidden layer's outputs, layer by layer.
    const { x0, x1, y0, y1 } = view.bounds;
    const fs = view.features.map((id) => FEATURES.find((feature) => feature.id === id)!.of);
    let values: Float64Array[] = fs.map((f) => {
      const out = new Float64Array(GRID * GRID);
      for (let row = 0; row < GRID; row++) {
        for (let col = 0; col < GRID; col++) {
          out[row * GRID + col] = f(x0 + ((col + 0.5) / GRID) * (x1 - x0), y1 - ((row + 0.5) / GRID) * (y1 - y0));
        }
      }
      return out;
    });
    const columns: { values: Float64Array[]; middle: number; names: string[] }[] = [
      { values, middle: 0, names: view.features.map((id) => FEATURES.find((feature) => feature.id === id)!.label) },
    ];
    hidden.forEach(({ W, b }, l) => {
      const next = b.map((bias, u) => {
        const out = new Float64Array(GRID * GRID);
        for (let p = 0; p < out.length; p++) {
          let z = bias;
          for (let i = 0; i < values.length; i++) z += values[i][p] * W[i][u];
          out[p] = activate(z);
        }
        return out;
      });
      values = next;
      columns.push({ values, middle: MIDDLE[view.activation] ?? 0, names: b.map((_, u) => `layer ${l + 1}, unit ${u + 1}`) });
    });

    this.columns.replaceChildren(
      ...columns.map((column) => {
        const div = document.createElement('div');
        div.className = 'unit-column';
        div.append(...column.values.map((v, k) => unitCanvas(v, column.middle, column.names[k])));
        return div;
      }),
    );
    this.drawLines();
  }

  /** The weights as lines between the maps' centres, drawn again when the layout changes. */
  private drawLines(): void {
    this.lines.replaceChildren();
    if (!this.view) return;
    const origin = this.container.getBoundingClientRect();
    const centres = [...this.columns.children].map((column) =>
      [...column.children].map((canvas) => {
        const box = canvas.getBoundingClientRect();
        return { left: box.left - origin.left, right: box.right - origin.left, y: box.top - origin.top + box.height / 2 };
      }),
    );
    const weights = this.view.weights.slice(0, -1);
    weights.forEach(({ W }, l) => {
      W.forEach((row, i) => {
        row.forEach((w, u) => {
          const [from, to] = [centres[l][i], centres[l + 1]?.[u]];
          if (!from || !to) return;
          const line = document.createElementNS('http://www.w3.org/2000/svg', 'line');
          line.setAttribute('x1', String(from.right));
          line.setAttribute('y1', String(from.y));
          line.setAttribute('x2', String(to.left));
          line.setAttribute('y2', String(to.y));
          line.setAttribute('stroke', w >= 0 ? CLASS_COLORS[1] : CLASS_COLORS[0]);
          const size = Math.min(1, Math.abs(w) / FULL_WEIGHT);
          line.setAttribute('stroke-width', (0.4 + 3.6 * size).toFixed(2));
          line.setAttribute('stroke-opacity', (0.25 + 0.6 * size).toFixed(2));
          this.lines.append(line);
        });
      });
    });
  }
}

/** One unit's map: blue below `middle`, orange above, by how far (relative to its largest excursion). */
function unitCanvas(values: Float64Array, middle: number, name: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = GRID;
  canvas.title = name;
  const context = canvas.getContext('2d')!;
  const pixels = context.createImageData(GRID, GRID);
  let span = 1e-9;
  for (const v of values) span = Math.max(span, Math.abs(v - middle));
  const [blue, orange] = [CLASS_COLORS[0], CLASS_COLORS[1]].map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
  values.forEach((v, p) => {
    const t = Number.isFinite(v) ? (v - middle) / span : 0;
    const color = t >= 0 ? orange : blue;
    for (let c = 0; c < 3; c++) pixels.data[4 * p + c] = 255 + (color[c] - 255) * Math.min(1, Math.abs(t)) * 0.8;
    pixels.data[4 * p + 3] = 255;
  });
  context.putImageData(pixels, 0, 0);
  return canvas;
}
