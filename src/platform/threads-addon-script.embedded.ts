/** The threads add-on's text as a string in the threads chunk: scripts/bundles.ts defines WASMLP_THREADS_ADDON_SCRIPT. */
declare const WASMLP_THREADS_ADDON_SCRIPT: string;

export async function threadsAddonSource(): Promise<string> {
  return WASMLP_THREADS_ADDON_SCRIPT;
}
