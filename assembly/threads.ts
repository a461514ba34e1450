/**
 * Threads, for the shared-memory build only (index.threads.ts): the main
 * thread posts a large gemm (or an optimiser step) as a job cut into chunks
 * of C's rows or columns (or of the parameters), the workers and the main
 * thread claim chunks and compute them, and the main thread returns when
 * every chunk is done. Every instance (the main thread's and each worker's)
 * runs this same module on the same memory; what is per thread is in
 * globals (scratch pointers).
 *
 * Chunks: each of the parts (1 + workers) has a home range of consecutive
 * chunks, which it claims front to back, so on an idle machine every thread
 * computes the same block of C as in the previous job (the fused epilogue's
 * output, then the next product's input, stay in its cache). A thread done
 * with its range claims what is left in the others'. So when the OS gives a
 * worker's core to another process, the main thread takes over its chunks
 * instead of spinning until the worker runs again: a busy machine costs at
 * worst about one thread's time. Every element of C is computed by the same
 * operations in the same order whoever computes it, so the results are
 * identical to one thread's, bit for bit.
 *
 * A worker that dies (its instance trapped; its thread was terminated, which
 * the JS side learns from its exit event on a thread that is not computing,
 * src/backend/threads.ts) has its DEAD flag set. Its unclaimed chunks fall to
 * the main thread as a slow worker's do; the main thread, waiting for a chunk
 * a dead worker claimed, finishes it itself. The rule that makes this exact:
 * a chunk is re-run only where re-running gives the same bits.
 *   - A product chunk (beta = 0, then its epilogue) overwrites its block of C
 *     from its inputs alone, which it never writes: re-running it from the
 *     start gives the block any run gives, however much was written before.
 *     (A gemm with beta != 0 reads what it writes: it is never split,
 *     src/backend/threads.ts.)
 *   - An optimiser step updates w (and its state) in place: a worker runs its
 *     chunk in blocks, and before each block copies the block's w and state
 *     to its scratch (in the shared memory, where it outlives the worker) and
 *     says so in its UNDO word, then computes the block and says so. The main
 *     thread restores the block a dead worker was in (if its copy was made;
 *     otherwise the block is untouched) and computes from there: every
 *     element is updated once, from its value before the step.
 * The main thread's own chunks need neither: if it dies, so does the job.
 *
 * The job block (JOB_BYTES at ctl):
 *   job       i32  +0     job number, bumped by the main thread to post a job
 *   kind      i32  +12    what to run (KIND_*)
 *   ints      i32  +16    the job's integer arguments, pointers as u32 (to +96): chunks, units, unit, length first
 *   floats    f64  +96    a gemm's alpha, beta and epilogue alpha; an optimiser's hyperparameters (to +128)
 *   states    i64  +128   one per chunk: job number << 32 | FREE, or part + 1 (claimed by), or COMPUTED
 *   done      i32         one per part: chunks it computed since resetChunksDone (a diagnostic, for tests)
 *   dead      i32         one per part: set once its worker can run no more
 *   undo      i64         one per part: job << 32 | chunk << 24 | progress in its chunk (2 x block, + 1 once copied)
 *   scratch   u32         one per part: its scratch, where a worker copies the block it updates
 *   working   i32         one per part: 1 + the chunk a worker is computing, 0 between chunks (for its watcher)
 *   recovered i32         chunks the main thread finished for dead workers (a diagnostic, for tests)
 *   restored  i32         blocks of updates among them restored from the dead worker's copy (the same)
 * A chunk is claimed by a compare-exchange on its state, which also checks
 * the job number: a worker that wakes late cannot claim a chunk of a later
 * job (its arguments are written before the states are reset, and stay until
 * every chunk is computed, which cannot happen while a claimed chunk is
 * being computed).
 *
 * Waiting: a worker spins on the job number for a moment (SPINS), then
 * sleeps in memory.atomic.wait32; a late worker only finds its range taken
 * over by the main thread. The main thread only spins (a browser's main
 * thread may not block), and only for chunks already being computed, reading
 * their worker's DEAD flag as it spins.
 */
