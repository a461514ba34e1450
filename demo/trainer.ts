/**
 * One network in a worker and its training runs: Train continues from where
 * the last run stopped, Reset starts over. While a run trains, the page
 * asks the worker for the map's predictions every few frames, one request
 * at a time (less often where they are slow); the worker answers between
 * two epochs (wasmlp's fit yields to its event loop).
 */
import {
  createWorkerNetwork,
  type EpochLogs,
  type FloatArray,
  type LayerWeights,
  type MatrixInput,
  type WorkerNetwork,
} from 'wasmlp';
import { type Dataset, labelRows } from './datasets.js';
import { inputRows } from './inputs.js';
import { networkConfig, notebookWeights, type Settings } from './model.js';

/** The map is re-predicted at most this often while training. */
const MAP_INTERVAL_MS = 120;
/**
 * After a map prediction arrives, the worker trains for at least this many
 * times as long as it took before it is asked for the next. 64² predictions
 * take 2 s on a 512x512 network on the js backend: asked for again as soon
 * as each arrived, they took most of the worker's time, halving the run's
 * speed, and a Stop waited behind them.
 */
const MAP_SHARE = 3;

export interface RunResult {
  /** Epochs the network has trained, counted from 1 across runs. */
  epochs: number;
  /** The epoch this run was to reach. */
  target: number;
  /** Epochs this run trained. */
  runEpochs: number;
  /** After the run (the last epoch's, if it was stopped); undefined if it trained no epoch. */
  loss: number | undefined;
  acc: number | undefined;
  /** The loss of this run's first and last epochs. */
  firstLoss: number | undefined;
  lastLoss: number | undefined;
  /** On the test points, after the run (undefined without any). */
  testLoss: number | undefined;
  testAcc: number | undefined;
  /** Epochs per second over the run, as the page saw them arrive. */
  rate: number;
  /** Whether the run was paced (slow motion): its rate is the pace, not the backend's speed. */
  paced: boolean;
  stopped: boolean;
}

export interface TrainerHooks {
  /** Every epoch, counted from 1 across runs. */
  epoch(epoch: number, logs: EpochLogs, rate: number): void;
  /** Fresh predictions over the map's grid. */
  map(outputs: FloatArray): void;
  /** The weights as they were for those predictions (asked for right after them). */
  weights(weights: LayerWeights[]): void;
}

/** Runs are paced to last about this long, so that one can watch them learn. */
export const PACED_SECONDS = 4;

/** Epochs per second for a paced run, or undefined for full speed. */
function pacedRate(settings: Settings): number | undefined {
  return settings.paced ? settings.epochs / PACED_SECONDS : undefined;
}

export class Trainer {
  private net: WorkerNetwork | undefined;
  private epochsDone = 0;
  private running: Promise<unknown> | undefined;
  /** Set by stop() during a run: no more map refreshes, and a run still creating its network trains no epoch. */
  private stopping = false;
  /** Bumped by reset(): a run that ends after it draws no more maps. */
  private generation = 0;
  /** The map prediction the worker has been asked for and not yet answered: never more than one. */
  private mapPending: Promise<void> | undefined;
  private nextMapAt = 0;
  /** Whether the weights are asked for with each map, for the units' maps. */
  private drawUnits = false;

  constructor(
    private readonly grid: () => MatrixInput,
    private readonly hooks: TrainerHooks,
  ) {}

