/**
 * `wasmlp predict model.json data.csv`: CSV on stdout, a header then one
 * line per input row. A classifier writes the predicted class name then
 * each class's probability (prob_<class>); a regression writes the value of
 * each target column. Columns other than the features (the target too) are
 * ignored, so a labelled file can be predicted as it is.
 */
import type { BackendName } from '../index.js';
import { readCsv } from './csv.js';
import { csvLine } from './format.js';
import { modelInputs } from './inputs.js';
import type { Io } from './io.js';
import { readModelFile } from './model-file.js';
import { decodePrediction, outputUnits, predictionHeader } from './target.js';

export interface PredictOptions {
  backend: BackendName;
  threads: number;
}

export async function predict(modelPath: string, file: string, options: PredictOptions, io: Io): Promise<void> {
  const { model, net } = await readModelFile(modelPath, options.backend, options.threads);
  try {
    const x = modelInputs(model, readCsv(file));
    const outputs = net.predict(x);
    const units = outputUnits(model.target);
    // One string, one write: a large CSV goes out without a write per row.
    const lines = [csvLine(predictionHeader(model.target))];
    for (let r = 0; r < x.length; r++) lines.push(csvLine(decodePrediction(model.target, outputs.subarray(r * units, (r + 1) * units))));
    io.stdout.write(lines.join(''));
  } finally {
    net.dispose();
  }
}
