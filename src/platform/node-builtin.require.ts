/**
 * A Node built-in from a worker's classic script (the threads add-on at the
 * head of a worker network's worker): Node evaluates it as CommonJS, where
 * require exists, so it needs no import() of its own. A module worker (Deno)
 * has no require: process.getBuiltinModule there.
 */
import { nodeProcess } from './runtime.js';

declare const require: ((id: string) => unknown) | undefined;

export async function nodeBuiltin<T>(id: string): Promise<T> {
  if (typeof require === 'function') return require(id) as T;
  const getBuiltinModule = nodeProcess()?.getBuiltinModule;
  if (getBuiltinModule) return getBuiltinModule(id) as T;
  throw new Error(`wasmlp: ${id} cannot be reached from this worker`);
}
