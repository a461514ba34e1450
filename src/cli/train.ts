/**
 * `wasmlp train data.csv --target COL ...`: reads the CSV, decides the
 * target's encoding, builds and trains the network with a per-epoch line
 * (and a progress bar on a terminal), and saves a model file.
 */
import {
  type ActivationName,
  type BackendName,
  createNetwork,
  type FitOptions,
  type LabelInput,
  type LayerConfig,
  type MatrixInput,
  type Network,
  type NormalizationConfig,
} from '../index.js';
import { randomSeed } from '../random.js';
import { featureIndices, leftOutIndices, targetIndices } from './columns.js';
import { type ColumnRead, readCsv, type Table } from './csv.js';
import { float32Matrix, pickRows } from './float32.js';
import { count } from './format.js';
import type { Numbers } from './growable.js';
import type { Io } from './io.js';
import { filled, type Imputation, type MissingChoice, meanOver } from './missing.js';
import { checkModelPath, writeModelFile } from './model-file.js';
import { trainingProgress } from './progress.js';
import { splitRows } from './split.js';
import { measureColumns, networkNormalization, type Standardization } from './standardize.js';
import { streams } from './streaming.js';
import {
  type CliLoss,
  chooseTarget,
  encodeTarget,
  networkLabels,
  outputLayer,
  outputUnits,
  type Target,
  targetReads,
} from './target.js';
import { escapeLines, excerpt, quote } from './text.js';
import { streamTrainingData } from './train-stream.js';
import { trainingRecord } from './training-record.js';

export interface TrainOptions {
  target: string;
  features?: string;
  /** Columns that are not features: comma-separated. */
  exclude?: string;
  /** The row key: not a feature, saved with the model for predict to copy into its output. */
  id?: string;
  layers: number[];
  activation: ActivationName;
  loss?: CliLoss;
  optimizer: 'adam' | 'sgd';
  epochs: number;
  batchSize: number;
  lr?: number;
  validationSplit?: number;
  seed?: number;
  standardize?: boolean;
  save?: string;
  backend: BackendName;
  threads: number;
  /** Only the summary line: no description, epoch lines or progress bar. */
  quiet?: boolean;
  /** An epoch line every this many epochs (and the last). */
  logEvery?: number;
  /** What a missing cell means: its row left out, or a feature's training mean in its place. */
  missing?: MissingChoice;
}

/** Keras's default learning rates for its optimisers. */
const DEFAULT_LEARNING_RATE = { adam: 0.001, sgd: 0.01 } as const;

/** What training needs from the CSV: the table itself (its columns of doubles) is let go once these are built. */
interface TrainingData {
  featureNames: string[];
  /** The columns --exclude and --id leave out. */
  leftOutNames: string[];
  target: Target;
  /** The network's normalisation: --standardize's statistics where the network can apply them. */
  normalization: NormalizationConfig | undefined;
  /** --standardize's statistics where it cannot: the command line applies them before the network. */
  stats: Standardization | undefined;
  seed: number;
  trainRows: number;
  validationRows: number;
  /** Rows left out for a missing cell (--missing drop). */
  dropped: number;
  /** --missing mean's values, one per feature. */
  imputation?: Imputation;
  /** Trains `net` on the rows: fit() on matrices of a file read whole, fitDataset() on a streamed one. */
  fit(
    net: Network,
    options: Pick<FitOptions, 'epochs' | 'learningRate' | 'optimizer' | 'callbacks'>,
    batchSize: number,
  ): Promise<unknown>;
}

