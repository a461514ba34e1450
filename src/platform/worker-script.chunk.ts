/**
 * The worker's text in the library: fetched from dist/wasmlp-worker.js, the
 * chunk next to it, the first time a worker network starts, never before.
 * Inline, it would be a third of what every page downloads, though most
 * pages never start a worker network. The import() names the chunk
 * literally and relative to the library (src/platform/ stands where dist/
 * does): a page importing dist/ from a static folder fetches it next to the
 * library, and bundlers see it and split it off, with no configuration.
 */
let loaded: Promise<string> | undefined;

export function workerSource(): Promise<string> {
  if (!loaded) {
    loaded = import('./wasmlp-worker.js').then((chunk) => chunk.workerSource());
    // A failed fetch (a network error) may succeed on a later ask.
    loaded.catch(() => {
      loaded = undefined;
    });
  }
  return loaded;
}
