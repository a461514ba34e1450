/**
 * wasmlp: train dense neural networks in Node and browsers, the numbers in
 * WebAssembly. {@link createNetwork} makes a {@link Network};
 * {@link createWorkerNetwork} makes one that trains in a worker.
 *
 * @packageDocumentation
 */
export { createNetwork, loadNetwork, Network } from './network.js';
export type { NetworkConfig, LayerConfig, LayerWeights, Evaluation } from './network.js';
export type { NetworkJSON, OptimizerJSON, ToJSONOptions, LoadNetworkOptions } from './network.js';
export { History } from './train.js';
export { earlyStopping, EarlyStopping } from './callbacks.js';
export type { Callback, Logs, EarlyStoppingOptions } from './callbacks.js';
export type { FitOptions, EpochLogs } from './train.js';
export type { OptimizerSpec, OptimizerConfig, SgdConfig, AdamConfig, OptimizerState } from './optimizers.js';
export type { LabelInput, MatrixInput } from './data.js';
export type { BackendName, DType, ElementwiseActivation, FloatArray } from './backend/backend.js';
export { stopThreads, threadsAvailable } from './threadControls.js';
export type { ActivationName } from './activations.js';
export type { KernelInitializer } from './initializers.js';
export type { LossName } from './losses.js';
export { createWorkerNetwork, loadWorkerNetwork, WorkerNetwork, type WorkerCallback, type WorkerFitOptions } from './worker/client.js';
export { ACTIVATION_NAMES, LOSS_NAMES, OPTIMIZER_NAMES, type OptimizerName } from './registry.js';
