/**
 * The worker's src/backend/wasm-bytes.ts (swapped in by scripts/bundles.ts):
 * the kernels arrive in the 'create' message from the thread that started
 * the worker, which already holds them, so the worker's code carries no
 * second copy of the base64. The same for the shared-memory kernels of the
 * threaded backend: this file is also threads-wasm-bytes.ts in the worker's
 * threads add-on (threads-addon.ts).
 */
let received: Uint8Array | undefined;
let receivedThreaded: Uint8Array | undefined;

export function receiveWasmBytes(bytes: Uint8Array | undefined): void {
  if (bytes) received = bytes;
}

export async function loadWasmBytes(): Promise<Uint8Array> {
  if (!received) throw new Error('wasmlp worker: the WebAssembly kernels were not sent with the create message');
  return received;
}

export function receiveThreadedBytes(bytes: Uint8Array): void {
  receivedThreaded = bytes;
}

export async function loadThreadedBytes(): Promise<Uint8Array> {
  if (!receivedThreaded) throw new Error('wasmlp worker: the shared-memory kernels were not sent with the create message');
  return receivedThreaded;
}
