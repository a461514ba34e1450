/**
 * Linear memory grows under a training network (another network's
 * allocation detaches the old buffer): training must not notice.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { seed, seedLabels, seedWeights } from '../../data/seed.js';
import { Arena } from '../../src/backend/arena.js';
import { engineOf } from '../../src/engine.js';
import { createNetwork, type Network } from '../../src/index.js';

const SEED = {
  inputs: 2,
  layers: [8, 4, 1].map((units) => ({ units, activation: 'sigmoid' as const })),
  loss: 'binaryCrossentropy' as const,
  dtype: 'float64' as const,
};

describe.each(['wasm', 'js'] as const)('memory growth on %s', (backend) => {
  it('a network created mid-training grows memory, and the first still matches the seed', async () => {
    const net = await createNetwork({ ...SEED, backend });
    net.setWeights(seedWeights('init'));
    const bufferAt = (n: Network) => engineOf(n).backend.view(engineOf(n).layers[0].weights, 1).buffer;
    const before = bufferAt(net);
    let big: Network | undefined;
    const history = await net.fit(seed.X, seedLabels(), {
      epochs: 2000,
      learningRate: 20,
      onEpochEnd: async (epoch) => {
        // 2000 x 2000 float64 weights and gradients: 64 MB, more than memory holds.
        if (epoch === 999)
          big = await createNetwork({
            ...SEED,
            backend,
            inputs: 2000,
            layers: [
              { units: 2000, activation: 'sigmoid' },
              { units: 1, activation: 'sigmoid' },
            ],
          });
      },
    });
    expect(bufferAt(net)).not.toBe(before); // the old buffer was detached: growth really happened
    expect(before.byteLength).toBe(0);
    for (let k = 0; k < 2000; k++) expect(Math.abs(history.history.loss[k] - seed.loss[k]) / seed.loss[k]).toBeLessThan(1e-9);
    const final = seedWeights('final');
    net
      .getWeights()
      .forEach((layer, l) =>
        layer.W.forEach((row, i) => row.forEach((w, j) => expect(Math.abs(w - final[l].W[i][j])).toBeLessThan(1e-9))),
      );
    // The big network works too, in the same memory.
    expect(big!.predict([new Array(2000).fill(0.1)])).toHaveLength(1);
    big!.dispose();
    net.dispose();
  });

  it('a training step allocates nothing in linear memory: from the first batch on, the arena and the buffer stay put', async () => {
    for (const optimizer of ['sgd', { type: 'sgd', momentum: 0.9 }, 'adam'] as const) {
      const net = await createNetwork({ ...SEED, backend });
      const arena = (engineOf(net).backend as unknown as { heap: { arena: Arena } }).heap.arena;
      const buffer = () => engineOf(net).backend.view(engineOf(net).layers[0].weights, 1).buffer;
      const seen: { inUse: number; buffer: ArrayBufferLike }[] = [];
      await net.fit(seed.X, seedLabels(), {
        epochs: 3,
        learningRate: 0.1,
        batchSize: 32,
        shuffle: true,
        optimizer,
        validationSplit: 0.2,
        callbacks: {
          onBatchEnd: () => {
            seen.push({ inUse: arena.bytesInUse, buffer: buffer() });
          },
        },
      });
      expect(seen).toHaveLength(3 * 5); // 160 training rows in batches of 32
      for (const step of seen) {
        expect(step.inUse).toBe(seen[0].inUse);
        expect(step.buffer).toBe(seen[0].buffer);
      }
      net.dispose();
    }
  });
});

/**
 * The JavaScript side of a wasm training step (forward, loss, backward,
 * update: calls with offsets and sizes) creates no object: over 5,000 steps
 * the young generation, where new objects go, grows by less than one small
 * object a step (one 16-byte object a step shows as 32). Measured in a child
 * process, starting from a collected heap (--expose-gc), the young
 * generation large enough (--min-semi-space-size, MB) that no collection
 * empties it meanwhile; the whole heap would also count code the JIT
 * compiles, which a loaded machine can delay into the measured steps.
 */
