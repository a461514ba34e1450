/**
 * `npm start`: the seed notebook, in wasmlp. Trains the 2-8-4-1 sigmoid
 * network on the notebook's 200 points from its initial weights, prints the
 * notebook's lines, then times the same training on each backend and dtype.
 */

import { seed, seedLabels, seedWeights } from '../data/seed.js';
import { type BackendName, createNetwork, type DType } from './index.js';

const x = seed.X;
const y = seedLabels();
const initialWeights = seedWeights('init');
const EPOCHS = 2000;
// The notebook applies lr 0.1 to the SUM of per-sample gradients; wasmlp,
// like Keras, steps on their MEAN, so the same step is 0.1 * 200 rows.
const LEARNING_RATE = 0.1 * x.length;

async function train(backend: BackendName, dtype: DType, log: boolean) {
  const net = await createNetwork({
    inputs: 2,
    layers: [
      { units: 8, activation: 'sigmoid' },
      { units: 4, activation: 'sigmoid' },
      { units: 1, activation: 'sigmoid' },
    ],
    loss: 'binaryCrossentropy',
    backend,
    dtype,
  });
  net.setWeights(initialWeights);
  const started = performance.now();
  const history = await net.fit(x, y, {
    epochs: EPOCHS,
    learningRate: LEARNING_RATE,
    onEpochEnd: log
      ? (epoch, { loss, acc }) => {
          if ((epoch + 1) % 400 === 0) console.log(`Epoch ${epoch + 1}, Loss ${loss.toFixed(4)}, Acc ${acc.toFixed(3)}`);
        }
      : undefined,
  });
  const ms = performance.now() - started;
  const acc = net.evaluate(x, y).acc!; // binaryCrossentropy always has an accuracy
  net.dispose();
  return { ms, acc, finalLoss: history.history.loss[EPOCHS - 1] };
}

const seedRunResult = await train('wasm', 'float64', true);
console.log(`Final training accuracy: ${seedRunResult.acc.toFixed(3)}`);

console.log(`\nTraining time, ${EPOCHS} epochs (Node ${process.version}):`);
for (const dtype of ['float32', 'float64'] as const) {
  const wasm = await train('wasm', dtype, false);
  const js = await train('js', dtype, false);
  console.log(
    `  ${dtype}: wasm ${wasm.ms.toFixed(1)} ms, js ${js.ms.toFixed(1)} ms ` +
      `(wasm ${(js.ms / wasm.ms).toFixed(1)}x faster; one run each, see npm run bench for medians)`,
  );
}
