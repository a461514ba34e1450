/**
 * The kernels in a worker network's worker: they arrive in the 'create'
 * (or 'load') message from the thread that started it, which holds them
 * already, so the worker's script carries no second copy.
 */
let received: Uint8Array | undefined;

/** worker.ts hands over what the message carried (nothing, for a js-backend network). */
export function receiveWasmBytes(bytes: Uint8Array | undefined): void {
  if (bytes) received = bytes;
}

export async function loadWasmBytes(): Promise<Uint8Array> {
  if (!received) throw new Error('wasmlp worker: the WebAssembly kernels were not sent with the create message');
  return received;
}