import { A_PANELS_BYTES, B_CHUNK_BYTES, gemmStrided, setGemmScratch } from './gemm';
import { MR, TILE_BYTES, nr, setGemmTile } from './gemmKernel';
import { EXP_BLOCK_BYTES, setExpScratch } from './exp';
import { sgd } from './sgd';
import { sgdMomentum } from './momentum';
import { adam } from './adam';
import { BIAS_ACTIVATION, NO_EPILOGUE, epilogue } from './dense';

/** Threads, the main one included, that one job block serves. */
export const MAX_THREADS: i32 = 64;
/**
 * Chunks per part. More lets the main thread take over more of a preempted
 * worker's range, but each chunk of a product packs a whole operand again
 * (op(B) for a block of rows, A^T for a block of columns): so a product's
 * chunk also spans at least GEMM_MIN_CHUNK rows or columns. At 32 rows, 256^3
 * products ran 1.6-1.8x on two threads; at 128, 1.9-2.0x, W2 unchanged.
 */
const CHUNKS_PER_PART: i32 = 4;
const MAX_CHUNKS: i32 = MAX_THREADS * CHUNKS_PER_PART;
const GEMM_MIN_CHUNK: i32 = 128;
const JOB: usize = 0, KIND: usize = 12, INTS: usize = 16, FLOATS: usize = 96;
const STATES: usize = 128;
const DONE: usize = STATES + 8 * <usize>MAX_CHUNKS;
const DEAD: usize = DONE + 4 * <usize>MAX_THREADS;
const UNDO: usize = DEAD + 4 * <usize>MAX_THREADS;
const SCRATCH: usize = UNDO + 8 * <usize>MAX_THREADS;
const WORKING: usize = SCRATCH + 4 * <usize>MAX_THREADS;
const RECOVERED: usize = WORKING + 4 * <usize>MAX_THREADS;
const RESTORED: usize = RECOVERED + 4;
const JOB_BYTES: i32 = <i32>RECOVERED + 16;
/** A chunk's state, under its job number: free, claimed by part p (p + 1), or computed. */
const FREE: i64 = 0, COMPUTED: i64 = 0xffff;
const KIND_EXIT = 0, KIND_GEMM = 1, KIND_SGD = 2, KIND_MOMENTUM = 3, KIND_ADAM = 4;
/** Added to a kind for float64 jobs. */
const F64 = 16;
/**
 * Spins on the job number before sleeping: a few microseconds. W2's epoch
 * (bench/workloads.ts), timed with 2^10 to 2^20 spins on two cores: the long
 * spins win 3-5% on an idle machine, but when another process takes a core, a spinning idle worker
 * takes CPU from the main thread's chunks: two threads then ran 1.4x slower
 * than one at 2^20, and 1.05-1.2x faster at 2^12.
 */
const SPINS: i32 = 1 << 12;

/** This instance's scratch (setThreadScratch): a worker copies there the block of an update it is about to write. */
let undoScratch: usize = 0;

/** Bytes of scratch a worker needs (setThreadScratch), a multiple of 16. */
export function threadScratchBytes(): i32 {
  return B_CHUNK_BYTES + A_PANELS_BYTES + TILE_BYTES + 2 * <i32>EXP_BLOCK_BYTES;
}

/** Gives this instance its own scratch at `base` (threadScratchBytes(), 16-byte aligned). */
export function setThreadScratch(base: usize): void {
  undoScratch = base; // the packing area of B: an update packs nothing
  setGemmScratch(base, base + B_CHUNK_BYTES);
  setGemmTile(base + B_CHUNK_BYTES + A_PANELS_BYTES);
  setExpScratch(base + B_CHUNK_BYTES + A_PANELS_BYTES + TILE_BYTES);
}

