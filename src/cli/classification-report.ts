/**
 * A classifier's confusion matrix and per-class scores, computed and laid
 * out as scikit-learn's confusion_matrix and classification_report do, so
 * the numbers can be set beside a scikit-learn run: precision, recall, F1
 * and support per class, then accuracy, the macro average (each class
 * counts once) and the weighted average (each class by its support). A
 * score with nothing to divide by (a class never predicted has no
 * precision) is 0, as scikit-learn's default zero_division gives. Classes
 * neither in the labels nor in the predictions are left out, as
 * scikit-learn leaves them out when no labels are given.
 */

/** Counts of (true class, predicted class) pairs, by class index. */
export class ConfusionCounts {
  /** counts[t * classes + p]: rows of class t predicted as p. */
  readonly counts: Float64Array;

  constructor(readonly classes: number) {
    this.counts = new Float64Array(classes * classes);
  }

  add(actual: number, predicted: number): void {
    this.counts[actual * this.classes + predicted]++;
  }
}

export interface ClassScores {
  precision: number;
  recall: number;
  'f1-score': number;
  support: number;
}

export interface ClassificationReport {
  /** The classes reported, in the model's order. */
  classes: string[];
  /** confusion[i][j]: rows of classes[i] predicted as classes[j]. */
  confusion: number[][];
  scores: ClassScores[];
  accuracy: number;
  macro: ClassScores;
  weighted: ClassScores;
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

export function classificationReport(names: readonly string[], counts: ConfusionCounts): ClassificationReport {
  const k = counts.classes;
  const at = (t: number, p: number): number => counts.counts[t * k + p];
  const support = Array.from({ length: k }, (_, t) => names.reduce((sum, _n, p) => sum + at(t, p), 0));
  const predicted = Array.from({ length: k }, (_, p) => names.reduce((sum, _n, t) => sum + at(t, p), 0));
  const shown = names.map((_, i) => i).filter((i) => support[i] > 0 || predicted[i] > 0);
  const scores = shown.map((i): ClassScores => {
    const precision = ratio(at(i, i), predicted[i]);
    const recall = ratio(at(i, i), support[i]);
    return { precision, recall, 'f1-score': ratio(2 * precision * recall, precision + recall), support: support[i] };
  });
  const total = support.reduce((a, b) => a + b, 0);
  const correct = shown.reduce((sum, i) => sum + at(i, i), 0);
  const average = (weight: (s: ClassScores) => number): ClassScores => {
    const weights = scores.map(weight);
    const sum = weights.reduce((a, b) => a + b, 0);
    const mean = (key: 'precision' | 'recall' | 'f1-score'): number =>
      ratio(
        scores.reduce((acc, s, i) => acc + s[key] * weights[i], 0),
        sum,
      );
    return { precision: mean('precision'), recall: mean('recall'), 'f1-score': mean('f1-score'), support: total };
  };
  return {
    classes: shown.map((i) => names[i]),
    confusion: shown.map((t) => shown.map((p) => at(t, p))),
    scores,
    accuracy: ratio(correct, total),
    macro: average(() => 1),
    weighted: average((s) => s.support),
  };
}

/** As scikit-learn's classification_report(output_dict=True): each class, accuracy, 'macro avg', 'weighted avg'. */
export function reportDict(report: ClassificationReport): Record<string, ClassScores | number> {
  return {
    ...Object.fromEntries(report.classes.map((name, i) => [name, report.scores[i]])),
    accuracy: report.accuracy,
    'macro avg': report.macro,
    'weighted avg': report.weighted,
  };
}

/**
 * `value` with `digits` decimals as Python's format() writes it: a value
 * exactly halfway (0.03125 to 4 digits) rounds to even, where toFixed
 * rounds up. Only such a dyadic value can be halfway, and scaling it by a
 * power of ten is exact.
 */
export function fixed(value: number, digits: number): string {
  const scaled = value * 10 ** digits;
  if (Number.isInteger(scaled * 2) && !Number.isInteger(scaled)) {
    const down = Math.floor(scaled);
    return ((down % 2 === 0 ? down : down + 1) / 10 ** digits).toFixed(digits);
  }
  return value.toFixed(digits);
}

/** The text scikit-learn's classification_report(digits=digits) prints. */
export function formatReport(report: ClassificationReport, digits = 4): string {
  const width = Math.max(...report.classes.map((name) => name.length), 'weighted avg'.length, digits);
  const cell = (text: string): string => ` ${text.padStart(9)}`;
  const row = (name: string, s: ClassScores): string =>
    `${name.padStart(width)} ${[s.precision, s.recall, s['f1-score']].map((v) => cell(fixed(v, digits))).join('')}${cell(String(s.support))}\n`;
  const header = `${''.padStart(width)} ${['precision', 'recall', 'f1-score', 'support'].map(cell).join('')}`;
  const total = report.macro.support;
  return (
    `${header}\n\n` +
    report.classes.map((name, i) => row(name, report.scores[i])).join('') +
    '\n' +
    `${'accuracy'.padStart(width)} ${cell('')}${cell('')}${cell(fixed(report.accuracy, digits))}${cell(String(total))}\n` +
    row('macro avg', report.macro) +
    row('weighted avg', report.weighted)
  );
}

/** The confusion matrix as a table: a row per true class, a column per predicted class. */
export function formatConfusion(report: ClassificationReport): string {
  const { classes, confusion } = report;
  const first = Math.max(...classes.map((name) => name.length), 'true \\ predicted'.length);
  const widths = classes.map((name, j) => Math.max(name.length, ...confusion.map((row) => String(row[j]).length)));
  const line = (head: string, cells: readonly string[]): string =>
    `${head.padEnd(first)}${cells.map((text, j) => `  ${text.padStart(widths[j])}`).join('')}\n`;
  return line('true \\ predicted', classes) + classes.map((name, i) => line(name, confusion[i].map(String))).join('');
}
