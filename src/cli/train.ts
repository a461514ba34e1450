/**
 * `wasmlp train data.csv --target COL ...`: reads the CSV, decides the
 * target's encoding, builds and trains the network with a per-epoch line
 * (and a progress bar on a terminal), and saves a model file.
 */
import {
  type ActivationName,
  type BackendName,
  createNetwork,
  type DropoutConfig,
  type EarlyStopping,
  earlyStopping,
  type FitOptions,
  type History,
  type LabelInput,
  type LayerConfig,
  type MatrixInput,
  type Network,
  type NormalizationConfig,
} from '../index.js';
import { randomSeed } from '../random.js';
import { featureIndices, leftOutIndices, targetIndices } from './columns.js';
import { readCsv, type Table } from './csv.js';
import { float32Matrix, pickRows } from './float32.js';
import { count, formatLogs, formatMetric } from './format.js';
import type { Numbers } from './growable.js';
import type { Io } from './io.js';
import { filled, type Imputation, type MissingChoice, meanOver } from './missing.js';
import { checkModelPath, writeModelFile } from './model-file.js';
import { trainingProgress } from './progress.js';
import { RegressionScoring } from './regression-scores.js';
import { splitRows } from './split.js';
import { measureColumns, networkNormalization, type Standardization } from './standardize.js';
import { streams } from './streaming.js';
import {
  type CliLoss,
  chooseTarget,
  describeTask,
  encodeTarget,
  networkLabels,
  outputLayer,
  outputUnits,
  type Target,
  type Task,
  trainingReads,
} from './target.js';
import { foldTargetScaling, measureTargets, scaledTargets, scaleTargets, type TargetScaling } from './target-scaling.js';
import { escapeLines, excerpt, quote } from './text.js';
import { scoreStreamedTest, streamedClassCounts, streamedTargetScaling, streamTrainingData } from './train-stream.js';
import {
  balancedClassWeights,
  checkMetricFlags,
  countClasses,
  describeClassWeights,
  describeControls,
  initialLearningRate,
  learningRateOf,
  networkLayers,
  optimizerSpec,
  type TrainingControls,
} from './training-options.js';
import { trainingRecord } from './training-record.js';

