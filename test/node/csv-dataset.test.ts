/**
 * wasmlp/node's csvDataset at its door: every bad option is an Error naming
 * it, before the file is opened; a good call gives the CLI's streamed
 * dataset (test/cli/csv-dataset.test.ts tests the streaming itself).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { csvDataset } from '../../src/node/index.js';

const IRIS = fileURLToPath(new URL('../../examples/iris.csv', import.meta.url));

describe('csvDataset', () => {
  it.each([
    [
      { target: 'species', bogus: 1 },
      'csvDataset: unknown option "bogus"; expected one of target, features, batchSize, shuffleBuffer, seed, loss',
    ],
    [{ target: 3 }, "csvDataset: target must be a column's name or a non-empty array of them, got 3"],
    [{ target: [] }, "csvDataset: target must be a column's name or a non-empty array of them, got an array of length 0"],
    [
      { target: 'species', features: 'petal_width' },
      'csvDataset: features must be a non-empty array of column names, got "petal_width"',
    ],
    [{ target: 'species', features: ['species'] }, 'csvDataset: column "species" is both a feature and the target'],
    [{ target: 'species', batchSize: 0 }, 'csvDataset: batchSize must be a positive integer, got 0'],
    [{ target: 'species', shuffleBuffer: 1.5 }, 'csvDataset: shuffleBuffer must be a whole number of rows, got 1.5'],
    [{ target: 'species', seed: -1 }, 'csvDataset: seed must be an integer in [0, 2^32), got -1'],
    [
      { target: 'species', loss: 'hinge' },
      'csvDataset: loss "hinge" is unknown; expected one of categoricalCrossentropy, binaryCrossentropy, meanSquaredError',
    ],
  ])('refuses %j', async (options, message) => {
    await expect(csvDataset(IRIS, options as never)).rejects.toThrow(message);
  });

  it('refuses a path that is not a string, and names a missing column and the columns there are', async () => {
    await expect(csvDataset(7 as never, { target: 'y' })).rejects.toThrow("csvDataset: path must be a file's path, got 7");
    await expect(csvDataset(IRIS, { target: 'kind' })).rejects.toThrow(
      'line 1 (the header): no column "kind" (the target); the columns are "sepal_length", "sepal_width", "petal_length", "petal_width", "species"',
    );
  });

  it("reads the file's columns and classes, and gives every row once a pass, in batches", async () => {
    const data = await csvDataset(IRIS, { target: 'species', batchSize: 64, shuffleBuffer: 150, seed: 7 });
    expect(data.features).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(data.target).toEqual({
      type: 'classes',
      column: 'species',
      classes: ['setosa', 'versicolor', 'virginica'],
      encoding: 'onehot',
    });
    expect([data.rows, data.outputs, data.batchSize]).toEqual([150, 3, 64]);
    const pass = async () => {
      const shapes: number[][] = [];
      const firstColumn: number[] = [];
      for await (const { x, y } of data) {
        shapes.push([...x.shape, ...y.shape]);
        for (let r = 0; r < x.shape[0]; r++) firstColumn.push(x.data[r * 4]);
      }
      return { shapes, firstColumn };
    };
    const [first, second] = [await pass(), await pass()];
    expect(first.shapes).toEqual([
      [64, 4, 64, 3],
      [64, 4, 64, 3],
      [22, 4, 22, 3],
    ]);
    // Each pass holds every row once, in an order of its own.
    expect([...first.firstColumn].sort()).toEqual([...second.firstColumn].sort());
    expect(first.firstColumn).not.toEqual(second.firstColumn);
  });
});
