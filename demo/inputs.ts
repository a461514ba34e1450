/**
 * The inputs the network sees, computed from a point's two coordinates, as
 * TensorFlow Playground offers them: x₁ and x₂ themselves, their squares,
 * their product and their sines. With x₁² and x₂², circles are a straight
 * cut; with x₁·x₂, XOR is.
 */

export const FEATURES = [
  { id: 'x1', label: 'x₁', title: 'The first coordinate', of: (a: number, _b: number) => a },
  { id: 'x2', label: 'x₂', title: 'The second coordinate', of: (_a: number, b: number) => b },
  { id: 'x1sq', label: 'x₁²', title: 'The first coordinate squared', of: (a: number, _b: number) => a * a },
  { id: 'x2sq', label: 'x₂²', title: 'The second coordinate squared', of: (_a: number, b: number) => b * b },
  { id: 'x1x2', label: 'x₁·x₂', title: 'The product of the coordinates', of: (a: number, b: number) => a * b },
  { id: 'sin1', label: 'sin(x₁)', title: 'The sine of the first coordinate', of: (a: number, _b: number) => Math.sin(a) },
  { id: 'sin2', label: 'sin(x₂)', title: 'The sine of the second coordinate', of: (_a: number, b: number) => Math.sin(b) },
] as const;

export type FeatureId = (typeof FEATURES)[number]['id'];

export const FEATURE_IDS: readonly FeatureId[] = FEATURES.map((feature) => feature.id);

/** The plain coordinates: what a network saw before there was a choice. */
export const PLAIN: readonly FeatureId[] = ['x1', 'x2'];

function functions(ids: readonly FeatureId[]): ((a: number, b: number) => number)[] {
  return ids.map((id) => FEATURES.find((feature) => feature.id === id)!.of);
}

/** Rows of [x₁, x₂] as rows of the chosen inputs. */
export function inputRows(x: number[][], ids: readonly FeatureId[]): number[][] {
  const fs = functions(ids);
  return x.map(([a, b]) => fs.map((f) => f(a, b)));
}

/** A matrix of [x₁, x₂] rows (such as the map's grid) as one of the chosen inputs. */
export function inputMatrix(
  points: { data: Float64Array; shape: [number, number] },
  ids: readonly FeatureId[],
): { data: Float64Array; shape: [number, number] } {
  const fs = functions(ids);
  const rows = points.shape[0];
  const data = new Float64Array(rows * fs.length);
  for (let r = 0; r < rows; r++) {
    const [a, b] = [points.data[2 * r], points.data[2 * r + 1]];
    for (let k = 0; k < fs.length; k++) data[r * fs.length + k] = fs[k](a, b);
  }
  return { data, shape: [rows, fs.length] };
}
