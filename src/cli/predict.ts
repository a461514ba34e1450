/**
 * `wasmlp predict model.json data.csv` (or model.onnx, load-model.ts): CSV on stdout, a header then one
 * line per input row. A classifier writes the predicted class name then
 * each class's probability (prob_<class>); a regression writes the value of
 * each target column. Columns other than the features (the target too) are
 * ignored, so a labelled file can be predicted as it is. A large file
 * (streaming.ts) is predicted as it is read, a block of rows at a time: its
 * lines go out as they are made, so a bad cell far into it fails after the
 * lines before it.
 */
import { readCsv } from './csv.js';
import { readBlocks } from './csv-blocks.js';
import { csvLine } from './format.js';
import { featureAdvice, featureReads, modelInputs } from './inputs.js';
import type { Io } from './io.js';
import { type LoadedModel, loadModel, type ModelOptions } from './load-model.js';
import type { ModelFile } from './model-file.js';
import { STREAM_BLOCK_ROWS, streams } from './streaming.js';
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
  try {
    await (streams(file) ? predictStream(loaded, file, io) : predictWhole(loaded, file, io));
  } finally {
    loaded.net.dispose();
  }
}

async function predictWhole(loaded: LoadedModel, file: string, io: Io): Promise<void> {
  let features: number[] = [];
  let model: ModelFile | undefined;
  const table = await readCsv(file, (header) => {
    model = loaded.forHeader(header, false);
    const read = featureReads(model, header);
    features = read.features;
    return read.reads;
  });
  const outputs = loaded.net.predict({ data: modelInputs(model!, table, features), shape: [table.rows, features.length] });
  const lines = new PredictionLines(model!, io);
  await lines.add(outputs, table.rows);
  lines.end();
}

async function predictStream(loaded: LoadedModel, file: string, io: Io): Promise<void> {
  let lines: PredictionLines | undefined;
  let width = 0;
  await readBlocks(
    file,
    (header) => {
      const model = loaded.forHeader(header, false);
      const { features, reads } = featureReads(model, header);
      width = features.length;
      lines = new PredictionLines(model, io);
      return { reads, features, stats: model.standardization ?? undefined, advice: featureAdvice(model) };
    },
    STREAM_BLOCK_ROWS,
    (block) => lines!.add(loaded.net.predict({ data: block.x, shape: [block.rows, width] }), block.rows),
  );
  lines!.end();
}

/** predict's header, then a line a row, written ROWS_PER_WRITE lines at a time. */
class PredictionLines {
  private lines: string[];

  constructor(
    private readonly model: ModelFile,
    private readonly io: Io,
  ) {
    this.lines = [csvLine(predictionHeader(model.target))];
  }

  async add(outputs: Float32Array | Float64Array, rows: number): Promise<void> {
    const { target } = this.model;
    const units = outputUnits(target);
    for (let r = 0; r < rows; r++) {
      this.lines.push(csvLine(decodePrediction(target, outputs.subarray(r * units, (r + 1) * units))));
      if (this.lines.length === ROWS_PER_WRITE) {
        this.io.stdout.write(this.lines.join(''));
        this.lines = [];
        await this.io.stdout.drained?.();
      }
    }
  }

  end(): void {
    this.io.stdout.write(this.lines.join(''));
  }
}