/** Bytes of the job block, zeroed before the first job. */
export function controlBytes(): i32 { return JOB_BYTES; }
export function maxThreads(): i32 { return MAX_THREADS; }

/** Where part `part`'s DEAD flag is (an i32 address): the JS side sets it when it learns the worker is gone. */
export function deadFlag(ctl: usize, part: i32): usize {
  return ctl + DEAD + (<usize>part << 2);
}

/** Where part `part`'s WORKING word is: 1 + the chunk its worker is computing, or 0 (src/backend/threads-workers.ts). */
export function workingWord(ctl: usize, part: i32): usize {
  return ctl + WORKING + (<usize>part << 2);
}

/**
 * Chunks that `part` (0: the main thread; 1 .. workers) computed since the
 * last resetChunksDone: shows that the workers really take their share.
 * Read between jobs only (every chunk's count is stored before its state
 * says computed, and a job returns only when every chunk's does).
 */
export function chunksDone(ctl: usize, part: i32): i32 {
  return load<i32>(ctl + DONE + (<usize>part << 2));
}
/** Chunks the main thread finished for dead workers since resetChunksDone (also counted as its own in chunksDone). */
export function chunksRecovered(ctl: usize): i32 {
  return load<i32>(ctl + RECOVERED);
}
/** Blocks of updates, of those chunks, that a dead worker had copied and begun: restored before they were computed. */
export function blocksRestored(ctl: usize): i32 {
  return load<i32>(ctl + RESTORED);
}
/** Zeroes every part's chunksDone, and chunksRecovered; between jobs only. */
export function resetChunksDone(ctl: usize): void {
  memory.fill(ctl + DONE, 0, 4 * MAX_THREADS);
  store<i32>(ctl + RECOVERED, 0);
  store<i32>(ctl + RESTORED, 0);
}

/** Worker `part` (1 .. workers) of `parts`: help with each posted job until an exit job. */
export function workerLoop(ctl: usize, part: i32, parts: i32): void {
  atomic.store<u32>(ctl + SCRATCH + (<usize>part << 2), <u32>undoScratch);
  let seen = atomic.load<i32>(ctl, JOB);
  while (true) {
    let job = atomic.load<i32>(ctl, JOB);
    for (let spins = 0; job == seen; job = atomic.load<i32>(ctl, JOB)) {
      if (spins < SPINS) spins++;
      else memory.atomic.wait32(ctl + JOB, seen, -1);
    }
    seen = job;
    if (atomic.load<i32>(ctl, KIND) == KIND_EXIT) return;
    work(ctl, job, part, parts);
  }
}

// @ts-ignore: decorator
@inline function stateOf(ctl: usize, chunk: i32): usize {
  return ctl + STATES + (<usize>chunk << 3);
}
// @ts-ignore: decorator
@inline function tagged(job: i32, status: i64): i64 {
  return (<i64>job << 32) | status;
}

/** Claims and computes chunks of `job`, its own range first, until none is left to claim. */
function work(ctl: usize, job: i32, home: i32, parts: i32): void {
  const chunks = load<i32>(ctl, INTS);
  const done = ctl + DONE + (<usize>home << 2); // this thread's alone: no atomics
  const working = ctl + WORKING + (<usize>home << 2);
  const free = tagged(job, FREE), claimed = tagged(job, <i64>home + 1);
  for (let i = 0; i < parts; i++) {
    const part = (home + i) % parts;
    const end = chunks * (part + 1) / parts;
    for (let chunk = chunks * part / parts; chunk < end; chunk++) {
      const state = stateOf(ctl, chunk);
      if (atomic.cmpxchg<i64>(state, free, claimed) != free) continue; // another's, or the job is over
      atomic.store<i32>(working, chunk + 1);
      if (home != 0) atomic.notify(working, 1); // its watcher may be waiting to see it in a chunk
      run(ctl, job, chunk, home);
      store<i32>(done, load<i32>(done) + 1); // before the state says computed, which publishes it
      atomic.store<i64>(state, tagged(job, COMPUTED));
      atomic.store<i32>(working, 0);
    }
  }
}
/** Rows or columns start .. end of chunk `chunk` when `units` units of `unit` are cut into `chunks`. */
// @ts-ignore: decorator
@inline function chunkStart(chunk: i32, chunks: i32, units: i32, unit: i32, length: i32): i32 {
  return min(length, <i32>(<i64>units * chunk / chunks) * unit);
}

