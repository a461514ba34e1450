/**
 * Kernel (weight matrix) initialisers, by their TensorFlow.js names, drawn
 * from the network's one seeded stream (random.ts): layer by layer, each
 * kernel row-major (inputs x units), biases zero and drawing nothing. The
 * draws are plain double arithmetic in TypeScript, so the same seed gives the
 * same weights on either backend; float32 rounds each weight once, at the
 * store.
 */
import type { FloatArray } from './backend/backend.js';
import { checkKeys, checkPositiveNumber, describeValue } from './checks.js';
import type { Random } from './random.js';

/**
 * How a layer's kernel (its weight matrix) is drawn from the network's seed;
 * biases start at zero.
 *
 * @remarks
 * - `'glorotUniform'` (the default, as Keras): U(-limit, limit), limit = sqrt(6 / (fanIn + fanOut)).
 * - `'heNormal'`: as Keras, a normal truncated at 2 standard deviations, whose
 *   standard deviation after truncation is sqrt(2 / fanIn).
 * - `{ normal: stddev }`: a plain, untruncated normal N(0, stddev²), stddev a
 *   positive number.
 *
 * @example
 * ```ts
 * const layers: LayerConfig[] = [
 *   { units: 64, activation: 'relu', kernelInitializer: 'heNormal' },
 *   { units: 1, activation: 'sigmoid', kernelInitializer: { normal: 0.01 } },
 * ];
 * ```
 */
export type KernelInitializer = 'glorotUniform' | 'heNormal' | { normal: number };

export const DEFAULT_KERNEL_INITIALIZER: KernelInitializer = 'glorotUniform';

/**
 * The standard deviation of a standard normal truncated to [-2, 2]. Keras's
 * VarianceScaling divides by it, so that truncating does not shrink the
 * variance it promises. (TensorFlow.js's HeNormal omits this correction.)
 */
export const TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

/** Checks a user's kernelInitializer; returns a fresh (frozen) copy. */
export function checkKernelInitializer(name: string, value: unknown): KernelInitializer {
  if (value === 'glorotUniform' || value === 'heNormal') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'normal' in value) {
    checkKeys(name, value, ['normal']);
    const { normal } = value as { normal: unknown };
    checkPositiveNumber(`${name}.normal`, normal);
    return Object.freeze({ normal: normal as number });
  }
  throw new Error(`${name} must be 'glorotUniform', 'heNormal' or { normal: stddev }, got ${describeValue(value)}`);
}

/** Fills `kernel` (fanIn x fanOut, row-major) from `random`. */
export function initializeKernel(
  initializer: KernelInitializer,
  random: Random,
  fanIn: number,
  fanOut: number,
  kernel: FloatArray,
): void {
  if (initializer === 'glorotUniform') glorotUniform(random, fanIn, fanOut, kernel);
  else if (initializer === 'heNormal') heNormal(random, fanIn, kernel);
  else normal(random, initializer.normal, kernel);
}

/** As Keras: VarianceScaling(scale 1, fan_avg, uniform). One uniform per weight. */
function glorotUniform(random: Random, fanIn: number, fanOut: number, kernel: FloatArray): void {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < kernel.length; i++) kernel[i] = (2 * random.uniform() - 1) * limit;
}

/**
 * As Keras: VarianceScaling(scale 2, fan_in, truncated_normal), that is
 * stddev = sqrt(2 / fanIn) / TRUNCATED_NORMAL_STDDEV, and values beyond two of
 * those stddevs redrawn (TensorFlow's truncated_normal), here by rejection:
 * a standard normal drawn until |z| <= 2, about 1.05 draws per weight.
 */
function heNormal(random: Random, fanIn: number, kernel: FloatArray): void {
  const stddev = Math.sqrt(2 / fanIn) / TRUNCATED_NORMAL_STDDEV;
  for (let i = 0; i < kernel.length; i++) {
    let z: number;
    do z = random.normal();
    while (Math.abs(z) > 2);
    kernel[i] = z * stddev;
  }
}

/** N(0, stddev²), untruncated: what `np.random.randn(...) * stddev` draws. */
function normal(random: Random, stddev: number, kernel: FloatArray): void {
  for (let i = 0; i < kernel.length; i++) kernel[i] = random.normal() * stddev;
}
