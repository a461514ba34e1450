/**
 * The shared-memory kernels inside the threads chunk (dist/wasmlp-threads.js),
 * embedded as the library embeds its own (kernels.embedded.ts): defined by
 * scripts/bundles.ts, deflated and in base64.
 */
import { unpackEmbeddedWasm } from './embedded-wasm.js';

declare const WASMLP_THREADED_KERNELS: string;

export function loadThreadedBytes(): Promise<Uint8Array> {
  return unpackEmbeddedWasm(WASMLP_THREADED_KERNELS);
}
