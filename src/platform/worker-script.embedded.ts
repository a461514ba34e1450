/** The worker's text as a string in the bundle: scripts/bundles.ts defines WASMLP_WORKER_SCRIPT. */
declare const WASMLP_WORKER_SCRIPT: string;

export async function workerSource(): Promise<string> {
  return WASMLP_WORKER_SCRIPT;
}
