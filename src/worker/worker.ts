/**
 * The worker side of createWorkerNetwork: one Network, driven by messages.
 *
 * scripts/bundles.ts bundles this file into one self-contained script (no
 * imports, no exports) that runs as a Web Worker (classic, or module where
 * classic ones are refused) or as a Node worker_threads eval worker; for a network on several threads, after the
 * threads add-on (threads-addon.ts). Requests are answered as they arrive, not
 * queued behind a running fit(): fit() yields to the event loop every few
 * milliseconds, so a predict() or a stop sent during training is handled
 * between two epochs, exactly as if a callback had made the call.
 */
import { type Callback, EarlyStopping, ReduceLROnPlateau } from '../callbacks.js';
import type { LabelInput, MatrixInput } from '../data.js';
import type { Batch } from '../dataset.js';
import { engineOf } from '../engine.js';
import {
  createNetwork,
  type LoadNetworkOptions,
  loadNetwork,
  type Network,
  type NetworkJSON,
  type ToJSONOptions,
} from '../network.js';
import { receiveWasmBytes } from '../platform/kernels.posted.js';
import { receiveThreadedBytes } from '../platform/threaded-backend.worker.js';
import type { EvaluateOptions, History } from '../train.js';
import type {
  Args,
  FitEvent,
  Method,
  Reply,
  Request,
  Result,
  WireBatch,
  WireFitDatasetOptions,
  WireFitOptions,
  WireHistory,
} from './protocol.js';

interface Port {
  postMessage(message: Reply, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: { data: Request }) => void): void;
}

// A Web Worker's global scope is its own port; in Node, src/platform/script-worker.ts puts an adapter of parentPort here.
const port = ((globalThis as { wasmlpPort?: Port }).wasmlpPort ?? globalThis) as unknown as Port;

/**
 * Epoch events go back in batches, at most one message this often: a
 * message per epoch would flood a page's thread at tens of thousands of
 * epochs a second, and nobody sees more than a frame's worth anyway.
 */
const EVENT_INTERVAL_MS = 25;

let net: Network | undefined;
/** While fit() waits for the calling thread's onTrainBegin hooks: lets it go on (true) or fail (false). */
let trainBeginGate: ((ok: boolean) => void) | undefined;

function network(method: string): Network {
  if (!net) throw new Error(`${method}: the worker has no network yet`);
  return net;
}

type Handlers = { [M in Method]: (id: number, ...args: Args<M>) => Result<M> | Promise<Result<M>> };

const handlers: Handlers = {
  async create(_, config, wasm, threaded) {
    receiveWasmBytes(wasm);
    receiveThreadedBytes(threaded);
    net = await createNetwork(config);
    return info(net);
  },
  async load(_, json, options, wasm, threaded) {
    receiveWasmBytes(wasm);
    receiveThreadedBytes(threaded);
    net = await loadNetwork(json as NetworkJSON, options as LoadNetworkOptions);
    return info(net);
  },
  fit,
  fitDataset,
  batch(_, pass, batch) {
    pulls.get(pass)?.(batch);
  },
  trainOnBatch: (_, x, y, options) => network('trainOnBatch').trainOnBatch(x as MatrixInput, y as LabelInput, options),
  predict: (_, x) => network('predict').predict(x as MatrixInput),
  evaluate: (_, x, y, options) =>
    network('evaluate').evaluate(x as MatrixInput, y as LabelInput, options as EvaluateOptions | undefined),
  getWeights: () => network('getWeights').getWeights(),
  setWeights: (_, weights) => network('setWeights').setWeights(weights),
  adapt(_, x) {
    const net = network('adapt');
    net.adapt(x as MatrixInput);
    return net.normalization;
  },
  toJSON: (_, options) => network('toJSON').toJSON(options as ToJSONOptions),
  trainBegun(_, ok) {
    trainBeginGate?.(ok);
  },
  stop() {
    if (net) net.stopTraining = true;
  },
};
// No dispose message: WorkerNetwork.dispose() terminates this worker, which ends the network's threads
// with it (nested workers end with the worker that started them, in Node and in browsers).

function info(created: Network): Result<'create'> {
  const { inputs, outputs, layers, loss, dtype, backend, threads, normalization, metrics } = created;
  return { inputs, outputs, layers, loss, dtype, backend, threads, normalization, metrics, dropout: engineOf(created).dropout };
}

