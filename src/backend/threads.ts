/**
 * The multi-threaded wasm backend: the kernels of the shared-memory build
 * (build/wasmlp.threads.wasm, from assembly/index.threads.ts) on one shared
 * WebAssembly.Memory, instantiated once on this thread and once in each
 * worker (worker_threads in Node, Web Workers where the page is
 * cross-origin isolated). Large gemms (with a dense layer's bias and
 * activation fused on) and optimiser steps are split across the threads inside
 * WebAssembly (assembly/threads.ts); everything else runs on
 * this thread, exactly as in the single-threaded backend. Each element is
 * computed by the same operations in the same order whichever thread computes
 * it, so results are identical to one thread's, bit for bit.
 *
 * A worker that dies in a job (in Node, terminated or failed wherever it
 * is) has the chunk it held finished on this thread, to the same bits
 * (assembly/threads.ts says how; threads-workers.ts how its death is known
 * while this thread spins); its pool then retires, and its networks go on
 * on this thread alone, as their `threads` says.
 *
 * Where shared memory or workers are missing (a page that is not
 * cross-origin isolated), asking for threads gives the single-threaded
 * backend instead, as the network's `threads` then says: `threadsAvailable()`
 * tells in advance.
 *
 * A worker network (createWorkerNetwork) runs this file inside its worker:
 * threadsForWorker() gives the thread that starts it this file bundled as a
 * classic script, run at the head of the worker's own, and the kernels to
 * post it (src/worker/threads-addon.ts); the worker's threads are then
 * workers of the worker.
 */

// Seams (src/platform/): the kernels and the worker's add-on, read or bundled from source, are embedded in
// dist/wasmlp-threads.js, which must fetch and read nothing.
import { loadThreadedBytes } from '../platform/threaded-kernels.js';
import { threadsAddonSource } from '../platform/threads-addon-script.js';
import { type Backend, checkThreads, type DType, type KernelName, type Kernels } from './backend.js';
import { sharedMemoryPossible } from './shared-memory.js';
import { type PoolWorkers, startWorkers, type WorkerInit } from './threads-workers.js';
import { moduleKernels, WasmBackend } from './wasm.js';
import { ACTIVATION_CODES, WasmHeap, type WasmKernels } from './wasm-module.js';

type Ptr = number;

interface ThreadExports {
  memory?: WebAssembly.Memory;
  heapBase(): number;
  controlBytes(): number;
  maxThreads(): number;
  threadScratchBytes(): number;
  stopWorkers(ctl: Ptr, workers: number): void;
  deadFlag(ctl: Ptr, part: number): Ptr;
  workingWord(ctl: Ptr, part: number): Ptr;
  chunksDone(ctl: Ptr, part: number): number;
  chunksRecovered(ctl: Ptr): number;
  blocksRestored(ctl: Ptr): number;
  resetChunksDone(ctl: Ptr): void;
}

/** The kernels that can split across threads: assembly/index.threads.ts exports each as `${name}Parallel` (F32, F64). */
const SPLIT_NAMES = [
  'gemm',
  'denseForward',
  'denseBackwardInput',
  'sgd',
  'sgdMomentum',
  'adam',
  'rmsprop',
  'decayWeights',
] as const satisfies readonly KernelName[];
type SplitName = (typeof SPLIT_NAMES)[number];
/** One dtype's split kernels: the job block and the worker count, then the kernel's arguments as they cross into WebAssembly. */
type ParallelKernels = {
  readonly [K in SplitName as `${K}Parallel`]: (ctl: Ptr, workers: number, ...args: Parameters<WasmKernels[K]>) => void;
};

/**
 * Pages of the shared memory. It cannot move, so its maximum is reserved up
 * front: 4 GiB, as much as a one-thread network's memory may grow to, or
 * 1 GiB where an engine will not reserve so much (a 32-bit browser).
 */
const INITIAL_PAGES = 32;
const MAXIMUM_PAGES = 65536;
const FALLBACK_MAXIMUM_PAGES = 16384;
/**
 * Work below which a call stays on one thread. Posting a block to a spinning
 * worker costs about a microsecond, but in training the worker must also pull
 * its operands, just written on this thread, across from this core's caches:
 * W2's 128x10x64 and 64x10x128 products (82k multiply-adds) ran slower split.
 */
const PARALLEL_GEMM_MACS = 1 << 17;
const PARALLEL_UPDATE_ELEMENTS = 1 << 15;

