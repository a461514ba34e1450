/**
 * wasmlp/predict: a saved network (Network.toJSON()'s object or its JSON
 * text) loaded to predict, and nothing else. Its bundle holds the forward
 * kernels only (no training code, optimiser or worker), and its predictions
 * equal a Network's predict() bit for bit on the same backend and dtype.
 */
import type { BackendName, DType, FloatArray } from '../backend/backend.js';
import { checkKeys } from '../checks.js';
import type { MatrixInput } from '../data.js';
import type { NetworkJSON } from '../network.js';
import { prefixed, readSavedNetwork } from '../savedNetwork.js';
import { PredictorModel } from './predictor.js';

export type { BackendName, DType, FloatArray, MatrixInput, NetworkJSON };

/** Options of {@link loadPredictor}. */
export interface PredictorOptions {
  /** 'wasm' (default) or 'js'; need not be the backend that saved the network. */
  backend?: BackendName;
}

/** A saved network loaded for inference only: make one with {@link loadPredictor}, free it with {@link Predictor.dispose}. */
export interface Predictor {
  /** Features per sample: the columns of x. */
  readonly inputs: number;
  /** Units of the output layer: the columns of predict()'s rows. */
  readonly outputs: number;
  /** The saved network's dtype: the type of predict()'s output. */
  readonly dtype: DType;
  /** The backend's name: 'wasm' or 'js'. */
  readonly backend: BackendName;
  /** True once dispose() has run: every later predict() throws. */
  readonly isDisposed: boolean;
  /**
   * The network's outputs for every row of x, as Network.predict gives them.
   *
   * @param x - Inputs: `number[][]` or `{ data, shape: [rows, inputs] }`.
   * @returns rows x outputs values, row-major, in the network's dtype.
   * @throws Error if x is bad (shape, non-finite values), an output is not finite, or the predictor is disposed.
   */
  predict(x: MatrixInput): FloatArray;
  /** Frees the predictor's memory; any later predict() throws. Calling it again does nothing. */
  dispose(): void;
}

/**
 * Loads a network saved by Network.toJSON(), from the object or its JSON
 * text, to predict with. The file is checked as loadNetwork checks it, but
 * for a saved optimiser, which is ignored.
 *
 * @param json - The saved network, or its JSON text.
 * @param options - The backend to run on ('wasm' unless given).
 * @returns The predictor, with the saved weights.
 * @throws Error (as a rejection) starting "loadPredictor:", naming what is wrong with the file or the options.
 *
 * @example
 * ```ts
 * import { loadPredictor } from 'wasmlp/predict';
 *
 * const model = await loadPredictor(await (await fetch('model.json')).text());
 * console.log(model.predict([[0, 1]])); // Float32Array(1)
 * model.dispose();
 * ```
 */
export async function loadPredictor(json: NetworkJSON | string, options: PredictorOptions = {}): Promise<Predictor> {
  checkKeys('loadPredictor options', options, ['backend']);
  const saved = readSavedNetwork('loadPredictor', json, { backend: options.backend });
  let model: PredictorModel;
  try {
    model = await PredictorModel.load(saved);
  } catch (error) {
    throw prefixed('loadPredictor', error);
  }
  return {
    inputs: model.inputs,
    outputs: model.outputs,
    dtype: model.dtype,
    backend: model.backendName,
    get isDisposed() {
      return model.isDisposed;
    },
    predict: (x) => model.predict(x),
    dispose: () => model.dispose(),
  };
}
