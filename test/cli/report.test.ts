/**
 * evaluate's report for a classifier: the confusion matrix and the
 * per-class precision, recall, F1 and support, as scikit-learn computes and
 * lays them out (test/cli/fixtures/classification-report.json, written by
 * scripts/classification-report-fixtures.py), in text and as JSON.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfusionCounts, classificationReport, fixed, formatReport, reportDict } from '../../src/cli/classification-report.js';
import { cli } from './process.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string): string => join(dir, name);
const IRIS = 'examples/iris.csv';

interface Case {
  name: string;
  classes: string[];
  y_true: number[];
  y_pred: number[];
  present: string[];
  confusion_matrix: number[][];
  report: Record<string, unknown>;
  text: string;
}

const { cases } = JSON.parse(readFileSync(new URL('./fixtures/classification-report.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

/**
 * A model file whose network predicts the class its inputs one-hot encode
 * (a softmax over 10 × the inputs), or for two classes a sigmoid of the one
 * input, 0 or 1: evaluate then scores exactly the fixture's predictions.
 */
function echoModel(classes: readonly string[]): object {
  const k = classes.length;
  const binary = k === 2;
  const units = binary ? 1 : k;
  const W = binary ? [[20]] : classes.map((_, i) => classes.map((_, j) => (i === j ? 10 : 0)));
  return {
    format: 'wasmlp-network',
    version: 1,
    inputs: units,
    layers: [{ units, activation: binary ? 'sigmoid' : 'softmax' }],
    loss: binary ? 'binaryCrossentropy' : 'categoricalCrossentropy',
    dtype: 'float32',
    weights: [{ W, b: binary ? [-10] : classes.map(() => 0) }],
    metadata: {
      wasmlp: {
        features: binary ? ['p'] : classes.map((_, i) => `p${i}`),
        target: { type: 'classes', column: 'label', classes, encoding: binary ? 'binary' : 'onehot' },
      },
    },
  };
}

function echoData(c: Case): string {
  const binary = c.classes.length === 2;
  const header = binary ? 'p' : c.classes.map((_, i) => `p${i}`).join(',');
  const rows = c.y_pred.map((p, r) => {
    const inputs = binary ? String(p) : c.classes.map((_, i) => (i === p ? 1 : 0)).join(',');
    return `${inputs},"${c.classes[c.y_true[r]]}"`;
  });
  return `${header},label\n${rows.join('\n')}\n`;
}