/** Elements (rows, columns) `start` and `count` of chunk `chunk` of the posted job, as an i64: start << 32 | count. */
function chunkRange(ctl: usize, chunk: i32): i64 {
  const i = ctl + INTS;
  const chunks = load<i32>(i), units = load<i32>(i, 4), unit = load<i32>(i, 8), length = load<i32>(i, 12);
  const start = chunkStart(chunk, chunks, units, unit, length);
  return (<i64>start << 32) | <i64>(chunkStart(chunk + 1, chunks, units, unit, length) - start);
}

/** Computes chunk `chunk` of `job` on part `home`: a worker's updates with their blocks copied first. */
function run(ctl: usize, job: i32, chunk: i32, home: i32): void {
  const kind = load<i32>(ctl, KIND);
  const range = chunkRange(ctl, chunk);
  const start = <i32>(range >>> 32), count = <i32>range;
  if (kind == KIND_GEMM) runGemm<f32>(ctl, start, count);
  else if (kind == KIND_GEMM + F64) runGemm<f64>(ctl, start, count);
  else if (home == 0) {
    if (kind < F64) runUpdate<f32>(ctl, kind, start, count);
    else runUpdate<f64>(ctl, kind - F64, start, count);
  } else {
    if (kind < F64) runUpdateLogged<f32>(ctl, kind, start, count, job, chunk, home);
    else runUpdateLogged<f64>(ctl, kind - F64, start, count, job, chunk, home);
  }
}

/** Rows (or columns) start .. start + count of the posted gemm, and its epilogue on them. */
function runGemm<T>(ctl: usize, start: i32, count: i32): void {
  const S = <usize>sizeof<T>();
  const i = ctl + INTS;
  const byRows = load<i32>(i, 16) != 0, transA = load<i32>(i, 20) != 0, transB = load<i32>(i, 24) != 0;
  const m = load<i32>(i, 28), n = load<i32>(i, 32), k = load<i32>(i, 36);
  const a = <usize>load<u32>(i, 40), b = <usize>load<u32>(i, 44), c = <usize>load<u32>(i, 48);
  const kindOfEpilogue = load<i32>(i, 52), activation = load<i32>(i, 56), operand = <usize>load<u32>(i, 60);
  const alpha = <T>load<f64>(ctl, FLOATS), beta = <T>load<f64>(ctl, FLOATS + 8), leak = <T>load<f64>(ctl, FLOATS + 16);
  const lda = transA ? m : k, ldb = transB ? k : n;
  let pa = a, pb = b, pm = m, pn = n;
  const offset = <usize>start * (byRows ? <usize>n : 1) * S; // of the block in C
  if (byRows) {
    pm = count;
    pa = a + <usize>start * (transA ? 1 : <usize>lda) * S;
  } else {
    pn = count;
    pb = b + <usize>start * (transB ? <usize>ldb : 1) * S;
  }
  gemmStrided<T>(transA, transB, pm, pn, k, alpha, pa, lda, pb, ldb, beta, c + offset, n);
  // The bias is a row: a block of columns starts `start` elements into it. Any other operand is laid out as C.
  const blockOperand = kindOfEpilogue == BIAS_ACTIVATION ? operand + (byRows ? 0 : <usize>start * S) : operand + offset;
  epilogue<T>(kindOfEpilogue, activation, leak, blockOperand, pm, pn, c + offset, n);
}

