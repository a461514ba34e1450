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
 * src/backend/threads.ts) has its `dead` flag set (its Part). Its unclaimed chunks fall to
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
 *     says so in its `undo` word, then computes the block and says so. The main
 *     thread restores the block a dead worker was in (if its copy was made;
 *     otherwise the block is untouched) and computes from there: every
 *     element is updated once, from its value before the step.
 * The main thread's own chunks need neither: if it dies, so does the job.
 *
 * The job block (controlBytes() at ctl): the posted job's arguments (Job),
 * then one state per chunk (an i64: job number << 32 | FREE, or part + 1
 * that claimed it, or COMPUTED), then one Part per thread. Each field is
 * named once, in those two classes: the kernels that post a job write it by
 * name, the chunks read it by name, and the JS side finds a worker's words
 * through deadFlag() and workingWord().
 *
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
 * their worker's `dead` flag as it spins.
 */
import { A_PANELS_BYTES, B_CHUNK_BYTES, gemmStrided, setGemmScratch } from './gemm';
import { MR, TILE_BYTES, nr, setGemmTile } from './gemmKernel';
import { EXP_BLOCK_BYTES, setExpScratch } from './exp';
import { sgd } from './sgd';
import { sgdMomentum } from './momentum';
import { adam } from './adam';
import { rmsprop } from './rmsprop';
import { decayWeights } from './clip';
import { ACTIVATION_BACKWARD, BIAS_ACTIVATION, NO_EPILOGUE, epilogue } from './dense';

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

/** The posted job, at the start of the job block: what the main thread writes before it bumps `number`. */
@unmanaged class Job {
  /** Bumped by the main thread to post a job: the word the workers wait on. */
  number: i32;
  /** What to run: KIND_*, plus F64 for float64. */
  kind: i32;
  /** The cut: `units` units of `unit` rows or elements (`length` in all), in `chunks` chunks. */
  chunks: i32;
  units: i32;
  unit: i32;
  length: i32;
  /** Chunks the main thread finished for dead workers since resetChunksDone (a diagnostic, for tests). */
  recovered: i32;
  /** Blocks of updates among them restored from the dead worker's copy (the same). */
  restored: i32;

  // A product (productParallel): C = alpha op(A) op(B) + beta C, cut along C's rows (byRows) or columns, then its epilogue.
  byRows: bool;
  transA: bool;
  transB: bool;
  m: i32;
  n: i32;
  k: i32;
  a: usize;
  b: usize;
  c: usize;
  alpha: f64;
  beta: f64;
  /** dense.ts's epilogue (NO_EPILOGUE for none), on each chunk by the thread that computed it. */
  epilogue: i32;
  activation: i32;
  /** leakyRelu's slope, in the epilogue. */
  leak: f64;
  /** The epilogue's bias (BIAS_ACTIVATION) or its matrix laid out as C (ACTIVATION_BACKWARD). */
  operand: usize;

  // An optimiser step (updateParallel): the kernel's scalars in its argument order, then its arrays.
  f0: f64;
  f1: f64;
  f2: f64;
  f3: f64;
  f4: f64;
  flag: bool;
  /** The parameters and their gradient. */
  w: usize;
  g: usize;
  /** The state arrays the step updates with w: velocity; Adam's m and v; or RMSprop's v and m (v again without momentum). */
  s1: usize;
  s2: usize;
}

/** One thread's words in the job block (part 0 is the main thread). */
@unmanaged class Part {
  /** job << 32 | chunk << 24 | progress in its chunk (2 x block, + 1 once copied): a worker's place in an update. */
  undo: i64;
  /** Chunks it computed since resetChunksDone (a diagnostic, for tests). */
  done: i32;
  /** Set once its worker can run no more. */
  dead: i32;
  /** 1 + the chunk its worker is computing, 0 between chunks (for its watcher). */
  working: i32;
  /** Its scratch, where a worker copies the block it updates. */
  scratch: u32;
}

const STATES: usize = (offsetof<Job>() + 7) & ~7;
const PARTS: usize = STATES + 8 * <usize>MAX_CHUNKS;
const JOB_BYTES: i32 = <i32>((PARTS + offsetof<Part>() * <usize>MAX_THREADS + 15) & ~15);

