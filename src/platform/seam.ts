/**
 * `Variant<Seam, typeof import('./x.variant.js')>` fails to type-check
 * unless the variant offers everything the seam promises: each seam file
 * (kernels.ts, …) lists its variants so, and tsc checks them all, whichever
 * one a bundle takes (scripts/bundles.ts, SEAMS).
 */
export type Variant<Seam, V extends Seam> = V;
