/**
 * The API reference, docs/api/: every name src/index.ts exports has a
 * well-formed TSDoc comment (the generator fails on any warning), and the
 * committed pages are what the comments generate now, so the reference
 * cannot fall behind the code. scripts/docs.ts (`npm run docs`) regenerates it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
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
  const files = entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name))).sort();
  return new Map(await Promise.all(files.map(async (file) => [file, await readFile(path.join(dir, file), 'utf8')] as const)));
}

describe('docs/api/', () => {
  let out: string;
  let run: { code: number; output: string };

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'wasmlp-api-docs-'));
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    run = await promisify(execFile)(tsx, [path.join(ROOT, 'scripts', 'docs.ts'), '--out', out], { cwd: ROOT })
      .then(({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }))
      .catch((error: { code?: number; stdout?: string; stderr?: string }) =>
        ({ code: error.code ?? 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }));
  }, 60_000);

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('generates with no warning: every public name has a well-formed TSDoc comment', () => {
    expect(run.output, run.output).not.toMatch(/warning/);
    expect(run.code).toBe(0);
  });

  it('holds exactly the pages the comments generate', async () => {
    const [fresh, committed] = await Promise.all([pages(out), pages(COMMITTED)]);
    expect([...committed.keys()], STALE).toEqual([...fresh.keys()]);
    for (const [name, text] of fresh) expect(committed.get(name), `${STALE} (${name} differs)`).toBe(text);
  });
});
