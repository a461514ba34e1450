/**
 * The shared-memory build (`asc assembly/index.threads.ts --target threads`):
 * every kernel of index.ts, plus the thread plumbing of threads.ts and its
 * split kernels (marked @kernel there, exported as index.ts's are). Its
 * memory is imported (env.memory, shared), so that each worker can
 * instantiate the module on the same memory. Its asconfig.json target keeps
 * the release target's shrinkLevel: AssemblyScript's f64 Math.exp takes a
 * table-driven path at shrinkLevel 0 that differs in the last bit, and one
 * thread and two must agree bit for bit.
 */
export * from './index';
export {
  controlBytes, maxThreads, threadScratchBytes, setThreadScratch, workerLoop, stopWorkers, deadFlag, workingWord,
  chunksDone, chunksRecovered, blocksRestored, resetChunksDone,
} from './threads';
// Not kernels of the contract: test/backend/exp.test.ts and log.test.ts measure exp and log through them (here, not in
// the single-threaded build, whose every byte is in the browser bundle).
export { expNonPositiveF32, expNonPositiveF64 } from './exp';
export { logArrayF64 } from './log';