/** fit() and fitDataset(): `run` trains with the callbacks that report to the calling thread, and the EarlyStopping ones. */
async function train(
  id: number,
  wire: WireFitOptions | WireFitDatasetOptions,
  run: (callbacks: Callback[], post: (event: FitEvent) => void) => Promise<History>,
): Promise<WireHistory> {
  const events: FitEvent[] = [];
  let lastPost = performance.now();
  const flush = () => {
    if (events.length > 0) port.postMessage({ id, events: events.splice(0) });
    lastPost = performance.now();
  };
  // Only the hooks the calling thread listens to, so a plain fit() posts nothing per epoch.
  const reporter: Callback = {};
  if (wire.report.trainBegin) {
    // Sent at once, and the first epoch waits for the calling thread's hooks, as a Network awaits them.
    reporter.onTrainBegin = () => {
      events.push(['trainBegin']);
      flush();
      return new Promise<void>((resolve, reject) => {
        trainBeginGate = (ok) => {
          trainBeginGate = undefined;
          if (ok) resolve();
          else reject(new Error('fit: an onTrainBegin hook threw on the calling thread')); // the caller rethrows the hook's own error
        };
      });
    };
  }
  if (wire.report.epochEnd) {
    reporter.onEpochEnd = (epoch, logs = {}) => {
      events.push(['epochEnd', epoch, logs]);
      if (performance.now() - lastPost >= EVENT_INTERVAL_MS) flush();
    };
  }
  if (wire.report.trainEnd)
    reporter.onTrainEnd = () => {
      events.push(['trainEnd']);
    };
  const earlyStopping = wire.earlyStopping.map((options) => new EarlyStopping(options));
  const callbacks: Callback[] = [...earlyStopping, ...wire.reduceLROnPlateau.map((options) => new ReduceLROnPlateau(options))];
  if (Object.keys(reporter).length > 0) callbacks.push(reporter);
  try {
    // A pull goes at once, with the events before it: the calling thread answers it in order.
    const history = await run(callbacks, (event) => {
      events.push(event);
      flush();
    });
    return {
      epoch: history.epoch,
      history: history.history,
      earlyStopping: earlyStopping.map(({ stoppedEpoch, bestEpoch }) => ({ stoppedEpoch, bestEpoch })),
    };
  } finally {
    flush(); // every event before the reply: postMessage keeps order
  }
}

function fit(id: number, x: unknown, y: unknown, wire: WireFitOptions): Promise<WireHistory> {
  const target = network('fit');
  return train(id, wire, (callbacks) => target.fit(x as MatrixInput, y as LabelInput, { ...wire.options, callbacks }));
}

/** Pulls waiting for their batch, by pass. */
const pulls = new Map<number, (batch: WireBatch) => void>();
let passes = 0;

/**
 * A dataset whose batches the calling thread sends one at a time, when asked:
 * each pass opened there, each batch pulled (never the whole dataset), a pass
 * the worker leaves early closed there.
 */
function pulledDataset(which: 'train' | 'validation', post: (event: FitEvent) => void): () => AsyncIterable<Batch> {
  return () => ({ [Symbol.asyncIterator]: () => pull(which, post) });
}

function pull(which: 'train' | 'validation', post: (event: FitEvent) => void): AsyncIterator<Batch> {
  const pass = ++passes;
  return {
    next: () =>
      new Promise<IteratorResult<Batch>>((resolve, reject) => {
        pulls.set(pass, (batch) => {
          pulls.delete(pass);
          if ('error' in batch) reject(new Error(batch.error));
          else if ('done' in batch) resolve({ done: true, value: undefined });
          else resolve({ done: false, value: batch.value as Batch });
        });
        post(['next', pass, which]);
      }),
    async return() {
      pulls.delete(pass);
      post(['close', pass]);
      return { done: true, value: undefined };
    },
  };
}

function fitDataset(id: number, wire: WireFitDatasetOptions): Promise<WireHistory> {
  const target = network('fitDataset');
  return train(id, wire, (callbacks, post) => {
    const { validationData, ...options } = wire.options;
    return target.fitDataset(pulledDataset('train', post), {
      ...options,
      validationData:
        validationData === 'pulled'
          ? pulledDataset('validation', post)
          : (validationData as [MatrixInput, LabelInput] | undefined),
      callbacks,
    });
  });
}

async function answer({ id, method, args }: Request): Promise<void> {
  try {
    const handler = handlers[method] as (id: number, ...args: unknown[]) => unknown;
    if (typeof handler !== 'function') throw new Error(`wasmlp worker: unknown method ${JSON.stringify(method)}`);
    const result = await handler(id, ...(args as unknown[]));
    // Predictions are handed over, not copied.
    const transfer = ArrayBuffer.isView(result) ? [result.buffer as ArrayBuffer] : [];
    port.postMessage({ id, result }, transfer);
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
}

port.addEventListener('message', (event) => {
  void answer(event.data);
});
