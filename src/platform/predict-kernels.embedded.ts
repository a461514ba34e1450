/**
 * The forward-only kernels inside dist/wasmlp-predict.js, embedded as the
 * library's kernels chunk embeds the full ones (kernels.embedded.ts):
 * defined by scripts/bundles.ts, deflated and in base64. One file, so that
 * a page that only predicts fetches nothing else.
 */
import { unpackEmbeddedWasm } from './embedded-wasm.js';

declare const WASMLP_PREDICT_KERNELS: string;

export function loadPredictBytes(): Promise<Uint8Array> {
  return unpackEmbeddedWasm(WASMLP_PREDICT_KERNELS);
}
