/**
 * Threads, for the shared-memory build only (index.threads.ts): the main
 * thread splits a large gemm (or an SGD step) into blocks, hands one block to
 * each worker through a control block in shared memory, computes block 0
 * itself, then waits for the workers. Every instance (the main thread's and
 * each worker's) runs this same module on the same memory; what is per
 * thread is in globals (scratch pointers) and in each worker's control block.
 *
 * Control block of a worker (CONTROL_BYTES, at ctl + w * CONTROL_BYTES):
 *   seq   i32   +0   job number, bumped by the main thread to post a job
 *   done  i32   +4   the last job number the worker finished (-1: it failed)
 *   kind  i32   +8   what to run (KIND_*), 0 = exit
 *   ints  i32  +12   the job's integer arguments (JOB_INTS of them)
 *   alpha f64  +64, beta f64 +72
 *   job   i32 +124   main thread only: the job it is waiting for (-1: none)
 * Plain stores of the arguments, then an atomic store of seq: wasm atomics
 * are sequentially consistent, so a worker that sees the new seq sees them.
 *
 * Waiting: a worker spins on seq for a while (a training step posts gemms
 * every few hundred microseconds, and waking a thread from a futex costs
 * tens of them), then sleeps in memory.atomic.wait32. The main thread only
 * spins (a browser's main thread may not block), and only for the workers'
 * blocks, which are as long as its own.
 */
import { A_PANELS_BYTES, B_CHUNK_BYTES, gemmStrided, setGemmScratch } from './gemm';
import { MR, TILE_BYTES, nr, setGemmTile } from './gemmKernel';
import { EXP_BLOCK_BYTES, setExpScratch } from './exp';
import { sgd } from './sgd';

export const CONTROL_BYTES: i32 = 128;
/** The block's last word: the number of the job the main thread posted there (-1: none), read back to join it. */
const JOB_WORD: usize = 124;
const KIND_EXIT = 0, KIND_GEMM_F32 = 1, KIND_GEMM_F64 = 2, KIND_SGD_F32 = 3, KIND_SGD_F64 = 4;
/** Spins on seq before sleeping: some hundreds of microseconds. */
const SPINS: i32 = 1 << 20;

/** Bytes of scratch a worker needs (setThreadScratch), a multiple of 16. */
export function threadScratchBytes(): i32 {
  return B_CHUNK_BYTES + A_PANELS_BYTES + TILE_BYTES + 2 * <i32>EXP_BLOCK_BYTES;
}

/** Gives this instance its own scratch at `base` (threadScratchBytes(), 16-byte aligned). */
export function setThreadScratch(base: usize): void {
  setGemmScratch(base, base + B_CHUNK_BYTES);
  setGemmTile(base + B_CHUNK_BYTES + A_PANELS_BYTES);
  setExpScratch(base + B_CHUNK_BYTES + A_PANELS_BYTES + TILE_BYTES);
}

export function controlBytes(): i32 { return CONTROL_BYTES; }

/** A worker's life: run posted jobs until an exit job. */
export function workerLoop(ctl: usize): void {
  let seen = atomic.load<i32>(ctl);
  while (true) {
    let seq = atomic.load<i32>(ctl);
    for (let spins = 0; seq == seen; seq = atomic.load<i32>(ctl)) {
      if (spins < SPINS) spins++;
      else memory.atomic.wait32(ctl, seen, -1);
    }
    seen = seq;
    const kind = load<i32>(ctl, 8);
    if (kind == KIND_EXIT) {
      atomic.store<i32>(ctl, seq, 4);
      return;
    }
    run(ctl, kind);
    atomic.store<i32>(ctl, seq, 4);
  }
}

function run(ctl: usize, kind: i32): void {
  const i = ctl + 12;
  if (kind == KIND_GEMM_F32 || kind == KIND_GEMM_F64) {
    const transA = load<i32>(i) != 0, transB = load<i32>(i, 4) != 0;
    const m = load<i32>(i, 8), n = load<i32>(i, 12), k = load<i32>(i, 16);
    const a = <usize>load<u32>(i, 20), lda = load<i32>(i, 24);
    const b = <usize>load<u32>(i, 28), ldb = load<i32>(i, 32);
    const c = <usize>load<u32>(i, 36), ldc = load<i32>(i, 40);
    const alpha = load<f64>(ctl, 64), beta = load<f64>(ctl, 72);
    if (kind == KIND_GEMM_F32) gemmStrided<f32>(transA, transB, m, n, k, <f32>alpha, a, lda, b, ldb, <f32>beta, c, ldc);
    else gemmStrided<f64>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  } else if (kind == KIND_SGD_F32) {
    sgd<f32>(load<i32>(i), <f32>load<f64>(ctl, 64), <usize>load<u32>(i, 4), <usize>load<u32>(i, 8));
  } else if (kind == KIND_SGD_F64) {
    sgd<f64>(load<i32>(i), load<f64>(ctl, 64), <usize>load<u32>(i, 4), <usize>load<u32>(i, 8));
  }
}

/** Posts the job already written at ctl (kind and arguments); returns its number. */
function post(ctl: usize): i32 {
  const seq = atomic.load<i32>(ctl) + 1;
  atomic.store<i32>(ctl, seq);
  atomic.notify(ctl, 1);
  return seq;
}