export async function train(file: string, options: TrainOptions, io: Io): Promise<void> {
  // Before anything else, so a bad --save path fails now rather than after the training.
  if (options.save !== undefined) checkModelPath(options.save, file);
  const data = await (streams(file) ? streamedTrainingData : readTrainingData)(file, options);
  const { featureNames, leftOutNames, target, normalization, stats, seed, trainRows, validationRows, dropped, imputation } = data;
  const { activation: outputActivation, loss } = outputLayer(target);
  const layers: LayerConfig[] = [
    ...options.layers.map((units) => ({ units, activation: options.activation })),
    { units: outputUnits(target), activation: outputActivation },
  ];
  const net = await createNetwork({
    inputs: featureNames.length,
    layers,
    loss,
    backend: options.backend,
    threads: options.threads,
    seed,
    normalization,
  });
  try {
    const batchSize = Math.min(options.batchSize, trainRows);
    if (!options.quiet) {
      io.stdout.write(
        escapeLines(
          describeRun(
            file,
            { features: featureNames, leftOut: leftOutNames },
            target,
            { train: trainRows, validation: validationRows, dropped },
            layers,
            loss,
            options,
            seed,
            net.threads,
          ),
        ),
      );
    }
    const learningRate = options.lr ?? DEFAULT_LEARNING_RATE[options.optimizer];
    const progress = trainingProgress(io, options.epochs, Math.ceil(trainRows / batchSize), options);
    await data
      .fit(net, { epochs: options.epochs, learningRate, optimizer: options.optimizer, callbacks: progress.callback }, batchSize)
      .catch((error: Error) => {
        throw commandLineAdvice(error, learningRate, options.standardize === true);
      });
    if (options.save !== undefined) {
      writeModelFile(options.save, {
        features: featureNames,
        target,
        standardization: stats ?? null,
        network: net.toJSON(),
        id: options.id,
        imputation,
        training: trainingRecord({
          data: file,
          trainRows,
          validationRows,
          droppedRows: dropped,
          options: { ...options, seed, lr: learningRate, batchSize },
          ...progress.result(),
        }),
      });
    }
    io.stdout.write(escapeLines(progress.summary(options.save)));
  } finally {
    net.dispose();
  }
}

/** Reads the CSV, decides the target, splits the rows and builds the network's matrices, all checked. */
async function readTrainingData(file: string, options: TrainOptions): Promise<TrainingData> {
  let targets: number[] = [];
  let features: number[] = [];
  let leftOut: number[] = [];
  const drop = options.missing === 'drop';
  const table = await readCsv(file, (header) => {
    targets = targetIndices(header, options.target);
    leftOut = leftOutIndices(header, options, targets);
    features = featureIndices(header, options.features, targets, leftOut);
    const missing = drop ? 'drop' : options.missing === 'mean' ? 'fill' : undefined;
    return [
      ...features.map((column): ColumnRead => ({ kind: 'number', column, why: 'features must be numbers', missing })),
      ...targetReads(header, targets, options.loss).map((read) => (drop && read.kind !== 'text' ? { ...read, missing } : read)),
    ] as ColumnRead[];
  });
  const target = chooseTarget(table, targets, options.loss);
  const labels = encodeTarget(target, table, targets);

  const seed = options.seed ?? randomSeed();
  const split = options.validationSplit === undefined ? undefined : splitRows(table.rows, options.validationSplit, seed);
  const read = features.map((c) => table.numbers.get(c)!);
  const imputation = options.missing === 'mean' ? imputeMeans(table, features, read, split?.train) : undefined;
  const columns = imputation ? read.map((column, k) => filled(column, imputation.values[k])) : read;
  // Statistics from the training rows only. The network standardises where it can; else every row is standardised
  // here, in table order, so a bad value is named by its cell.
  const measured = options.standardize ? measureColumns(columns, split?.train ?? allRows(table.rows)) : undefined;
  const normalization = measured && networkNormalization(measured, columns);
  const stats = normalization ? undefined : measured;
  const inputs = float32Matrix(
    table,
    features,
    columns,
    stats,
    options.standardize ? 'scale the column' : 'give --standardize, or scale the column',
  );
  const width = features.length;
  const rows = (picked: Int32Array | undefined): [MatrixInput, LabelInput] => [
    { data: picked ? pickRows(inputs, width, picked) : inputs, shape: [picked?.length ?? table.rows, width] },
    networkLabels(labels, picked),
  ];
  const trainRows = rows(split?.train);
  const validation = split && rows(split.validation);
  return {
    featureNames: features.map((i) => table.header[i]),
    leftOutNames: leftOut.map((i) => table.header[i]),
    target,
    normalization,
    stats,
    seed,
    trainRows: split?.train.length ?? table.rows,
    validationRows: split?.validation.length ?? 0,
    dropped: table.dropped ?? 0,
    imputation,
    fit: (net, fitOptions, batchSize) =>
      net.fit(trainRows[0], trainRows[1], { ...fitOptions, batchSize, shuffle: true, validationData: validation }),
  };
}

