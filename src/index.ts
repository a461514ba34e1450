/** wasmlp's public API. */
export { createNetwork, Network } from './network.js';
export type { NetworkConfig, LayerConfig, LayerWeights, Evaluation } from './network.js';
export { History } from './train.js';
export { loadNetwork, type NetworkJSON } from './serialize.js';
export { earlyStopping, EarlyStopping } from './callbacks.js';
export type { Callback, Logs, EarlyStoppingOptions } from './callbacks.js';
export type { FitOptions, EpochLogs } from './train.js';
export type { OptimizerSpec } from './optimizers.js';
export type { MatrixInput } from './data.js';
export type { BackendName, DType, FloatArray } from './backend/backend.js';
export { stopThreads, threadsAvailable } from './backend/threads.js';
export type { ActivationName } from './activations.js';
export type { KernelInitializer } from './initializers.js';
export type { LossName } from './losses.js';
export { createWorkerNetwork, WorkerNetwork } from './worker/client.js';
export { ACTIVATION_NAMES, LOSS_NAMES, OPTIMIZER_NAMES, type OptimizerName } from './registry.js';