/** A worker whose instance trapped marks its block so (threads.ts in src/backend): a join then traps too, rather than spin forever. */
const FAILED: i32 = -1;

function join(ctl: usize, seq: i32): void {
  // Spin: the worker's block is as long as ours.
  for (let done = atomic.load<i32>(ctl, 4); done != seq; done = atomic.load<i32>(ctl, 4)) {
    if (done == FAILED) unreachable();
  }
}

/** Asks each of `workers` workers to leave its loop (waits until they have). */
export function stopWorkers(ctl: usize, workers: i32): void {
  for (let w = 0; w < workers; w++) {
    const at = ctl + <usize>w * CONTROL_BYTES;
    store<i32>(at, KIND_EXIT, 8);
    join(at, post(at));
  }
}

/**
 * C = alpha op(A) op(B) + beta C over 1 + workers threads: C's rows or its
 * columns (the longer side) in equal blocks, cut at whole micro-tiles.
 */
export function gemmParallel<T>(
  ctl: usize, workers: i32, transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: T, a: usize, b: usize, beta: T, c: usize,
): void {
  const S = <usize>sizeof<T>();
  const lda = transA ? m : k, ldb = transB ? k : n;
  const parts = workers + 1;
  const byRows = m >= n;
  const unit = byRows ? MR : nr<T>(); // rows in micro-tiles, columns in panels
  const length = byRows ? m : n;
  const units = (length + unit - 1) / unit;
  let start = 0, ownStart = 0, ownCount = 0;
  for (let part = 0; part < parts; part++) {
    const end = min(length, (units * (part + 1) / parts) * unit);
    const count = end - start;
    // Block `part`: rows (or columns) start .. end.
    let pa = a, pb = b, pc = c, pm = m, pn = n;
    if (byRows) {
      pm = count;
      pa = a + <usize>start * (transA ? 1 : <usize>lda) * S;
      pc = c + <usize>start * <usize>n * S;
    } else {
      pn = count;
      pb = b + <usize>start * (transB ? <usize>ldb : 1) * S;
      pc = c + <usize>start * S;
    }
    if (part == 0) {
      // Ours, but only after every worker has its block.
      ownStart = start;
      ownCount = count;
    } else if (count > 0) {
      const at = ctl + <usize>(part - 1) * CONTROL_BYTES;
      store<i32>(at, sizeof<T>() == 4 ? KIND_GEMM_F32 : KIND_GEMM_F64, 8);
      store<i32>(at, transA ? 1 : 0, 12);
      store<i32>(at, transB ? 1 : 0, 16);
      store<i32>(at, pm, 20);
      store<i32>(at, pn, 24);
      store<i32>(at, k, 28);
      store<u32>(at, <u32>pa, 32);
      store<i32>(at, lda, 36);
      store<u32>(at, <u32>pb, 40);
      store<i32>(at, ldb, 44);
      store<u32>(at, <u32>pc, 48);
      store<i32>(at, n, 52);
      store<f64>(at, <f64>alpha, 64);
      store<f64>(at, <f64>beta, 72);
      store<i32>(at, post(at), JOB_WORD);
    } else {
      store<i32>(ctl + <usize>(part - 1) * CONTROL_BYTES, -1, JOB_WORD);
    }
    start = end;
  }
  if (byRows) {
    gemmStrided<T>(transA, transB, ownCount, n, k, alpha, a + <usize>ownStart * (transA ? 1 : <usize>lda) * S, lda,
                   b, ldb, beta, c + <usize>ownStart * <usize>n * S, n);
  } else {
    gemmStrided<T>(transA, transB, m, ownCount, k, alpha, a, lda,
                   b + <usize>ownStart * (transB ? <usize>ldb : 1) * S, ldb, beta, c + <usize>ownStart * S, n);
  }
  for (let part = 1; part < parts; part++) {
    const at = ctl + <usize>(part - 1) * CONTROL_BYTES;
    const seq = load<i32>(at, JOB_WORD);
    if (seq >= 0) join(at, seq);
  }
}

/** w -= lr g over 1 + workers threads, in blocks of whole vectors. */
export function sgdParallel<T>(ctl: usize, workers: i32, n: i32, lr: T, w: usize, g: usize): void {
  const S = <usize>sizeof<T>();
  const parts = workers + 1;
  const unit = 64 / <i32>sizeof<T>(); // cache lines
  const units = (n + unit - 1) / unit;
  let start = min(n, (units / parts) * unit);
  const ownEnd = start;
  for (let part = 1; part < parts; part++) {
    const end = min(n, (units * (part + 1) / parts) * unit);
    const at = ctl + <usize>(part - 1) * CONTROL_BYTES;
    store<i32>(at, sizeof<T>() == 4 ? KIND_SGD_F32 : KIND_SGD_F64, 8);
    store<i32>(at, end - start, 12);
    store<u32>(at, <u32>(w + <usize>start * S), 16);
    store<u32>(at, <u32>(g + <usize>start * S), 20);
    store<f64>(at, <f64>lr, 64);
    store<i32>(at, post(at), JOB_WORD);
    start = end;
  }
  sgd<T>(ownEnd, lr, w, g);
  for (let part = 1; part < parts; part++) {
    const at = ctl + <usize>(part - 1) * CONTROL_BYTES;
    join(at, load<i32>(at, JOB_WORD));
  }
}