// @ts-ignore: decorator
@inline function posted(ctl: usize): Job {
  return changetype<Job>(ctl);
}
// @ts-ignore: decorator
@inline function partOf(ctl: usize, part: i32): Part {
  return changetype<Part>(ctl + PARTS + <usize>part * offsetof<Part>());
}
/** The job number's address, for the atomics on it. */
// @ts-ignore: decorator
@inline function jobNumber(ctl: usize): usize {
  return ctl + offsetof<Job>('number');
}
/** A chunk's state, under its job number: free, claimed by part p (p + 1), or computed. */
const FREE: i64 = 0, COMPUTED: i64 = 0xffff;
const KIND_EXIT = 0, KIND_GEMM = 1, KIND_SGD = 2, KIND_MOMENTUM = 3, KIND_ADAM = 4, KIND_RMSPROP = 5, KIND_DECAY = 6;
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

/** Where part `part`'s `dead` flag is (an i32 address): the JS side sets it when it learns the worker is gone. */
export function deadFlag(ctl: usize, part: i32): usize {
  return changetype<usize>(partOf(ctl, part)) + offsetof<Part>('dead');
}

/** Where part `part`'s `working` word is: 1 + the chunk its worker is computing, or 0 (src/backend/threads-workers.ts). */
export function workingWord(ctl: usize, part: i32): usize {
  return changetype<usize>(partOf(ctl, part)) + offsetof<Part>('working');
}

/**
 * Chunks that `part` (0: the main thread; 1 .. workers) computed since the
 * last resetChunksDone: shows that the workers really take their share.
 * Read between jobs only (every chunk's count is stored before its state
 * says computed, and a job returns only when every chunk's does).
 */
export function chunksDone(ctl: usize, part: i32): i32 {
  return partOf(ctl, part).done;
}
/** Chunks the main thread finished for dead workers since resetChunksDone (also counted as its own in chunksDone). */
export function chunksRecovered(ctl: usize): i32 {
  return posted(ctl).recovered;
}
/** Blocks of updates, of those chunks, that a dead worker had copied and begun: restored before they were computed. */
export function blocksRestored(ctl: usize): i32 {
  return posted(ctl).restored;
}
/** Zeroes every part's chunksDone, and chunksRecovered; between jobs only. */
export function resetChunksDone(ctl: usize): void {
  for (let part = 0; part < MAX_THREADS; part++) partOf(ctl, part).done = 0;
  posted(ctl).recovered = 0;
  posted(ctl).restored = 0;
}