/** One threaded module per (process, thread count): its memory, its workers, its job block. */
interface ThreadPool {
  threads: number;
  heap: WasmHeap;
  exports: ThreadExports;
  /** The job block the workers watch (assembly/threads.ts). */
  control: Ptr;
  /** Workers: threads - 1. */
  count: number;
  workers: PoolWorkers;
  /** Each dtype's kernels: the split ones (splitKernels), and the module's own for the rest. */
  kernels: Record<DType, Kernels>;
  /** Set by retire(): its workers are gone, and its backends run on this thread alone. */
  stopped: boolean;
}

const pools = new Map<number, Promise<ThreadPool>>();

function sharedMemory(): { memory: WebAssembly.Memory; maximum: number } {
  const memory = (maximum: number) => ({
    memory: new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum, shared: true }),
    maximum,
  });
  try {
    return memory(MAXIMUM_PAGES);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return memory(FALLBACK_MAXIMUM_PAGES);
  }
}

async function createPool(threads: number): Promise<ThreadPool> {
  const module = await WebAssembly.compile((await loadThreadedBytes()) as BufferSource);
  const { memory, maximum } = sharedMemory();
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const exports = instance.exports as unknown as ThreadExports & Record<string, unknown>;
  const heap = new WasmHeap(memory, exports.heapBase(), maximum);
  const count = threads - 1;
  if (threads > exports.maxThreads()) throw new Error(`wasmlp: at most ${exports.maxThreads()} threads, not ${threads}`);
  const control = heap.arena.alloc(exports.controlBytes());
  new Uint8Array(memory.buffer, control, exports.controlBytes()).fill(0);
  const inits: WorkerInit[] = Array.from({ length: count }, (_, w) => ({
    module,
    memory,
    ctl: control,
    part: w + 1,
    parts: threads,
    scratch: heap.arena.alloc(exports.threadScratchBytes()),
    dead: exports.deadFlag(control, w + 1),
    working: exports.workingWord(control, w + 1),
  }));
  let pool: ThreadPool | undefined;
  const workers = await startWorkers(inits, () => {
    if (pool) retire(pool);
  });
  pool = { threads, heap, exports, control, count, workers, kernels: {} as Record<DType, Kernels>, stopped: false };
  for (const [dtype, suffix] of [
    ['float32', 'F32'],
    ['float64', 'F64'],
  ] as const) {
    const one = moduleKernels(exports, suffix);
    pool.kernels[dtype] = { ...one, ...splitKernels(pool, one, parallelKernels(exports, suffix)) };
  }
  return pool;
}

function parallelKernels(exports: Record<string, unknown>, suffix: 'F32' | 'F64'): ParallelKernels {
  const split: Record<string, unknown> = {};
  for (const name of SPLIT_NAMES) {
    const fn = exports[`${name}Parallel${suffix}`];
    if (typeof fn !== 'function')
      throw new Error(`the threaded WebAssembly module is missing the export ${name}Parallel${suffix}`);
    split[`${name}Parallel`] = fn;
  }
  return split as ParallelKernels;
}

/**
 * The kernels that split: each posts a job to the pool's workers when its
 * work (multiply-adds, or elements) reaches the threshold and there are
 * workers to split it with; otherwise it is `one`'s, on this thread.
 */
