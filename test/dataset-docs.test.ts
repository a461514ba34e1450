/**
 * The dataset example of docs/training.md runs as written against the built
 * package (as `import ... from 'wasmlp'` gives an installed user), and prints
 * what its comments say.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIBRARY = pathToFileURL(path.join(ROOT, 'dist', 'wasmlp.js')).href;
const TSX = pathToFileURL(createRequire(path.join(ROOT, 'package.json')).resolve('tsx')).href;

it('docs/training.md: the fitDataset example learns, validates and predicts as its comments say', async () => {
  const text = await readFile(path.join(ROOT, 'docs', 'training.md'), 'utf8');
  const [example] = [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
    .map((match) => match[1])
    .filter((code) => code.includes(`from 'wasmlp'`) && code.includes('fitDataset'));
  expect(example).toBeDefined();
  const dir = await mkdtemp(path.join(tmpdir(), 'wasmlp-dataset-docs-'));
  try {
    const file = path.join(dir, 'example.mts');
    await writeFile(file, example.replaceAll(`from 'wasmlp'`, `from ${JSON.stringify(LIBRARY)}`));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', TSX, file], { cwd: dir, timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('1');
    expect(lines[1]).toMatch(/^\{ loss: 0\.\d+, acc: 0\.9\d* \}$/);
    const outputs = lines
      .slice(2)
      .join(' ')
      .match(/-?\d\.\d+(e-\d+)?/g)!
      .map(Number);
    expect(outputs).toHaveLength(4);
    expect(outputs.map((v) => Math.round(v))).toEqual([1, 1, 0, 0]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('docs/training.md: the csvDataset example trains on examples/iris.csv as its comments say', async () => {
  const text = await readFile(path.join(ROOT, 'docs', 'training.md'), 'utf8');
  const [example] = [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
    .map((match) => match[1])
    .filter((code) => code.includes(`from 'wasmlp/node'`));
  expect(example).toBeDefined();
  const dir = await mkdtemp(path.join(tmpdir(), 'wasmlp-csv-docs-'));
  try {
    const file = path.join(dir, 'example.mts');
    const node = pathToFileURL(path.join(ROOT, 'dist', 'wasmlp-node.js')).href;
    await writeFile(
      file,
      example
        .replaceAll(`from 'wasmlp/node'`, `from ${JSON.stringify(node)}`)
        .replaceAll(`from 'wasmlp'`, `from ${JSON.stringify(LIBRARY)}`),
    );
    // From the repository's root, where the example's path leads.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', TSX, file], { cwd: ROOT, timeout: 60_000 });
    expect(stdout).toContain(`'sepal_length', 'sepal_width', 'petal_length', 'petal_width'`);
    expect(stdout).toMatch(/classes: \[ 'setosa', 'versicolor', 'virginica' \],\s+encoding: 'onehot'/);
    const [, acc] = stdout.match(/acc: (0\.\d+|1)/)!;
    expect(Number(acc)).toBeGreaterThan(0.9);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