describe("evaluate's classification report", () => {
  it("computes scikit-learn's numbers and text from the same counts", () => {
    for (const c of cases) {
      const counts = new ConfusionCounts(c.classes.length);
      c.y_true.forEach((t, r) => counts.add(t, c.y_pred[r]));
      const report = classificationReport(c.classes, counts);
      expect(report.classes, c.name).toEqual(c.present);
      expect(report.confusion, c.name).toEqual(c.confusion_matrix);
      const dict = reportDict(report);
      expect(Object.keys(dict), c.name).toEqual(Object.keys(c.report));
      for (const [key, value] of Object.entries(c.report)) {
        if (typeof value === 'number') expect(dict[key], `${c.name} ${key}`).toBeCloseTo(value, 12);
        else
          for (const [score, v] of Object.entries(value as Record<string, number>))
            expect((dict[key] as unknown as Record<string, number>)[score], `${c.name} ${key} ${score}`).toBeCloseTo(v, 12);
      }
      expect(formatReport(report), c.name).toBe(c.text);
    }
  });

  it("rounds a value exactly halfway to even, as Python's format does", () => {
    expect([fixed(0.03125, 4), fixed(0.09375, 4), fixed(0.5, 0), fixed(1.5, 0), fixed(0.98, 4)]).toEqual([
      '0.0312',
      '0.0938',
      '0',
      '2',
      '0.9800',
    ]);
  });

  it('prints the matrix and the report through the real command, and all of it with --json', async () => {
    for (const c of cases) {
      const model = path(`${c.name}.json`);
      const data = path(`${c.name}.csv`);
      writeFileSync(model, JSON.stringify(echoModel(c.classes)));
      writeFileSync(data, echoData(c));
      const text = await cli(['evaluate', model, data]);
      expect(text.stderr, c.name).toBe('');
      expect(text.code).toBe(0);
      const [first, ...rest] = text.stdout.split('\n');
      const accuracy = c.report.accuracy as number;
      expect(first, c.name).toMatch(
        new RegExp(`^loss \\d\\.\\d{4} {2}acc ${accuracy.toFixed(4)} {2}\\(${c.y_true.length} rows\\)$`),
      );
      const widths = c.present.map((name, j) => Math.max(name.length, ...c.confusion_matrix.map((row) => String(row[j]).length)));
      const line = (head: string, cells: (string | number)[]): string =>
        `${head.padEnd(16)}${cells.map((cell, j) => `  ${String(cell).padStart(widths[j])}`).join('')}\n`;
      const matrix = line('true \\ predicted', c.present) + c.confusion_matrix.map((row, i) => line(c.present[i], row)).join('');
      expect(rest.join('\n'), c.name).toBe(`\nConfusion matrix (rows: true class, columns: predicted)\n${matrix}\n${c.text}`);

      const json = await cli(['evaluate', model, data, '--json']);
      expect(json.code).toBe(0);
      const parsed = JSON.parse(json.stdout);
      expect(parsed).toMatchObject({ rows: c.y_true.length, classes: c.present, confusion_matrix: c.confusion_matrix });
      expect(parsed.acc).toBeCloseTo(accuracy, 6);
      expect(typeof parsed.loss).toBe('number');
      expect(Object.keys(parsed.classification_report)).toEqual(Object.keys(c.report));
      expect(parsed.classification_report['macro avg']['f1-score']).toBeCloseTo(
        (c.report['macro avg'] as Record<string, number>)['f1-score'],
        12,
      );
    }
  });

  it('leaves the matrix of more than 20 classes to --json', async () => {
    const classes = Array.from({ length: 21 }, (_, i) => `c${i}`);
    const c: Case = {
      name: 'many',
      classes,
      y_true: classes.map((_, i) => i),
      y_pred: classes.map((_, i) => (i + 1) % 21),
      present: classes,
      confusion_matrix: [],
      report: {},
      text: '',
    };
    const model = path('many.json');
    const data = path('many.csv');
    writeFileSync(model, JSON.stringify(echoModel(classes)));
    writeFileSync(data, echoData(c));
    const run = await cli(['evaluate', model, data]);
    expect(run.stdout.split('\n').slice(1, 4)).toEqual([
      '',
      'Confusion matrix: 21 classes, too many to show here (--json gives it)',
      '',
    ]);
    expect(run.stdout).toContain('\n          c0     0.0000    0.0000    0.0000         1\n');
    const matrix = JSON.parse((await cli(['evaluate', model, data, '--json'])).stdout).confusion_matrix;
    expect(matrix).toHaveLength(21);
    expect(matrix[20][0]).toBe(1);
  });

  it("counts iris's rows as predict predicts them, a file read whole or streamed", async () => {
    const model = path('iris-model.json');
    const trained = await cli(['train', IRIS, '--target', 'species', '--epochs', '5', '--seed', '3', '--save', model]);
    expect(trained.code).toBe(0);
    const predicted = parse((await cli(['predict', model, IRIS])).stdout, { columns: true }) as Record<string, string>[];
    const actual = (parse(readFileSync(IRIS), { columns: true }) as Record<string, string>[]).map((row) => row.species);
    const classes = ['setosa', 'versicolor', 'virginica'];
    const matrix = classes.map((t) => classes.map((p) => actual.filter((a, r) => a === t && predicted[r].species === p).length));
    const whole = JSON.parse((await cli(['evaluate', model, IRIS, '--json'])).stdout);
    const streamed = JSON.parse((await cli(['evaluate', model, IRIS, '--json'], { env: { WASMLP_STREAM_ABOVE: '0' } })).stdout);
    const shown = classes.filter((_, i) => matrix[i].some((n) => n > 0) || matrix.some((row) => row[i] > 0));
    expect(whole.classes).toEqual(shown);
    expect(whole.confusion_matrix).toEqual(
      matrix.filter((_, i) => shown.includes(classes[i])).map((row) => row.filter((_, j) => shown.includes(classes[j]))),
    );
    expect(streamed.confusion_matrix).toEqual(whole.confusion_matrix);
    expect(streamed.classification_report).toEqual(whole.classification_report);
    expect(streamed.acc).toBeCloseTo(whole.acc, 6);
  });
});
