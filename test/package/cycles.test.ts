/**
 * No runtime import cycle among the library's sources: a module's value
 * imports (type-only imports and exports are erased, and may go both ways)
 * never lead back to it. A cycle makes evaluation order matter, so that a
 * bundle can read a class before its module has run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/** Each source file's relative value imports (and re-exports), as paths of source files. */
function valueImports(file: string): string[] {
  // Comments out first: an example in a doc comment imports nothing.
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  // A dynamic import() is a value import, unless it is a type query: `typeof import('./x.js')`.
  const statements = text.matchAll(
    /\b(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*['"](\.[^'"]+)['"]|(?<!\btypeof\s+)\bimport\s*\(\s*['"](\.[^'"]+)['"]\s*\)|\bimport\s+['"](\.[^'"]+)['"]/g,
  );
  const imported: string[] = [];
  for (const [, , typeOnly, names, from, dynamic, bare] of statements) {
    const specifier = from ?? dynamic ?? bare;
    // `import { type A, type B }`: every name type-only, erased as `import type` is.
    const allTypes =
      names !== undefined &&
      /^\{[^}]*\}$/.test(names.trim()) &&
      names
        .trim()
        .slice(1, -1)
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean)
        .every((name) => name.startsWith('type '));
    if (typeOnly || allTypes) continue;
    // A .js import names a .ts source, or a JavaScript file (generated code) as it is.
    const target = path.resolve(path.dirname(file), specifier);
    imported.push(existsSync(target.replace(/\.js$/, '.ts')) ? target.replace(/\.js$/, '.ts') : target);
  }
  return imported;
}

/** Every cycle reachable from `roots`, each as the files along it. */
function cycles(roots: string[]): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (file: string) => {
    const at = stack.indexOf(file);
    if (at >= 0) {
      found.push(stack.slice(at).map((f) => path.relative(SRC, f)));
      return;
    }
    if (done.has(file)) return;
    stack.push(file);
    for (const next of valueImports(file)) visit(next);
    stack.pop();
    done.add(file);
  };
  roots.forEach(visit);
  return found;
}

describe('src/', () => {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.[jt]s$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => path.join(SRC, file));

  it('has no runtime import cycle', () => {
    expect(cycles(files)).toEqual([]);
  });

  it('finds a cycle when there is one (the check checks)', () => {
    // network.ts imports serialize.ts for its values; serialize.ts imports network.ts's types only.
    const network = path.join(SRC, 'network.ts'),
      serialize = path.join(SRC, 'serialize.ts');
    expect(valueImports(network)).toContain(serialize);
    expect(valueImports(serialize)).not.toContain(network);
  });
});
