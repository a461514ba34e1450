/** Small shared test utilities: a seeded data source and matrix builders. */
import { Random } from '../src/random.js';

export function randomMatrix(random: Random, rows: number, cols: number, scale = 1): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (2 * random.uniform() - 1) * scale));
}

export function randomLabels(random: Random, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (random.uniform() < 0.5 ? 0 : 1)));
}
