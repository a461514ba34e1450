/** The threads add-on's text when wasmlp runs from source: bundled on first use, as worker-script.source.ts bundles the worker. */
let cached: Promise<string> | undefined;

export function threadsAddonSource(): Promise<string> {
  cached ??= import(new URL('../../scripts/bundles.ts', import.meta.url).href).then(
    (bundles: { bundleThreadsAddon(): Promise<string> }) => bundles.bundleThreadsAddon(),
  );
  return cached;
}