/** --missing mean: each feature's mean over the training rows, its missing cells left out. */
function imputeMeans(table: Table, features: readonly number[], columns: readonly Numbers[], train?: Int32Array): Imputation {
  const rows = train ?? allRows(table.rows);
  const values = columns.map((column, k) => {
    const mean = meanOver(column, rows);
    if (mean === undefined) {
      throw new Error(
        `${table.file}: column ${quote(table.header[features[k]])} has no value in the training rows to take the mean of (--missing mean)`,
      );
    }
    return mean;
  });
  return { strategy: 'mean', values };
}

/** fitDataset's message for an error of the dataset's own: its place before, what it left after. */
const DATASET_THREW =
  /^fitDataset[^:]*(?:: validationData[^:]*)?: the dataset threw: (.*?)(?:; the weights are as the last completed batch left them)?$/s;

/** A file too large to read whole (streaming.ts), checked in a first pass and read again each epoch (train-stream.ts). */
async function streamedTrainingData(file: string, options: TrainOptions): Promise<TrainingData> {
  const seed = options.seed ?? randomSeed();
  const streamed = await streamTrainingData(file, { ...options, seed });
  return {
    ...streamed,
    seed,
    trainRows: streamed.train.rows,
    validationRows: streamed.validation?.rows ?? 0,
    fit: (net, fitOptions) =>
      net.fitDataset(streamed.train, { ...fitOptions, validationData: streamed.validation }).catch((error: Error) => {
        const threw = DATASET_THREW.exec(error.message);
        // A pass's own error (the file changed) as it is; fitDataset's own as fit()'s, as for a file read whole.
        throw new Error(threw ? threw[1] : error.message.replace(/^fitDataset: /, 'fit: '));
      }),
  };
}

function allRows(rows: number): Int32Array {
  const all = new Int32Array(rows);
  for (let i = 0; i < rows; i++) all[i] = i;
  return all;
}

/** At most this many names in the run's description; the rest are counted. */
const NAMES_SHOWN = 12;

/** Names in a summary line: at most NAMES_SHOWN, each cut to 100 characters. */
function names(list: readonly string[]): string {
  const shown = list.slice(0, NAMES_SHOWN).map(excerpt).join(', ');
  return list.length > NAMES_SHOWN ? `${shown}, … (${list.length} in all)` : shown;
}

/** Two lines saying what was read and what will be trained, so the encoding decisions are visible. */
function describeRun(
  file: string,
  columns: { features: readonly string[]; leftOut: readonly string[] },
  target: Target,
  rows: { train: number; validation: number; dropped: number },
  layers: readonly LayerConfig[],
  loss: string,
  options: TrainOptions,
  seed: number,
  threads: number,
): string {
  const { features, leftOut } = columns;
  const what =
    target.type === 'values'
      ? `regression on ${names(target.columns)}`
      : `${excerpt(target.column)}: ${count(target.classes.length, 'class', 'classes')} (${names(target.classes)})`;
  const kept =
    rows.validation > 0 ? `${count(rows.train, 'row')} to train, ${rows.validation} to validate` : count(rows.train, 'row');
  const split = rows.dropped > 0 ? `${kept} (${rows.dropped} with a missing value left out)` : kept;
  const notFeatures = leftOut.length > 0 ? `; left out: ${names(leftOut)}` : '';
  const shape = [features.length, ...layers.map((l) => l.units)].join('-');
  const activations = [...new Set(layers.map((l) => l.activation))].join(' + ');
  return (
    `${file}: ${split}; ${count(features.length, 'feature')} (${names(features)})${notFeatures}; ${what}\n` +
    `Network ${shape} ${activations}, ${loss}, ${options.optimizer}, seed ${seed}${options.standardize ? ', standardised inputs' : ''}` +
    `${threads > 1 ? `, ${threads} threads` : ''}\n`
  );
}

/**
 * fit()'s error for a diverging run, with its advice in this command's
 * terms: --lr rather than learningRate, --standardize unless it was given.
 */
function commandLineAdvice(error: Error, learningRate: number, standardized: boolean): Error {
  const advice = error.message.indexOf('; try a smaller learningRate');
  if (!/ diverged /.test(error.message) || advice < 0) return error;
  return new Error(
    `${error.message.slice(0, advice)}; try a smaller --lr than ${learningRate}` +
      `${standardized ? '' : ', or --standardize'} (a regression's targets are not scaled: scale large ones yourself)`,
  );
}
