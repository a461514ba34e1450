/**
 * The kernels in the library: imported from dist/wasmlp-kernels.js, the
 * chunk next to it, when the first wasm backend is made (or the first
 * worker network posts them to its worker), never before. A page that only
 * reads the library's names for its menus, or trains on the js backend,
 * does not download them. The import() names the chunk literally and
 * relative to the library (src/platform/ stands where dist/ does), as
 * worker-script.chunk.ts does.
 */
let loaded: Promise<Uint8Array> | undefined;

export function loadWasmBytes(): Promise<Uint8Array> {
  if (!loaded) {
    loaded = import('./wasmlp-kernels.js').then((chunk) => chunk.loadWasmBytes());
    // A failed fetch (a network error) may succeed on a later ask.
    loaded.catch(() => {
      loaded = undefined;
    });
  }
  return loaded;
}
