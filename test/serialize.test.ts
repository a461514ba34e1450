/** toJSON / loadNetwork: round trips bit for bit, and clear errors for bad files. */
import { describe, expect, it, vi } from 'vitest';
import { seed, seedLabels } from '../data/seed.js';
import { type Arena, allocationCount } from '../src/backend/arena.js';
import { engineOf, NetworkEngine } from '../src/engine.js';
import { createNetwork, loadNetwork, type Network, type NetworkConfig, type NetworkJSON } from '../src/index.js';
import { loadPredictor } from '../src/predict/index.js';
import { Random } from '../src/random.js';
import { randomMatrix } from './helpers.js';

const CONFIG: NetworkConfig = {
  inputs: 2,
  layers: [
    { units: 6, activation: 'sigmoid' },
    { units: 3, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossentropy',
  seed: 3,
};
const labels3 = seedLabels().map(([v], i) => [v, 1 - v, i % 2]);

describe.each(['wasm', 'js'] as const)('save and load on %s', (backend) => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: a round trip through JSON text predicts bit for bit`, async () => {
      const net = await createNetwork({ ...CONFIG, backend, dtype });
      await net.fit(seed.X, labels3, { epochs: 30, learningRate: 2, batchSize: 32, shuffle: true });
      const x = randomMatrix(new Random(9), 50, 2, 3);
      const text = JSON.stringify(net.toJSON());
      const loaded = await loadNetwork(text, { backend });
      expect(loaded.dtype).toBe(dtype);
      expect(Array.from(loaded.predict(x))).toEqual(Array.from(net.predict(x)));
      expect(loaded.getWeights()).toEqual(net.getWeights());
      expect(loaded.toJSON()).toEqual(net.toJSON());
      // And from the object itself.
      const again = await loadNetwork(net.toJSON(), { backend });
      expect(Array.from(again.predict(x))).toEqual(Array.from(net.predict(x)));
      for (const n of [net, loaded, again]) n.dispose();
    });
  }
});

it('saves the architecture, loss, dtype and a format version', async () => {
  const net = await createNetwork({ ...CONFIG, dtype: 'float64' });
  const json = net.toJSON();
  expect(json).toMatchObject({
    format: 'wasmlp-network',
    version: 1,
    inputs: 2,
    layers: [
      { units: 6, activation: 'sigmoid' },
      { units: 3, activation: 'sigmoid' },
    ],
    loss: 'binaryCrossentropy',
    dtype: 'float64',
  });
  expect(json.weights.map(({ W, b }) => [W.length, W[0].length, b.length])).toEqual([
    [2, 6, 6],
    [6, 3, 3],
  ]);
  net.dispose();
});

it('loads a wasm-trained network on the js backend with the same predictions (float64)', async () => {
  const net = await createNetwork({ ...CONFIG, dtype: 'float64', backend: 'wasm' });
  await net.fit(seed.X, labels3, { epochs: 10, learningRate: 2 });
  const onJs = await loadNetwork(net.toJSON(), { backend: 'js' });
  const a = net.predict(seed.X),
    b = onJs.predict(seed.X);
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-14));
  net.dispose();
  onJs.dispose();
});

describe('malformed saved networks', () => {
  const valid = async (): Promise<NetworkJSON> => {
    const net = await createNetwork(CONFIG);
    const json = net.toJSON();
    net.dispose();
    return json;
  };
  const cases: [string, (json: NetworkJSON) => unknown, RegExp][] = [
    ['text that is not JSON', () => '{"format": "wasmlp-network",', /loadNetwork: the text is not JSON/],
    ['an array', () => [], /expected a saved network object, got an array of length 0/],
    ['another format', (j) => ({ ...j, format: 'keras' }), /not a saved wasmlp network \(format is "keras"/],
    ['a newer version', (j) => ({ ...j, version: 2 }), /format version 2 is not supported; this wasmlp reads version 1/],
    ['an unknown key', (j) => ({ ...j, history: {} }), /loadNetwork: unknown option "history"/],
    [
      'an unknown activation',
      (j) => ({ ...j, layers: [j.layers[0], { units: 3, activation: 'swish' }] }),
      /loadNetwork: .*layers\[1\].activation "swish" is unknown/,
    ],
    ['a missing loss', (j) => ({ ...j, loss: undefined }), /loadNetwork: the saved network has no "loss"/],
    ['a missing dtype', (j) => ({ ...j, dtype: undefined }), /loadNetwork: the saved network has no "dtype"/],
    ['missing layers', (j) => ({ ...j, layers: undefined }), /loadNetwork: the saved network has no "layers"/],
    ['a bad dtype', (j) => ({ ...j, dtype: 'int8' }), /loadNetwork: Unknown dtype "int8"/],
    [
      'weights for another architecture',
      (j) => ({ ...j, layers: [{ units: 5, activation: 'sigmoid' }, j.layers[1]] }),
      /loadNetwork: setWeights: layer 0 W is 2x6, expected 2x5/,
    ],
    ['missing weights', (j) => ({ ...j, weights: undefined }), /loadNetwork: the saved network has no "weights"/],
    [
      'weights missing a layer',
      (j) => ({ ...j, weights: [j.weights[0]] }),
      /loadNetwork: setWeights: expected an array of 2 layers/,
    ],
    [
      'a float32 weight beyond float32',
      (j) => ({ ...j, weights: [{ ...j.weights[0], b: [0, 0, 0, 0, 0, 1e39] }, j.weights[1]] }),
      /layer 0 b\[5\] is 1e\+39: too large for float32/,
    ],
    [
      'a NaN weight',
      (j) => ({ ...j, weights: [{ ...j.weights[0], b: [0, 0, 0, 0, 0, NaN] }, j.weights[1]] }),
      /layer 0 b\[5\] is NaN/,
    ],
  ];
  it.each(cases)('%s', async (_name, corrupt, message) => {
    const json = corrupt(await valid());
    const probe = await createNetwork({ ...CONFIG, backend: 'wasm' });
    const arena = (engineOf(probe).backend as unknown as { heap: { arena: Arena } }).heap.arena;
    const inUse = arena.bytesInUse;
    await expect(loadNetwork(json as NetworkJSON)).rejects.toThrow(message);
    expect(arena.bytesInUse).toBe(inUse); // a failed load frees what it allocated
    probe.dispose();
  });
});

describe('reading model texts', () => {
  const arenaOf = (net: Network) => (engineOf(net).backend as unknown as { heap: { arena: Arena } }).heap.arena;

  it.each(['wasm', 'js'] as const)(
    'a tiny file declaring a huge layer is refused before anything is allocated (%s)',
    async (backend) => {
      const text =
        '{"format":"wasmlp-network","version":1,"inputs":2,"layers":[{"units":250000000,"activation":"sigmoid"}],' +
        '"loss":"binaryCrossentropy","dtype":"float32","weights":[{"W":[[0],[0]],"b":[0]}]}';
      expect(text.length).toBeLessThan(200);
      const probe = await createNetwork({ ...CONFIG, backend });
      const arena = arenaOf(probe);
      const inUse = arena.bytesInUse;
      const memory = engineOf(probe).backend.view(engineOf(probe).layers[0].weights, 1).buffer.byteLength;
      const allocations = allocationCount();
      await expect(loadNetwork(text, { backend })).rejects.toThrow(
        'loadNetwork: setWeights: layer 0 W is 2x1, expected 2x250000000 (inputs x units)',
      );
      expect(allocationCount()).toBe(allocations); // not one block was asked for
      expect(arena.bytesInUse).toBe(inUse);
      expect(engineOf(probe).backend.view(engineOf(probe).layers[0].weights, 1).buffer.byteLength).toBe(memory);
      // And the optimiser's slots are checked against the parameters before any allocation too.
      const json = probe.toJSON();
      const slots = [[0], [0], [0], [0]];
      await expect(
        loadNetwork(
          {
            ...json,
            optimizer: { config: { type: 'sgd', momentum: 0.5, nesterov: false }, iterations: 1, slots: { velocity: slots } },
          },
          { backend },
        ),
      ).rejects.toThrow(
        "loadNetwork: optimizer (sgd).setWeights: slots.velocity[0] must be an array of 12 numbers (parameter 0's size), got an array of length 1",
      );
      expect(allocationCount()).toBe(allocations);
      probe.dispose();
    },
  );

  it('builds the network once without drawing initial weights it would overwrite', async () => {
    const net = await createNetwork(CONFIG);
    const json = net.toJSON();
    const draw = vi.spyOn(NetworkEngine.prototype as unknown as { initialiseWeights(): void }, 'initialiseWeights');
    try {
      const allocations = allocationCount();
      const loaded = await loadNetwork(json);
      expect(allocationCount() - allocations).toBe(8); // W, b and their gradients for 2 layers: nothing more
      expect(draw).not.toHaveBeenCalled();
      expect(loaded.getWeights()).toEqual(net.getWeights());
      loaded.dispose();
    } finally {
      draw.mockRestore();
    }
    net.dispose();
  });

  it('refuses a saved optimiser whose epsilon vanishes in the dtype', async () => {
    const net = await createNetwork(CONFIG);
    await net.fit(seed.X, labels3, { epochs: 1, learningRate: 0.1, optimizer: 'adam' });
    const json = net.toJSON({ includeOptimizer: true });
    const bad = { ...json, optimizer: { ...json.optimizer!, config: { ...json.optimizer!.config, epsilon: 1e-50 } } };
    await expect(loadNetwork(bad)).rejects.toThrow(
      'loadNetwork: optimizer.config.epsilon 1e-50 rounds to 0 in float32 (smallest normal 1.18e-38)',
    );
    net.dispose();
  });

  it('reads a text that starts with a UTF-8 byte-order mark', async () => {
    const net = await createNetwork(CONFIG);
    const loaded = await loadNetwork(`\uFEFF${JSON.stringify(net.toJSON())}`);
    expect(Array.from(loaded.predict(seed.X))).toEqual(Array.from(net.predict(seed.X)));
    for (const n of [net, loaded]) n.dispose();
  });

  it('refuses a text nested deeper than 64 levels before parsing it, and cuts long parse errors', async () => {
    await expect(loadNetwork('['.repeat(1_000_000))).rejects.toThrow(
      'loadNetwork: the text nests deeper than 64 levels (at character 64); it is not a saved network',
    );
    // Brackets inside strings do not count.
    await expect(loadNetwork(JSON.stringify({ format: '['.repeat(1000) }))).rejects.toThrow(
      /not a saved wasmlp network \(format is "\[{100}"… \(1000 characters\)/,
    );
    const garbage = `{"format": ${'x'.repeat(10_000)}`;
    const message = await loadNetwork(garbage).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(message).toMatch(/^loadNetwork: the text is not JSON \(/);
    expect(message.length).toBeLessThan(200);
  });

  it('refuses a text longer than 2^28 characters before parsing it (a larger model can be passed as an object)', async () => {
    // Valid JSON would take gigabytes to build; at the limit the length alone decides.
    const huge = `[${' '.repeat(2 ** 28 - 1)}]`;
    await expect(loadNetwork(huge)).rejects.toThrow(
      `loadNetwork: the text has ${2 ** 28 + 1} characters, more than a model text may have (${2 ** 28}); pass the object instead`,
    );
  });
});

describe('metadata: application data carried, never read', () => {
  const metadata = { app: { features: ['a', 'b'], version: 3, nested: [{ x: null, y: true }] } };

  it('is kept by loadNetwork and written back by toJSON, as a copy; loadPredictor accepts it', async () => {
    const net = await createNetwork({ ...CONFIG, backend: 'js' });
    const saved = { ...net.toJSON(), metadata };
    const loaded = await loadNetwork(saved, { backend: 'js' });
    expect(loaded.toJSON().metadata).toEqual(metadata);
    expect(JSON.parse(JSON.stringify(loaded)).metadata).toEqual(metadata);
    // A copy: changing what was loaded, or what toJSON gave, changes neither the other nor the network.
    (saved.metadata.app.features as string[]).push('c');
    (loaded.toJSON().metadata!.app as { version: number }).version = 4;
    expect(loaded.toJSON().metadata).toEqual({ app: { features: ['a', 'b'], version: 3, nested: [{ x: null, y: true }] } });
    // From the text too, and through the predictor, which predicts as the network does.
    const text = JSON.stringify({ ...net.toJSON(), metadata });
    const fromText = await loadNetwork(text, { backend: 'js' });
    expect(fromText.toJSON().metadata).toEqual(metadata);
    const predictor = await loadPredictor(text, { backend: 'js' });
    const x = randomMatrix(new Random(4), 5, 2, 1);
    expect(Array.from(predictor.predict(x))).toEqual(Array.from(net.predict(x)));
    // A network saved without metadata has none.
    expect('metadata' in net.toJSON()).toBe(false);
    for (const n of [net, loaded, fromText]) n.dispose();
    predictor.dispose();
  });

  it('is refused unless a plain object of JSON values', async () => {
    const net = await createNetwork({ ...CONFIG, backend: 'js' });
    const saved = net.toJSON();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    const cases: [unknown, string][] = [
      [null, 'null'],
      [[1, 2], 'an array'],
      ['text', '"text"'],
      [new Map(), 'an object'],
      [cyclic, 'an object'],
      [{ deep }, 'an object'],
    ];
    for (const [value, got] of cases) {
      await expect(loadNetwork({ ...saved, metadata: value } as NetworkJSON, { backend: 'js' })).rejects.toThrow(
        `loadNetwork: metadata must be a plain object of JSON values nested at most 64 deep, got ${got}`,
      );
    }
    net.dispose();
  });
});
