/**
 * The kernels inside the bundle (dist/wasmlp-kernels.js), so that the
 * package reads no file and fetches nothing: scripts/bundles.ts defines
 * WASMLP_KERNELS as build/wasmlp.wasm deflated and in base64
 * (embedded-wasm.ts says why so).
 */
import { unpackEmbeddedWasm } from './embedded-wasm.js';

declare const WASMLP_KERNELS: string;

export function loadWasmBytes(): Promise<Uint8Array> {
  return unpackEmbeddedWasm(WASMLP_KERNELS);
}
