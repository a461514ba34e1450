/**
 * The worker's code as text, for spawn.ts to start. The built package
 * replaces this file with the minified worker bundle as a string literal
 * (scripts/bundles.ts). Running from source (tsx, vitest) it bundles
 * src/worker/worker.ts on first use, with the same esbuild configuration:
 * the URL is computed so that neither tsc nor a bundler follows it.
 */
let cached: Promise<string> | undefined;

export function workerSource(): Promise<string> {
  cached ??= import(new URL('../../scripts/bundles.ts', import.meta.url).href)
    .then((bundles: { bundleWorker(): Promise<string> }) => bundles.bundleWorker());
  return cached;
}
