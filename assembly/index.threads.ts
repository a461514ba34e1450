/**
 * The shared-memory build (`asc assembly/index.threads.ts --target threads`):
 * every kernel of index.ts, plus the thread plumbing of threads.ts. Its
 * memory is imported (env.memory, shared), so that each worker can
 * instantiate the module on the same memory.
 */
export * from './index';
import { gemmParallel, sgdParallel } from './threads';
export { controlBytes, threadScratchBytes, setThreadScratch, workerLoop, stopWorkers } from './threads';
// Not a kernel of the contract: test/exp.test.ts measures exp's accuracy through it (here, not in
// the single-threaded build, whose every byte is in the browser bundle).
export { expNonPositiveF32 } from './exp';

export function gemmParallelF32(ctl: usize, workers: i32, transA: i32, transB: i32, m: i32, n: i32, k: i32,
                                alpha: f32, a: usize, b: usize, beta: f32, c: usize): void {
  gemmParallel<f32>(ctl, workers, transA != 0, transB != 0, m, n, k, alpha, a, b, beta, c);
}
export function gemmParallelF64(ctl: usize, workers: i32, transA: i32, transB: i32, m: i32, n: i32, k: i32,
                                alpha: f64, a: usize, b: usize, beta: f64, c: usize): void {
  gemmParallel<f64>(ctl, workers, transA != 0, transB != 0, m, n, k, alpha, a, b, beta, c);
}
export function sgdParallelF32(ctl: usize, workers: i32, n: i32, lr: f32, w: usize, g: usize): void {
  sgdParallel<f32>(ctl, workers, n, lr, w, g);
}
export function sgdParallelF64(ctl: usize, workers: i32, n: i32, lr: f64, w: usize, g: usize): void {
  sgdParallel<f64>(ctl, workers, n, lr, w, g);
}
