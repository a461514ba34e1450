/**
 * Node options for an eval worker (worker_threads with eval: true), whose
 * text wasmlp writes as a self-contained CommonJS script that needs require.
 * A worker inherits the process's options by default, and Node then quietly
 * leaves out those a worker cannot take (V8's, such as
 * --max-old-space-size, and the process's, such as --title); given
 * explicitly, any of those fails the worker (ERR_WORKER_INVALID_EXEC_ARGV).
 * So the options are inherited, unless one would make the text an ES module
 * (`node --input-type=module -e …` passes its flag on to workers): then the
 * worker gets none, which its script does not need.
 */
export function scriptWorkerExecArgv(): string[] | undefined {
  const execArgv = (globalThis as { process?: { execArgv?: string[] } }).process?.execArgv;
  return execArgv?.some((flag) => /^--(input-type|experimental-default-type)(=|$)/.test(flag)) ? [] : undefined;
}
