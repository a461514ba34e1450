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
import { type ColumnRead, columnIndex, type Header, readCsv } from './csv.js';
import { readBlocks } from './csv-blocks.js';
import { csvLine } from './format.js';
import { featureAdvice, featureReads, modelInputs } from './inputs.js';
import type { Io } from './io.js';
import { type LoadedModel, loadModel, type ModelOptions } from './load-model.js';
import type { ModelFile } from './model-file.js';
import { STREAM_BLOCK_ROWS, streams } from './streaming.js';
import { decodePrediction, outputUnits, predictionHeader } from './target.js';

export interface PredictOptions extends Omit<ModelOptions, 'target'> {
  /** The row key to copy into the output's first column (default: the model's, where the CSV has it). */
  id?: string;
}

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
    await (streams(file) ? predictStream : predictWhole)(loaded, file, options, io);
  } finally {
    loaded.net.dispose();
  }
}

/**
 * The id column copied into the output: --id's, or else the model's where
 * the CSV has it (a file without its training keys still predicts).
 */
function idColumn(model: ModelFile, header: Header, options: PredictOptions): number | undefined {
  if (options.id !== undefined) return columnIndex(header, options.id, 'the id column (--id)');
  const index = model.id === undefined ? -1 : header.header.indexOf(model.id);
  return index < 0 ? undefined : index;
}

/** The columns predict reads from `header`: the model's features, and the id column if any. */
function predictReads(loaded: LoadedModel, header: Header, options: PredictOptions) {
  const model = loaded.forHeader(header, false);
  const { features, reads } = featureReads(model, header);
  const id = idColumn(model, header, options);
  const all: ColumnRead[] = id === undefined ? reads : [...reads, { kind: 'text', column: id }];
  return { model, features, reads: all, id, idName: id === undefined ? undefined : header.header[id] };
}

async function predictWhole(loaded: LoadedModel, file: string, options: PredictOptions, io: Io): Promise<void> {
  let columns: ReturnType<typeof predictReads> | undefined;
  const table = await readCsv(file, (header) => {
    columns = predictReads(loaded, header, options);
    return columns.reads;
  });
  const { model, features, id, idName } = columns!;
  const outputs = loaded.net.predict({ data: modelInputs(model, table, features), shape: [table.rows, features.length] });
  const lines = new PredictionLines(model, io, idName);
  await lines.add(outputs, table.rows, id === undefined ? undefined : table.texts.get(id));
  lines.end();
}

async function predictStream(loaded: LoadedModel, file: string, options: PredictOptions, io: Io): Promise<void> {
  let lines: PredictionLines | undefined;
  let width = 0;
  let hasId = false;
  await readBlocks(
    file,
    (header) => {
      const { model, features, reads, idName } = predictReads(loaded, header, options);
      width = features.length;
      hasId = idName !== undefined;
      lines = new PredictionLines(model, io, idName);
      return {
        reads,
        features,
        stats: model.standardization ?? undefined,
        fill: model.imputation?.values,
        advice: featureAdvice(model),
      };
    },
    STREAM_BLOCK_ROWS,
    (block) =>
      lines!.add(loaded.net.predict({ data: block.x, shape: [block.rows, width] }), block.rows, hasId ? block.ids : undefined),
  );
  lines!.end();
}

/** predict's header, then a line a row (the id first, if any), written ROWS_PER_WRITE lines at a time. */
class PredictionLines {
  private lines: string[];

  constructor(
    private readonly model: ModelFile,
    private readonly io: Io,
    idName: string | undefined,
  ) {
    const header = predictionHeader(model.target);
    this.lines = [csvLine(idName === undefined ? header : [idName, ...header])];
  }

  async add(outputs: Float32Array | Float64Array, rows: number, ids?: readonly string[]): Promise<void> {
    const { target } = this.model;
    const units = outputUnits(target);
    for (let r = 0; r < rows; r++) {
      const cells = decodePrediction(target, outputs.subarray(r * units, (r + 1) * units));
      this.lines.push(csvLine(ids === undefined ? cells : [ids[r], ...cells]));
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
