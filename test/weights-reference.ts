/**
 * A float64 reference of one training run, written with plain loops and no
 * wasmlp code: forward, each row's loss (Keras's definitions), the weighted
 * batch loss Σ wᵢ·Lᵢ / rows plus the kernel penalty, backward, and an SGD
 * step. The weighted-loss, class-weight and regularisation tests compare
 * wasmlp's history against it.
 */

export type RefActivation = 'tanh' | 'sigmoid' | 'linear' | 'softmax';
export type RefLoss = 'binaryCrossentropy' | 'categoricalCrossentropy' | 'meanSquaredError';

export interface RefLayer {
  W: number[][];
  b: number[];
  activation: RefActivation;
  l1?: number;
  l2?: number;
}

const BCE_EPSILON = 1e-9;
const CCE_EPSILON = 1e-7;

function activate(z: number[], activation: RefActivation): number[] {
  switch (activation) {
    case 'tanh':
      return z.map(Math.tanh);
    case 'sigmoid':
      return z.map((v) => 1 / (1 + Math.exp(-v)));
    case 'linear':
      return z.slice();
    case 'softmax': {
      const max = Math.max(...z);
      const e = z.map((v) => Math.exp(v - max));
      const total = e.reduce((s, v) => s + v, 0);
      return e.map((v) => v / total);
    }
  }
}

/** The activation's slope at output a (softmax never needs it: its loss is fused). */
function slope(a: number, activation: RefActivation): number {
  if (activation === 'tanh') return 1 - a * a;
  if (activation === 'sigmoid') return a * (1 - a);
  return 1;
}

/** Each layer's output for one row, the input first. */
function forwardRow(layers: RefLayer[], x: number[]): number[][] {
  const outputs = [x];
  for (const { W, b, activation } of layers) {
    const input = outputs[outputs.length - 1];
    const z = b.map((bias, j) => input.reduce((s, v, i) => s + v * W[i][j], bias));
    outputs.push(activate(z, activation));
  }
  return outputs;
}

/** One row's loss, and dL/dZ of the output layer for that row alone. */
function rowLoss(loss: RefLoss, a: number[], y: number[], activation: RefActivation): { loss: number; dz: number[] } {
  const k = a.length;
  if (loss === 'binaryCrossentropy') {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += y[j] * Math.log(a[j] + BCE_EPSILON) + (1 - y[j]) * Math.log(1 - a[j] + BCE_EPSILON);
    return { loss: -sum / k, dz: a.map((v, j) => (v - y[j]) / k) };
  }
  if (loss === 'categoricalCrossentropy') {
    const total = a.reduce((s, v) => s + v, 0);
    let sum = 0;
    for (let j = 0; j < k; j++)
      if (y[j] !== 0) sum += y[j] * Math.log(Math.min(Math.max(a[j] / total, CCE_EPSILON), 1 - CCE_EPSILON));
    return { loss: -sum, dz: a.map((v, j) => v - y[j]) };
  }
  let sum = 0;
  for (let j = 0; j < k; j++) sum += (a[j] - y[j]) ** 2;
  return { loss: sum / k, dz: a.map((v, j) => ((2 * (v - y[j])) / k) * slope(v, activation)) };
}

export function penalty(layers: RefLayer[]): number {
  let total = 0;
  for (const { W, l1 = 0, l2 = 0 } of layers) {
    for (const row of W) for (const w of row) total += l1 * Math.abs(w) + l2 * w * w;
  }
  return total;
}

/** The weighted loss Σ wᵢ·Lᵢ / rows over the rows, plus the penalty. */
export function referenceLoss(layers: RefLayer[], loss: RefLoss, x: number[][], y: number[][], w?: number[]): number {
  let sum = 0;
  x.forEach((row, i) => {
    const outputs = forwardRow(layers, row);
    sum += (w ? w[i] : 1) * rowLoss(loss, outputs[outputs.length - 1], y[i], layers[layers.length - 1].activation).loss;
  });
  return sum / x.length + penalty(layers);
}

/**
 * Trains `layers` in place with SGD, batches in order; returns each
 * epoch's loss: each batch's loss before its step, weighted by its rows.
 */
export function referenceFit(
  layers: RefLayer[],
  loss: RefLoss,
  x: number[][],
  y: number[][],
  options: { epochs: number; batchSize: number; learningRate: number; weights?: number[] },
): number[] {
  const losses: number[] = [];
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    let epochSum = 0;
    for (let start = 0; start < x.length; start += options.batchSize) {
      const end = Math.min(start + options.batchSize, x.length);
      const n = end - start;
      const gW = layers.map(({ W }) => W.map((row) => row.map(() => 0)));
      const gb = layers.map(({ b }) => b.map(() => 0));
      let batchSum = 0;
      for (let i = start; i < end; i++) {
        const w = options.weights ? options.weights[i] : 1;
        const outputs = forwardRow(layers, x[i]);
        const last = layers.length - 1;
        const { loss: L, dz } = rowLoss(loss, outputs[last + 1], y[i], layers[last].activation);
        batchSum += w * L;
        let delta = dz.map((v) => (v * w) / n);
        for (let l = last; l >= 0; l--) {
          const input = outputs[l];
          for (let p = 0; p < input.length; p++) for (let q = 0; q < delta.length; q++) gW[l][p][q] += input[p] * delta[q];
          for (let q = 0; q < delta.length; q++) gb[l][q] += delta[q];
          if (l > 0) {
            const below = layers[l - 1].activation;
            delta = input.map((a, p) => delta.reduce((s, d, q) => s + d * layers[l].W[p][q], 0) * slope(a, below));
          }
        }
      }
      epochSum += (batchSum / n + penalty(layers)) * n;
      layers.forEach((layer, l) => {
        const { l1 = 0, l2 = 0 } = layer;
        layer.W.forEach((row, p) =>
          row.forEach((v, q) => {
            row[q] = v - options.learningRate * (gW[l][p][q] + l1 * Math.sign(v) + 2 * l2 * v);
          }),
        );
        layer.b.forEach((v, q) => {
          layer.b[q] = v - options.learningRate * gb[l][q];
        });
      });
    }
    losses.push(epochSum / x.length);
  }
  return losses;
}