it('a wasm training step allocates nothing on the JavaScript heap either', async () => {
  const script = `
    const { createNetwork } = await import(${JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)});
    const { engineOf } = await import(${JSON.stringify(new URL('../../src/engine.ts', import.meta.url).href)});
    const v8 = await import('node:v8');
    const young = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_used_size;
    const net = engineOf(await createNetwork({ inputs: 2, layers: [8, 4, 1].map((units) => ({ units, activation: 'sigmoid' })),
      loss: 'binaryCrossentropy', backend: 'wasm', seed: 1 }));
    const rows = 200;
    const x = Array.from({ length: rows }, (_, i) => [Math.sin(i), Math.cos(i)]);
    const data = net.loadData(x, x.map(([a]) => [a > 0 ? 1 : 0]));
    net.useOptimizer({ type: 'sgd', momentum: 0.9, nesterov: false });
    net.reserveBatch(rows);
    const step = () => {
      const a = net.forward(data.x, rows);
      net.loss.loss(net.backend, rows, a, data.y);
      net.backward(data.x, data.y, rows);
      net.applyGradients(0.1);
    };
    for (let i = 0; i < 20000; i++) step(); // optimised before measuring
    gc();
    const before = young();
    for (let i = 0; i < 5000; i++) step();
    console.log((young() - before) / 5000);
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--min-semi-space-size=16', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 60_000 },
  );
  const bytesPerStep = Number(stdout);
  expect(bytesPerStep).toBeGreaterThanOrEqual(0); // below 0, a collection ran: the measure would mean nothing
  expect(bytesPerStep).toBeLessThan(8);
});

describe('Arena', () => {
  function arena() {
    let size = 64;
    const grows: number[] = [];
    const a = new Arena(
      {
        byteLength: () => size,
        grow: (n) => {
          grows.push(n);
          size = Math.max(n, size * 2);
        },
      },
      8,
    );
    return { a, grows };
  }

  it('aligns blocks to 16 bytes, above the base', () => {
    const { a } = arena();
    const p = a.alloc(1);
    const q = a.alloc(20);
    expect([p % 16, q % 16]).toEqual([0, 0]);
    expect(p).toBeGreaterThanOrEqual(8);
    expect(q).toBe(p + 16);
  });

  it('never hands out offset 0, even from a base of 0: 0 is never a live buffer', () => {
    let size = 64;
    const a = new Arena(
      {
        byteLength: () => size,
        grow: (n) => {
          size = n;
        },
      },
      0,
    );
    expect(a.alloc(1)).toBe(16);
    expect(a.owns(0)).toBe(false);
    expect([a.owns(16), a.owns(31), a.owns(32)]).toEqual([true, true, false]);
  });

  it("a network's blocks are listed by its backend and all freed by dispose(), a running fit's data included", async () => {
    const net = await createNetwork({ ...SEED, backend: 'js' });
    expect(engineOf(net).backend.blockCount).toBe(12); // W, b and their gradients, 3 layers
    let during = 0;
    await net.fit(seed.X, seedLabels(), {
      epochs: 1,
      learningRate: 1,
      optimizer: 'adam',
      callbacks: {
        onEpochEnd: () => {
          during = engineOf(net).backend.blockCount;
        },
      },
    });
    // + 6 batch buffers, x and y, the checkpoint, Adam's m and v for 6 parameters
    expect(during).toBe(12 + 6 + 2 + 1 + 12);
    expect(engineOf(net).backend.blockCount).toBe(12 + 6 + 12);
    net.dispose();
    expect(engineOf(net).backend.blockCount).toBe(0);
  });

  it('grows the memory when the bump pointer passes its end', () => {
    const { a, grows } = arena();
    a.alloc(40);
    expect(grows).toEqual([]);
    a.alloc(100);
    expect(grows).toEqual([16 + 48 + 112]);
  });

  it('reuses freed blocks and merges neighbouring holes', () => {
    const { a } = arena();
    const p = a.alloc(16),
      q = a.alloc(16),
      r = a.alloc(16);
    a.alloc(16); // keeps the top above r
    a.free(p);
    a.free(r);
    a.free(q); // p, q, r are now one 48-byte hole
    expect(a.alloc(48)).toBe(p);
    expect(a.bytesInUse).toBe(64);
  });

  it('gives a hole at the top back to the bump pointer', () => {
    const { a } = arena();
    const p = a.alloc(16);
    const q = a.alloc(32);
    a.free(q);
    a.free(p);
    expect(a.alloc(64)).toBe(p);
  });

  it('rejects freeing what it did not allocate, and bad sizes', () => {
    const { a } = arena();
    const p = a.alloc(16);
    a.free(p);
    expect(() => a.free(p)).toThrow(/not an allocated block/);
    expect(() => a.alloc(-1)).toThrow(/invalid size/);
  });

  it('returns every byte when networks are disposed', async () => {
    const net = await createNetwork({ ...SEED, backend: 'js' });
    const arenaOf = (engineOf(net).backend as unknown as { heap: { arena: Arena } }).heap.arena;
    const inUse = arenaOf.bytesInUse;
    const other = await createNetwork({ ...SEED, backend: 'js' });
    await other.fit(seed.X, seedLabels(), { epochs: 2, learningRate: 1, batchSize: 50, shuffle: true });
    other.predict(seed.X);
    other.dispose();
    expect(arenaOf.bytesInUse).toBe(inUse);
    net.dispose();
  });
});
