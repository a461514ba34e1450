/**
 * The shared-memory kernels in a worker network's worker, for its threads
 * add-on (src/worker/threads-addon.ts): posted with the create message, as
 * the single-threaded ones are (kernels.posted.ts).
 */
let received: Uint8Array | undefined;

export function receiveThreadedBytes(bytes: Uint8Array): void {
  received = bytes;
}

export async function loadThreadedBytes(): Promise<Uint8Array> {
  if (!received) throw new Error('wasmlp worker: the shared-memory kernels were not sent with the create message');
  return received;
}
