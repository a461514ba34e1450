/**
 * What test/browser/bundlers.test.ts runs, the same module in Node (from the
 * installed package) and in Chromium (from each bundler's output): a small
 * application importing the package by its name. The seed notebook's shape
 * (two blobs, 2-8-4-1 sigmoid, binary cross-entropy, full-batch gradient
 * descent) in float64 on this thread and in a worker; Adam on shuffled
 * batches in float32; and, for each of `threadCounts`, a network wide enough
 * that threads split its products, on this thread and in a worker (whose
 * threads are then workers of its own). No Math.log, exp or cos here, so the
 * data cannot differ between two JavaScript engines.
 */
import { createNetwork, createWorkerNetwork } from 'wasmlp';

/** Park-Miller: the same numbers in every engine. */
function random(seed) {
  let state = seed;
  return () => (state = (state * 16807) % 2147483647) / 2147483647;
}

/** Two blobs of 100 points each (uniform noise in a square around each centre), labels 0 and 1. */
function blobs() {
  const rand = random(2024);
  const x = [],
    y = [];
  for (let i = 0; i < 200; i++) {
    const label = i % 2,
      centre = label ? 1 : -1;
    x.push([centre + 2 * rand() - 1, centre + 2 * rand() - 1]);
    y.push([label]);
  }
  return { x, y };
}

const SEED_NET = {
  inputs: 2,
  layers: [
    { units: 8, activation: 'sigmoid' },
    { units: 4, activation: 'sigmoid' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossentropy',
  seed: 42,
};

export async function run(threadCounts) {
  const results = {};
  const { x, y } = blobs();

  const seedFit = { epochs: 200, learningRate: 0.5 };
  const net = await createNetwork({ ...SEED_NET, dtype: 'float64' });
  const history = await net.fit(x, y, seedFit);
  results.seed = { ...history.history, weights: net.getWeights(), predict: Array.from(net.predict(x.slice(0, 8))) };
  net.dispose();

  const remote = await createWorkerNetwork({ ...SEED_NET, dtype: 'float64' });
  const remoteHistory = await remote.fit(x, y, seedFit);
  results.worker = {
    ...remoteHistory.history,
    weights: await remote.getWeights(),
    predict: Array.from(await remote.predict(x.slice(0, 8))),
  };
  await remote.dispose();

  const adam = await createNetwork({
    ...SEED_NET,
    layers: [
      { units: 16, activation: 'tanh' },
      { units: 1, activation: 'sigmoid' },
    ],
    seed: 3,
  });
  const adamHistory = await adam.fit(x, y, { epochs: 20, batchSize: 32, shuffle: true, learningRate: 0.01, optimizer: 'adam' });
  results.adam32 = { ...adamHistory.history, weights: adam.getWeights() };
  adam.dispose();

  const rand = random(12345);
  const rows = 256,
    inputs = 784,
    classes = 10;
  const wideX = Array.from({ length: rows }, () => Array.from({ length: inputs }, rand));
  const wideY = Array.from({ length: rows }, (_, r) => Array.from({ length: classes }, (_, c) => (c === r % classes ? 1 : 0)));
  const wideNet = {
    inputs,
    layers: [
      { units: 64, activation: 'relu' },
      { units: classes, activation: 'softmax' },
    ],
    loss: 'categoricalCrossentropy',
    seed: 7,
  };
  const wideFit = { epochs: 2, batchSize: 128, learningRate: 0.05, shuffle: true };
  results.threads = {};
  results.workerThreads = {};
  for (const threads of threadCounts) {
    const wide = await createNetwork({ ...wideNet, threads });
    const wideHistory = await wide.fit(wideX, wideY, wideFit);
    results.threads[threads] = { threads: wide.threads, loss: wideHistory.history.loss, weights: wide.getWeights() };
    wide.dispose();

    const wideRemote = await createWorkerNetwork({ ...wideNet, threads });
    const wideRemoteHistory = await wideRemote.fit(wideX, wideY, wideFit);
    results.workerThreads[threads] = {
      threads: wideRemote.threads,
      loss: wideRemoteHistory.history.loss,
      weights: await wideRemote.getWeights(),
    };
    await wideRemote.dispose();
  }
  return results;
}
