/**
 * `wasmlp predict model.json data.csv` (or model.onnx, load-model.ts): CSV on stdout, a header then one
 * line per input row. A classifier writes the predicted class name then
 * each class's probability (prob_<class>); a regression writes the value of
 * each target column. Columns other than the features (the target too) are
 * ignored, so a labelled file can be predicted as it is.
 */
import { readCsv } from './csv.js';
import { csvLine } from './format.js';
import { featureReads, modelInputs } from './inputs.js';
import type { Io } from './io.js';
import { loadModel, type ModelOptions } from './load-model.js';
import type { ModelFile } from './model-file.js';
import { decodePrediction, outputUnits, predictionHeader } from './target.js';

export type PredictOptions = Omit<ModelOptions, 'target'>;

/**
 * Rows written to stdout at a time: a large CSV goes out in few writes,
 * never as one string of it all, and each batch waits for the one before to
 * drain, so a slow reader (a pipe to a busy program) holds back the output
 * rather than letting it pile up in memory.
 */
const ROWS_PER_WRITE = 4096;

export async function predict(modelPath: string, file: string, options: PredictOptions, io: Io): Promise<void> {
  const loaded = await loadModel(modelPath, options);
  const { net } = loaded;
  try {
    let features: number[] = [];
    let model: ModelFile | undefined;
    const table = await readCsv(file, (header) => {
      model = loaded.forHeader(header, false);
      const read = featureReads(model, header);
      features = read.features;
      return read.reads;
    });
    const { target } = model!;
    const outputs = net.predict({ data: modelInputs(model!, table, features), shape: [table.rows, features.length] });
    const units = outputUnits(target);
    let lines = [csvLine(predictionHeader(target))];
    for (let r = 0; r < table.rows; r++) {
      lines.push(csvLine(decodePrediction(target, outputs.subarray(r * units, (r + 1) * units))));
      if (lines.length === ROWS_PER_WRITE) {
        io.stdout.write(lines.join(''));
        lines = [];
        await io.stdout.drained?.();
      }
    }
    io.stdout.write(lines.join(''));
  } finally {
    net.dispose();
  }
}
