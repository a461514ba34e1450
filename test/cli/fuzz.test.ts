/**
 * Property-based tests of the command line's readers (fast-check): random
 * bytes, and random edits of valid CSV and model files (bytes flipped, the
 * file cut short, quotes, commas, line breaks, NUL and invalid UTF-8
 * inserted, JSON values replaced), fed to train, predict and evaluate
 * in-process. Whatever the input: main() resolves to 0 or 1, never throws
 * and leaves no unhandled error; a failure is one line on stderr, `error: `
 * and a message (not a TypeError's, which would be a bug in a reader), with
 * no control characters; and each case ends within 5 seconds.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasmlp } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string): string => join(dir, name);

/** What a run may end as: success, or exit 1 with one clean line. */
function expectCleanEnd(run: { code: number; stderr: string }): void {
  if (run.code === 0) return;
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^error: [^\n]+\n$/);
  // Control characters are escaped; the final line feed is the only one.
  expect(run.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  // Messages of JavaScript's own errors mean a reader tripped over its input rather than judging it.
  expect(run.stderr).not.toMatch(
    /Cannot read properties|is not a function|is not iterable|Maximum call stack|undefined \(reading/,
  );
}

const IRIS = readFileSync('examples/iris.csv').subarray(0, 1500);
const REGRESSION = Buffer.from(
  `a,b,y\n${Array.from({ length: 40 }, (_, i) => `${i},${(i * 7) % 11},${(i * 0.37).toFixed(2)}`).join('\n')}\n`,
);

/** Byte sequences worth inserting: CSV syntax, line ends, NUL, invalid or partial UTF-8, a BOM, a formula. */
const TOKENS = ['"', ',', '\n', '\r', '\r\n', '""', '\u0000', '\uFEFF', 'é', '=1+1', 'NaN', '1e999', '-', ' ']
  .map((t) => Buffer.from(t))
  .concat([
    Buffer.from([0xff]),
    Buffer.from([0xc0, 0x80]),
    Buffer.from([0xe2, 0x82]),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from([0x80]),
  ]);

type Edit = (bytes: Buffer) => Buffer;

/** A position anywhere in a file, as a fraction of its length, spread evenly (fast-check's doubles crowd 0 and 1). */
const position = fc.noBias(fc.integer({ min: 0, max: 1_000_000 })).map((n) => n / 1_000_001);

/** One random edit, at a position given as a fraction of the length (so it applies to any file). */
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.tuple(position, fc.integer({ min: 0, max: 255 })).map(
    ([at, byte]): Edit =>
      (bytes) => {
        const copy = Buffer.from(bytes);
        if (copy.length > 0) copy[Math.min(copy.length - 1, Math.floor(at * copy.length))] = byte;
        return copy;
      },
  ),
  position.map(
    (at): Edit =>
      (bytes) =>
        bytes.subarray(0, Math.floor(at * bytes.length)),
  ),
  fc.tuple(position, fc.constantFrom(...TOKENS)).map(
    ([at, token]): Edit =>
      (bytes) => {
        const i = Math.floor(at * bytes.length);
        return Buffer.concat([bytes.subarray(0, i), token, bytes.subarray(i)]);
      },
  ),
  fc.tuple(position, fc.integer({ min: 1, max: 40 })).map(
    ([at, length]): Edit =>
      (bytes) => {
        const i = Math.floor(at * bytes.length);
        return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + length)]);
      },
  ),
);

const edited = (base: Buffer): fc.Arbitrary<Buffer> =>
  fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => edits.reduce((b, e) => e(b), base));

/** Bounded runs: 200 cases, each failing the property past 5 s (a hang), the whole run seeded for repeatability. */
const RUNS: fc.Parameters<unknown> = { numRuns: 200, seed: 20261207, plugins: [fc.timeout(5000)] } as fc.Parameters<unknown>;

let model: string;
let regressionModel: string;
beforeAll(async () => {
  writeFileSync(path('iris.csv'), IRIS);
  writeFileSync(path('regression.csv'), REGRESSION);
  model = path('iris.json');
  regressionModel = path('regression.json');
  expect(
    (
      await wasmlp(
        'train',
        path('iris.csv'),
        '--target',
        'species',
        '--layers',
        '4',
        '--epochs',
        '2',
        '--seed',
        '1',
        '--save',
        model,
      )
    ).code,
  ).toBe(0);
  expect(
    (
      await wasmlp(
        'train',
        path('regression.csv'),
        '--target',
        'y',
        '--layers',
        '3',
        '--epochs',
        '2',
        '--seed',
        '1',
        '--save',
        regressionModel,
      )
    ).code,
  ).toBe(0);
});

describe('fuzzed CSV files', () => {
  it('predict and evaluate: random bytes and random edits of a valid file', async () => {
    const data = path('data.csv');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
          edited(IRIS),
        ),
        async (bytes) => {
          writeFileSync(data, bytes);
          expectCleanEnd(await wasmlp('predict', model, data));
          expectCleanEnd(await wasmlp('evaluate', model, data));
        },
      ),
      RUNS,
    );
  }, 120_000);

  it('train: random edits of a classification and a regression file', async () => {
    const data = path('train.csv');
    const cases = fc.oneof(
      edited(IRIS).map((b) => [b, 'species'] as const),
      edited(REGRESSION).map((b) => [b, 'y'] as const),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ([bytes, target]) => {
        writeFileSync(data, bytes);
        expectCleanEnd(await wasmlp('train', data, '--target', target, '--layers', '3', '--epochs', '1', '--seed', '1'));
      }),
      RUNS,
    );
  }, 120_000);
});

describe('fuzzed model files', () => {
  it('predict: random bytes and random edits of a valid model file', async () => {
    const bad = path('model.json');
    const valid = readFileSync(model);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
          edited(valid),
        ),
        async (bytes) => {
          writeFileSync(bad, bytes);
          expectCleanEnd(await wasmlp('predict', bad, path('iris.csv')));
        },
      ),
      RUNS,
    );
  }, 120_000);

  it('predict and evaluate: any JSON value in place of any value of a valid model file', async () => {
    const bad = path('model-json.json');
    const paths: string[][] = [];
    const walk = (value: unknown, at: string[]): void => {
      paths.push(at);
      if (value !== null && typeof value === 'object')
        for (const [key, inner] of Object.entries(value)) walk(inner, [...at, key]);
    };
    for (const file of [model, regressionModel]) walk(JSON.parse(readFileSync(file, 'utf8')), [file]);
    const replaced = fc
      .tuple(fc.constantFrom(...paths.filter((p) => p.length > 1)), fc.jsonValue({ maxDepth: 3 }))
      .map(([[file, ...at], value]) => {
        const json = JSON.parse(readFileSync(file, 'utf8'));
        let parent = json;
        for (const key of at.slice(0, -1)) parent = parent[key];
        parent[at.at(-1)!] = value;
        return { json, data: file === model ? path('iris.csv') : path('regression.csv') };
      });
    await fc.assert(
      fc.asyncProperty(replaced, async ({ json, data }) => {
        writeFileSync(bad, JSON.stringify(json));
        expectCleanEnd(await wasmlp('predict', bad, data));
        expectCleanEnd(await wasmlp('evaluate', bad, data));
      }),
      RUNS,
    );
  }, 120_000);
});
