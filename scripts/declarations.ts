/**
 * The published type declarations are those the entries' declarations reach
 * (dist/types/index.d.ts, and formats/, predict/ and node/index.d.ts beside it):
 * tsc writes one .d.ts for every source file the library imports, the
 * engine's and the worker's plumbing included, and `npm run build` then
 * removes every file no public declaration refers to.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

/** The declarations of the package's entries ("exports"): the library, wasmlp/formats, wasmlp/predict and wasmlp/node. */
export const ENTRY_DECLARATIONS = ['index.d.ts', 'formats/index.d.ts', 'predict/index.d.ts', 'node/index.d.ts'];

/** The .d.ts files (relative to `dir`) that the entries reach through their imports and re-exports, themselves included. */
export function reachableDeclarations(dir: string, entries: readonly string[] = ENTRY_DECLARATIONS): string[] {
  const reached = new Set<string>();
  const visit = (file: string) => {
    if (reached.has(file)) return;
    reached.add(file);
    const text = readFileSync(path.join(dir, file), 'utf8');
    for (const [, specifier] of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      visit(path.posix.join(path.posix.dirname(file), specifier.replace(/\.js$/, '.d.ts')));
    }
  };
  entries.forEach(visit);
  return [...reached].sort();
}

/** Every .d.ts file under `dir`, relative to it, with / separators. */
export function allDeclarations(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.d.ts'))
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

/** Removes the declarations no entry reaches (and any folder left empty); returns what it removed. */
export function pruneDeclarations(dir: string): string[] {
  const keep = new Set(reachableDeclarations(dir));
  const removed = allDeclarations(dir).filter((file) => !keep.has(file));
  for (const file of removed) rmSync(path.join(dir, file));
  for (const folder of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, folder.name);
    if (folder.isDirectory() && readdirSync(full, { recursive: true }).every((entry) => !String(entry).endsWith('.d.ts'))) {
      rmSync(full, { recursive: true });
    }
  }
  return removed;
}