/** Elements start .. start + count of the posted optimiser step: every array it updates or reads shifts alike. */
function runUpdate<T>(ctl: usize, kind: i32, start: i32, count: i32): void {
  const shift = <usize>start * sizeof<T>();
  const w = <usize>load<u32>(ctl, INTS + 16) + shift, g = <usize>load<u32>(ctl, INTS + 20) + shift;
  const s1 = <usize>load<u32>(ctl, INTS + 24) + shift, s2 = <usize>load<u32>(ctl, INTS + 28) + shift;
  const f0 = <T>load<f64>(ctl, FLOATS), f1 = <T>load<f64>(ctl, FLOATS + 8);
  const f2 = <T>load<f64>(ctl, FLOATS + 16), f3 = <T>load<f64>(ctl, FLOATS + 24);
  if (kind == KIND_SGD) sgd<T>(count, f0, w, g);
  else if (kind == KIND_MOMENTUM) sgdMomentum<T>(count, f0, f1, load<i32>(ctl, INTS + 32) != 0, w, g, s1);
  else if (kind == KIND_ADAM) adam<T>(count, f0, f1, f2, f3, w, g, s1, s2);
}

/** Elements of an update's block (see runUpdateLogged): three arrays of them fill the scratch's B area; whole cache lines. */
// @ts-ignore: decorator
@inline function updateBlock<T>(): i32 {
  return (B_CHUNK_BYTES / (3 * <i32>sizeof<T>())) & ~15;
}

/** Copies elements start .. start + count of the arrays that update `kind` writes (w; velocity; m, v) to or from `copy`. */
function copyUpdated<T>(ctl: usize, kind: i32, start: i32, count: i32, copy: usize, restore: bool): void {
  const S = <usize>sizeof<T>(), bytes = <usize>count * S, shift = <usize>start * S;
  const arrays = kind == KIND_SGD ? 1 : kind == KIND_MOMENTUM ? 2 : 3; // w at INTS + 16, then s1, s2 at + 24, + 28 (g, + 20, is only read)
  for (let a = 0; a < arrays; a++) {
    const at = <usize>load<u32>(ctl + INTS + (a == 0 ? 16 : 20 + (<usize>a << 2))) + shift, saved = copy + <usize>a * bytes;
    if (restore) memory.copy(at, saved, bytes);
    else memory.copy(saved, at, bytes);
  }
}

/**
 * A worker's update chunk, in blocks: each block's arrays copied to this
 * worker's scratch and the UNDO word saying so before the block is written,
 * the word saying it is done after. So the main thread can finish the chunk
 * exactly should this worker die in it (recover).
 */
function runUpdateLogged<T>(ctl: usize, kind: i32, start: i32, count: i32, job: i32, chunk: i32, home: i32): void {
  const block = updateBlock<T>();
  const undo = ctl + UNDO + (<usize>home << 3);
  const tag = (<i64>job << 32) | (<i64>chunk << 24);
  for (let b = 0, at = 0; at < count; b++, at += block) {
    const n = min(block, count - at);
    copyUpdated<T>(ctl, kind, start + at, n, undoScratch, false);
    atomic.store<i64>(undo, tag | <i64>(2 * b + 1));
    runUpdate<T>(ctl, kind, start + at, n);
    atomic.store<i64>(undo, tag | <i64>(2 * b + 2));
  }
}

/**
 * On the main thread: chunk `chunk` of `job`, claimed by part `dead`, whose
 * worker is gone, finished here. A product is computed again whole; an
 * update from the block the worker was in, restored first from its copy if
 * the worker had made it (its UNDO word, if it names this job and chunk).
 */
