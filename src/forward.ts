/**
 * The forward pass and the work of predict: inputs checked and copied in,
 * run through the layers a chunk of rows at a time, every output checked
 * finite. Both the engine behind a Network (engine.ts) and the
 * inference-only predictor (predict/) run it, over the few kernels it needs,
 * so that the two give the same bits for the same weights on the same
 * backend and dtype; nothing here knows of gradients or optimisers.
 */
import type { ActivationName } from './activations.js';
import type { Backend, FloatArray, ForwardKernelName } from './backend/backend.js';
import { nonFiniteError, readMatrix } from './data.js';
import { type Normalizer, normalizeRows } from './normalization.js';

/** The part of a backend the forward pass uses: memory, and the forward kernels. */
export type ForwardBackend = Pick<
  Backend,
  'dtype' | 'bytesPerElement' | 'alloc' | 'free' | 'releaseAll' | 'view' | ForwardKernelName
>;

/** A dense layer as the forward pass reads it: offsets into backend memory. */
export interface ForwardLayer {
  readonly inputs: number;
  readonly units: number;
  readonly activation: ActivationName;
  /** leakyRelu's slope (the kernels ignore it for the others). */
  readonly alpha: number;
  /** W, inputs x units, row-major. */
  readonly weights: number;
  readonly bias: number;
  /** The layer's output, rows x units for as many rows as the model's batch capacity. */
  readonly output: number;
}

/** A network as the forward pass runs it. */
export interface ForwardModel {
  readonly backend: ForwardBackend;
  readonly inputs: number;
  readonly outputs: number;
  readonly layers: readonly ForwardLayer[];
  /** The inputs' normalisation, applied as they are copied in; null for none. */
  readonly normalization: Normalizer | null;
  /** Rows each layer's output buffer holds. */
  readonly batchCapacity: number;
  /** Makes each layer's output buffer hold at least `rows` rows. */
  reserveBatch(rows: number): void;
}

/** Rows per forward pass in predict/evaluate when no larger batch is planned. */
export const INFERENCE_CHUNK = 1024;

/** The layer's output = activation(x W + b) for `rows` rows of x. */
export function layerForward(backend: ForwardBackend, layer: ForwardLayer, x: number, rows: number): void {
  const { inputs, units, activation } = layer;
  // Softmax needs whole rows: after a linear fused kernel, on its own.
  backend.denseForward(
    rows,
    inputs,
    units,
    x,
    layer.weights,
    layer.bias,
    activation === 'softmax' ? 'linear' : activation,
    layer.alpha,
    layer.output,
  );
  if (activation === 'softmax') backend.softmax(rows, units, layer.output, layer.output);
}

/** Runs `rows` rows at x through the model's layers; returns the output buffer's offset. */
export function forward(model: ForwardModel, x: number, rows: number): number {
  let input = x;
  for (const layer of model.layers) {
    layerForward(model.backend, layer, input, rows);
    input = layer.output;
  }
  return input;
}

/**
 * Checks inputs x against the model and copies them into backend memory,
 * the values checked as they are copied (each read once), then normalised
 * there when the model normalises its inputs. The caller frees the
 * returned offset.
 */
export function loadInputs(model: ForwardModel, x: unknown, name = 'x'): { rows: number; x: number } {
  const { backend, inputs } = model;
  const mx = readMatrix(name, x, { dtype: backend.dtype, cols: inputs, what: 'inputs', deferFinite: true });
  const rows = mx.rows,
    elements = rows * inputs;
  const xOffset = backend.alloc(elements);
  try {
    mx.copyInto(backend.view(xOffset, elements));
    if (mx.finiteDeferred) {
      // A typed array of this dtype, copied exactly: checked for NaN and
      // ±Infinity there, by a kernel (several times faster than in JavaScript).
      const bad = backend.firstNonFinite(elements, xOffset);
      if (bad >= 0) throw nonFiniteError(name, bad, inputs, backend.view(xOffset, elements)[bad]);
    }
    if (model.normalization) normalizeRows(name, backend.view(xOffset, elements), inputs, model.normalization);
    return { rows, x: xOffset };
  } catch (error) {
    backend.free(xOffset);
    throw error;
  }
}

/** Outputs for every row of x: rows x outputs, row-major, in the model's dtype. */
export function predictRows(model: ForwardModel, x: unknown): FloatArray {
  const { backend, outputs } = model;
  const data = loadInputs(model, x);
  try {
    const out = backend.dtype === 'float32' ? new Float32Array(data.rows * outputs) : new Float64Array(data.rows * outputs);
    forEachChunk(model, data.rows, (start, rows) => {
      const a = forwardFinite(model, 'predict', data.x, start, rows);
      out.set(backend.view(a, rows * outputs), start * outputs);
    });
    return out;
  } finally {
    backend.free(data.x);
  }
}

/** Makes the model's buffers hold what predict/evaluate take at a time for `rows` rows. */
export function reserveInference(model: ForwardModel, rows: number): void {
  model.reserveBatch(Math.min(rows, INFERENCE_CHUNK));
}

/** Runs `run` over `rows` rows in chunks of the model's batch capacity, reserved first. */
export function forEachChunk(model: ForwardModel, rows: number, run: (start: number, rows: number) => void): void {
  reserveInference(model, rows);
  const chunk = model.batchCapacity;
  for (let start = 0; start < rows; start += chunk) run(start, Math.min(chunk, rows - start));
}

/**
 * forward() over `rows` rows of x from row `start`, then a check that every
 * output is finite: a NaN or Infinity is an error naming the first one,
 * never a number handed back. `where` names the caller in the error.
 */
export function forwardFinite(model: ForwardModel, where: string, x: number, start: number, rows: number): number {
  const { backend, outputs } = model;
  const a = forward(model, x + start * model.inputs * backend.bytesPerElement, rows);
  const bad = backend.firstNonFinite(rows * outputs, a);
  if (bad >= 0) {
    const value = backend.view(a, rows * outputs)[bad];
    const row = start + Math.floor(bad / outputs),
      column = bad % outputs;
    const weight = firstNonFiniteParameter(model);
    throw new Error(
      `${where}: the output at row ${row}, column ${column} is ${value}; ${
        weight
          ? `a weight is not finite (${weight}): set finite weights`
          : `a layer's values overflowed ${backend.dtype}'s range: scale the inputs as the training data was scaled` +
            (backend.dtype === 'float32' ? `, or use dtype 'float64'` : '')
      }`,
    );
  }
  return a;
}

/** Where the first NaN or ±Infinity among the parameters is (e.g. "layer 1 W[3][0] is NaN"), or undefined. */
export function firstNonFiniteParameter({ backend, layers }: ForwardModel): string | undefined {
  for (let l = 0; l < layers.length; l++) {
    const { weights, bias, inputs, units } = layers[l];
    const w = backend.firstNonFinite(inputs * units, weights);
    if (w >= 0) return `layer ${l} W[${Math.floor(w / units)}][${w % units}] is ${backend.view(weights, inputs * units)[w]}`;
    const b = backend.firstNonFinite(units, bias);
    if (b >= 0) return `layer ${l} b[${b}] is ${backend.view(bias, units)[b]}`;
  }
  return undefined;
}
