/**
 * `wasmlp evaluate model.json data.csv [--target COL]`: the loss (and, for
 * a classifier, the accuracy) of the model on a labelled CSV. The target
 * column defaults to the one the model was trained on; its values are
 * encoded with the model's classes, so an unknown class is an error.
 */
import type { BackendName } from '../index.js';
import { targetIndices } from './columns.js';
import { readCsv } from './csv.js';
import { checkFloat32 } from './float32.js';
import { count, formatLogs } from './format.js';
import { modelInputs } from './inputs.js';
import type { Io } from './io.js';
import { readModelFile } from './model-file.js';
import { encodeTarget, targetColumns } from './target.js';

export interface EvaluateOptions {
  target?: string;
  backend: BackendName;
  threads: number;
}

export async function evaluate(modelPath: string, file: string, options: EvaluateOptions, io: Io): Promise<void> {
  const { model, net } = await readModelFile(modelPath, options.backend, options.threads);
  try {
    const table = readCsv(file);
    const x = modelInputs(model, table);
    const expected = targetColumns(model.target);
    const targets = targetIndices(table, options.target ?? expected.join(','));
    if (targets.length !== expected.length) {
      throw new Error(`--target names ${count(targets.length, 'column')}, but the model predicts ${expected.length} (${expected.join(', ')})`);
    }
    const y = encodeTarget(model.target, table, targets);
    if (model.target.type === 'values') checkFloat32(table, y, targets, false, 'scale the column (targets are not standardised)');
    const result = net.evaluate(x, y);
    io.stdout.write(`${formatLogs({ ...result })}  (${count(x.length, 'row')})\n`);
  } finally {
    net.dispose();
  }
}
