/**
 * `wasmlp evaluate model.json data.csv [--target COL]` (or model.onnx, load-model.ts): the loss (and, for
 * a classifier, the accuracy, the confusion matrix and the per-class scores,
 * classification-report.ts; for a regression, MAE, RMSE and R²) of the model
 * on a labelled CSV; `--json` prints all of it as one JSON object. The target
 * column defaults to the one the model was trained on; its values are
 * encoded with the model's classes, so an unknown class is an error. A large
 * file (streaming.ts) is evaluated a block of rows at a time, as it is read:
 * the loss and accuracy are the blocks' means weighted by their rows.
 */
import type { Evaluation } from '../index.js';
import {
  type ClassificationReport,
  ConfusionCounts,
  classificationReport,
  formatConfusion,
  formatReport,
  reportDict,
} from './classification-report.js';
import { targetIndices } from './columns.js';
import { cellPlace, type Header, readCsv } from './csv.js';
import { type BlockReads, readBlocks } from './csv-blocks.js';
import { tooLarge } from './float32.js';
import { count, formatLogs } from './format.js';
import { featureAdvice, featureReads, modelInputs } from './inputs.js';
import type { Io } from './io.js';
import { type LoadedModel, loadModel, type ModelOptions } from './load-model.js';
import type { ModelFile } from './model-file.js';
import { RegressionScoring } from './regression-scores.js';
import { STREAM_BLOCK_ROWS, streams } from './streaming.js';
import { classLookup, encodeTarget, modelTargetReads, networkLabels, predictedClass, targetColumns } from './target.js';
import { escapeLines, quote, quoteList } from './text.js';

export interface EvaluateOptions extends ModelOptions {
  json?: boolean;
}

export async function evaluate(modelPath: string, file: string, options: EvaluateOptions, io: Io): Promise<void> {
  const loaded = await loadModel(modelPath, options);
  try {
    const evaluated = await (streams(file) ? evaluateStream : evaluateWhole)(loaded, file, options);
    io.stdout.write(options.json ? `${JSON.stringify(evaluationJson(evaluated), null, 2)}\n` : evaluationText(evaluated));
  } finally {
    loaded.net.dispose();
  }
}

/** Classes beyond which the confusion matrix, a line of a column each, is left to --json. */
const MATRIX_CLASSES = 20;

/** The loss line, then for a classifier the confusion matrix and the classification report. */
function evaluationText({ result, rows, report, scoring }: Evaluated): string {
  const line = `${formatLogs({ ...result, ...scoring?.scores() })}  (${count(rows, 'row')})\n`;
  if (report === undefined) return line;
  const classes = report.classes.length;
  const matrix =
    classes <= MATRIX_CLASSES
      ? `Confusion matrix (rows: true class, columns: predicted)\n${formatConfusion(report)}`
      : `Confusion matrix: ${classes} classes, too many to show here (--json gives it)\n`;
  return escapeLines(`${line}\n${matrix}\n${formatReport(report)}`);
}

/** Every number evaluate prints, for scripts; the report's keys as scikit-learn's output_dict writes them. */
function evaluationJson({ result, rows, report, scoring }: Evaluated): object {
  return {
    rows,
    ...result,
    ...scoring?.scores(),
    ...(report && {
      classes: report.classes,
      confusion_matrix: report.confusion,
      classification_report: reportDict(report),
    }),
  };
}

/** The model for `header`, its feature columns and its target's columns there. */
function columnsOf(loaded: LoadedModel, header: Header, options: EvaluateOptions) {
  const model = loaded.forHeader(header, true);
  const read = featureReads(model, header);
  const expected = targetColumns(model.target);
  const targets = targetIndices(header, options.target ?? expected.join(','));
  if (targets.length !== expected.length) {
    throw new Error(
      `--target names ${count(targets.length, 'column')}, but the model predicts ${expected.length} (${quoteList(expected)})`,
    );
  }
  return { model, ...read, targets, reads: [...read.reads, ...modelTargetReads(model.target, targets)] };
}

/** A regression's scoring (regression-scores.ts) is undefined for classes, a classifier's report for values. */
type Evaluated = { result: Evaluation; rows: number; report?: ClassificationReport; scoring?: RegressionScoring };

/** Scoring for a regression's predictions, or undefined for a classifier. */
function scoringFor(model: ModelFile): RegressionScoring | undefined {
  return model.target.type === 'values' ? new RegressionScoring(model.target.columns.length) : undefined;
}

