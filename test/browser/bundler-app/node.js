// The same application in Node, from the same installed package: the
// experiment on one thread (threads: 2 gives the same weights, as
// test/dist.test.ts checks), and 'wasmlp/min' against 'wasmlp'. Prints JSON.
import * as full from 'wasmlp';
import * as min from 'wasmlp/min';
import { run } from './experiment.js';

async function trained(library) {
  const net = await library.createNetwork({
    inputs: 3,
    layers: [
      { units: 4, activation: 'relu' },
      { units: 2, activation: 'softmax' },
    ],
    loss: 'categoricalCrossentropy',
    seed: 5,
  });
  await net.fit(
    [
      [1, 2, 3],
      [3, 2, 1],
      [0, 1, 0],
    ],
    [0, 1, 1],
    { epochs: 5, learningRate: 0.1 },
  );
  const weights = net.getWeights();
  net.dispose();
  return weights;
}

const results = await run([1]);
process.stdout.write(JSON.stringify({ results, full: await trained(full), min: await trained(min) }));
