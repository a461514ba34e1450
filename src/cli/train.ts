/**
 * `wasmlp train data.csv --target COL ...`: reads the CSV, decides the
 * target's encoding, builds and trains the network with a per-epoch line
 * (and a progress bar on a terminal), and saves a model file.
 */
import { createNetwork, type ActivationName, type BackendName, type LayerConfig } from '../index.js';
import { randomSeed } from '../random.js';
import { numericColumns } from './cells.js';
import { featureIndices, targetIndices } from './columns.js';
import { readCsv } from './csv.js';
import { checkFloat32 } from './float32.js';
import { count } from './format.js';
import type { Io } from './io.js';
import { checkModelPath, MODEL_FORMAT, MODEL_VERSION, writeModelFile } from './model-file.js';
import { progressCallback } from './progress.js';
import { splitRows } from './split.js';
import { measureStandardization, standardize } from './standardize.js';
import { chooseTarget, encodeTarget, outputLayer, outputUnits, type CliLoss, type Target } from './target.js';

export interface TrainOptions {
  target: string;
  features?: string;
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
}

/** Keras's default learning rates for its optimisers. */
const DEFAULT_LEARNING_RATE = { adam: 0.001, sgd: 0.01 } as const;

export async function train(file: string, options: TrainOptions, io: Io): Promise<void> {
  // Before anything else, so a bad --save path fails now rather than after the training.
  if (options.save !== undefined) checkModelPath(options.save, file);
  const table = readCsv(file);
  const targets = targetIndices(table, options.target);
  const features = featureIndices(table, options.features, targets);
  const x = numericColumns(table, features, 'features');
  const target = chooseTarget(table, targets, options.loss);
  const y = encodeTarget(target, table, targets);

  const seed = options.seed ?? randomSeed();
  const indices = [...x.keys()];
  const split = options.validationSplit === undefined
    ? { train: indices, validation: [] }
    : splitRows(indices, options.validationSplit, seed);
  // Statistics from the training rows only; every row standardised in table order, so a bad value is named by its cell.
  const stats = options.standardize ? measureStandardization(split.train.map((i) => x[i])) : undefined;
  const inputs = standardize(x, stats);
  checkFloat32(table, inputs, features, stats !== undefined, stats ? 'scale the column' : 'give --standardize, or scale the column');
  if (target.type === 'values') checkFloat32(table, y, targets, false, 'scale the column (targets are not standardised)');
  const xTrain = split.train.map((i) => inputs[i]);
  const yTrain = split.train.map((i) => y[i]);

  const { activation: outputActivation, loss } = outputLayer(target);
  const layers: LayerConfig[] = [
    ...options.layers.map((units) => ({ units, activation: options.activation })),
    { units: outputUnits(target), activation: outputActivation },
  ];
  const net = await createNetwork({ inputs: features.length, layers, loss, backend: options.backend, threads: options.threads, seed });
  try {
    const batchSize = Math.min(options.batchSize, xTrain.length);
    io.stdout.write(describeRun(file, table.header, features, target, xTrain.length, split.validation.length, layers, loss, options, seed, net.threads));
    const learningRate = options.lr ?? DEFAULT_LEARNING_RATE[options.optimizer];
    await net.fit(xTrain, yTrain, {
      epochs: options.epochs,
      learningRate,
      batchSize,
      shuffle: true,
      optimizer: options.optimizer,
      validationData: split.validation.length > 0
        ? [split.validation.map((i) => inputs[i]), split.validation.map((i) => y[i])]
        : undefined,
      callbacks: progressCallback(io, options.epochs, Math.ceil(xTrain.length / batchSize)),
    }).catch((error: Error) => { throw commandLineAdvice(error, learningRate, options.standardize === true); });
    if (options.save !== undefined) {
      writeModelFile(options.save, {
        format: MODEL_FORMAT,
        version: MODEL_VERSION,
        features: features.map((i) => table.header[i]),
        target,
        standardization: stats ?? null,
        network: net.toJSON(),
      });
      io.stdout.write(`Saved the model to ${options.save}\n`);
    }
  } finally {
    net.dispose();
  }
}

/** Two lines saying what was read and what will be trained, so the encoding decisions are visible. */
function describeRun(file: string, header: readonly string[], features: readonly number[], target: Target,
                     trainRows: number, validationRows: number, layers: readonly LayerConfig[], loss: string,
                     options: TrainOptions, seed: number, threads: number): string {
  const what = target.type === 'values'
    ? `regression on ${target.columns.join(', ')}`
    : `${target.column}: ${count(target.classes.length, 'class', 'classes')} (${target.classes.join(', ')})`;
  const split = validationRows > 0 ? `${count(trainRows, 'row')} to train, ${validationRows} to validate` : count(trainRows, 'row');
  const shape = [features.length, ...layers.map((l) => l.units)].join('-');
  const activations = [...new Set(layers.map((l) => l.activation))].join(' + ');
  return `${file}: ${split}; ${count(features.length, 'feature')} (${features.map((i) => header[i]).join(', ')}); ${what}\n` +
    `Network ${shape} ${activations}, ${loss}, ${options.optimizer}, seed ${seed}${options.standardize ? ', standardised inputs' : ''}` +
    `${threads > 1 ? `, ${threads} threads` : ''}\n`;
}

/**
 * fit()'s error for a diverging run, with its advice in this command's
 * terms: --lr rather than learningRate, --standardize unless it was given.
 */
function commandLineAdvice(error: Error, learningRate: number, standardized: boolean): Error {
  const advice = error.message.indexOf('; try a smaller learningRate');
  if (!/ diverged /.test(error.message) || advice < 0) return error;
  return new Error(`${error.message.slice(0, advice)}; try a smaller --lr than ${learningRate}` +
    `${standardized ? '' : ', or --standardize'} (a regression's targets are not scaled: scale large ones yourself)`);
}
