/**
 * `wasmlp export model.json --format onnx|tfjs --out PATH`: the model file
 * as an ONNX model or a TensorFlow.js layers model (a folder of model.json
 * and weights.bin) that predicts from raw rows as `wasmlp predict` does:
 * the standardisation goes into the graph (ONNX: Sub and Div nodes; TF.js:
 * folded into the first layer), the feature names and target into the
 * model's metadata (model-metadata.ts). A network saved by the API names
 * neither, so its export carries no such metadata, and predict reads it as
 * it reads the network. Every file is written atomically.
 */
import { mkdirSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DType } from '../backend/backend.js';
import { onnxFromNetworkJSON, tfjsFromNetworkJSON } from '../formats/index.js';
import { OPSET, WEIGHTS_PATH } from '../formats/written.js';
import { writeFileAtomic } from './atomic-write.js';
import { count } from './format.js';
import type { Io } from './io.js';
import { loadFileNetwork, loadModelNetwork, type ModelFile, type ModelSource, parseModelFile } from './model-file.js';
import { appliedStandardization, onnxMetadata, tfjsMetadata } from './model-metadata.js';

export interface ExportOptions {
  format: 'onnx' | 'tfjs';
  out: string;
  /** ONNX only: the model's element type (default: the network's). */
  dtype?: DType;
}

export async function exportModel(modelPath: string, options: ExportOptions, io: Io): Promise<void> {
  const model = parseModelFile(modelPath);
  const named = namedModel(model);
  // Loaded once, with the checks predict makes, so a file predict would refuse is not exported.
  (named ? await loadModelNetwork(modelPath, named, 'js') : await loadFileNetwork(modelPath, model.network, 'js')).dispose();
  if (options.format === 'onnx') exportONNX(modelPath, model, options, io);
  else exportTFJS(modelPath, model, options, io);
}

/** The model with its names, or undefined for a network saved by the API. */
function namedModel(model: ModelSource): ModelFile | undefined {
  const { features, target } = model;
  return features && target ? { ...model, features, target } : undefined;
}

function exportONNX(modelPath: string, model: ModelSource, { out, dtype }: ExportOptions, io: Io): void {
  const named = namedModel(model);
  const cannot = (reason: string): Error => new Error(`${out}: cannot write the ONNX model (--out): ${reason}`);
  const existing = statOrUndefined(out);
  if (existing?.isDirectory()) throw cannot('it is a directory; give a file name, such as model.onnx');
  if (sameFile(existing, modelPath)) throw cannot(`it is the model file ${modelPath}, which the export would overwrite`);
  const type = dtype ?? model.network.dtype;
  const bytes = convert(modelPath, () =>
    onnxFromNetworkJSON(model.network, {
      dtype: type,
      normalization: model.standardization ?? undefined,
      metadata: named && onnxMetadata(named),
    }),
  );
  write(out, bytes, cannot);
  const inputs = model.network.inputs;
  const where = appliedStandardization(model) ? ', standardised in the graph' : '';
  io.stdout.write(
    `Wrote ${out} (${count(bytes.length, 'byte')}): ONNX opset ${OPSET}, ${type === 'float32' ? 'FLOAT' : 'DOUBLE'}, ` +
      `input x [N, ${inputs}]${where}, output y [N, ${model.network.layers.at(-1)!.units}]\n`,
  );
}

function exportTFJS(modelPath: string, model: ModelSource, { out, dtype }: ExportOptions, io: Io): void {
  const named = namedModel(model);
  const cannot = (reason: string): Error => new Error(`${out}: cannot write the TensorFlow.js model (--out): ${reason}`);
  if (dtype === 'float64') throw new Error('--dtype float64 is for --format onnx: TensorFlow.js models are float32');
  const existing = statOrUndefined(out);
  if (existing && !existing.isDirectory())
    throw cannot('it is not a directory; a TensorFlow.js model is a folder of model.json and weights.bin');
  const modelJSONPath = join(out, 'model.json');
  const weightsPath = join(out, WEIGHTS_PATH);
  for (const file of [modelJSONPath, weightsPath]) {
    if (sameFile(statOrUndefined(file), modelPath))
      throw cannot(`${file} is the model file ${modelPath}, which the export would overwrite`);
  }
  const { modelJSON, weights } = convert(modelPath, () =>
    tfjsFromNetworkJSON(model.network, {
      normalization: model.standardization ?? undefined,
      metadata: named && tfjsMetadata(named),
    }),
  );
  const text = `${JSON.stringify(modelJSON)}\n`;
  if (!existing) {
    try {
      mkdirSync(out, { recursive: true });
    } catch (error) {
      throw cannot((error as Error).message);
    }
  }
  // The weights first: a model.json is never newer than the weights it describes.
  write(weightsPath, weights, cannot);
  write(modelJSONPath, text, cannot);
  const folded = appliedStandardization(model) ? ', standardisation folded into the first layer' : '';
  io.stdout.write(
    `Wrote ${modelJSONPath} (${count(Buffer.byteLength(text), 'byte')}) and ${weightsPath} (${count(weights.length, 'byte')}): ` +
      `TensorFlow.js layers model, float32${folded}\n`,
  );
}

/** The converter's result; its errors (a weight beyond float32 for --dtype float32) name the model file. */
function convert<T>(modelPath: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new Error(`${modelPath}: cannot export the model: ${(error as Error).message}`);
  }
}

function write(file: string, content: string | Uint8Array, cannot: (reason: string) => Error): void {
  try {
    writeFileAtomic(file, content);
  } catch (error) {
    throw cannot((error as Error).message);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Whether the file at `stats` is `other` (through a link too: the same device and inode). */
function sameFile(stats: Stats | undefined, other: string): boolean {
  const o = statOrUndefined(other);
  return stats !== undefined && o !== undefined && stats.ino !== 0 && stats.ino === o.ino && stats.dev === o.dev;
}
