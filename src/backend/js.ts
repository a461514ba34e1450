/**
 * The kernels in plain TypeScript: the fallback where WebAssembly is missing,
 * the readable specification the wasm kernels are tested against, and the
 * baseline they are benchmarked against. Loops are simple on purpose, but in
 * a cache-friendly order, so the baseline is honest.
 */
import { activationBackward } from '../activations.js';
import {
  type Backend,
  BCE_EPSILON,
  BCE_LOG_RESCALE,
  BCE_RESCALE,
  BCE_TINY,
  CCE_EPSILON,
  type DType,
  type ElementwiseActivation,
} from './backend.js';
import { JsForwardBackend, jsHeap } from './js-forward.js';

export function createJsBackend(dtype: DType): Backend {
  return new JsBackend(dtype, jsHeap());
}

/** Every kernel of the contract: JsForwardBackend's, and the backward steps, losses and optimisers. */
export class JsBackend extends JsForwardBackend implements Backend {
  denseBackwardInput(
    rows: number,
    inputs: number,
    units: number,
    delta: number,
    weights: number,
    activation: ElementwiseActivation,
    alpha: number,
    a: number,
    out: number,
  ): void {
    this.gemm(false, true, rows, inputs, units, 1, delta, weights, 0, out);
    activationBackward(this, activation, alpha, rows * inputs, a, out);
  }

  denseBackwardWeights(
    rows: number,
    inputs: number,
    units: number,
    x: number,
    delta: number,
    weightGrad: number,
    biasGrad: number,
  ): void {
    this.gemm(true, false, inputs, units, rows, 1, x, delta, 0, weightGrad);
    this.sumColumns(rows, units, delta, biasGrad);
  }

  sumColumns(rows: number, cols: number, x: number, out: number): void {
    const h = this.floats();
    x >>= this.shift;
    out >>= this.shift;
    for (let j = 0; j < cols; j++) h[out + j] = 0;
    for (let r = 0; r < rows; r++) {
      const row = x + r * cols;
      for (let j = 0; j < cols; j++) h[out + j] += h[row + j];
    }
  }

  sigmoidBackward(n: number, a: number, grad: number): void {
    const h = this.floats();
    a >>= this.shift;
    grad >>= this.shift;
    for (let i = 0; i < n; i++) {
      const ai = h[a + i];
      h[grad + i] *= ai * (1 - ai);
    }
  }

  tanhBackward(n: number, a: number, grad: number): void {
    const h = this.floats();
    a >>= this.shift;
    grad >>= this.shift;
    for (let i = 0; i < n; i++) {
      const ai = h[a + i];
      // 1 - a² without its cancellation as |a| nears 1 (1 - a is exact there).
      h[grad + i] *= (1 - ai) * (1 + ai);
    }
  }

  reluBackward(n: number, a: number, grad: number): void {
    const h = this.floats();
    a >>= this.shift;
    grad >>= this.shift;
    for (let i = 0; i < n; i++) if (!(h[a + i] > 0)) h[grad + i] = 0;
  }

  leakyReluBackward(n: number, alpha: number, a: number, grad: number): void {
    const h = this.floats();
    a >>= this.shift;
    grad >>= this.shift;
    alpha = this.asDtype(alpha);
    for (let i = 0; i < n; i++) if (!(h[a + i] > 0)) h[grad + i] *= alpha;
  }

  binaryCrossentropy(n: number, a: number, y: number): number {
    const h = this.floats();
    a >>= this.shift;
    y >>= this.shift;
    // A 0/1 label keeps one term, log(a + ε) or log(1 - a + ε): the logs of
    // a product, taken once at the end, the product rescaled whenever it
    // falls below BCE_TINY so that it never underflows.
    let product = 1,
      rescaled = 0,
      soft = false,
      negative = false;
    for (let i = 0; i < n; i++) {
      const ai = h[a + i],
        yi = h[y + i];
      if (yi === 0 || yi === 1) {
        const x = yi === 1 ? ai + BCE_EPSILON : 1 - ai + BCE_EPSILON;
        if (x < 0) negative = true;
        product *= x;
      } else soft = true;
      if (product < BCE_TINY) {
        product *= BCE_RESCALE;
        rescaled++;
      }
    }
    // The log of a negative factor is NaN, whatever the others.
    if (negative) return NaN;
    let softSum = 0;
    if (soft) {
      for (let i = 0; i < n; i++) {
        const ai = h[a + i],
          yi = h[y + i];
        if (yi !== 0 && yi !== 1) softSum += yi * Math.log(ai + BCE_EPSILON) + (1 - yi) * Math.log(1 - ai + BCE_EPSILON);
      }
    }
    return -(Math.log(product) - rescaled * BCE_LOG_RESCALE + softSum) / n;
  }

  binaryCrossentropySigmoidBackward(n: number, a: number, y: number, grad: number): void {
    const h = this.floats();
    a >>= this.shift;
    y >>= this.shift;
    grad >>= this.shift;
    for (let i = 0; i < n; i++) h[grad + i] = (h[a + i] - h[y + i]) / n;
  }

  binaryAccuracy(n: number, a: number, y: number): number {
    const h = this.floats();
    a >>= this.shift;
    y >>= this.shift;
    let hits = 0;
    for (let i = 0; i < n; i++) if ((h[a + i] > 0.5 ? 1 : 0) === h[y + i]) hits++;
    return hits / n;
  }

