/**
 * The messages between a WorkerNetwork (client.ts, on the calling thread)
 * and worker.ts (in the worker): one request per call, answered by one
 * reply; fit() also streams its events back in batches before its reply.
 * fitDataset() pulls its batches through those events: the worker asks for
 * each next batch of a pass, and the calling thread, which iterates the
 * dataset, answers each with one `batch` request.
 */

import type { BackendName, DType } from '../backend/backend.js';
import type { EarlyStoppingOptions, Logs, ReduceLROnPlateauOptions } from '../callbacks.js';
import type { FitDatasetOptions } from '../dataset-options.js';
import type { LayerConfig } from '../layerConfig.js';
import type { LossName } from '../losses.js';
import type { MetricName } from '../metrics.js';
import type { Network, NetworkConfig, NetworkJSON } from '../network.js';
import type { NormalizationConfig } from '../normalization.js';
import type { FitOptions, TrainOnBatchOptions } from '../train.js';

/** What the worker reports about the network it created. */
export interface NetworkInfo {
  inputs: number;
  outputs: number;
  layers: readonly LayerConfig[];
  /** The rate of the dropout entry after each layer, or undefined where there is none. */
  dropout: (number | undefined)[];
  loss: LossName;
  dtype: DType;
  backend: BackendName;
  threads: number;
  normalization: NormalizationConfig | null;
  metrics: MetricName[];
}

/** fit()'s options as they cross: functions stay on the calling thread. */
export interface WireFitOptions {
  options: Omit<FitOptions, 'callbacks' | 'onEpochEnd'>;
  /** EarlyStopping callbacks, rebuilt in the worker from their options (they must see every epoch there). */
  earlyStopping: EarlyStoppingOptions[];
  /** ReduceLROnPlateau callbacks, rebuilt in the worker from their options (they change the rate there). */
  reduceLROnPlateau: ReduceLROnPlateauOptions[];
  /** The hooks the calling thread listens to; the worker posts only those events. */
  report: { trainBegin: boolean; epochEnd: boolean; trainEnd: boolean };
}

/**
 * fitDataset()'s options as they cross: fit's, with validationData as [x, y],
 * or 'pulled' for a dataset, which stays on the calling thread and is pulled
 * from as the worker's 'validation' passes.
 */
export interface WireFitDatasetOptions extends Omit<WireFitOptions, 'options'> {
  options: Omit<FitDatasetOptions, 'callbacks' | 'onEpochEnd' | 'validationData'> & {
    validationData?: [unknown, unknown] | 'pulled';
  };
}

/** The calling thread's answer to a pull: the next batch (its arrays transferred), the end of the pass, or what the dataset threw. */
export type WireBatch = { value: unknown } | { done: true } | { error: string };

/** fit()'s result as it crosses back: the History's contents, and what EarlyStopping found. */
export interface WireHistory {
  epoch: number[];
  history: Record<string, number[]>;
  /** Each EarlyStopping's outcome, copied back onto the caller's instances. */
  earlyStopping: { stoppedEpoch: number; bestEpoch: number }[];
}

/** Each method's arguments and result. */
export interface Calls {
  /** wasm: the kernels (not for the js backend); threaded: the shared-memory kernels, with the threads add-on only. */
  create: [args: [config: NetworkConfig, wasm: Uint8Array | undefined, threaded: Uint8Array | undefined], result: NetworkInfo];
  /** loadNetwork(json, options) in the worker: json as the caller gave it (object or text), so the same checks and messages. */
  load: [
    args: [json: unknown, options: unknown, wasm: Uint8Array | undefined, threaded: Uint8Array | undefined],
    result: NetworkInfo,
  ];
  fit: [args: [x: unknown, y: unknown, options: WireFitOptions], result: WireHistory];
  /** fitDataset() on batches pulled from the calling thread (FitEvent 'next' and 'close'). */
  fitDataset: [args: [options: WireFitDatasetOptions], result: WireHistory];
  /** Answers the worker's pull of the next batch of `pass`. */
  batch: [args: [pass: number, batch: WireBatch], result: void];
  /** One update, its options checked on the calling thread (the optimiser parsed). */
  trainOnBatch: [args: [x: unknown, y: unknown, options: TrainOnBatchOptions], result: Logs];
  predict: [args: [x: unknown], result: ReturnType<Network['predict']>];
  evaluate: [args: [x: unknown, y: unknown, options?: unknown], result: ReturnType<Network['evaluate']>];
  getWeights: [args: [], result: ReturnType<Network['getWeights']>];
  setWeights: [args: [weights: Parameters<Network['setWeights']>[0]], result: void];
  /** adapt(x) in the worker; the statistics it set. */
  adapt: [args: [x: unknown], result: NormalizationConfig | null];
  toJSON: [args: [options: unknown], result: NetworkJSON];
  /**
   * The calling thread has run fit()'s onTrainBegin hooks (ok) or one threw:
   * the worker waits for this before its first epoch, as a Network awaits them.
   */
  trainBegun: [args: [ok: boolean], result: void];
  /** Sets stopTraining in the worker: a running fit() ends after its current epoch. */
  stop: [args: [], result: void];
}

/** A request's method. */
export type Method = keyof Calls;
/** The arguments of method M. */
export type Args<M extends Method> = Calls[M][0];
/** What method M answers with. */
export type Result<M extends Method> = Calls[M][1];

/** One call, posted to the worker; `id` pairs it with its reply. */
export interface Request<M extends Method = Method> {
  id: number;
  method: M;
  args: Args<M>;
}

/**
 * One of fit()'s events, posted back as it happens (in batches). Every element is labelled: TypeScript
 * before 5.2 refuses a tuple that labels some elements and not others.
 */
export type FitEvent =
  | [event: 'trainBegin']
  | [event: 'epochEnd', epoch: number, logs: Logs]
  | [event: 'trainEnd']
  /** fitDataset: the next batch of `pass` over the training or the validation dataset (its first opens it), answered by a `batch` request. */
  | [event: 'next', pass: number, which: 'train' | 'validation']
  /** fitDataset: pass `pass` ends before the dataset's end (the epoch stopped, or a batch was bad). */
  | [event: 'close', pass: number];

/** The worker's answer to request `id`: its result, its error's message, or fit()'s events so far. */
export type Reply = { id: number; result: unknown } | { id: number; error: string } | { id: number; events: FitEvent[] };
