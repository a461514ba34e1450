/**
 * The parameter gradients of a dense layer of one unit (an output layer
 * for a binary label or a regression), in one pass over the batch:
 *   weightGrad = x^T delta (inputs x 1),  biasGrad = delta's sum,
 * x being rows x inputs and delta rows x 1.
 *
 * Through gemm.ts, x^T delta is one chain of additions per input, as long as
 * the batch, its sums kept in memory, and sumColumns then adds delta up in
 * another chain as long: waiting on those chains is the whole cost at these
 * widths. Here the inputs are the lanes of one or two vectors, each row of x
 * times its one delta, and the bias's chain runs beside them.
 *
 * Every element is summed exactly as gemm.ts and sumColumns sum it: each
 * weight gradient in k-blocks of KC rows, each block's products added in row
 * order into a sum that starts at zero, then stored (the first block) or
 * added to what is there (later ones); the bias gradient down all the rows
 * in order from zero. So the results are those of the two kernels, and of
 * the threads build, bit for bit.
 *
 * Layers of more units gain nothing from the fusion: their products keep
 * every adder busy, so the bias's pass costs its own operations either way
 * (an A/B of both in one process).
 */
import { KC } from './gemm';
import { storeVector } from './gemmKernel';

/**
 * Computes both gradients and returns true for one unit whose inputs fill
 * 8, 16 or 32 bytes (2, 4 or 8 in f32; 1, 2 or 4 in f64); otherwise
 * returns false, having written nothing.
 */
export function smallWeightGradients<T>(rows: i32, inputs: i32, units: i32, x: usize, delta: usize,
                                        weightGrad: usize, biasGrad: usize): bool {
  const S = <usize>sizeof<T>();
  const inputBytes = <usize>inputs * S;
  if (units == 1 && (inputBytes == 8 || inputBytes == 16 || inputBytes == 32)) {
    oneUnit<T>(rows, inputBytes, x, delta, weightGrad, biasGrad);
    return true;
  }
  return false;
}

/** Lanes are inputs: weightGrad[i] += x[p, i] * delta[p], biasGrad += delta[p]. */
function oneUnit<T>(rows: i32, inputBytes: usize, x: usize, delta: usize, weightGrad: usize, biasGrad: usize): void {
  const S = <usize>sizeof<T>();
  const two = inputBytes == 32;
  let bias: T = 0;
  for (let p0 = 0; p0 < rows; p0 += KC) {
    const end = min(p0 + KC, rows);
    let w0 = v128.splat<T>(0), w1 = v128.splat<T>(0);
    let xp = x + <usize>p0 * inputBytes, dp = delta + <usize>p0 * S;
    for (let p = p0; p < end; p++) {
      const d = load<T>(dp);
      const dv = v128.splat<T>(d);
      w0 = v128.add<T>(w0, v128.mul<T>(inputBytes == 8 ? v128.load64_zero(xp) : v128.load(xp), dv));
      if (two) w1 = v128.add<T>(w1, v128.mul<T>(v128.load(xp, 16), dv));
      bias += d;
      xp += inputBytes;
      dp += S;
    }
    const beta: T = p0 == 0 ? 0 : 1;
    if (inputBytes == 8) {
      // Inputs filling half a vector: only those lanes are the gradient's.
      let v = w0;
      if (beta != 0) v = v128.add<T>(v, v128.load64_zero(weightGrad));
      v128.store64_lane(weightGrad, v, 0);
    } else {
      storeVector<T>(weightGrad, w0, 1, beta);
      if (two) storeVector<T>(weightGrad + 16, w1, 1, beta);
    }
  }
  store<T>(biasGrad, bias);
}
