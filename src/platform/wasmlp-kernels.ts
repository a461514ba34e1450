/**
 * The entry of dist/wasmlp-kernels.js, the chunk that holds the
 * single-threaded kernels (kernels.embedded.ts) for the library, which
 * imports it on first use (kernels.chunk.ts).
 */
export { loadWasmBytes } from './kernels.js';
