/**
 * The programs in docs/formats.md run as written against the source, one
 * after another in one folder (the imports read what the exports wrote), and
 * print what their comments say.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(path.join(ROOT, 'package.json'));
const IMPORTS: Record<string, string> = {
  wasmlp: pathToFileURL(path.join(ROOT, 'src', 'index.ts')).href,
  'wasmlp/formats': pathToFileURL(path.join(ROOT, 'src', 'formats', 'index.ts')).href,
  'onnxruntime-web': pathToFileURL(require.resolve('onnxruntime-web')).href,
};
const TSX = pathToFileURL(require.resolve('tsx')).href;

it('docs/formats.md: each program runs, and the imports read back what was exported', async () => {
  const text = await readFile(path.join(ROOT, 'docs', 'formats.md'), 'utf8');
  const programs = [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
  expect(programs).toHaveLength(4);
  const dir = await mkdtemp(path.join(tmpdir(), 'wasmlp-formats-'));
  try {
    await copyFile(new URL('fixtures/torch-relu-sigmoid.onnx', import.meta.url), path.join(dir, 'mlp.onnx'));
    const printed: string[] = [];
    for (const [i, code] of programs.entries()) {
      const file = path.join(dir, `example${i}.mts`);
      await writeFile(
        file,
        code.replace(/from '([^']+)'/g, (match, name: string) =>
          IMPORTS[name] ? `from ${JSON.stringify(IMPORTS[name])}` : match,
        ),
      );
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', TSX, file], { cwd: dir, timeout: 60_000 });
      printed.push(stdout);
    }
    expect(printed[0]).toMatch(/Float32Array\(2\)/);
    expect(printed[1]).toMatch(
      /activation: 'relu'[\s\S]*activation: 'relu'[\s\S]*activation: 'sigmoid'[\s\S]*binaryCrossentropy/,
    );
    expect(printed[3]).toMatch(/activation: 'leakyRelu',\s+alpha: 0\.2\b[\s\S]*activation: 'softmax'/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
