/**
 * The playground's datasets: 2-D points with a class each, or (the
 * regression sets) a number each. Generated from
 * the library's seeded generator, so every visit draws the same points;
 * the blobs are the seed notebook's own 200.
 */
import { X as seedX, y as seedY } from '../data/seed-numpy.json';
import { Random } from '../src/random.js';

export interface Dataset {
  /** What the menu and the status line call it. */
  label: string;
  /** Rows of [x1, x2]. */
  x: number[][];
  /** Class index of each row, 0 .. classes - 1 (all 0 for a regression). */
  classes: number[];
  /** How many classes (2 trains one sigmoid unit, more a softmax layer); 0 for a regression. */
  classCount: number;
  /** A regression's target for each row, from -1 to 1 (one linear unit, meanSquaredError). */
  targets?: number[];
  /** Names of the classes, for the legend. */
  classNames: string[];
}

export type BuiltInName = 'blobs' | 'xor' | 'circles' | 'spiral' | 'plane' | 'bump';

const POINTS = 200;

function dataset(label: string, x: number[][], classes: number[], classCount: number): Dataset {
  return { label, x, classes, classCount, classNames: Array.from({ length: classCount }, (_, k) => `class ${k}`) };
}

/** The seed notebook's two Gaussian blobs (data/seed-numpy.json). */
function blobs(): Dataset {
  return dataset(
    'Two blobs (the original example)',
    seedX.map((row) => [...row]),
    seedY.slice(),
    2,
  );
}

/** Uniform points in [-1, 1]², class 1 where x1 and x2 differ in sign; a margin keeps the quadrants apart. */
function xor(random: Random): Dataset {
  const x: number[][] = [];
  const classes: number[] = [];
  while (x.length < POINTS) {
    const a = 2 * random.uniform() - 1;
    const b = 2 * random.uniform() - 1;
    if (Math.abs(a) < 0.08 || Math.abs(b) < 0.08) continue;
    x.push([a, b]);
    classes.push(a * b < 0 ? 1 : 0);
  }
  return dataset('XOR', x, classes, 2);
}

/** A disc (class 0) inside a ring (class 1), with a little noise. */
function circles(random: Random): Dataset {
  const x: number[][] = [];
  const classes: number[] = [];
  for (let i = 0; i < POINTS; i++) {
    const inner = i % 2 === 0;
    const radius = inner ? 0.45 * Math.sqrt(random.uniform()) : 0.7 + 0.3 * random.uniform();
    const angle = 2 * Math.PI * random.uniform();
    x.push([radius * Math.cos(angle) + 0.04 * random.normal(), radius * Math.sin(angle) + 0.04 * random.normal()]);
    classes.push(inner ? 0 : 1);
  }
  return dataset('Circles', x, classes, 2);
}

/** Three interleaved spiral arms, one class each (as in CS231n's example). */
function spiral(random: Random): Dataset {
  const arms = 3;
  const perArm = 100;
  const x: number[][] = [];
  const classes: number[] = [];
  for (let arm = 0; arm < arms; arm++) {
    for (let i = 0; i < perArm; i++) {
      const t = i / (perArm - 1);
      const angle = (arm * 2 * Math.PI) / arms + 3.5 * t + 0.18 * random.normal();
      x.push([t * Math.cos(angle), t * Math.sin(angle)]);
      classes.push(arm);
    }
  }
  return dataset('Spiral, 3 arms', x, classes, arms);
}

/** Uniform points in [-1, 1]² with a number each: `f` of the point. */
function regression(label: string, random: Random, f: (a: number, b: number) => number): Dataset {
  const x: number[][] = [];
  for (let i = 0; i < POINTS; i++) x.push([2 * random.uniform() - 1, 2 * random.uniform() - 1]);
  return { label, x, classes: x.map(() => 0), classCount: 0, classNames: [], targets: x.map(([a, b]) => f(a, b)) };
}

/** The seed every visit starts from; Regenerate draws the next. */
export const DEFAULT_SEED = 2024;
/** At noise 1, each coordinate is jittered by this share of the data's half-width (a standard deviation). */
const NOISE_SCALE = 0.25;

/**
 * A built-in dataset drawn from `seed`, its points jittered by `noise`
 * (0 to 1). The blobs are the seed notebook's own points: a seed only
 * changes their jitter.
 */
export function builtIn(name: BuiltInName, { seed = DEFAULT_SEED, noise = 0 }: { seed?: number; noise?: number } = {}): Dataset {
  const random = new Random(seed);
  const generators: Record<BuiltInName, () => Dataset> = {
    blobs,
    xor: () => xor(random),
    circles: () => circles(random),
    spiral: () => spiral(random),
    // A tilted plane, and a bump in the middle: values from -1 to 1.
    plane: () => regression('Plane (regression)', random, (a, b) => (a + b) / 2),
    bump: () => regression('Gaussian bump (regression)', random, (a, b) => 2 * Math.exp(-(a * a + b * b) / 0.18) - 1),
  };
  const data = generators[name]();
  if (noise > 0) {
    const jitter = new Random(seed + 1);
    const half = Math.max(...data.x.map(([a, b]) => Math.max(Math.abs(a), Math.abs(b))));
    const sd = NOISE_SCALE * noise * half;
    data.x = data.x.map(([a, b]) => [a + sd * jitter.normal(), b + sd * jitter.normal()]);
  }
  return data;
}

/**
 * The data split at random (from `seed`) into points that train and points
 * held out to test on, `trainShare` of them training; all train at 1.
 */
export function split(data: Dataset, trainShare: number, seed: number): { train: Dataset; test: Dataset | undefined } {
  if (trainShare >= 1) return { train: data, test: undefined };
  const order = new Int32Array(data.x.length).map((_, i) => i);
  new Random(seed + 2).shuffle(order);
  const cut = Math.min(data.x.length - 1, Math.max(1, Math.round(trainShare * data.x.length)));
  const part = (indices: Int32Array): Dataset => ({
    ...data,
    x: Array.from(indices, (i) => data.x[i]),
    classes: Array.from(indices, (i) => data.classes[i]),
    targets: data.targets && Array.from(indices, (i) => data.targets![i]),
  });
  return { train: part(order.subarray(0, cut)), test: part(order.subarray(cut)) };
}

/** Labels as the loss wants them: one column of 0/1 for two classes, one-hot rows for more, the targets for a regression. */
export function labelRows(data: Dataset): number[][] {
  if (data.targets) return data.targets.map((t) => [t]);
  if (data.classCount === 2) return data.classes.map((c) => [c]);
  return data.classes.map((c) => Array.from({ length: data.classCount }, (_, k) => (k === c ? 1 : 0)));
}
