/**
 * A Node built-in from a worker's classic script (the threads add-on at the
 * head of a worker network's worker), which must hold no import(): through
 * process.getBuiltinModule (Node >= 20.16, Bun, Deno), else require(), which
 * Node's eval workers have (they run the script as CommonJS). Not require()
 * first: bundled, it is esbuild's stand-in, defined even where require is
 * not (Deno's module workers), where it throws.
 */
import { nodeProcess } from './runtime.js';

declare const require: (id: string) => unknown;

export async function nodeBuiltin<T>(id: string): Promise<T> {
  const getBuiltinModule = nodeProcess()?.getBuiltinModule;
  if (getBuiltinModule) return getBuiltinModule(id) as T;
  return require(id) as T;
}
