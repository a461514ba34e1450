/**
 * The API reference, docs/api/: every name src/index.ts exports has a
 * well-formed TSDoc comment (the generator fails on any warning), the
 * committed pages are what the comments generate now, and every example in
 * them type-checks against the current API, so the reference cannot fall
 * behind the code. scripts/docs.ts (`npm run docs`) regenerates it.
 *
 * An example is a ```ts block. One that imports 'wasmlp' (or wasmlp/formats,
 * wasmlp/predict, wasmlp/node) is a whole program;
 * any other is a fragment, which sees every export of the package and four
 * names of its context: `net` (a Network), `x` and `y` (number[][]) and
 * `select` (an HTMLSelectElement, for menus).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMMITTED = path.join(ROOT, 'docs', 'api');
const STALE = 'docs/api/ is not what the TSDoc comments generate: run `npm run docs` and commit docs/api/';

/** Every file under `dir` (none if it is missing), by its path relative to `dir`, with its text. */
async function pages(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
  return new Map(await Promise.all(files.map(async (file) => [file, await readFile(path.join(dir, file), 'utf8')] as const)));
}

/**
 * Writes each example as a module of its own, with a tsconfig as strict as
 * the project's: the package is src/index.ts, and a fragment imports all of
 * it (the names from the pages' file names: types/ and interfaces/ hold types).
 */
async function writeExamples(dir: string, files: readonly string[], examples: ReadonlyMap<string, string>): Promise<void> {
  const index = JSON.stringify(path.join(ROOT, 'src', 'index.ts'));
  const entries: Record<string, string> = {
    wasmlp: index,
    'wasmlp/formats': JSON.stringify(path.join(ROOT, 'src', 'formats', 'index.ts')),
    'wasmlp/predict': JSON.stringify(path.join(ROOT, 'src', 'predict', 'index.ts')),
    'wasmlp/node': JSON.stringify(path.join(ROOT, 'src', 'node', 'index.ts')),
  };
  // A fragment sees the library's exports: those with a page in a kind's folder at the top.
  const names = files
    .filter((file) => /^(functions|classes|interfaces|types|variables)$/.test(path.dirname(file)))
    .map((file) => {
      const name = path.basename(file, '.md');
      return /^(types|interfaces)\b/.test(file) ? `type ${name}` : name;
    });
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    lib: ['ES2022', 'DOM'],
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
  };
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }));
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(
    path.join(dir, 'context.d.ts'),
    [
      `import type { Network } from ${index};`,
      'declare global { const net: Network; const x: number[][]; const y: number[][]; const select: HTMLSelectElement; }',
      'export {};',
    ].join('\n'),
  );
  await Promise.all(
    [...examples].map(([file, code]) => {
      const program = /from 'wasmlp(\/\w+)?'/.test(code)
        ? code.replace(/from '(wasmlp(?:\/\w+)?)'/g, (_, entry: string) => `from ${entries[entry]}`)
        : `import { ${names.join(', ')} } from ${index};\n${code}\nexport {};\n`;
      return writeFile(path.join(dir, file), program);
    }),
  );
}

describe('docs/api/', () => {
  let out: string;
  let run: { code: number; output: string };

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'wasmlp-api-docs-'));
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    run = await promisify(execFile)(tsx, [path.join(ROOT, 'scripts', 'docs.ts'), '--out', out], { cwd: ROOT })
      .then(({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }))
      .catch((error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? 1,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      }));
  }, 60_000);

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('generates with no warning: every public name has a well-formed TSDoc comment', () => {
    expect(run.output, run.output).not.toMatch(/warning/);
    expect(run.code).toBe(0);
  });

  it('has examples that type-check against the current API', async () => {
    const generated = await pages(out);
    // Named for its page: interfaces/Callback.md's first is interfaces.Callback.1.ts.
    const examples = new Map(
      [...generated].flatMap(([page, text]) =>
        [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map(
          (match, i) => [`${page.replace(/\.md$/, '').replaceAll(path.sep, '.')}.${i + 1}.ts`, match[1]] as const,
        ),
      ),
    );
    expect(examples.size).toBeGreaterThan(10);
    const dir = await mkdtemp(path.join(tmpdir(), 'wasmlp-api-examples-'));
    try {
      await writeExamples(dir, [...generated.keys()], examples);
      const tsc = path.join(ROOT, 'node_modules', '.bin', 'tsc');
      const result = await promisify(execFile)(tsc, ['-p', path.join(dir, 'tsconfig.json')]).then(
        () => '',
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      expect(result, `an example in docs/api/ does not type-check:\n${result}`).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('holds exactly the pages the comments generate', async () => {
    const [fresh, committed] = await Promise.all([pages(out), pages(COMMITTED)]);
    expect([...committed.keys()], STALE).toEqual([...fresh.keys()]);
    for (const [name, text] of fresh) expect(committed.get(name), `${STALE} (${name} differs)`).toBe(text);
  });
});
