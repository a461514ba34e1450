/**
 * `wasmlp info model.json` (or a saved network, or model.onnx): what a
 * model file holds, without data: the network's summary (the library's
 * summary(), as Keras prints it), the features, the target and its
 * classes, the preprocessing (standardisation, missing values, the id
 * column), and when and how it was trained, where train recorded it.
 * `--json` prints the same as one JSON object.
 */
import type { NetworkJSON } from '../index.js';
import { count, formatLogs, formatValue } from './format.js';
import type { Io } from './io.js';
import { readModelSource } from './load-model.js';
import { loadFileNetwork, type ModelSource } from './model-file.js';
import { appliedStandardization } from './model-metadata.js';
import { formatElapsed } from './progress.js';
import { outputLayer } from './target.js';
import { escapeLines, excerpt } from './text.js';
import type { TrainingRecord } from './training-record.js';

export interface InfoOptions {
  json?: boolean;
}

/** Names listed in full up to this many; beyond, the first ones and the count. */
const LISTED = 12;

export async function info(file: string, options: InfoOptions, io: Io): Promise<void> {
  const { source, onnx } = readModelSource(file);
  // The js backend: no WebAssembly to start for a summary.
  const net = await loadFileNetwork(file, source.network, 'js');
  let summary: string;
  try {
    summary = net.summary();
  } finally {
    net.dispose();
  }
  const kind = onnx ? 'an ONNX model' : source.target ? 'a wasmlp model file' : 'a saved network (no wasmlp metadata)';
  if (options.json) {
    io.stdout.write(`${JSON.stringify(infoJson(file, kind, source, summary), null, 2)}\n`);
    return;
  }
  io.stdout.write(escapeLines(infoText(file, kind, source, summary)));
}

function infoJson(file: string, kind: string, source: ModelSource, summary: string): object {
  const { network, training } = source;
  return {
    file,
    kind,
    summary,
    inputs: network.inputs,
    layers: network.layers.map(({ units, activation }) => ({ units, activation })),
    loss: network.loss,
    dtype: network.dtype,
    features: source.features,
    target: source.target,
    standardization: appliedStandardization(source),
    standardizedBy: standardizedBy(source),
    imputation: source.imputation ?? null,
    id: source.id ?? null,
    training: training ?? null,
  };
}

function infoText(file: string, kind: string, source: ModelSource, summary: string): string {
  const { network, features, target, training } = source;
  const lines = [`${file}: ${kind}`, '', summary.trimEnd(), ''];
  lines.push(`Network: ${shape(network)}, ${network.loss}, ${network.dtype}`);
  lines.push(
    features
      ? `Features: ${count(features.length, 'column')} (${listed(features)})`
      : `Features: none named: the first ${count(network.inputs, 'column')} of a CSV, or --features`,
  );
  if (target === null) {
    lines.push('Target: none named: give --target to evaluate');
  } else if (target.type === 'classes') {
    const { activation } = outputLayer(target);
    lines.push(
      `Target: ${excerpt(target.column)}, ${count(target.classes.length, 'class', 'classes')} (${listed(target.classes)}), ${target.encoding === 'binary' ? `one ${activation} output, the probability of ${excerpt(target.classes[1])}` : `a ${activation} output per class`}`,
    );
  } else {
    lines.push(`Target: a regression on ${listed(target.columns)} (a linear output each)`);
  }
  const stats = appliedStandardization(source);
  lines.push(
    stats
      ? `Standardisation: ${standardizedBy(source)}; mean ${numbers(stats.mean)}; standard deviation ${numbers(stats.std)}`
      : 'Standardisation: none',
  );
  lines.push(
    source.imputation
      ? `Missing cells: filled with each feature's training mean (${numbers(source.imputation.values)})`
      : 'Missing cells: errors',
  );
  lines.push(`Id column: ${source.id === undefined ? 'none' : `${excerpt(source.id)} (predict copies it into its output)`}`);
  lines.push(...trainingLines(training));
  return `${lines.join('\n')}\n`;
}

function standardizedBy(source: ModelSource): string | null {
  if (source.network.normalization) return 'applied by the network (its normalization layer)';
  return source.standardization ? 'applied by the command line before the network' : null;
}

function trainingLines(training: TrainingRecord | undefined): string[] {
  if (training === undefined) return ['Trained: not recorded (a file saved without a training record, or with a malformed one)'];
  const rows =
    training.validationRows > 0
      ? `${count(training.trainRows, 'row')} to train, ${training.validationRows} to validate`
      : count(training.trainRows, 'row');
  const dropped = training.droppedRows > 0 ? `, ${training.droppedRows} with a missing value left out` : '';
  return [
    `Trained: ${excerpt(training.trainedAt)} with wasmlp ${excerpt(training.wasmlp)}, on ${excerpt(training.data)} (${rows}${dropped})`,
    `  ${count(training.epochs, 'epoch')} in ${formatElapsed(training.seconds)}, ending with ${formatLogs(training.metrics)}`,
    `  options: ${optionsLine(training.options)}`,
  ];
}

/** The options as command-line flags: `--epochs 100 --lr 0.01 --standardize`. */
function optionsLine(options: Record<string, unknown>): string {
  return Object.entries(options)
    .map(([name, value]) => {
      const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      if (value === true) return flag;
      const text = Array.isArray(value)
        ? value.join(',') || 'none'
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
      return `${flag} ${excerpt(text)}`;
    })
    .join(' ');
}

function shape(network: NetworkJSON): string {
  return [network.inputs, ...network.layers.map((l) => l.units)].join('-');
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, LISTED).map(excerpt).join(', ');
  return names.length > LISTED ? `${shown}, … (${names.length} in all)` : shown;
}

function numbers(values: readonly number[]): string {
  const shown = values.slice(0, LISTED).map(formatValue).join(', ');
  return values.length > LISTED ? `${shown}, … (${values.length} in all)` : shown;
}
