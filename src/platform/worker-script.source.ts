/**
 * The worker's text when wasmlp runs from source (tsx, vitest): bundled on
 * first use with the build's own configuration (scripts/bundles.ts). The
 * URL is computed so that neither tsc nor a bundler follows it.
 */
let cached: Promise<string> | undefined;

export function workerSource(): Promise<string> {
  cached ??= import(new URL('../../scripts/bundles.ts', import.meta.url).href).then(
    (bundles: { bundleWorker(): Promise<string> }) => bundles.bundleWorker(),
  );
  return cached;
}
