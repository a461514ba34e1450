/**
 * fitDataset's memory follows the largest batch, not the dataset: in this
 * file's own WebAssembly memory (a test file gets a fresh module), batches
 * made on the fly stream many times more bytes than the memory holds, and
 * the memory does not grow after the first epoch.
 */
import { expect, it } from 'vitest';
import { engineOf } from '../src/engine.js';
import { createNetwork } from '../src/index.js';
import { Random } from '../src/random.js';

it('streaming 40 times the memory, the WebAssembly memory does not grow after the first epoch', async () => {
  const net = await createNetwork({
    inputs: 64,
    layers: [
      { units: 16, activation: 'relu' },
      { units: 1, activation: 'sigmoid' },
    ],
    loss: 'binaryCrossentropy',
    backend: 'wasm',
    dtype: 'float64',
    seed: 1,
  });
  const engine = engineOf(net);
  const memoryBytes = () => engine.backend.view(engine.layers[0].weights, 1).buffer.byteLength;
  const arena = (engine.backend as unknown as { heap: { arena: { bytesInUse: number } } }).heap.arena;
  const rows = 512;
  let streamed = 0;
  // Made on the fly: never more than one batch exists at a time.
  const dataset = function* () {
    const random = new Random(3);
    for (let b = 0; b < 40; b++) {
      const n = b === 0 ? rows / 2 : b % 7 === 3 ? 100 : rows; // the largest batch comes second: memory grows then, once
      const x = new Float64Array(n * 64);
      for (let i = 0; i < x.length; i++) x[i] = random.uniform() - 0.5;
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) y[i] = x[i * 64] > 0 ? 1 : 0;
      streamed += x.byteLength + y.byteLength;
      yield { x: { data: x, shape: [n, 64] as [number, number] }, y: { data: y, shape: [n, 1] as [number, number] } };
    }
  };
  const memory: number[] = [];
  const inUse: number[] = [];
  const history = await net.fitDataset(dataset, {
    epochs: 5,
    learningRate: 0.05,
    optimizer: 'adam',
    callbacks: {
      onEpochEnd: () => {
        memory.push(memoryBytes());
        inUse.push(arena.bytesInUse);
      },
    },
  });
  expect(memory).toHaveLength(5);
  expect(new Set(memory).size).toBe(1);
  expect(new Set(inUse).size).toBe(1);
  expect(streamed).toBeGreaterThan(40 * memory[0]);
  expect(history.history.loss[4]).toBeLessThan(history.history.loss[0]);
  net.dispose();
});
