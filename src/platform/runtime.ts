/**
 * The one test of "are we in Node": a `process` whose versions name Node.
 * Bun and Deno answer yes too, and both offer node:worker_threads, which is
 * what the question is for (and Web Workers as well: see script-worker.ts).
 */
interface NodeProcess {
  versions?: { node?: string };
  execArgv?: string[];
  getBuiltinModule?: (id: string) => unknown;
}

/** The global `process` where it is Node's (or an engine's that stands in for it), else undefined. */
export function nodeProcess(): NodeProcess | undefined {
  const process = (globalThis as { process?: NodeProcess }).process;
  return process?.versions?.node ? process : undefined;
}

export function inNode(): boolean {
  return nodeProcess() !== undefined;
}