function recover(ctl: usize, job: i32, chunk: i32, dead: i32): void {
  const kind = load<i32>(ctl, KIND);
  if ((kind & (F64 - 1)) == KIND_GEMM) {
    run(ctl, job, chunk, 0);
  } else {
    const range = chunkRange(ctl, chunk);
    const start = <i32>(range >>> 32), count = <i32>range;
    const undo = atomic.load<i64>(ctl + UNDO + (<usize>dead << 3));
    const progress = (undo >>> 24) == ((<i64>job << 8) | <i64>chunk) ? <i32>(undo & 0xffffff) : 0;
    const copy = <usize>atomic.load<u32>(ctl + SCRATCH + (<usize>dead << 2));
    if (kind < F64) recoverUpdate<f32>(ctl, kind, start, count, progress, copy);
    else recoverUpdate<f64>(ctl, kind - F64, start, count, progress, copy);
  }
  const done = ctl + DONE;
  store<i32>(done, load<i32>(done) + 1);
  store<i32>(ctl + RECOVERED, load<i32>(ctl + RECOVERED) + 1);
}

function recoverUpdate<T>(ctl: usize, kind: i32, start: i32, count: i32, progress: i32, copy: usize): void {
  const from = (progress >> 1) * updateBlock<T>();
  if (progress & 1) {
    copyUpdated<T>(ctl, kind, start + from, min(updateBlock<T>(), count - from), copy, true);
    store<i32>(ctl + RESTORED, load<i32>(ctl + RESTORED) + 1);
  }
  runUpdate<T>(ctl, kind, start + from, count - from);
}

/**
 * Posts the job whose kind and arguments are written at ctl, cut into
 * `units` units of `unit` rows or elements (`length` in all; a chunk at
 * least `minChunk` of them where there are enough for every part), computes
 * its share and whatever the workers leave, and returns when all is done.
 */
function runJob(ctl: usize, workers: i32, units: i32, unit: i32, length: i32, minChunk: i32): void {
  const parts = workers + 1;
  const chunks = min(units, min(parts * CHUNKS_PER_PART, max(parts, length / minChunk)));
  store<i32>(ctl, chunks, INTS);
  store<i32>(ctl, units, INTS + 4);
  store<i32>(ctl, unit, INTS + 8);
  store<i32>(ctl, length, INTS + 12);
  const job = atomic.load<i32>(ctl, JOB) + 1;
  for (let chunk = 0; chunk < chunks; chunk++) atomic.store<i64>(stateOf(ctl, chunk), tagged(job, FREE));
  atomic.store<i32>(ctl, job, JOB);
  atomic.notify(ctl + JOB, workers);
  work(ctl, job, 0, parts);
  // Every chunk is claimed now: wait for those being computed, finishing any whose worker is dead.
  for (let chunk = 0; chunk < chunks; chunk++) {
    const state = stateOf(ctl, chunk);
    for (let now = atomic.load<i64>(state); now != tagged(job, COMPUTED); now = atomic.load<i64>(state)) {
      const owner = <i32>(now & 0xffff) - 1;
      if (atomic.load<i32>(ctl + DEAD + (<usize>owner << 2)) != 0) {
        recover(ctl, job, chunk, owner);
        break;
      }
    }
  }
}

/** Asks the workers to leave their loops. */
export function stopWorkers(ctl: usize, workers: i32): void {
  store<i32>(ctl, KIND_EXIT, KIND);
  atomic.store<i32>(ctl, atomic.load<i32>(ctl, JOB) + 1, JOB);
  atomic.notify(ctl + JOB, workers);
}

/**
 * C = alpha op(A) op(B) + beta C over 1 + workers threads, cut along C's
 * rows or its columns (the longer side) at whole micro-tiles, then the
 * epilogue (dense.ts; NO_EPILOGUE for none) on each chunk by the thread that
 * computed it: `operand` is the bias (BIAS_ACTIVATION) or a matrix laid out
 * as C (ACTIVATION_BACKWARD).
 */
