/**
 * wasmlp: train dense neural networks in Node and browsers, the numbers in
 * WebAssembly. {@link createNetwork} makes a {@link Network};
 * {@link createWorkerNetwork} makes one that trains in a worker.
 *
 * @packageDocumentation
 */

export type { ActivationName } from './activations.js';
export type { BackendName, DType, ElementwiseActivation, FloatArray } from './backend/backend.js';
export type { Callback, EarlyStoppingOptions, Logs, ReduceLROnPlateauOptions } from './callbacks.js';
export { EarlyStopping, earlyStopping, ReduceLROnPlateau, reduceLROnPlateau } from './callbacks.js';
export type { LabelInput, MatrixInput } from './data.js';
export type { Batch, Dataset, PredictionInput } from './dataset.js';
export { type ArrayDataset, type FromArraysOptions, fromArrays } from './dataset-arrays.js';
export type { FitDatasetOptions } from './dataset-options.js';
export type { KernelInitializer } from './initializers.js';
export type { LossName } from './losses.js';
export type { MetricName } from './metrics.js';
export type {
  DropoutConfig,
  Evaluation,
  LayerConfig,
  LayerWeights,
  LoadNetworkOptions,
  NetworkConfig,
  NetworkJSON,
  NormalizationConfig,
  OptimizerJSON,
  RegularizerConfig,
  ToJSONOptions,
} from './network.js';
export { createNetwork, loadNetwork, Network } from './network.js';
export type {
  AdagradConfig,
  AdamConfig,
  AdamwConfig,
  ClipOptions,
  OptimizerConfig,
  OptimizerSpec,
  OptimizerState,
  RmspropConfig,
  SgdConfig,
} from './optimizers.js';
export { ACTIVATION_NAMES, LOSS_NAMES, METRIC_NAMES, OPTIMIZER_NAMES, type OptimizerName } from './registry.js';
export type { ClassWeight } from './sampleWeights.js';
export type {
  CosineDecay,
  CosineDecayOptions,
  ExponentialDecay,
  ExponentialDecayOptions,
  LearningRate,
  LearningRateSchedule,
  PiecewiseConstantDecay,
  PiecewiseConstantDecayOptions,
} from './schedules.js';
export { cosineDecay, exponentialDecay, piecewiseConstantDecay } from './schedules.js';
export { stopThreads, threadsAvailable } from './threadControls.js';
export type { EpochLogs, EvaluateOptions, FitOptions, SampleWeight, TrainOnBatchOptions } from './train.js';
export { History } from './train.js';
export {
  createWorkerNetwork,
  loadWorkerNetwork,
  type WorkerCallback,
  type WorkerFitDatasetOptions,
  type WorkerFitOptions,
  WorkerNetwork,
} from './worker/client.js';
