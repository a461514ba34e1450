/**
 * The threaded backend as a classic script for a worker network's worker
 * (src/worker/threads-addon.ts bundled with threads.ts, scripts/bundles.ts),
 * which threads.ts hands to createWorkerNetwork. The threads chunk,
 * dist/wasmlp-threads.js, gets this file swapped for the script as a string
 * literal; running from source (tsx, vitest) it is bundled on first use, as
 * src/worker/worker-source.ts bundles the worker.
 */
let cached: Promise<string> | undefined;

export function threadsAddonSource(): Promise<string> {
  cached ??= import(new URL('../../scripts/bundles.ts', import.meta.url).href)
    .then((bundles: { bundleThreadsAddon(): Promise<string> }) => bundles.bundleThreadsAddon());
  return cached;
}