/** Worker `part` (1 .. workers) of `parts`: help with each posted job until an exit job. */
export function workerLoop(ctl: usize, part: i32, parts: i32): void {
  atomic.store<u32>(changetype<usize>(partOf(ctl, part)) + offsetof<Part>('scratch'), <u32>undoScratch);
  const number = jobNumber(ctl);
  let seen = atomic.load<i32>(number);
  while (true) {
    let job = atomic.load<i32>(number);
    for (let spins = 0; job == seen; job = atomic.load<i32>(number)) {
      if (spins < SPINS) spins++;
      else memory.atomic.wait32(number, seen, -1);
    }
    seen = job;
    if (atomic.load<i32>(ctl + offsetof<Job>('kind')) == KIND_EXIT) return;
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
  const chunks = posted(ctl).chunks;
  const self = partOf(ctl, home); // its done count is this thread's alone: no atomics
  const working = changetype<usize>(self) + offsetof<Part>('working');
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
      self.done++; // before the state says computed, which publishes it
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
  const job = posted(ctl);
  const start = chunkStart(chunk, job.chunks, job.units, job.unit, job.length);
  return (<i64>start << 32) | <i64>(chunkStart(chunk + 1, job.chunks, job.units, job.unit, job.length) - start);
}

/** Computes chunk `chunk` of `job` on part `home`: a worker's updates with their blocks copied first. */
function run(ctl: usize, job: i32, chunk: i32, home: i32): void {
  const kind = posted(ctl).kind;
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
  const job = posted(ctl);
  const byRows = job.byRows, transA = job.transA, transB = job.transB;
  const m = job.m, n = job.n, k = job.k, a = job.a, b = job.b, c = job.c;
  const kindOfEpilogue = job.epilogue, activation = job.activation, operand = job.operand;
  const alpha = <T>job.alpha, beta = <T>job.beta, leak = <T>job.leak;
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
  const job = posted(ctl);
  const w = job.w + shift, g = job.g + shift, s1 = job.s1 + shift, s2 = job.s2 + shift;
  const f0 = <T>job.f0, f1 = <T>job.f1, f2 = <T>job.f2, f3 = <T>job.f3;
  if (kind == KIND_SGD) sgd<T>(count, f0, w, g);
  else if (kind == KIND_MOMENTUM) sgdMomentum<T>(count, f0, f1, job.flag, w, g, s1);
  else if (kind == KIND_ADAM) adam<T>(count, f0, f1, f2, f3, w, g, s1, s2);
  else if (kind == KIND_RMSPROP) rmsprop<T>(count, f0, f1, f2, f3, <T>job.f4, w, g, s1, s2);
  else if (kind == KIND_DECAY) decayWeights<T>(count, f0, f1, w);
}

/** Elements of an update's block (see runUpdateLogged): three arrays of them fill the scratch's B area; whole cache lines. */
// @ts-ignore: decorator
@inline function updateBlock<T>(): i32 {
  return (B_CHUNK_BYTES / (3 * <i32>sizeof<T>())) & ~15;
}

/**
 * Copies elements start .. start + count of the arrays that update `kind`
 * writes (w; velocity; m, v; RMSprop's v, m) to or from `copy`. RMSprop
 * without momentum names v twice: both copies hold the same values.
 */
function copyUpdated<T>(ctl: usize, kind: i32, start: i32, count: i32, copy: usize, restore: bool): void {
  const S = <usize>sizeof<T>(), bytes = <usize>count * S, shift = <usize>start * S;
  const job = posted(ctl);
  const arrays = kind == KIND_SGD || kind == KIND_DECAY ? 1 : kind == KIND_MOMENTUM ? 2 : 3; // w, then s1, s2 (g is only read)
  for (let a = 0; a < arrays; a++) {
    const at = (a == 0 ? job.w : a == 1 ? job.s1 : job.s2) + shift, saved = copy + <usize>a * bytes;
    if (restore) memory.copy(at, saved, bytes);
    else memory.copy(saved, at, bytes);
  }
}

/**
 * A worker's update chunk, in blocks: each block's arrays copied to this
 * worker's scratch and the `undo` word saying so before the block is written,
 * the word saying it is done after. So the main thread can finish the chunk
 * exactly should this worker die in it (recover).
 */
function runUpdateLogged<T>(ctl: usize, kind: i32, start: i32, count: i32, job: i32, chunk: i32, home: i32): void {
  const block = updateBlock<T>();
  const undo = changetype<usize>(partOf(ctl, home)) + offsetof<Part>('undo');
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
 * the worker had made it (its `undo` word, if it names this job and chunk).
 */
function recover(ctl: usize, job: i32, chunk: i32, dead: i32): void {
  const kind = posted(ctl).kind;
  if ((kind & (F64 - 1)) == KIND_GEMM) {
    run(ctl, job, chunk, 0);
  } else {
    const range = chunkRange(ctl, chunk);
    const start = <i32>(range >>> 32), count = <i32>range;
    const owner = changetype<usize>(partOf(ctl, dead));
    const undo = atomic.load<i64>(owner + offsetof<Part>('undo'));
    const progress = (undo >>> 24) == ((<i64>job << 8) | <i64>chunk) ? <i32>(undo & 0xffffff) : 0;
    const copy = <usize>atomic.load<u32>(owner + offsetof<Part>('scratch'));
    if (kind < F64) recoverUpdate<f32>(ctl, kind, start, count, progress, copy);
    else recoverUpdate<f64>(ctl, kind - F64, start, count, progress, copy);
  }
  partOf(ctl, 0).done++;
  posted(ctl).recovered++;
}

function recoverUpdate<T>(ctl: usize, kind: i32, start: i32, count: i32, progress: i32, copy: usize): void {
  // A worker that died after its last block, before it marked the chunk computed, leaves the block after
  // it named: past the chunk's end when the last block was short, so nothing is left to compute.
  const from = min(count, (progress >> 1) * updateBlock<T>());
  if (progress & 1) {
    copyUpdated<T>(ctl, kind, start + from, min(updateBlock<T>(), count - from), copy, true);
    posted(ctl).restored++;
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
  const posting = posted(ctl);
  posting.chunks = chunks;
  posting.units = units;
  posting.unit = unit;
  posting.length = length;
  const number = jobNumber(ctl);
  const job = atomic.load<i32>(number) + 1;
  for (let chunk = 0; chunk < chunks; chunk++) atomic.store<i64>(stateOf(ctl, chunk), tagged(job, FREE));
  atomic.store<i32>(number, job);
  atomic.notify(number, workers);
  work(ctl, job, 0, parts);
  // Every chunk is claimed now: wait for those being computed, finishing any whose worker is dead.
  for (let chunk = 0; chunk < chunks; chunk++) {
    const state = stateOf(ctl, chunk);
    for (let now = atomic.load<i64>(state); now != tagged(job, COMPUTED); now = atomic.load<i64>(state)) {
      const owner = <i32>(now & 0xffff) - 1;
      if (atomic.load<i32>(changetype<usize>(partOf(ctl, owner)) + offsetof<Part>('dead')) != 0) {
        recover(ctl, job, chunk, owner);
        break;
      }
    }
  }
}

/** Asks the workers to leave their loops. */
export function stopWorkers(ctl: usize, workers: i32): void {
  posted(ctl).kind = KIND_EXIT;
  const number = jobNumber(ctl);
  atomic.store<i32>(number, atomic.load<i32>(number) + 1);
  atomic.notify(number, workers);
}

/**
 * C = alpha op(A) op(B) + beta C over 1 + workers threads, cut along C's
 * rows or its columns (the longer side) at whole micro-tiles, then the
 * epilogue (dense.ts; NO_EPILOGUE for none) on each chunk by the thread that
 * computed it: `operand` is the bias (BIAS_ACTIVATION) or a matrix laid out
 * as C (ACTIVATION_BACKWARD).
 */
function productParallel<T>(
  ctl: usize, workers: i32, transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: T, a: usize, b: usize, beta: T, c: usize,
  kindOfEpilogue: i32, activation: i32, leak: T, operand: usize,
): void {
  const byRows = m >= n;
  const unit = byRows ? MR : nr<T>(); // rows in micro-tiles, columns in panels
  const length = byRows ? m : n;
  const job = posted(ctl);
  job.kind = KIND_GEMM + (sizeof<T>() == 8 ? F64 : 0);
  job.byRows = byRows;
  job.transA = transA;
  job.transB = transB;
  job.m = m;
  job.n = n;
  job.k = k;
  job.a = a;
  job.b = b;
  job.c = c;
  job.alpha = <f64>alpha;
  job.beta = <f64>beta;
  job.epilogue = kindOfEpilogue;
  job.activation = activation;
  job.leak = <f64>leak;
  job.operand = operand;
  runJob(ctl, workers, (length + unit - 1) / unit, unit, length, GEMM_MIN_CHUNK);
}

/** gemm.ts's product, split. */
// @ts-ignore: decorator
@kernel
export function gemmParallel<T>(ctl: usize, workers: i32, transA: bool, transB: bool, m: i32, n: i32, k: i32,
                                alpha: T, a: usize, b: usize, beta: T, c: usize): void {
  productParallel<T>(ctl, workers, transA, transB, m, n, k, alpha, a, b, beta, c, NO_EPILOGUE, 0, <T>0, 0);
}

/** dense.ts's denseForward, split: x W, then the bias and activation on each chunk. */
// @ts-ignore: decorator
@kernel
export function denseForwardParallel<T>(ctl: usize, workers: i32, rows: i32, inputs: i32, units: i32,
                                        x: usize, w: usize, bias: usize, activation: i32, alpha: T, out: usize): void {
  productParallel<T>(ctl, workers, false, false, rows, units, inputs, 1, x, w, 0, out, BIAS_ACTIVATION, activation, alpha, bias);
}

/** dense.ts's denseBackwardInput, split: delta W^T, then the activation's derivative on each chunk. */
// @ts-ignore: decorator
@kernel
export function denseBackwardInputParallel<T>(ctl: usize, workers: i32, rows: i32, inputs: i32, units: i32,
                                              delta: usize, w: usize, activation: i32, alpha: T, a: usize, out: usize): void {
  productParallel<T>(ctl, workers, false, true, rows, inputs, units, 1, delta, w, 0, out, ACTIVATION_BACKWARD, activation, alpha, a);
}

/**
 * An optimiser step (KIND_SGD, KIND_MOMENTUM, KIND_ADAM, KIND_RMSPROP,
 * KIND_DECAY) on n parameters over 1 + workers threads, in chunks of whole
 * cache lines. w, g and the state arrays s1, s2 (velocity; m, v; or v, m)
 * are parallel; f0-f4 and flag are the kernel's scalars in its argument order.
 */
function updateParallel<T>(ctl: usize, workers: i32, kind: i32, n: i32, w: usize, g: usize, s1: usize, s2: usize,
                           f0: T, f1: T, f2: T, f3: T, f4: T, flag: bool): void {
  const unit = 64 / <i32>sizeof<T>();
  const job = posted(ctl);
  job.kind = kind + (sizeof<T>() == 8 ? F64 : 0);
  job.f0 = <f64>f0;
  job.f1 = <f64>f1;
  job.f2 = <f64>f2;
  job.f3 = <f64>f3;
  job.f4 = <f64>f4;
  job.flag = flag;
  job.w = w;
  job.g = g;
  job.s1 = s1;
  job.s2 = s2;
  runJob(ctl, workers, (n + unit - 1) / unit, unit, n, unit);
}

/** sgd.ts's w -= lr g, split. */
// @ts-ignore: decorator
@kernel
export function sgdParallel<T>(ctl: usize, workers: i32, n: i32, lr: T, w: usize, g: usize): void {
  updateParallel<T>(ctl, workers, KIND_SGD, n, w, g, 0, 0, lr, 0, 0, 0, 0, false);
}

/** momentum.ts's step, split. */
// @ts-ignore: decorator
@kernel
export function sgdMomentumParallel<T>(ctl: usize, workers: i32, n: i32, lr: T, momentum: T, nesterov: bool,
                                       w: usize, g: usize, velocity: usize): void {
  updateParallel<T>(ctl, workers, KIND_MOMENTUM, n, w, g, velocity, 0, lr, momentum, 0, 0, 0, nesterov);
}

/** adam.ts's step, split. */
// @ts-ignore: decorator
@kernel
export function adamParallel<T>(ctl: usize, workers: i32, n: i32, alpha: T, oneMinusBeta1: T, oneMinusBeta2: T, epsilon: T,
                                w: usize, g: usize, m: usize, v: usize): void {
  updateParallel<T>(ctl, workers, KIND_ADAM, n, w, g, m, v, alpha, oneMinusBeta1, oneMinusBeta2, epsilon, 0, false);
}

/** rmsprop.ts's step (RMSprop's, or Adagrad's), split. */
// @ts-ignore: decorator
@kernel
export function rmspropParallel<T>(ctl: usize, workers: i32, n: i32, lr: T, rho: T, oneMinusRho: T, epsilon: T, momentum: T,
                                   w: usize, g: usize, v: usize, m: usize): void {
  updateParallel<T>(ctl, workers, KIND_RMSPROP, n, w, g, v, m, lr, rho, oneMinusRho, epsilon, momentum, false);
}

/** clip.ts's decayWeights, split: w is the only array. */
// @ts-ignore: decorator
@kernel
export function decayWeightsParallel<T>(ctl: usize, workers: i32, n: i32, weightDecay: T, lr: T, w: usize): void {
  updateParallel<T>(ctl, workers, KIND_DECAY, n, w, 0, 0, 0, weightDecay, lr, 0, 0, 0, false);
}
