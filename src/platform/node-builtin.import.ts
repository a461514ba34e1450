/**
 * A Node built-in through process.getBuiltinModule (Node >= 20.16, Bun,
 * Deno), asked afresh each time; else a dynamic import() of a parameter,
 * not a literal, with the bundlers' own opt-out comments, so that nothing
 * tries to bundle it.
 */
import { nodeProcess } from './runtime.js';

export async function nodeBuiltin<T>(id: string): Promise<T> {
  const getBuiltinModule = nodeProcess()?.getBuiltinModule;
  if (getBuiltinModule) return getBuiltinModule(id) as T;
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ id)) as T;
}
