/**
 * The worker's src/backend/wasm-bytes.ts (swapped in by scripts/bundles.ts):
 * the kernels arrive in the 'create' message from the thread that started
 * the worker, which already holds them, so the worker's code carries no
 * second copy of the base64.
 */
let received: Uint8Array | undefined;

export function receiveWasmBytes(bytes: Uint8Array | undefined): void {
  if (bytes) received = bytes;
}

export async function loadWasmBytes(): Promise<Uint8Array> {
  if (!received) throw new Error('wasmlp worker: the WebAssembly kernels were not sent with the create message');
  return received;
}