function splitKernels(
  pool: ThreadPool,
  one: Kernels,
  split: ParallelKernels,
): { [K in SplitName | 'denseBackwardWeights']: Kernels[K] } {
  const { control } = pool;
  const splits = (work: number, threshold: number): boolean => work >= threshold && !pool.stopped;
  return {
    gemm(transA, transB, m, n, k, alpha, a, b, beta, c) {
      // beta != 0 reads the C it writes: a chunk a dying worker left half done could not be computed again
      // (assembly/threads.ts). The networks' products all have beta 0.
      if (beta !== 0 || !splits(m * n * k, PARALLEL_GEMM_MACS)) one.gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
      else split.gemmParallel(control, pool.count, +transA, +transB, m, n, k, alpha, a, b, beta, c);
    },
    // Each thread runs the bias and activation (or its derivative) on the block
    // of the product it computed, while that block is in its own cache.
    denseForward(rows, inputs, units, x, weights, bias, activation, alpha, out) {
      if (!splits(rows * inputs * units, PARALLEL_GEMM_MACS))
        one.denseForward(rows, inputs, units, x, weights, bias, activation, alpha, out);
      else
        split.denseForwardParallel(
          control,
          pool.count,
          rows,
          inputs,
          units,
          x,
          weights,
          bias,
          ACTIVATION_CODES[activation],
          alpha,
          out,
        );
    },
    denseBackwardInput(rows, inputs, units, delta, weights, activation, alpha, a, out) {
      if (!splits(rows * inputs * units, PARALLEL_GEMM_MACS))
        one.denseBackwardInput(rows, inputs, units, delta, weights, activation, alpha, a, out);
      else
        split.denseBackwardInputParallel(
          control,
          pool.count,
          rows,
          inputs,
          units,
          delta,
          weights,
          ACTIVATION_CODES[activation],
          alpha,
          a,
          out,
        );
    },
    // The weight gradient split as gemm splits it; the bias's column sums, a pass over delta, on this thread.
    denseBackwardWeights(rows, inputs, units, x, delta, weightGrad, biasGrad) {
      if (!splits(rows * inputs * units, PARALLEL_GEMM_MACS))
        one.denseBackwardWeights(rows, inputs, units, x, delta, weightGrad, biasGrad);
      else {
        split.gemmParallel(control, pool.count, 1, 0, inputs, units, rows, 1, x, delta, 0, weightGrad);
        one.sumColumns(rows, units, delta, biasGrad);
      }
    },
    sgd(n, lr, w, g) {
      if (!splits(n, PARALLEL_UPDATE_ELEMENTS)) one.sgd(n, lr, w, g);
      else split.sgdParallel(control, pool.count, n, lr, w, g);
    },
    sgdMomentum(n, lr, momentum, nesterov, w, g, velocity) {
      if (!splits(n, PARALLEL_UPDATE_ELEMENTS)) one.sgdMomentum(n, lr, momentum, nesterov, w, g, velocity);
      else split.sgdMomentumParallel(control, pool.count, n, lr, momentum, +nesterov, w, g, velocity);
    },
    adam(n, alpha, beta1, beta2, epsilon, w, g, m, v) {
      // 1 - beta as the single-threaded kernel takes it (wasm.ts).
      if (!splits(n, PARALLEL_UPDATE_ELEMENTS)) one.adam(n, alpha, beta1, beta2, epsilon, w, g, m, v);
      else split.adamParallel(control, pool.count, n, alpha, 1 - beta1, 1 - beta2, epsilon, w, g, m, v);
    },
    rmsprop(n, lr, rho, oneMinusRho, epsilon, momentum, w, g, v, m) {
      if (!splits(n, PARALLEL_UPDATE_ELEMENTS)) one.rmsprop(n, lr, rho, oneMinusRho, epsilon, momentum, w, g, v, m);
      else split.rmspropParallel(control, pool.count, n, lr, rho, oneMinusRho, epsilon, momentum, w, g, v, m);
    },
    decayWeights(n, weightDecay, lr, w) {
      if (!splits(n, PARALLEL_UPDATE_ELEMENTS)) one.decayWeights(n, weightDecay, lr, w);
      else split.decayWeightsParallel(control, pool.count, n, weightDecay, lr, w);
    },
  };
}

/**
 * Ends a pool's workers, asked (stopThreads) or because one of them failed
 * or ended unasked (its kernel threw, its thread died): its backends stop
 * splitting, and the next network of its thread count starts new workers.
 */
function retire(pool: ThreadPool): void {
  if (pool.stopped) return;
  pool.stopped = true;
  void pools.get(pool.threads)?.then(
    (cached) => {
      if (cached === pool) pools.delete(pool.threads);
    },
    () => {},
  );
  pool.exports.stopWorkers(pool.control, pool.count);
  pool.workers.terminateAll();
}

/**
 * Says whether a network can run on `threads` threads here: shared memory,
 * workers and the threaded module all available.
 *
 * @remarks
 * It starts the threads (once per count, kept for the networks that follow)
 * to find out. Where they cannot start, a network created with that many
 * threads runs on one, to the same weights; `net.threads` says which.
 *
 * @param threads - The thread count to try, an integer from 1 to 64; default 2.
 * @returns A promise of true when that many threads run here, else false.
 * @throws Error, as a rejected promise, when `threads` is not an integer from 1 to 64.
 *
 * @example
 * ```ts
 * const threads = (await threadsAvailable(4)) ? 4 : 1;
 * const net = await createNetwork({ inputs: 784, layers: [{ units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }],
 *   loss: 'categoricalCrossentropy', threads });
 * ```
 */
