/**
 * Seam: the text of the worker's threads add-on (src/worker/threads-addon.ts
 * with src/backend/threads.ts, one classic script, scripts/bundles.ts),
 * which the threaded backend hands to createWorkerNetwork (threadsForWorker).
 * This file is what the source runs take; each bundle takes the variant
 * that scripts/bundles.ts's SEAMS table names for it:
 * - threads-addon-script.source.ts    bundled on first use (source runs)
 * - threads-addon-script.embedded.ts  a string in the bundle (the threads chunk)
 * - threads-addon-script.none.ts      the add-on itself, which never starts a worker network
 */
import type { Variant } from './seam.js';

export interface ThreadsAddonScriptSeam {
  threadsAddonSource(): Promise<string>;
}

export * from './threads-addon-script.source.js';

// biome-ignore lint/correctness/noUnusedVariables: tsc checks each variant against the seam here
type Checked = [
  Variant<ThreadsAddonScriptSeam, typeof import('./threads-addon-script.source.js')>,
  Variant<ThreadsAddonScriptSeam, typeof import('./threads-addon-script.embedded.js')>,
  Variant<ThreadsAddonScriptSeam, typeof import('./threads-addon-script.none.js')>,
];
