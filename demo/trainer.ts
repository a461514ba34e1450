/**
 * One network in a worker and its training runs: Train continues from where
 * the last run stopped, Reset starts over. While a run trains, the page
 * asks the worker for the map's predictions every few frames; the worker
 * answers between two epochs (wasmlp's fit yields to its event loop).
 */
import { createWorkerNetwork, type EpochLogs, type FloatArray, type MatrixInput, type WorkerNetwork } from 'wasmlp';
import { labelRows, type Dataset } from './datasets.js';
import { networkConfig, notebookWeights, type Settings } from './model.js';

/** The map is re-predicted at most this often while training. */
const MAP_INTERVAL_MS = 120;

export interface RunResult {
  epochs: number;
  loss: number;
  acc: number | undefined;
  /** Epochs per second over the run, as the page saw them arrive. */
  rate: number;
  stopped: boolean;
}

export interface TrainerHooks {
  /** Every epoch, counted from 1 across runs. */
  epoch(epoch: number, logs: EpochLogs, rate: number): void;
  /** Fresh predictions over the map's grid. */
  map(outputs: FloatArray): void;
}

export class Trainer {
  private net: WorkerNetwork | undefined;
  private epochsDone = 0;
  private running: Promise<unknown> | undefined;

  constructor(private readonly grid: () => MatrixInput, private readonly hooks: TrainerHooks) {}

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  train(settings: Settings, data: Dataset, datasetName: string): Promise<RunResult> {
    const run = this.run(settings, data, datasetName);
    this.running = run;
    return run.finally(() => {
      if (this.running === run) this.running = undefined;
    });
  }

  private async run(settings: Settings, data: Dataset, datasetName: string): Promise<RunResult> {
    if (!this.net) {
      this.net = await createWorkerNetwork(networkConfig(settings, data));
      const weights = notebookWeights(settings, datasetName);
      if (weights) await this.net.setWeights(weights);
    }
    const net = this.net;
    const x = data.x;
    const y = labelRows(data);
    const offset = this.epochsDone;
    const started = performance.now();
    let epochs = 0;
    let mapAsked = 0;
    let mapPending = false;
    const refreshMap = () => {
      if (mapPending || performance.now() - mapAsked < MAP_INTERVAL_MS) return;
      mapPending = true;
      mapAsked = performance.now();
      net.predict(this.grid())
        .then((outputs) => { if (this.net === net) this.hooks.map(outputs); }, () => {}) // not after a reset has cleared the map
        .finally(() => { mapPending = false; });
    };

    const history = await net.fit(x, y, {
      epochs: settings.epochs,
      learningRate: settings.learningRate,
      optimizer: settings.optimizer,
      batchSize: settings.batchSize,
      shuffle: settings.batchSize !== undefined,
      onEpochEnd: (epoch, logs) => {
        epochs = epoch + 1;
        this.hooks.epoch(offset + epochs, logs, epochs / ((performance.now() - started) / 1000));
        refreshMap();
      },
    });
    const seconds = (performance.now() - started) / 1000;
    this.epochsDone += history.epoch.length;
    const [evaluation, outputs] = await Promise.all([net.evaluate(x, y), net.predict(this.grid())]);
    this.hooks.map(outputs);
    return {
      epochs: this.epochsDone,
      loss: evaluation.loss,
      acc: evaluation.acc,
      rate: history.epoch.length / seconds,
      stopped: history.epoch.length < settings.epochs,
    };
  }

  stop(): void {
    if (this.net && this.running) this.net.stopTraining = true;
  }

  /** Stops any run and frees the network; the next train() starts a new one. */
  async reset(): Promise<void> {
    this.stop();
    await this.running?.catch(() => {});
    const net = this.net;
    this.net = undefined;
    this.epochsDone = 0;
    await net?.dispose();
  }
}
