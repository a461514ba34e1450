/**
 * For bundles that include wasm.ts's classes but never instantiate the
 * single-threaded kernels (the threads chunk and the worker's threads
 * add-on, which extend them over the shared-memory kernels): no copy of
 * build/wasmlp.wasm to carry.
 */
export function loadWasmBytes(): Promise<Uint8Array> {
  throw new Error('wasmlp: this bundle carries only the shared-memory kernels');
}
