/**
 * firstNonFinite (assembly/finite.ts, js.ts) and the input check it serves:
 * fit and predict check a typed array of the network's own dtype after
 * copying it into backend memory, with the same messages as the check in
 * JavaScript (data.ts) and nothing left allocated on failure.
 */
import { describe, expect, it } from 'vitest';
import { DTYPES, type DType } from '../src/backend/backend.js';
import { createBackend } from '../src/backend/index.js';
import { engineOf } from '../src/engine.js';
import { createNetwork } from '../src/index.js';

describe.each(DTYPES)('firstNonFinite, %s', (dtype: DType) => {
  it('finds the first NaN or ±Infinity wherever it is, on wasm as on js', async () => {
    for (const name of ['wasm', 'js'] as const) {
      const be = await createBackend(name, dtype);
      for (const n of [0, 1, 3, 4, 15, 16, 17, 63, 64, 65, 1000]) {
        const at = be.alloc(Math.max(n, 1));
        const view = () => be.view(at, n);
        view().set(
          Array.from({ length: n }, (_, i) => (i % 7) - 3 + (dtype === 'float32' ? 3.4e38 : 1.7e308) * (i % 13 === 5 ? 1 : 0)),
        );
        expect(be.firstNonFinite(n, at), `${name} n=${n} all finite`).toBe(-1);
        for (const bad of [NaN, Infinity, -Infinity]) {
          for (const i of [0, 1, n >> 1, n - 2, n - 1].filter((i) => i >= 0 && i < n)) {
            const saved = view()[i];
            view()[i] = bad;
            expect(be.firstNonFinite(n, at), `${name} n=${n} ${bad} at ${i}`).toBe(i);
            if (i + 1 < n) {
              view()[n - 1] = NaN; // a later one does not matter
              expect(be.firstNonFinite(n, at), `${name} n=${n} ${bad} at ${i}, NaN last`).toBe(i);
              view()[n - 1] = ((n - 1) % 7) - 3;
            }
            view()[i] = saved;
          }
        }
        be.free(at);
      }
    }
  });
});

describe('fit and predict on typed arrays with a NaN or ±Infinity', () => {
  it('reject them with the value and its place named, leaving nothing allocated', async () => {
    for (const dtype of DTYPES) {
      for (const backend of ['wasm', 'js'] as const) {
        const net = await createNetwork({
          inputs: 3,
          layers: [
            { units: 2, activation: 'sigmoid' },
            { units: 1, activation: 'sigmoid' },
          ],
          loss: 'binaryCrossentropy',
          backend,
          dtype,
          seed: 1,
        });
        const y = [[0], [1], [1], [0]];
        // The network's own dtype (checked after the copy) and the other one (checked before it).
        for (const Ctor of [Float32Array, Float64Array]) {
          for (const [index, value, message] of [
            [0, NaN, /x\[0\]\[0\] is NaN: values must be finite numbers/],
            [10, Infinity, /x\[3\]\[1\] is Infinity/],
            [5, -Infinity, /x\[1\]\[2\] is -Infinity/],
          ] as const) {
            const data = new Ctor(12).fill(0.5);
            data[index] = value;
            const x = { data, shape: [4, 3] as [number, number] };
            await expect(net.fit(x, y, { epochs: 1, learningRate: 0.1 }), `${backend} ${dtype} ${Ctor.name}`).rejects.toThrow(
              message,
            );
            expect(() => net.predict(x), `${backend} ${dtype} ${Ctor.name}`).toThrow(message);
          }
          // A bad x is reported before a bad y, as when x was checked first.
          const bad = { data: new Ctor(12).fill(NaN), shape: [4, 3] as [number, number] };
          await expect(net.fit(bad, [[0], [1]], { epochs: 1, learningRate: 0.1 })).rejects.toThrow(/x\[0\]\[0\] is NaN/);
          await expect(
            net.fit({ data: new Ctor(12), shape: [4, 3] }, [[0], [1]], { epochs: 1, learningRate: 0.1 }),
          ).rejects.toThrow(/x has 4 rows but y has 2/);
        }
        const before = (engineOf(net).backend as unknown as { heap: { arena: { bytesInUse: number } } }).heap.arena.bytesInUse;
        await expect(
          net.fit({ data: new Float32Array(12).fill(Infinity), shape: [4, 3] }, y, { epochs: 1, learningRate: 0.1 }),
        ).rejects.toThrow();
        expect((engineOf(net).backend as unknown as { heap: { arena: { bytesInUse: number } } }).heap.arena.bytesInUse).toBe(
          before,
        );
        net.dispose();
      }
    }
  });
});