export async function threadsAvailable(threads = 2): Promise<boolean> {
  checkThreads('threadsAvailable', threads);
  try {
    await threadPool(threads);
    return true;
  } catch {
    return false;
  }
}

function threadPool(threads: number): Promise<ThreadPool> {
  if (!sharedMemoryPossible()) return Promise.reject(new Error('no shared memory with workers here'));
  let pool = pools.get(threads);
  if (!pool) {
    pool = createPool(threads);
    pools.set(threads, pool);
    pool.catch(() => pools.delete(threads));
  }
  return pool;
}

/**
 * A wasm backend whose large gemms and optimiser steps run on `threads` threads
 * (this one and threads - 1 workers); or, where that cannot run, the
 * single-threaded backend (`fallback`).
 */
export async function createThreadedWasmBackend(
  dtype: DType,
  threads: number,
  fallback: () => Promise<Backend>,
): Promise<Backend> {
  let pool: ThreadPool;
  try {
    pool = await threadPool(threads);
  } catch {
    return fallback();
  }
  return new ThreadedWasmBackend(dtype, pool);
}

export class ThreadedWasmBackend extends WasmBackend {
  private readonly pool: ThreadPool;

  constructor(dtype: DType, pool: ThreadPool) {
    super(dtype, pool.heap, pool.kernels[dtype]);
    this.pool = pool;
  }

  /** Threads, this one included: one once the workers are gone (stopThreads(), or one failed). */
  override get threads(): number {
    return this.pool.stopped ? 1 : this.pool.threads;
  }

  /**
   * Chunks of split jobs that each thread computed (this one first, then
   * each worker) since resetThreadStats(), counting every backend of this
   * thread count (they share one pool of workers): a diagnostic, which tests
   * use to see the work really split. Calls that stay on one thread count
   * nothing.
   */
  threadStats(): number[] {
    return Array.from({ length: this.pool.threads }, (_, part) => this.pool.exports.chunksDone(this.pool.control, part));
  }

  /** Chunks this thread finished for workers that died in them, since resetThreadStats() (counted in threadStats()[0] too). */
  recoveredChunks(): number {
    return this.pool.exports.chunksRecovered(this.pool.control);
  }

  /** Blocks of optimiser steps among those chunks that the dead worker had begun writing: restored from its copy first. */
  restoredBlocks(): number {
    return this.pool.exports.blocksRestored(this.pool.control);
  }

  resetThreadStats(): void {
    this.pool.exports.resetChunksDone(this.pool.control);
  }
}

/** What a worker network's worker needs for threads (see threadsForWorker). */
export interface WorkerThreads {
  /** src/worker/threads-addon.ts and this file, one classic script, to run before the worker's own. */
  source: string;
  /** The shared-memory kernels, to post to the worker (shared: copy them before transferring). */
  wasm: Uint8Array;
}

let forWorker: Promise<WorkerThreads> | undefined;

/**
 * For createWorkerNetwork and loadWorkerNetwork with `threads` > 1: the
 * threaded backend for their worker, or undefined where shared memory cannot
 * reach workers (their network then runs on one thread, as createNetwork's
 * does here).
 */
export async function threadsForWorker(): Promise<WorkerThreads | undefined> {
  if (!sharedMemoryPossible()) return undefined;
  if (!forWorker) {
    forWorker = Promise.all([threadsAddonSource(), loadThreadedBytes()]).then(([source, wasm]) => ({ source, wasm }));
    forWorker.catch(() => {
      forWorker = undefined;
    });
  }
  return forWorker;
}

/**
 * Stops every worker thread the networks started, for a program or a page
 * that is done training.
 *
 * @remarks
 * The networks it outlives go on, on one thread, to the same weights
 * (`net.threads` then says 1); networks created afterwards start new workers.
 * A worker network's threads are its own: its dispose() stops them.
 *
 * @returns A promise that settles once every worker has been told to end.
 *
 * @example
 * End the workers once training is done:
 * ```ts
 * const net = await createNetwork({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'binaryCrossentropy', threads: 2 });
 * await net.fit(x, y, { epochs: 100, learningRate: 1 });
 * net.dispose();
 * await stopThreads();
 * ```
 */
export async function stopThreads(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  for (const pending of all) {
    const pool = await pending.catch(() => undefined);
    if (pool) retire(pool);
  }
}
