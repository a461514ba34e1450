/**
 * `wasmlp evaluate model.json data.csv [--target COL]` (or model.onnx, load-model.ts): the loss (and, for
 * a classifier, the accuracy) of the model on a labelled CSV. The target
 * column defaults to the one the model was trained on; its values are
 * encoded with the model's classes, so an unknown class is an error.
 */
import { targetIndices } from './columns.js';
import { readCsv } from './csv.js';
import { count, formatLogs } from './format.js';
import { featureReads, modelInputs } from './inputs.js';
import type { Io } from './io.js';
import { loadModel, type ModelOptions } from './load-model.js';
import type { ModelFile } from './model-file.js';
import { encodeTarget, modelTargetReads, networkLabels, targetColumns } from './target.js';
import { quoteList } from './text.js';

export type EvaluateOptions = ModelOptions;

export async function evaluate(modelPath: string, file: string, options: EvaluateOptions, io: Io): Promise<void> {
  const loaded = await loadModel(modelPath, options);
  const { net } = loaded;
  try {
    let features: number[] = [];
    let targets: number[] = [];
    let model: ModelFile | undefined;
    const table = await readCsv(file, (header) => {
      model = loaded.forHeader(header, true);
      const read = featureReads(model, header);
      features = read.features;
      const expected = targetColumns(model.target);
      targets = targetIndices(header, options.target ?? expected.join(','));
      if (targets.length !== expected.length) {
        throw new Error(
          `--target names ${count(targets.length, 'column')}, but the model predicts ${expected.length} (${quoteList(expected)})`,
        );
      }
      return [...read.reads, ...modelTargetReads(model.target, targets)];
    });
    const x = modelInputs(model!, table, features);
    const y = encodeTarget(model!.target, table, targets);
    const result = net.evaluate({ data: x, shape: [table.rows, features.length] }, networkLabels(y));
    io.stdout.write(`${formatLogs({ ...result })}  (${count(table.rows, 'row')})\n`);
  } finally {
    net.dispose();
  }
}
