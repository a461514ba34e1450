/**
 * The model predict and evaluate run: a model file (`train --save`), a
 * network saved by the API (net.toJSON()), or an ONNX model (a .onnx file,
 * or any file that starts as one does). An ONNX model that `wasmlp export`
 * wrote carries the model file's feature names, target and standardisation
 * in its metadata, and runs as the model file did. A saved network, or any
 * other ONNX model of a dense network, takes the CSV's first columns in
 * order as its features (or those --features names), standardised as the
 * network (or the graph's Sub and Div nodes) says; its loss tells how to
 * read its outputs and target: class indices for categoricalCrossentropy
 * and a one-unit binaryCrossentropy, values otherwise.
 */
import { extname } from 'node:path';
import { type Normalization, onnxModelParts } from '../formats/index.js';
import type { BackendName, Network, NetworkJSON } from '../index.js';
import { splitColumnList } from './columns.js';
import { columnIndex, type Header } from './csv.js';
import { count } from './format.js';
import {
  checkModel,
  loadFileNetwork,
  loadModelNetwork,
  type ModelFile,
  type ModelSource,
  OLD_MODEL_FORMAT,
  OLD_MODEL_VERSION,
  parseModelFile,
  readModelBytes,
  withNetworkStandardization,
} from './model-file.js';
import { fromOnnxMetadata } from './model-metadata.js';
import type { Standardization } from './standardize.js';
import type { Target } from './target.js';
import { quote, quoteList } from './text.js';

export interface ModelOptions {
  backend: BackendName;
  threads: number;
  /** The CSV columns that feed the model's inputs, in order, comma-separated. */
  features?: string;
  /** evaluate's --target: names the target of a model that does not. */
  target?: string;
}

export interface LoadedModel {
  net: Network;
  /**
   * The model with the columns it reads from a CSV with this header: those
   * --features names, else its own feature names, else the first columns.
   * `needTarget` (evaluate) asks for a target column by name.
   */
  forHeader(header: Header, needTarget: boolean): ModelFile;
}

/** ONNX's ModelProto starts with its ir_version, field 1 as a varint: the byte 0x08, which no JSON text starts with. */
function isOnnx(file: string, bytes: Uint8Array): boolean {
  return extname(file).toLowerCase() === '.onnx' || bytes[0] === 0x08;
}

/** A model file, saved network or ONNX model as read and checked, its network not yet loaded; `onnx` says which. */
export function readModelSource(file: string): { source: ModelSource; onnx: boolean } {
  const bytes = readModelBytes(file, 'the model file');
  const onnx = isOnnx(file, bytes);
  return { source: onnx ? readOnnxModel(file, bytes) : parseModelFile(file, bytes), onnx };
}

export async function loadModel(file: string, options: ModelOptions): Promise<LoadedModel> {
  const { source } = readModelSource(file);
  const { features, target } = source;
  const named: ModelFile | undefined = features && target ? { ...source, features, target } : undefined;
  const net = named
    ? await loadModelNetwork(file, named, options.backend, options.threads)
    : await loadFileNetwork(file, source.network, options.backend, options.threads);
  return {
    net,
    forHeader(header, needTarget) {
      const chosen = options.features === undefined ? undefined : featureList(file, header, options.features, net.inputs);
      if (named) return chosen ? { ...named, features: chosen } : named;
      if (needTarget && options.target === undefined)
        throw new Error(
          `${file} names no target column (it carries no wasmlp metadata): give --target, ${targetAdvice(source.network)}`,
        );
      return unnamedModel(file, source, header, options.target, chosen);
    },
  };
}

function readOnnxModel(file: string, bytes: Uint8Array): ModelSource {
  let parts: ReturnType<typeof onnxModelParts>;
  try {
    parts = onnxModelParts(bytes);
  } catch (error) {
    throw new Error(`${file}: cannot read the ONNX model: ${(error as Error).message.replace(/^fromONNX: /, '')}`);
  }
  const metadata = fromOnnxMetadata(file, parts.metadata);
  if (!metadata) {
    const graph = parts.normalization;
    const standardization = graph && { mean: [...graph.mean], std: [...graph.std] };
    return withNetworkStandardization({ network: parts.network, features: null, target: null, standardization });
  }
  // Read as a model file of the first layout, which holds the same parts.
  const model = checkModel(file, { format: OLD_MODEL_FORMAT, version: OLD_MODEL_VERSION, ...metadata, network: parts.network });
  checkStandardization(file, metadata.standardization, parts.normalization, parts.network.dtype);
  return model;
}

/**
 * The metadata's statistics (exact) must be what the graph applies (in its
 * dtype): they replace the graph's, so that predict standardises as the
 * model file did, and must not disagree with what other runtimes compute.
 */
