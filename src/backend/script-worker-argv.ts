/**
 * Node options for an eval worker (worker_threads with eval: true), whose
 * text wasmlp writes as a CommonJS script that needs require: the process's
 * own options, less those that would make the text an ES module
 * (`node --input-type=module -e …` passes its flag on to workers).
 */
export function scriptWorkerExecArgv(): string[] | undefined {
  const execArgv = (globalThis as { process?: { execArgv?: string[] } }).process?.execArgv;
  return execArgv?.filter((flag) => !/^--(input-type|experimental-default-type)(=|$)/.test(flag));
}
