/**
 * Starting and ending the workers of a threads pool (threads.ts), and
 * knowing when one is gone while the thread that owns the pool is busy.
 *
 * The owning thread runs a split job synchronously, spinning in WebAssembly
 * for chunks the workers are computing (assembly/threads.ts): it cannot hear
 * a worker's exit event then. So in Node, where a worker can die at any
 * moment (terminated, or failed), the workers are children of a watcher: a
 * worker thread that computes nothing and whose event loop is always free.
 * It hears each worker's exit as it happens, after the worker's thread has
 * stopped for good, and sets the worker's DEAD flag in the shared memory,
 * which the owning thread reads as it spins: it then finishes that worker's
 * chunk itself. The watcher also tells the owning thread, which retires the
 * pool when it next can (its networks go on on one thread).
 *
 * A browser has no exit event for workers, and a nested worker there would
 * add a worker the page did not ask for: the workers are the page's (or the
 * worker network's) own children, as before. A worker whose instance traps
 * sets its own DEAD flag in both (its catch below); otherwise a worker only
 * ends when the owning thread ends it, between jobs, after telling it to
 * leave its loop (retire), so it can never die in a chunk.
 */
import { inNode } from '../platform/runtime.js';
import { type ScriptWorker, scriptWorkerExecArgv, startScriptWorker } from '../platform/script-worker.js';

/** What one worker is given: the module, the memory, its part and scratch, and where its DEAD flag is. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: number;
  part: number;
  parts: number;
  scratch: number;
  dead: number;
  /** Where its WORKING word is: 1 + the chunk it computes, 0 between chunks. */
  working: number;
}

/** A pool's workers once started. */
export interface PoolWorkers {
  /**
   * Ends worker `part` (1 ..), in Node wherever it is (its DEAD flag is set
   * once its thread has stopped): at once; or, given `inChunk`, that many
   * milliseconds after it is next seen computing a chunk (within 10 s), so
   * that tests can kill it there.
   */
  terminate(part: number, inChunk?: number): void;
  /** Ends them all (after stopWorkers, between jobs). */
  terminateAll(): void;
}

/**
 * The workers' program, plain JavaScript for Node's eval workers and for a
 * Blob-URL Web Worker alike. A worker instantiates the module on the shared
 * memory, takes its own scratch, says so, then serves jobs until told to
 * stop. Given { workers } instead (Node), it is their watcher.
 */
const WORKER_SOURCE = `
const node = typeof require === 'function';
const port = node ? require('node:worker_threads').parentPort : self;
const listen = (fn) => node ? port.once('message', fn) : port.addEventListener('message', (e) => fn(e.data), { once: true });
listen((init) => (init.workers ? watch(init) : compute(init)));

async function compute({ module, memory, ctl, part, parts, scratch, dead }) {
  try {
    const { exports } = await WebAssembly.instantiate(module, { env: { memory } });
    exports.setThreadScratch(scratch);
    port.postMessage({ ready: true });
    exports.workerLoop(ctl, part, parts);
    port.postMessage({ stopped: true });
  } catch (error) {
    // This worker computes no more: the owning thread finishes a chunk it claimed rather than wait for it.
    Atomics.store(new Int32Array(memory.buffer), dead >> 2, 1);
    port.postMessage({ error: String((error && error.stack) || error) });
  }
}

function watch({ workers, source, execArgv }) {
  const { Worker } = require('node:worker_threads');
  const children = workers.map((init) => {
    const child = new Worker(source, { eval: true, name: 'wasmlp-gemm', execArgv });
    child.on('message', (message) => port.postMessage({ part: init.part, ...message }));
    child.on('error', (error) => port.postMessage({ part: init.part, error: String((error && error.stack) || error) }));
    child.on('exit', () => {
      // Its thread has stopped: whatever it claimed, it will not write again.
      Atomics.store(new Int32Array(init.memory.buffer), init.dead >> 2, 1);
      port.postMessage({ part: init.part, exited: true });
    });
    child.postMessage(init);
    return child;
  });
  port.on('message', ({ terminate, inChunk }) => {
    const { memory, working } = workers[terminate - 1];
    if (inChunk !== undefined) {
      Atomics.wait(new Int32Array(memory.buffer), working >> 2, 0, 10000); // woken as it claims one
      for (const until = performance.now() + inChunk; performance.now() < until;);
    }
    void children[terminate - 1].terminate();
  });
}
`;

interface Reply {
  part?: number;
  ready?: boolean;
  error?: string;
  exited?: boolean;
}

/**
 * Starts a worker for each of `inits` and resolves once every one is ready;
 * rejects (having ended them all) if one fails to start. `lost` is called
 * whenever one fails or ends after that, unasked.
 */
export async function startWorkers(inits: WorkerInit[], lost: () => void): Promise<PoolWorkers> {
  if (inits.length === 0) return { terminate: () => {}, terminateAll: () => {} }; // threads: 1
  return inNode() ? startWatched(inits, lost) : startEach(inits, lost);
}

async function startWatched(inits: WorkerInit[], lost: () => void): Promise<PoolWorkers> {
  const watcher = await startScriptWorker(WORKER_SOURCE, 'wasmlp-threads', 'node');
  const workers: PoolWorkers = {
    terminate: (part, inChunk) => watcher.post({ terminate: part, inChunk }),
    terminateAll: () => watcher.terminate(), // its children end with it
  };
  let started = false;
  await new Promise<void>((resolve, reject) => {
    const ready = new Set<number>();
    const fail = (why: string) => {
      if (started) lost();
      else reject(new Error(`wasmlp threads: ${why}`));
    };
    watcher.on('error', (error) => fail(error.message));
    watcher.on('exit', () => fail('the watcher of the threads exited'));
    watcher.on('message', (data) => {
      const { part, ready: isReady, error, exited } = data as Reply;
      if (isReady) {
        ready.add(part!);
        if (ready.size === inits.length) resolve();
      } else if (error !== undefined || exited) {
        fail(`thread ${part}: ${error ?? 'exited'}`);
      }
    });
    watcher.post({ workers: inits, source: WORKER_SOURCE, execArgv: scriptWorkerExecArgv() });
  }).catch((error: unknown) => {
    workers.terminateAll();
    throw error;
  });
  started = true;
  watcher.keepAlive(false);
  return workers;
}

/** Browsers: each worker a child of this thread. */
async function startEach(inits: WorkerInit[], lost: () => void): Promise<PoolWorkers> {
  const workers: ScriptWorker[] = [];
  try {
    for (const init of inits) {
      const worker = await startScriptWorker(WORKER_SOURCE, 'wasmlp-gemm', 'web');
      workers.push(worker);
      await new Promise<void>((resolve, reject) => {
        worker.on('error', (error) => reject(new Error(`wasmlp thread ${init.part}: ${error.message}`)));
        worker.on('message', (data) => {
          const reply = data as Reply;
          if (reply.ready) resolve();
          else if (reply.error) reject(new Error(`wasmlp thread ${init.part}: ${reply.error}`));
        });
        worker.post(init);
      });
    }
  } catch (error) {
    for (const worker of workers) worker.terminate();
    throw error;
  }
  for (const worker of workers) {
    worker.on('error', lost);
    worker.on('message', (data) => {
      if ((data as Reply).error) lost();
    });
  }
  return {
    // Between jobs (a browser's owning thread cannot be interrupted in one): retire the pool first, so no
    // job waits on this worker.
    terminate: (part) => {
      lost();
      workers[part - 1]?.terminate();
    },
    terminateAll: () => {
      for (const worker of workers) worker.terminate();
    },
  };
}