function checkStandardization(
  file: string,
  stats: Standardization | null,
  graph: Normalization | null,
  dtype: NetworkJSON['dtype'],
): void {
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const mismatch = (what: string): Error =>
    new Error(`${file}: the wasmlp metadata's standardization does not match the graph's Sub and Div nodes: ${what}`);
  if (stats === null || graph === null) {
    if (stats !== graph) throw mismatch(stats === null ? 'the metadata has none, the graph has one' : 'the graph has none');
    return;
  }
  for (const key of ['mean', 'std'] as const) {
    const i = stats[key].findIndex((v, j) => round(v) !== graph[key][j]);
    if (i >= 0) throw mismatch(`${key}[${i}] is ${stats[key][i]} in the metadata, ${graph[key][i]} in the graph`);
  }
}

/** --features: as many distinct columns of the CSV as the model has inputs. */
function featureList(file: string, header: Header, text: string, inputs: number): string[] {
  const names = splitColumnList(header, text);
  for (const name of names) columnIndex(header, name, 'a feature (--features)');
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new Error(`--features names column ${quote(twice)} twice; each feature is one input`);
  if (names.length !== inputs)
    throw new Error(`--features names ${count(names.length, 'column')}, but ${file} takes ${count(inputs, 'input')}`);
  return names;
}

/**
 * Whether the network's outputs are classes, by its loss: a softmax's
 * categoricalCrossentropy over 2 or more, a sigmoid's binaryCrossentropy
 * on one (the probability of class 1). Any other, values.
 */
function classesOf(network: NetworkJSON): { classes: string[]; encoding: 'onehot' | 'binary' } | undefined {
  const units = network.layers[network.layers.length - 1].units;
  if (network.loss === 'categoricalCrossentropy' && units >= 2)
    return { classes: Array.from({ length: units }, (_, k) => String(k)), encoding: 'onehot' };
  if (network.loss === 'binaryCrossentropy' && units === 1) return { classes: ['0', '1'], encoding: 'binary' };
  return undefined;
}

/** What --target names for this network: a column of class indices, or a column per output. */
function targetAdvice(network: NetworkJSON): string {
  const classes = classesOf(network);
  const units = network.layers[network.layers.length - 1].units;
  if (classes) return `a column of class indices (${quoteList(classes.classes)}), as its ${network.loss} loss reads them`;
  return `${units === 1 ? 'the column' : `${units} columns`} of the values it predicts (its loss is ${network.loss})`;
}

/**
 * A model without names: its features the CSV's first columns (or
 * `chosen`), its classes its outputs' indices ("0", "1", ...: a sigmoid's
 * one output the probability of "1") where its loss makes them classes, or
 * a value per output, named by --target (predict's header: `class`, or `y`
 * and `y_0`, `y_1`, ...).
 */
function unnamedModel(
  file: string,
  source: ModelSource,
  header: Header,
  targetText: string | undefined,
  chosen?: string[],
): ModelFile {
  const { network } = source;
  const units = network.layers[network.layers.length - 1].units;
  const classes = classesOf(network);
  let target: Target;
  if (classes) {
    target = { type: 'classes', column: targetText ?? 'class', ...classes };
  } else {
    const columns =
      targetText !== undefined
        ? splitColumnList(header, targetText)
        : units === 1
          ? ['y']
          : Array.from({ length: units }, (_, k) => `y_${k}`);
    if (columns.length !== units)
      throw new Error(`--target names ${count(columns.length, 'column')}, but ${file} gives ${count(units, 'output')}`);
    target = { type: 'values', columns };
  }
  const features = chosen ?? firstColumns(file, header, network.inputs, targetText);
  return { features, target, standardization: source.standardization, network };
}

/** The CSV's first `inputs` columns, the features of a model that does not name its own. */
function firstColumns(file: string, header: Header, inputs: number, targetText: string | undefined): string[] {
  const advice = `${file} names no features (it carries no wasmlp metadata), so it takes the first ${count(inputs, 'column')} in order; name them with --features`;
  if (header.header.length < inputs)
    throw new Error(
      `${header.file} has ${count(header.header.length, 'column')}, but ${file} takes ${count(inputs, 'input')}: ${advice}`,
    );
  const names = header.header.slice(0, inputs);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined)
    throw new Error(`${header.file}: column ${quote(twice)} comes twice among the first ${inputs}: ${advice}`);
  const targets = targetText === undefined ? [] : splitColumnList(header, targetText);
  const both = names.filter((name) => targets.includes(name));
  if (both.length > 0)
    throw new Error(
      `${header.file}: ${both.length === 1 ? 'column' : 'columns'} ${quoteList(both)} of the target (--target) ` +
        `${both.length === 1 ? 'is' : 'are'} among the first ${count(inputs, 'column')}: ${advice}`,
    );
  return names;
}