/** Counts a block's rows by true and predicted class; `labels` holds each row's class index. */
function countConfusion(
  counts: ConfusionCounts,
  outputs: ArrayLike<number>,
  labels: ArrayLike<number>,
  rows: number,
  units: number,
): void {
  for (let r = 0; r < rows; r++) counts.add(labels[r], predictedClass(outputs, r * units, units));
}

async function evaluateWhole(loaded: LoadedModel, file: string, options: EvaluateOptions): Promise<Evaluated> {
  let columns: ReturnType<typeof columnsOf> | undefined;
  const table = await readCsv(file, (header) => {
    columns = columnsOf(loaded, header, options);
    return columns.reads;
  });
  const { model, features, targets } = columns!;
  const x = { data: modelInputs(model, table, features), shape: [table.rows, features.length] as [number, number] };
  const y = encodeTarget(model.target, table, targets);
  const result = loaded.net.evaluate(x, networkLabels(y));
  if (model.target.type !== 'classes') {
    const scoring = scoringFor(model);
    scoring?.add(loaded.net.predict(x), y.data, table.rows);
    return { result, rows: table.rows, scoring };
  }
  const counts = new ConfusionCounts(model.target.classes.length);
  countConfusion(counts, loaded.net.predict(x), y.data, table.rows, loaded.net.outputs);
  return { result, rows: table.rows, report: classificationReport(model.target.classes, counts) };
}

async function evaluateStream(loaded: LoadedModel, file: string, options: EvaluateOptions): Promise<Evaluated> {
  let model: ModelFile | undefined;
  let width = 0;
  let labelWidth = 0;
  let indices = false;
  let loss = 0;
  let acc = 0;
  let rows = 0;
  let scoring: RegressionScoring | undefined;
  let counts: ConfusionCounts | undefined;
  await readBlocks(
    file,
    (header) => {
      const columns = columnsOf(loaded, header, options);
      model = columns.model;
      scoring = scoringFor(model);
      width = columns.features.length;
      const labels = labelsOf(model, columns.targets);
      labelWidth = labels.width;
      indices = model.target.type === 'classes' && model.target.encoding === 'onehot';
      if (model.target.type === 'classes') counts = new ConfusionCounts(model.target.classes.length);
      return {
        reads: columns.reads,
        features: columns.features,
        stats: model.standardization ?? undefined,
        fill: model.imputation?.values,
        advice: featureAdvice(model),
        labels,
      };
    },
    STREAM_BLOCK_ROWS,
    async (block) => {
      const y = networkLabels({ data: block.y, cols: labelWidth, indices });
      const x = { data: block.x, shape: [block.rows, width] as [number, number] };
      const result = loaded.net.evaluate(x, y);
      const predicted = scoring || counts ? loaded.net.predict(x) : undefined;
      if (predicted) scoring?.add(predicted, block.y, block.rows);
      if (predicted && counts) countConfusion(counts, predicted, block.y, block.rows, loaded.net.outputs);
      // Each block's loss is a mean over its rows' outputs, and every row has as many: weighted by rows.
      loss += result.loss * block.rows;
      acc += (result.acc ?? 0) * block.rows;
      rows += block.rows;
    },
  );
  const { target } = model!;
  if (target.type !== 'classes' || counts === undefined) return { result: { loss: loss / rows }, rows, scoring };
  return { result: { loss: loss / rows, acc: acc / rows }, rows, report: classificationReport(target.classes, counts) };
}

/** A block's labels, as encodeTarget makes them: the class index (or 0 | 1), or the target's values. */
function labelsOf(model: ModelFile, targets: readonly number[]): NonNullable<BlockReads['labels']> {
  const { target } = model;
  if (target.type === 'values') {
    return {
      width: targets.length,
      write: (cells, y, at, place, row) => {
        for (let k = 0; k < targets.length; k++) {
          const value = cells.numbers[targets[k]];
          if (!Number.isFinite(Math.fround(value))) {
            throw new Error(
              tooLarge(place, row, targets[k], value, undefined, 'scale the column (targets are not standardised)'),
            );
          }
          y[at + k] = value;
        }
      },
    };
  }
  const classOf = classLookup(target);
  const [column] = targets;
  return {
    width: 1,
    write: (cells, y, at, place, row) => {
      const cell = cells.texts[column];
      const k = classOf(cell);
      if (k < 0) {
        throw new Error(
          `${cellPlace(place, row, column)}: ${quote(cell)} is not one of the model's classes (${quoteList(target.classes)})`,
        );
      }
      y[at] = k;
    },
  };
}
