/**
 * The shared-memory build (`asc assembly/index.threads.ts --target threads`):
 * every kernel of index.ts, plus the thread plumbing of threads.ts. Its
 * memory is imported (env.memory, shared), so that each worker can
 * instantiate the module on the same memory. Its asconfig.json target keeps
 * the release target's shrinkLevel: AssemblyScript's f64 Math.exp takes a
 * table-driven path at shrinkLevel 0 that differs in the last bit, and one
 * thread and two must agree bit for bit.
 */
export * from './index';
import { adamParallel, gemmParallel, sgdMomentumParallel, sgdParallel } from './threads';
import { ACTIVATION_BACKWARD, BIAS_ACTIVATION } from './dense';
export {
  controlBytes, maxThreads, threadScratchBytes, setThreadScratch, workerLoop, stopWorkers, deadFlag, workingWord,
  chunksDone, chunksRecovered, blocksRestored, resetChunksDone,
} from './threads';
// Not a kernel of the contract: test/backend/exp.test.ts measures exp's accuracy through it (here, not in
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
export function denseForwardParallelF32(ctl: usize, workers: i32, rows: i32, inputs: i32, units: i32,
                                        x: usize, w: usize, bias: usize, activation: i32, alpha: f32, out: usize): void {
  gemmParallel<f32>(ctl, workers, false, false, rows, units, inputs, 1, x, w, 0, out, BIAS_ACTIVATION, activation, alpha, bias);
}
export function denseBackwardInputParallelF32(ctl: usize, workers: i32, rows: i32, inputs: i32, units: i32,
                                              delta: usize, w: usize, activation: i32, alpha: f32, a: usize, out: usize): void {
  gemmParallel<f32>(ctl, workers, false, true, rows, inputs, units, 1, delta, w, 0, out, ACTIVATION_BACKWARD, activation, alpha, a);
}
export function sgdParallelF32(ctl: usize, workers: i32, n: i32, lr: f32, w: usize, g: usize): void {
  sgdParallel<f32>(ctl, workers, n, lr, w, g);
}
export function sgdMomentumParallelF32(ctl: usize, workers: i32, n: i32, lr: f32, momentum: f32, nesterov: i32,
                                       w: usize, g: usize, velocity: usize): void {
  sgdMomentumParallel<f32>(ctl, workers, n, lr, momentum, nesterov != 0, w, g, velocity);
}
export function adamParallelF32(ctl: usize, workers: i32, n: i32, alpha: f32, oneMinusBeta1: f32, oneMinusBeta2: f32,
                                epsilon: f32, w: usize, g: usize, m: usize, v: usize): void {
  adamParallel<f32>(ctl, workers, n, alpha, oneMinusBeta1, oneMinusBeta2, epsilon, w, g, m, v);
}
export function denseForwardParallelF64(ctl: usize, workers: i32, rows: i32, inputs: i32, units: i32,
                                        x: usize, w: usize, bias: usize, activation: i32, alpha: f64, out: usize): void {
  gemmParallel<f64>(ctl, workers, false, false, rows, units, inputs, 1, x, w, 0, out, BIAS_ACTIVATION, activation, alpha, bias);
}
export function denseBackwardInputParallelF64(ctl: usize, workers: i32, rows: i32, inputs: i32, units: i32,
                                              delta: usize, w: usize, activation: i32, alpha: f64, a: usize, out: usize): void {
  gemmParallel<f64>(ctl, workers, false, true, rows, inputs, units, 1, delta, w, 0, out, ACTIVATION_BACKWARD, activation, alpha, a);
}
export function sgdParallelF64(ctl: usize, workers: i32, n: i32, lr: f64, w: usize, g: usize): void {
  sgdParallel<f64>(ctl, workers, n, lr, w, g);
}
export function sgdMomentumParallelF64(ctl: usize, workers: i32, n: i32, lr: f64, momentum: f64, nesterov: i32,
                                       w: usize, g: usize, velocity: usize): void {
  sgdMomentumParallel<f64>(ctl, workers, n, lr, momentum, nesterov != 0, w, g, velocity);
}
export function adamParallelF64(ctl: usize, workers: i32, n: i32, alpha: f64, oneMinusBeta1: f64, oneMinusBeta2: f64,
                                epsilon: f64, w: usize, g: usize, m: usize, v: usize): void {
  adamParallel<f64>(ctl, workers, n, alpha, oneMinusBeta1, oneMinusBeta2, epsilon, w, g, m, v);
}
