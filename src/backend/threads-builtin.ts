/**
 * How the threads backend (threads-workers.ts) reaches node:worker_threads, with no import of it that a
 * browser bundler would try to resolve: process.getBuiltinModule (Node >=
 * 20.16), else a dynamic import() that bundlers are told to ignore.
 *
 * The worker add-on (src/worker/threads-addon.ts: threads.ts inside a worker
 * network's worker) has this file swapped for one that calls require()
 * (scripts/bundles.ts): it runs at the head of the worker's script, which
 * Node evaluates as CommonJS, so it needs no import() of its own.
 */
export async function nodeBuiltin<T>(id: string): Promise<T> {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (process?.getBuiltinModule) return process.getBuiltinModule(id) as T;
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ id)) as T;
}
