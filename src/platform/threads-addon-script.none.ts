/** In the threads add-on itself: a worker's network starts no worker network, and the add-on does not hold its own text. */
export function threadsAddonSource(): Promise<string> {
  throw new Error('wasmlp: the threads add-on is not in itself');
}