export function gemmParallel<T>(
  ctl: usize, workers: i32, transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: T, a: usize, b: usize, beta: T, c: usize,
  kindOfEpilogue: i32 = NO_EPILOGUE, activation: i32 = 0, leak: T = <T>0, operand: usize = 0,
): void {
  const byRows = m >= n;
  const unit = byRows ? MR : nr<T>(); // rows in micro-tiles, columns in panels
  const length = byRows ? m : n;
  const i = ctl + INTS;
  store<i32>(ctl, KIND_GEMM + (sizeof<T>() == 8 ? F64 : 0), KIND);
  store<i32>(i, byRows ? 1 : 0, 16);
  store<i32>(i, transA ? 1 : 0, 20);
  store<i32>(i, transB ? 1 : 0, 24);
  store<i32>(i, m, 28);
  store<i32>(i, n, 32);
  store<i32>(i, k, 36);
  store<u32>(i, <u32>a, 40);
  store<u32>(i, <u32>b, 44);
  store<u32>(i, <u32>c, 48);
  store<i32>(i, kindOfEpilogue, 52);
  store<i32>(i, activation, 56);
  store<u32>(i, <u32>operand, 60);
  store<f64>(ctl, <f64>alpha, FLOATS);
  store<f64>(ctl, <f64>beta, FLOATS + 8);
  store<f64>(ctl, <f64>leak, FLOATS + 16);
  runJob(ctl, workers, (length + unit - 1) / unit, unit, length, GEMM_MIN_CHUNK);
}

/**
 * An optimiser step (KIND_SGD, KIND_MOMENTUM, KIND_ADAM) on n parameters over
 * 1 + workers threads, in chunks of whole cache lines. w, g and the state
 * arrays s1, s2 (velocity; or m, v) are parallel; f0-f3 and flag are the
 * kernel's scalars in its argument order.
 */
function updateParallel<T>(ctl: usize, workers: i32, kind: i32, n: i32, w: usize, g: usize, s1: usize, s2: usize,
                           f0: T, f1: T, f2: T, f3: T, flag: bool): void {
  const unit = 64 / <i32>sizeof<T>();
  store<i32>(ctl, kind + (sizeof<T>() == 8 ? F64 : 0), KIND);
  store<u32>(ctl, <u32>w, INTS + 16);
  store<u32>(ctl, <u32>g, INTS + 20);
  store<u32>(ctl, <u32>s1, INTS + 24);
  store<u32>(ctl, <u32>s2, INTS + 28);
  store<i32>(ctl, flag ? 1 : 0, INTS + 32);
  store<f64>(ctl, <f64>f0, FLOATS);
  store<f64>(ctl, <f64>f1, FLOATS + 8);
  store<f64>(ctl, <f64>f2, FLOATS + 16);
  store<f64>(ctl, <f64>f3, FLOATS + 24);
  runJob(ctl, workers, (n + unit - 1) / unit, unit, n, unit);
}

/** sgd.ts's w -= lr g, split. */
export function sgdParallel<T>(ctl: usize, workers: i32, n: i32, lr: T, w: usize, g: usize): void {
  updateParallel<T>(ctl, workers, KIND_SGD, n, w, g, 0, 0, lr, 0, 0, 0, false);
}

/** momentum.ts's step, split. */
export function sgdMomentumParallel<T>(ctl: usize, workers: i32, n: i32, lr: T, momentum: T, nesterov: bool,
                                       w: usize, g: usize, velocity: usize): void {
  updateParallel<T>(ctl, workers, KIND_MOMENTUM, n, w, g, velocity, 0, lr, momentum, 0, 0, nesterov);
}

/** adam.ts's step, split. */
export function adamParallel<T>(ctl: usize, workers: i32, n: i32, alpha: T, oneMinusBeta1: T, oneMinusBeta2: T, epsilon: T,
                                w: usize, g: usize, m: usize, v: usize): void {
  updateParallel<T>(ctl, workers, KIND_ADAM, n, w, g, m, v, alpha, oneMinusBeta1, oneMinusBeta2, epsilon, false);
}