  /** The network in the worker, if one was created since the last reset. */
  get network(): WorkerNetwork | undefined {
    return this.net;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Trains on `data`, testing on `test` after each epoch; `notebook`: the seed notebook's data, started from its weights. */
  train(settings: Settings, data: Dataset, test: Dataset | undefined, notebook: boolean, drawUnits: boolean): Promise<RunResult> {
    this.stopping = false;
    // A big network's weights, sent with every map, would cost the run time for maps not drawn.
    this.drawUnits = drawUnits;
    const run = this.run(settings, data, test, notebook);
    this.running = run;
    return run.finally(() => {
      if (this.running === run) this.running = undefined;
    });
  }

  private async run(settings: Settings, data: Dataset, test: Dataset | undefined, notebook: boolean): Promise<RunResult> {
    const generation = this.generation;
    if (!this.net) {
      this.net = await createWorkerNetwork(networkConfig(settings, data));
      const weights = notebookWeights(settings, notebook);
      if (weights) await this.net.setWeights(weights);
    }
    const net = this.net;
    const x = inputRows(data.x, settings.features);
    const y = labelRows(data);
    const validationData: [number[][], number[][]] | undefined = test && [inputRows(test.x, settings.features), labelRows(test)];
    const offset = this.epochsDone;
    const target = offset + settings.epochs;
    if (this.stopping) {
      // stopped while the worker was starting
      return {
        epochs: offset,
        target,
        runEpochs: 0,
        loss: undefined,
        acc: undefined,
        firstLoss: undefined,
        lastLoss: undefined,
        testLoss: undefined,
        testAcc: undefined,
        rate: 0,
        paced: settings.paced,
        stopped: true,
      };
    }

    const started = performance.now();
    const losses: number[] = [];
    let lastAcc: number | undefined;
    let testLoss: number | undefined;
    let testAcc: number | undefined;
    let runEpochs = 0;
    // Paced, the run is fit in slices, each started when the clock has caught up with the
    // epochs done (the optimiser's state carries over from one fit to the next); else in one.
    const slice = pacedRate(settings) === undefined ? settings.epochs : Math.max(1, Math.round(pacedRate(settings)! / 20));
    while (runEpochs < settings.epochs && !this.stopping) {
      const rate = pacedRate(settings);
      if (rate !== undefined) {
        const wait = (runEpochs / rate) * 1000 - (performance.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (this.stopping) break;
      }
      const epochs = Math.min(slice, settings.epochs - runEpochs);
      const before = runEpochs;
      const history = await net.fit(x, y, {
        epochs,
        learningRate: settings.learningRate,
        optimizer: settings.optimizer,
        batchSize: settings.batchSize,
        shuffle: settings.batchSize !== undefined,
        validationData,
        onEpochEnd: (epoch, logs) => {
          const done = before + epoch + 1;
          this.hooks.epoch(offset + done, logs, done / ((performance.now() - started) / 1000));
          // Not after the last epoch: the map of the trained network is asked for below.
          if (done < settings.epochs) this.refreshMap(net);
        },
      });
      runEpochs += history.epoch.length;
      losses.push(...(history.history.loss ?? []));
      lastAcc = history.history.acc?.at(-1) ?? lastAcc;
      testLoss = history.history.val_loss?.at(-1) ?? testLoss;
      testAcc = history.history.val_acc?.at(-1) ?? testAcc;
      if (history.epoch.length < epochs) break; // stopped
    }
    const seconds = (performance.now() - started) / 1000;
    this.epochsDone += runEpochs;
    const result: RunResult = {
      epochs: this.epochsDone,
      target,
      runEpochs,
      loss: losses.at(-1),
      acc: lastAcc,
      firstLoss: losses[0],
      lastLoss: losses.at(-1),
      testLoss,
      testAcc,
      rate: runEpochs / seconds,
      paced: settings.paced,
      stopped: runEpochs < settings.epochs,
    };
    // One prediction in flight at a time, the last one too. After a Stop this costs
    // nothing: a refresh still pending was sent before the stop, which the worker
    // handles in order, so it has been answered before fit's reply.
    await this.mapPending;
    if (result.stopped) {
      // Stop was pressed: the run ends now, with its last epoch's numbers. The map of
      // the network as it stopped follows, drawn when it arrives (a big network's
      // takes seconds), unless a reset has cleared the map meanwhile.
      if (generation === this.generation) void this.refreshMap(net, true);
      return result;
    }
    const [evaluation] = await Promise.all([net.evaluate(x, y), this.refreshMap(net, true)]);
    return { ...result, loss: evaluation.loss, acc: evaluation.acc };
  }

  /**
   * Asks the worker for the map's predictions, unless it is still working on
   * the last ones, or the run is stopping, or it trained too little since.
   * Requests sent faster than the worker answers would queue in it: the run
   * would slow down, and a Stop would wait behind them. `final`: the map of
   * the trained network, asked for whatever the time (never with one pending:
   * the caller has waited for it).
   */
  private refreshMap(net: WorkerNetwork, final = false): Promise<void> {
    if (!final && (this.mapPending || this.stopping || performance.now() < this.nextMapAt)) return Promise.resolve();
    const asked = performance.now();
    const pending: Promise<void> = net
      .predict(this.grid())
      .then(
        async (outputs) => {
          if (this.net !== net) return; // not after a reset has cleared the map
          this.hooks.map(outputs);
          if (!this.drawUnits) return;
          const weights = await net.getWeights();
          if (this.net === net) this.hooks.weights(weights);
        },
        () => {},
      )
      .finally(() => {
        const now = performance.now();
        this.nextMapAt = Math.max(asked + MAP_INTERVAL_MS, now + MAP_SHARE * (now - asked));
        if (this.mapPending === pending) this.mapPending = undefined;
      });
    this.mapPending = pending;
    return pending;
  }

  /** Ends a run after the worker's current epoch (and, if it is still starting, before its first). */
  stop(): void {
    if (!this.running || this.stopping) return;
    this.stopping = true;
    if (this.net) this.net.stopTraining = true;
  }

  /**
   * Stops any run and frees the network; the next train() starts a new one.
   * The old worker is not waited for: a map prediction it may still be
   * working on (seconds, on a big network) is of no use any more.
   */
  async reset(): Promise<void> {
    this.generation++;
    this.stop();
    await this.running?.catch(() => {});
    const net = this.net;
    this.net = undefined;
    this.epochsDone = 0;
    this.mapPending = undefined;
    this.nextMapAt = 0;
    void net?.dispose().catch(() => {});
  }
}