export interface TrainOptions extends TrainingControls {
  target: string;
  features?: string;
  /** Columns that are not features: comma-separated. */
  exclude?: string;
  /** The row key: not a feature, saved with the model for predict to copy into its output. */
  id?: string;
  activation: ActivationName;
  loss?: CliLoss;
  task?: Task;
  epochs: number;
  batchSize: number;
  validationSplit?: number;
  testSplit?: number;
  earlyStopping?: number;
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

/** What training needs from the CSV: the table itself (its columns of doubles) is let go once these are built. */
interface TrainingData {
  featureNames: string[];
  /** The columns --exclude and --id leave out. */
  leftOutNames: string[];
  target: Target;
  /** The network's normalisation: the standardisation's statistics where the network can apply them. */
  normalization: NormalizationConfig | undefined;
  /** The standardisation's statistics where it cannot: the command line applies them before the network. */
  stats: Standardization | undefined;
  seed: number;
  trainRows: number;
  validationRows: number;
  testRows: number;
  /** Scores the network once on the --test-split rows, in the targets' units; undefined without them. */
  scoreTest?(net: Network): Promise<Record<string, number>>;
  /** Rows left out for a missing cell (--missing drop). */
  dropped: number;
  /** --missing mean's values, one per feature. */
  imputation?: Imputation;
  /** Trains `net` on the rows: fit() on matrices of a file read whole, fitDataset() on a streamed one. */
  fit(
    net: Network,
    options: Pick<FitOptions, 'epochs' | 'learningRate' | 'optimizer' | 'callbacks' | 'classWeight'>,
    batchSize: number,
  ): Promise<History>;
  /** The training rows of each class (a classifier's), for --class-weight. */
  classCounts(): Promise<number[]>;
  /** A regression's target statistics, from the training rows: the network is fitted to the targets scaled with them. */
  targetScaling: TargetScaling | undefined;
}

export async function train(file: string, options: TrainOptions, io: Io): Promise<void> {
  // Before anything else, so a bad --save path fails now rather than after the training.
  if (options.save !== undefined) checkModelPath(options.save, file);
  if (options.earlyStopping !== undefined && options.validationSplit === undefined)
    throw new Error('--early-stopping watches val_loss: it needs --validation-split');
  const data = await (streams(file) ? streamedTrainingData : readTrainingData)(file, options);
  const {
    featureNames,
    leftOutNames,
    target,
    normalization,
    stats,
    seed,
    trainRows,
    validationRows,
    testRows,
    dropped,
    imputation,
  } = data;
  const { activation: outputActivation, loss } = outputLayer(target);
  const output = { units: outputUnits(target), activation: outputActivation };
  const metrics = checkMetricFlags(options.metrics, loss, output);
  const layers = networkLayers(options, output);
  const weighting = options.classWeight && (await balancedWeights(data, target));
  const batchSize = Math.min(options.batchSize, trainRows);
  const batchesPerEpoch = Math.ceil(trainRows / batchSize);
  const updates = options.epochs * batchesPerEpoch;
  const net = await createNetwork({
    inputs: featureNames.length,
    layers,
    loss,
    backend: options.backend,
    threads: options.threads,
    seed,
    normalization,
    ...(metrics && { metrics }),
  });
  try {
    if (!options.quiet) {
      io.stdout.write(
        escapeLines(
          describeRun(
            file,
            { features: featureNames, leftOut: leftOutNames },
            target,
            { train: trainRows, validation: validationRows, test: testRows, dropped },
            layers,
            loss,
            options,
            updates,
            seed,
            net.threads,
          ),
        ),
      );
      io.stdout.write(escapeLines(describeTask(target, options.loss, options.task)));
      if (weighting) io.stdout.write(escapeLines(weighting.line));
    }
    const progress = trainingProgress(io, options.epochs, batchesPerEpoch, {
      quiet: options.quiet,
      logEvery: options.logEvery,
      showRate: options.lrSchedule !== undefined,
    });
    const stopper =
      options.earlyStopping === undefined
        ? undefined
        : earlyStopping({ monitor: 'val_loss', patience: options.earlyStopping, restoreBestWeights: true });
    const callbacks = stopper ? [progress.callback, stopper] : progress.callback;
    const fitOptions = {
      epochs: options.epochs,
      learningRate: learningRateOf(options, updates),
      optimizer: optimizerSpec(options),
      callbacks,
      ...(weighting && { classWeight: weighting.weights }),
    };
    const history = await data.fit(net, fitOptions, batchSize).catch((error: Error) => {
      throw commandLineAdvice(error, initialLearningRate(options), options.standardize === true);
    });
    if (stopper && !options.quiet) io.stdout.write(describeStop(stopper, history, options.epochs));
    if (data.targetScaling) foldTargetScaling(net, data.targetScaling);
    if (data.scoreTest) io.stdout.write(`Test  ${formatLogs(await data.scoreTest(net))}  (${count(testRows, 'row')})\n`);
    if (options.save !== undefined) {
      writeModelFile(options.save, {
        features: featureNames,
        target,
        standardization: stats ?? null,
        network: net.toJSON(),
        ...(data.targetScaling && { targetScaling: data.targetScaling }),
        id: options.id,
        imputation,
        training: trainingRecord({
          data: file,
          trainRows,
          validationRows,
          droppedRows: dropped,
          options: { ...options, seed, lr: initialLearningRate(options), batchSize },
          ...progress.result(),
        }),
      });
    }
    io.stdout.write(escapeLines(progress.summary(options.save)));
  } finally {
    net.dispose();
  }
}

/** --class-weight balanced's weights from the training rows' classes, and the line that shows them. */
async function balancedWeights(data: TrainingData, target: Target): Promise<{ weights: number[]; line: string }> {
  if (target.type !== 'classes')
    throw new Error(
      `--class-weight balanced needs classes, but the target (${names(target.columns)}) is a regression; leave it out`,
    );
  const counts = await data.classCounts();
  const weights = balancedClassWeights(counts);
  return { weights, line: describeClassWeights(target.classes, weights, counts) };
}

/** Reads the CSV, decides the target, splits the rows and builds the network's matrices, all checked. */
async function readTrainingData(file: string, options: TrainOptions): Promise<TrainingData> {
  let targets: number[] = [];
  let features: number[] = [];
  let leftOut: number[] = [];
  const table = await readCsv(file, (header) => {
    targets = targetIndices(header, options.target);
    leftOut = leftOutIndices(header, options, targets);
    features = featureIndices(header, options.features, targets, leftOut);
    return trainingReads(header, features, targets, options);
  });
  const target = chooseTarget(table, targets, options.loss, options.task);
  const encoded = encodeTarget(target, table, targets);

  const seed = options.seed ?? randomSeed();
  const split =
    options.validationSplit === undefined && options.testSplit === undefined
      ? undefined
      : splitRows(table.rows, options.validationSplit, seed, options.testSplit);
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
    options.standardize ? 'scale the column' : 'leave out --no-standardize, or scale the column',
  );
  const width = features.length;
  const matrix = (picked: Int32Array | undefined): MatrixInput => ({
    data: picked ? pickRows(inputs, width, picked) : inputs,
    shape: [picked?.length ?? table.rows, width],
  });
  // Picked before the targets are scaled: the test rows are scored in the targets' units, after the scaling is folded.
  const test =
    split && split.test.length > 0 ? { x: matrix(split.test), y: pickRows(encoded.data, encoded.cols, split.test) } : undefined;
  const testLabels = test && networkLabels({ ...encoded, data: test.y });
  const targetScaling = target.type === 'values' ? measureTargets(encoded.data, encoded.cols, split?.train) : undefined;
  const labels = targetScaling ? { ...encoded, data: scaleTargets(encoded.data, targetScaling) } : encoded;
  const rows = (picked: Int32Array | undefined): [MatrixInput, LabelInput] => [matrix(picked), networkLabels(labels, picked)];
  const trainRows = rows(split?.train);
  const validation = split && split.validation.length > 0 ? rows(split.validation) : undefined;
  return {
    featureNames: features.map((i) => table.header[i]),
    leftOutNames: leftOut.map((i) => table.header[i]),
    target,
    normalization,
    stats,
    seed,
    trainRows: split?.train.length ?? table.rows,
    validationRows: split?.validation.length ?? 0,
    testRows: split?.test.length ?? 0,
    scoreTest:
      test &&
      (async (net) => {
        const scores: Record<string, number> = { ...net.evaluate(test.x, testLabels!) };
        if (target.type !== 'values') return scores;
        const scoring = new RegressionScoring(encoded.cols);
        scoring.add(net.predict(test.x), test.y, split!.test.length);
        return { ...scores, ...scoring.scores() };
      }),
    dropped: table.dropped ?? 0,
    imputation,
    fit: (net, fitOptions, batchSize) =>
      net.fit(trainRows[0], trainRows[1], { ...fitOptions, batchSize, shuffle: true, validationData: validation }),
    classCounts: async () => countClasses(labels.data, target.type === 'classes' ? target.classes.length : 0, split?.train),
    targetScaling,
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
  const targetScaling = streamed.target.type === 'values' ? await streamedTargetScaling(streamed.train) : undefined;
  const train = targetScaling ? scaledTargets(streamed.train, targetScaling) : streamed.train;
  const validation =
    targetScaling && streamed.validation ? scaledTargets(streamed.validation, targetScaling) : streamed.validation;
  return {
    ...streamed,
    seed,
    trainRows: streamed.train.rows,
    validationRows: streamed.validation?.rows ?? 0,
    testRows: streamed.test?.rows ?? 0,
    scoreTest: streamed.test && ((net) => scoreStreamedTest(net, streamed.test!)),
    fit: (net, fitOptions) =>
      net.fitDataset(train, { ...fitOptions, validationData: validation }).catch((error: Error) => {
        const threw = DATASET_THREW.exec(error.message);
        // A pass's own error (the file changed) as it is; fitDataset's own as fit()'s, as for a file read whole.
        throw new Error(threw ? threw[1] : error.message.replace(/^fitDataset: /, 'fit: '));
      }),
    classCounts: () => streamedClassCounts(streamed.train, streamed.target),
    targetScaling,
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
  rows: { train: number; validation: number; test: number; dropped: number },
  entries: readonly (LayerConfig | DropoutConfig)[],
  loss: string,
  options: TrainOptions,
  updates: number,
  seed: number,
  threads: number,
): string {
  const { features, leftOut } = columns;
  const layers = entries.filter((entry): entry is LayerConfig => 'units' in entry);
  const what =
    target.type === 'values'
      ? `regression on ${names(target.columns)}`
      : `${excerpt(target.column)}: ${count(target.classes.length, 'class', 'classes')} (${names(target.classes)})`;
  const held = [
    ...(rows.validation > 0 ? [`${rows.validation} to validate`] : []),
    ...(rows.test > 0 ? [`${rows.test} to test`] : []),
  ];
  const kept = held.length > 0 ? [`${count(rows.train, 'row')} to train`, ...held].join(', ') : count(rows.train, 'row');
  const split = rows.dropped > 0 ? `${kept} (${rows.dropped} with a missing value left out)` : kept;
  const notFeatures = leftOut.length > 0 ? `; left out: ${names(leftOut)}` : '';
  const shape = [features.length, ...layers.map((l) => l.units)].join('-');
  const activations = [...new Set(layers.map((l) => l.activation))].join(' + ');
  return (
    `${file}: ${split}; ${count(features.length, 'feature')} (${names(features)})${notFeatures}; ${what}\n` +
    `Network ${shape} ${activations}, ${loss}, ${options.optimizer}${describeControls(options, updates)}, seed ${seed}${options.standardize ? ', standardised inputs' : ''}` +
    `${threads > 1 ? `, ${threads} threads` : ''}\n`
  );
}

/** The line after an early-stopped run: where it stopped, and the epoch whose weights it kept. */
function describeStop(stopper: EarlyStopping, history: History, epochs: number): string {
  const best = stopper.bestEpoch;
  const loss = history.history.val_loss?.[best];
  const kept = best < 0 ? 'no epoch improved val_loss' : `kept epoch ${best + 1}'s weights (val_loss ${formatMetric(loss!)})`;
  const stopped =
    stopper.stoppedEpoch < 0
      ? `Early stopping: ran all ${epochs} epochs`
      : `Early stopping: stopped after epoch ${stopper.stoppedEpoch + 1} (val_loss ${stopper.patience > 1 ? `${stopper.patience} epochs` : 'an epoch'} without improving)`;
  return `${stopped}; ${kept}\n`;
}

/**
 * fit()'s error for a diverging run, with its advice in this command's
 * terms: --lr rather than learningRate, standardising if it was turned off.
 */
function commandLineAdvice(error: Error, learningRate: number, standardized: boolean): Error {
  const advice = error.message.indexOf('; try a smaller learningRate');
  if (!/ diverged /.test(error.message) || advice < 0) return error;
  return new Error(
    `${error.message.slice(0, advice)}; try a smaller --lr than ${learningRate}` +
      `${standardized ? '' : ', or leave out --no-standardize'}`,
  );
}
