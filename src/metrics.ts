/**
 * Metrics a network reports besides its loss, with Keras's names: which fit
 * which loss, the keys they are logged under, and the state that computes
 * them over all of an epoch's (or an evaluation's) rows at once, as Keras's
 * stateful metrics do, never as a mean of batch values. The state is fed the
 * outputs and labels of each batch as they sit in backend memory and
 * computes in float64 in TypeScript: the same outputs give the same numbers
 * on every backend and thread count.
 */
import type { ActivationName } from './activations.js';
import type { FloatArray } from './backend/backend.js';
import { describeValue } from './checks.js';
import { arrayLength, element } from './data.js';
import type { LossName } from './losses.js';

/**
 * A metric {@link NetworkConfig.metrics} may ask for, with Keras's names:
 *
 * - `'accuracy'`: the fraction of outputs (sigmoid, thresholded at 0.5) or
 *   rows (softmax, argmax) classified correctly; logged as `acc`.
 * - `'precision'`, `'recall'`: for sigmoid outputs, over every output
 *   thresholded at 0.5; for a softmax, each class's (by argmax) macro-averaged.
 * - `'auc'`: the exact area under the ROC curve of one sigmoid output.
 * - `'mae'`: the mean absolute error over every element.
 * - `'r2'`: the coefficient of determination, each output's averaged.
 *
 * @example
 * ```ts
 * const metrics: MetricName[] = ['accuracy', 'precision', 'recall', 'auc'];
 * const classifier = await createNetwork({
 *   inputs: 2,
 *   layers: [{ units: 8, activation: 'relu' }, { units: 1, activation: 'sigmoid' }],
 *   loss: 'binaryCrossentropy',
 *   metrics,
 * });
 * const history = await classifier.fit(x, y, { epochs: 20, learningRate: 0.01, validationSplit: 0.2 });
 * console.log(history.history.val_auc.at(-1), classifier.evaluate(x, y).precision);
 * ```
 */
export type MetricName = 'accuracy' | 'precision' | 'recall' | 'auc' | 'mae' | 'r2';

/**
 * Every {@link MetricName}, for an interface that offers them as choices.
 *
 * @example
 * ```ts
 * select.replaceChildren(...METRIC_NAMES.map((name) => new Option(name, name)));
 * ```
 */
export const METRIC_NAMES: readonly MetricName[] = ['accuracy', 'precision', 'recall', 'auc', 'mae', 'r2'];

/**
 * The key a metric is logged under: its name, but `acc` for accuracy, as
 * TensorFlow.js logs it and as this library always has (`val_` prefixed for
 * validation).
 */
export function metricKey(name: MetricName): string {
  return name === 'accuracy' ? 'acc' : name;
}

/** The metrics a network reports when its config names none: accuracy where the loss has one. */
export function defaultMetrics(loss: LossName): MetricName[] {
  return loss === 'meanSquaredError' ? [] : ['accuracy'];
}

/**
 * Checks a config's `metrics` against its loss and output layer.
 *
 * @param where - Starts every message (createNetwork).
 * @param given - The metrics as given; undefined for the loss's default.
 * @param loss - The checked loss.
 * @param output - The checked output layer.
 * @returns The metrics in the order given, each once.
 * @throws Error for a list that is not an array, an unknown or repeated name, or a metric that does not fit the loss.
 */
export function checkMetrics(
  where: string,
  given: unknown,
  loss: LossName,
  output: { units: number; activation: ActivationName },
): MetricName[] {
  if (given === undefined) return defaultMetrics(loss);
  if (!Array.isArray(given)) {
    throw new Error(
      `${where}: metrics must be an array of metric names (${METRIC_NAMES.join(', ')}), got ${describeValue(given)}`,
    );
  }
  const names: MetricName[] = [];
  // Ends by the seventh element of any list, however long it says it is: an unknown name or a repeat is among them.
  const length = arrayLength(`${where}: metrics`, given);
  for (let i = 0; i < length; i++) {
    const name = element(`${where}: metrics`, given, i) as MetricName;
    if (!METRIC_NAMES.includes(name)) {
      throw new Error(`${where}: metrics[${i}] ${describeValue(name)} is unknown; expected one of ${METRIC_NAMES.join(', ')}`);
    }
    if (names.includes(name)) throw new Error(`${where}: metrics[${i}] ${describeValue(name)} is given twice`);
    const refusal = unfit(name, loss, output);
    if (refusal) throw new Error(`${where}: metrics[${i}] ${describeValue(name)} ${refusal}`);
    names.push(name);
  }
  return names;
}