  categoricalCrossentropy(rows: number, cols: number, a: number, y: number): number {
    const h = this.floats();
    a >>= this.shift;
    y >>= this.shift;
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const ar = a + r * cols,
        yr = y + r * cols;
      let total = 0;
      for (let c = 0; c < cols; c++) total += h[ar + c];
      for (let c = 0; c < cols; c++) {
        const yc = h[yr + c];
        // A zero label adds an exact 0 (the clip keeps log p finite): skip its log.
        if (yc === 0) continue;
        const p = Math.min(Math.max(h[ar + c] / total, CCE_EPSILON), 1 - CCE_EPSILON);
        sum += yc * Math.log(p);
      }
    }
    return -sum / rows;
  }

  categoricalCrossentropySoftmaxBackward(rows: number, cols: number, a: number, y: number, grad: number): void {
    const h = this.floats();
    a >>= this.shift;
    y >>= this.shift;
    grad >>= this.shift;
    for (let i = 0; i < rows * cols; i++) h[grad + i] = (h[a + i] - h[y + i]) / rows;
  }

  categoricalAccuracy(rows: number, cols: number, a: number, y: number): number {
    const h = this.floats();
    a >>= this.shift;
    y >>= this.shift;
    const argmax = (row: number) => {
      let best = 0;
      for (let c = 1; c < cols; c++) if (h[row + c] > h[row + best]) best = c;
      return best;
    };
    let hits = 0;
    for (let r = 0; r < rows; r++) if (argmax(a + r * cols) === argmax(y + r * cols)) hits++;
    return hits / rows;
  }

  meanSquaredError(n: number, a: number, y: number): number {
    const h = this.floats();
    a >>= this.shift;
    y >>= this.shift;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const d = h[a + i] - h[y + i];
      sum += d * d;
    }
    return sum / n;
  }

  meanSquaredErrorBackward(n: number, a: number, y: number, grad: number): void {
    const h = this.floats();
    a >>= this.shift;
    y >>= this.shift;
    grad >>= this.shift;
    for (let i = 0; i < n; i++) h[grad + i] = (2 * (h[a + i] - h[y + i])) / n;
  }

  sgd(n: number, lr: number, w: number, g: number): void {
    const h = this.floats();
    w >>= this.shift;
    g >>= this.shift;
    for (let i = 0; i < n; i++) h[w + i] -= lr * h[g + i];
  }

  sgdMomentum(n: number, lr: number, momentum: number, nesterov: boolean, w: number, g: number, velocity: number): void {
    const h = this.floats();
    w >>= this.shift;
    g >>= this.shift;
    velocity >>= this.shift;
    for (let i = 0; i < n; i++) {
      const step = lr * h[g + i];
      h[velocity + i] = momentum * h[velocity + i] - step;
      // Read the velocity back as stored (rounded to the dtype), as Keras reads its variable.
      const vel = h[velocity + i];
      h[w + i] += nesterov ? momentum * vel - step : vel;
    }
  }

  adam(
    n: number,
    alpha: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    w: number,
    g: number,
    m: number,
    v: number,
  ): void {
    const h = this.floats();
    w >>= this.shift;
    g >>= this.shift;
    m >>= this.shift;
    v >>= this.shift;
    const oneMinusBeta1 = 1 - beta1,
      oneMinusBeta2 = 1 - beta2;
    for (let i = 0; i < n; i++) {
      const gi = h[g + i];
      h[m + i] += (gi - h[m + i]) * oneMinusBeta1;
      h[v + i] += (gi * gi - h[v + i]) * oneMinusBeta2;
      h[w + i] -= (h[m + i] * alpha) / (Math.sqrt(h[v + i]) + epsilon);
    }
  }

  rmsprop(
    n: number,
    lr: number,
    rho: number,
    oneMinusRho: number,
    epsilon: number,
    momentum: number,
    w: number,
    g: number,
    v: number,
    m: number,
  ): void {
    const h = this.floats();
    w >>= this.shift;
    g >>= this.shift;
    v >>= this.shift;
    m >>= this.shift;
    for (let i = 0; i < n; i++) {
      const gi = h[g + i];
      h[v + i] = rho * h[v + i] + oneMinusRho * (gi * gi);
      // Read back as stored (rounded to the dtype), as Keras reads its variable.
      let inc = (lr * gi) / Math.sqrt(h[v + i] + epsilon);
      if (momentum !== 0) {
        h[m + i] = momentum * h[m + i] + inc;
        inc = h[m + i];
      }
      h[w + i] -= inc;
    }
  }

  decayWeights(n: number, weightDecay: number, lr: number, w: number): void {
    const h = this.floats();
    w >>= this.shift;
    for (let i = 0; i < n; i++) h[w + i] = h[w + i] - h[w + i] * weightDecay * lr;
  }

  clipByValue(n: number, c: number, g: number): void {
    const h = this.floats();
    g >>= this.shift;
    for (let i = 0; i < n; i++) h[g + i] = Math.min(Math.max(h[g + i], -c), c);
  }

  scaleGradient(n: number, multiplier: number, divisor: number, g: number): void {
    const h = this.floats();
    g >>= this.shift;
    for (let i = 0; i < n; i++) h[g + i] = (h[g + i] * multiplier) / divisor;
  }

  sumSquares(n: number, x: number): number {
    const h = this.floats();
    x >>= this.shift;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += h[x + i] * h[x + i];
    return sum;
  }

  gatherRows(rows: number, cols: number, src: number, index: number, dst: number): void {
    const h = this.floats();
    const idx = this.ints();
    src >>= this.shift;
    dst >>= this.shift;
    index >>= 2;
    for (let r = 0; r < rows; r++) {
      const from = src + idx[index + r] * cols;
      const to = dst + r * cols;
      for (let j = 0; j < cols; j++) h[to + j] = h[from + j];
    }
  }
}
