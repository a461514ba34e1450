/**
 * The complete programs in the README and the guides run as written against
 * the built package (dist/wasmlp.js, as `import ... from 'wasmlp'` gives an
 * installed user), and print what the text says they print.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LIBRARY = pathToFileURL(path.join(ROOT, 'dist', 'wasmlp.js')).href;
const FORMATS = pathToFileURL(path.join(ROOT, 'dist', 'wasmlp-formats.js')).href;
const PREDICT = pathToFileURL(path.join(ROOT, 'dist', 'wasmlp-predict.js')).href;
/** tsx, for the examples' TypeScript, from the project's own node_modules (the example runs elsewhere). */
const TSX = pathToFileURL(createRequire(path.join(ROOT, 'package.json')).resolve('tsx')).href;

/** The ```ts blocks of a markdown file that import the package: the complete programs (fragments import nothing). */
async function programs(file: string): Promise<string[]> {
  const text = await readFile(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
    .map((match) => match[1])
    .filter((code) => /from 'wasmlp(\/formats|\/predict)?'/.test(code));
}

/** Runs a program in a fresh folder with 'wasmlp' (and its entries) resolved to dist/, and returns what it printed. */
async function run(code: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wasmlp-docs-'));
  try {
    const file = path.join(dir, 'example.mts');
    await writeFile(
      file,
      code
        .replaceAll(`from 'wasmlp'`, `from ${JSON.stringify(LIBRARY)}`)
        .replaceAll(`from 'wasmlp/formats'`, `from ${JSON.stringify(FORMATS)}`)
        .replaceAll(`from 'wasmlp/predict'`, `from ${JSON.stringify(PREDICT)}`),
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', TSX, file], { cwd: dir, timeout: 60_000 });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the examples in the docs', () => {
  it('README: trains XOR to the right answers, and prints the logs the comments name', async () => {
    const [example] = await programs('README.md');
    const printed = await run(example);
    expect(printed).toMatch(/^0 \d/m);
    expect(printed).toMatch(/Float32Array\(4\)/);
    // evaluate's { loss, acc }: XOR learnt.
    expect(printed).toMatch(/acc: 1\b/);
  });

  it('README: an ONNX round trip predicts the same bits', async () => {
    const [, example] = await programs('README.md');
    expect((await run(example)).trim()).toBe('true');
  });

  it('docs/saving.md: a saved and loaded network predicts the same bits', async () => {
    const [example] = await programs('docs/saving.md');
    const printed = await run(
      `${example}\nconsole.log(JSON.stringify([...loaded.predict([[1, 0]])]) === JSON.stringify([...net.predict([[1, 0]])]));\n`,
    );
    expect(printed.trim()).toBe('true');
  });

  it('docs/predict.md: a predictor predicts the bits of the network it was saved from', async () => {
    const [, example] = await programs('docs/predict.md');
    const printed = await run(
      `${example}\nconst again = await loadPredictor(text);\n` +
        'console.log(Buffer.from(again.predict(x).buffer).equals(Buffer.from(net.predict(x).buffer)));\n',
    );
    expect(printed).toMatch(/Float32Array\(4\)/);
    expect(printed.trim().split('\n').at(-1)).toBe('true');
  });
});