/** Why `name` cannot be measured with this loss and output, or undefined if it can. */
function unfit(name: MetricName, loss: LossName, output: { units: number; activation: ActivationName }): string | undefined {
  const classifies = loss !== 'meanSquaredError';
  switch (name) {
    case 'accuracy':
    case 'precision':
    case 'recall':
      return classifies ? undefined : `needs classes: use it with binaryCrossentropy or categoricalCrossentropy, not ${loss}`;
    case 'auc':
      return loss === 'binaryCrossentropy' && output.units === 1
        ? undefined
        : `needs one sigmoid output with binaryCrossentropy (the network has ${output.units} '${output.activation}' output${output.units === 1 ? '' : 's'} and ${loss})`;
    case 'r2':
      return classifies ? `measures a regression: use it with meanSquaredError, not ${loss}` : undefined;
    case 'mae':
      return undefined; // any output, as Keras
  }
}

/**
 * A growable list of float64 numbers: AUC's scores, one per row, kept for
 * the epoch (8 bytes a row).
 */
class Scores {
  values = new Float64Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  /** The numbers pushed, sorted ascending, in place. */
  sorted(): Float64Array {
    return this.values.subarray(0, this.length).sort();
  }
}

/**
 * The area under the ROC curve: the fraction of (positive, negative) pairs
 * whose positive scores higher, a tie counting half (the Mann-Whitney U
 * statistic over P * N). Exact: the count is a sum of integers and halves.
 * NaN when either class is absent.
 *
 * @param positives - The positive rows' scores, sorted ascending.
 * @param negatives - The negative rows' scores, sorted ascending.
 */
export function areaUnderRoc(positives: Float64Array, negatives: Float64Array): number {
  let pairs = 0;
  let below = 0; // negatives scoring less than the current positive
  let i = 0;
  while (i < positives.length) {
    const score = positives[i];
    let tiedPositives = 0;
    while (i < positives.length && positives[i] === score) {
      tiedPositives++;
      i++;
    }
    while (below < negatives.length && negatives[below] < score) below++;
    let tiedNegatives = 0;
    while (below + tiedNegatives < negatives.length && negatives[below + tiedNegatives] === score) tiedNegatives++;
    pairs += tiedPositives * (below + tiedNegatives / 2);
  }
  return pairs / (positives.length * negatives.length);
}

/** A metric's values in a log: its key, and its result. */
export type MetricResults = Record<string, number>;

/**
 * The running state of a network's metrics other than accuracy (whose
 * batch-weighted mean the loss's kernel gives), over every row added since
 * reset(): confusion counts, AUC's scores, sums for mae and r2.
 */
export class MetricState {
  private readonly precisionRecall: boolean;
  private readonly auc: boolean;
  /** Per class for a softmax (one-hot by argmax), or one pooled count for sigmoid outputs. */
  private readonly truePositives: Float64Array;
  private readonly falsePositives: Float64Array;
  private readonly falseNegatives: Float64Array;
  private readonly positives = new Scores();
  private readonly negatives = new Scores();
  private absoluteErrors = 0;
  private elements = 0;
  /** r2: per output, the rows so far, the labels' mean and sum of squared deviations (merged batch by batch), and the squared errors. */
  private rows = 0;
  private readonly labelMean: Float64Array;
  private readonly labelSquares: Float64Array;
  private readonly squaredErrors: Float64Array;

  /**
   * @param names - The network's metrics; accuracy among them is ignored here.
   * @param outputs - Values per row.
   * @param softmax - Whether the output is a softmax (classes by argmax) rather than independent outputs.
   */
  constructor(
    readonly names: readonly MetricName[],
    private readonly outputs: number,
    private readonly softmax: boolean,
  ) {
    this.precisionRecall = names.includes('precision') || names.includes('recall');
    this.auc = names.includes('auc');
    const classes = softmax ? outputs : 1;
    this.truePositives = new Float64Array(classes);
    this.falsePositives = new Float64Array(classes);
    this.falseNegatives = new Float64Array(classes);
    const perOutput = names.includes('r2') ? outputs : 0;
    this.labelMean = new Float64Array(perOutput);
    this.labelSquares = new Float64Array(perOutput);
    this.squaredErrors = new Float64Array(perOutput);
    this.active = names.some((name) => name !== 'accuracy');
  }

  /** Whether there is anything to compute: metrics other than accuracy (read every batch: a field, not a scan). */
  readonly active: boolean;

  /** Forgets every row: a new epoch or evaluation. */
  reset(): void {
    for (const counts of [this.truePositives, this.falsePositives, this.falseNegatives]) counts.fill(0);
    this.positives.length = 0;
    this.negatives.length = 0;
    this.absoluteErrors = 0;
    this.elements = 0;
    this.rows = 0;
    this.labelMean.fill(0);
    this.labelSquares.fill(0);
    this.squaredErrors.fill(0);
  }

