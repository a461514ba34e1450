/** The seed notebook's run (NumPy, float64), for tests. */
import { readFileSync } from 'node:fs';

export interface SeedRun {
  X: number[][];
  y: number[];
  init: Record<'W1' | 'W2' | 'W3' | 'b1' | 'b2' | 'b3', number[][]>;
  final: Record<'W1' | 'W2' | 'W3' | 'b1' | 'b2' | 'b3', number[][]>;
  loss: number[];
  accuracy: number[];
  final_output: number[];
  printed: string[];
}

export const seed: SeedRun = JSON.parse(readFileSync(new URL('./seed-numpy.json', import.meta.url), 'utf8'));

/** The seed's weights in getWeights()/setWeights() form. */
export function seedWeights(which: 'init' | 'final') {
  const w = seed[which];
  return [1, 2, 3].map((l) => ({ W: w[`W${l}` as 'W1'], b: w[`b${l}` as 'b1'][0] }));
}

export const seedLabels = () => seed.y.map((v) => [v]);
