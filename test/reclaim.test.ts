/**
 * Networks dropped without dispose() give their memory back when the
 * garbage collector takes them (a FinalizationRegistry in network.ts). Run
 * in a child process with --expose-gc: 160 networks of 64 MiB each (32 MiB
 * of weights and gradients, 32 MiB of Adam's moments after one fit) would
 * need 10 GiB, 2.5 times the 4 GiB cap, if none were reclaimed.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('160 dropped 64 MiB networks (after a fit each) do not exhaust memory: their blocks return when collected', async () => {
  const script = `
    const { createNetwork } = await import(${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)});
    const { engineOf } = await import(${JSON.stringify(new URL('../src/engine.ts', import.meta.url).href)});
    const MiB = 2 ** 20;
    let memory = 0, inUse = 0, baseline = -1;
    const arenaOf = (net) => engineOf(net).backend.heap.arena;
    for (let i = 0; i < 160; i++) {
      // 2048 x 2048 float32 weights and their gradients: 32 MiB.
      const net = await createNetwork({ inputs: 2048, layers: [{ units: 2048, activation: 'relu' }, { units: 1, activation: 'sigmoid' }],
        loss: 'binaryCrossentropy', backend: 'wasm', seed: i });
      await net.fit([new Array(2048).fill(0.5)], [[1]], { epochs: 1, learningRate: 0.001, optimizer: 'adam' });
      memory = Math.max(memory, engineOf(net).backend.view(engineOf(net).layers[0].weights, 1).buffer.byteLength);
      if (baseline < 0) baseline = arenaOf(net).bytesInUse;
      inUse = Math.max(inUse, arenaOf(net).bytesInUse);
      // net is dropped here: no dispose().
      gc();
      await new Promise((resolve) => setTimeout(resolve, 0)); // finalizers run in a later task
    }
    console.log(JSON.stringify({ memory: memory / MiB, inUse: inUse / MiB, baseline: baseline / MiB }));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 240_000 },
  );
  const { memory, inUse, baseline } = JSON.parse(stdout) as { memory: number; inUse: number; baseline: number };
  expect(baseline).toBeGreaterThan(64); // one network and its Adam state really are 64 MiB
  // A few networks at most are alive at once (collection may lag a turn or two), not 160.
  expect(inUse).toBeLessThan(8 * 64);
  expect(memory).toBeLessThan(1024);
}, 300_000);