  /**
   * Adds a batch: `rows` rows of outputs `a` and labels `y`, rows x outputs
   * each, row-major (views into backend memory, read at once and not kept).
   */
  add(a: FloatArray, y: FloatArray, rows: number): void {
    const n = rows * this.outputs;
    if (this.precisionRecall) {
      if (this.softmax) this.countClasses(a, y, rows);
      else this.countElements(a, y, n);
    }
    if (this.auc) {
      for (let i = 0; i < n; i++) (y[i] > 0.5 ? this.positives : this.negatives).push(a[i]);
    }
    if (this.names.includes('mae')) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += Math.abs(a[i] - y[i]);
      this.absoluteErrors += sum;
      this.elements += n;
    }
    if (this.labelMean.length > 0) this.addRegression(a, y, rows);
  }

  private countElements(a: FloatArray, y: FloatArray, n: number): void {
    let tp = 0,
      fp = 0,
      fn = 0;
    for (let i = 0; i < n; i++) {
      const predicted = a[i] > 0.5,
        actual = y[i] > 0.5;
      if (predicted && actual) tp++;
      else if (predicted) fp++;
      else if (actual) fn++;
    }
    this.truePositives[0] += tp;
    this.falsePositives[0] += fp;
    this.falseNegatives[0] += fn;
  }

  private countClasses(a: FloatArray, y: FloatArray, rows: number): void {
    const cols = this.outputs;
    for (let r = 0; r < rows; r++) {
      const predicted = argmax(a, r * cols, cols),
        actual = argmax(y, r * cols, cols);
      if (predicted === actual) this.truePositives[actual]++;
      else {
        this.falsePositives[predicted]++;
        this.falseNegatives[actual]++;
      }
    }
  }

  /** Each output's label mean and squared deviations merged with the batch's (Chan et al.), and its squared errors. */
  private addRegression(a: FloatArray, y: FloatArray, rows: number): void {
    const cols = this.outputs;
    const total = this.rows + rows;
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += y[r * cols + c];
      const mean = sum / rows;
      let squares = 0,
        errors = 0;
      for (let r = 0; r < rows; r++) {
        const deviation = y[r * cols + c] - mean,
          error = y[r * cols + c] - a[r * cols + c];
        squares += deviation * deviation;
        errors += error * error;
      }
      const delta = mean - this.labelMean[c];
      this.labelSquares[c] += squares + ((delta * delta * this.rows) / total) * rows;
      this.labelMean[c] += (delta * rows) / total;
      this.squaredErrors[c] += errors;
    }
    this.rows = total;
  }

  /** Each metric's value over every row added, under its key (`prefix` before it: 'val_'), into `logs`. */
  results(logs: MetricResults, prefix = ''): void {
    for (const name of this.names) {
      if (name !== 'accuracy') logs[prefix + name] = this.result(name);
    }
  }

  private result(name: Exclude<MetricName, 'accuracy'>): number {
    switch (name) {
      case 'precision':
        return macro(this.truePositives, this.falsePositives);
      case 'recall':
        return macro(this.truePositives, this.falseNegatives);
      case 'auc':
        return areaUnderRoc(this.positives.sorted(), this.negatives.sorted());
      case 'mae':
        return this.absoluteErrors / this.elements;
      case 'r2': {
        // As Keras's R2Score: an output whose labels are all equal scores 0 (not -Infinity), and the outputs' scores are averaged.
        let sum = 0;
        for (let c = 0; c < this.outputs; c++) {
          const score = 1 - this.squaredErrors[c] / this.labelSquares[c];
          sum += score === -Infinity ? 0 : score;
        }
        return sum / this.outputs;
      }
    }
  }
}

/** The first largest value's index among `cols` values from `start`: categoricalAccuracy's argmax. */
function argmax(values: FloatArray, start: number, cols: number): number {
  let best = 0;
  for (let c = 1; c < cols; c++) if (values[start + c] > values[start + best]) best = c;
  return best;
}

/** The mean over classes of tp / (tp + other), a class with no such rows scoring 0 (as Keras's divide_no_nan). */
function macro(truePositives: Float64Array, other: Float64Array): number {
  let sum = 0;
  for (let c = 0; c < truePositives.length; c++) {
    const denominator = truePositives[c] + other[c];
    sum += denominator > 0 ? truePositives[c] / denominator : 0;
  }
  return sum / truePositives.length;
}
