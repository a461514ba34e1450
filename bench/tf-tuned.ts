/**
 * TensorFlow.js's best training step for a network of sigmoid layers and
 * binary cross-entropy, written out by hand in tf ops: bias and sigmoid
 * fused into the forward matMuls, the backward pass with every product an
 * untransposed matMul (the inputs transposed once, the weights by
 * tf.transpose), the weights updated in place, one tf.tidy per step. W1
 * (the seed) and the small-shapes sweep both measure it.
 */
import type { Prepared } from './harness.js';
import { tf } from './tfjs.js';

export interface TunedSigmoidMlp {
  x: number[][];
  y: number[][];
  /** Each layer's initial weights: W is inputs x units. */
  init: { W: number[][]; b: number[] }[];
  learningRate: number;
  steps: number;
  /** Read the loss back (dataSync) every this many steps, as a training loop that reports it would; never if undefined. */
  lossEvery?: number;
}

/** The step on the current tf backend (set by the caller), as a bench task. */
export function tunedSigmoidMlp({ x, y, init, learningRate, steps, lossEvery }: TunedSigmoidMlp): Prepared {
  const xs = tf.tensor2d(x);
  const xT = tf.transpose(xs) as tf.Tensor2D;
  const ys = tf.tensor2d(y);
  const initial = init.map(({ W, b }) => ({ W: tf.tensor2d(W), b: tf.tensor1d(b) }));
  const vars = initial.map(({ W, b }) => ({ W: tf.variable(W), b: tf.variable(b) }));
  const rows = x.length;
  const step = (readLoss: boolean) =>
    tf.tidy(() => {
      const a: tf.Tensor2D[] = [xs];
      for (const { W, b } of vars)
        a.push(tf.fused.matMul({ a: a[a.length - 1], b: W, bias: b, activation: 'sigmoid' }) as tf.Tensor2D);
      const out = a[vars.length];
      if (readLoss) tf.losses.logLoss(ys, out).dataSync();
      // d is dL/dZ of layer l, from the top down; a[l] is layer l's input.
      let d = tf.div(tf.sub(out, ys), rows) as tf.Tensor2D;
      const grads: [tf.Tensor, tf.Tensor][] = [];
      for (let l = vars.length - 1; l >= 0; l--) {
        grads[l] = [tf.matMul(l === 0 ? xT : tf.transpose(a[l]), d), tf.sum(d, 0)];
        if (l > 0) d = tf.mul(tf.matMul(d, tf.transpose(vars[l].W)), tf.mul(a[l], tf.sub(1, a[l]))) as tf.Tensor2D;
      }
      vars.forEach(({ W, b }, l) => {
        W.assign(tf.sub(W, tf.mul(grads[l][0], learningRate)));
        b.assign(tf.sub(b, tf.mul(grads[l][1], learningRate)));
      });
    });
  return {
    reset: () =>
      vars.forEach((v, l) => {
        v.W.assign(initial[l].W);
        v.b.assign(initial[l].b);
      }),
    run: () => {
      for (let s = 1; s <= steps; s++) step(lossEvery !== undefined && s % lossEvery === 0);
    },
    output: () => vars.flatMap(({ W, b }) => [...W.dataSync(), ...b.dataSync()]),
    dispose: () => {
      tf.dispose([xs, xT, ys]);
      for (const { W, b } of [...initial, ...vars]) tf.dispose([W, b]);
    },
  };
}
