/**
 * The model file `train --save` writes and predict/evaluate read: a saved
 * network (net.toJSON(), so loadNetwork takes the file as it is), its
 * metadata under "wasmlp" holding what the command line needs to treat new
 * CSV rows exactly as it treated the training rows: the feature columns by
 * name and the target with its classes. The network applies --standardize's
 * statistics itself (its normalization); only statistics it cannot apply
 * (standardize.ts) stay in the metadata, for the command line to apply.
 * The first layout ("format": "wasmlp-model", the network beside the rest)
 * is still read, and so is a network saved by the API (net.toJSON()),
 * which names neither features nor target (load-model.ts).
 */
import { isUtf8 } from 'node:buffer';
import { accessSync, closeSync, constants, readSync, realpathSync, type Stats, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { type BackendName, loadNetwork, type Network, type NetworkJSON } from '../index.js';
import { MAX_MODEL_DEPTH, nestingBeyond } from '../modelText.js';
import { type WriteFs, writeFileAtomic } from './atomic-write.js';
import { count } from './format.js';
import { openRegularFile } from './input-file.js';
import type { Imputation } from './missing.js';
import { networkNormalization, type Standardization } from './standardize.js';
import { outputUnits, type Target } from './target.js';
import type { TargetScaling } from './target-scaling.js';
import { quote, showValue } from './text.js';
import { firstInvalid, lineAtByte } from './text-check.js';
import { readTrainingRecord, type TrainingRecord } from './training-record.js';

/** The saved network's format, which the model file is. */
export const NETWORK_FORMAT = 'wasmlp-network';
/** The key of the command line's part of the network's metadata. */
export const METADATA_KEY = 'wasmlp';
/** The first layout's format and version: the network inside, beside the command line's fields. */
export const OLD_MODEL_FORMAT = 'wasmlp-model';
/** The version of either layout. */
export const OLD_MODEL_VERSION = 1;

/** A model as predict, evaluate and export use it, whichever file it came from. */
export interface ModelFile {
  /** Input columns, in the network's input order. */
  features: string[];
  target: Target;
  /** Applied to the features before the network; null if the network applies its own, or none is applied. */
  standardization: Standardization | null;
  network: NetworkJSON;
  /** A regression's target statistics, as `train` wrote them: already folded into the output layer, so for information only. */
  targetScaling?: TargetScaling;
  /** The row key (train --id), which predict copies into its output where the CSV has it. */
  id?: string;
  /** The values that fill missing feature cells (train --missing mean), one per feature. */
  imputation?: Imputation;
  /** When and how it was trained (`wasmlp info` shows it). */
  training?: TrainingRecord;
}

/**
 * A model as read: features and target null where the file does not name
 * them (a network saved by the API, an ONNX model without wasmlp metadata).
 */
export interface ModelSource extends Omit<ModelFile, 'features' | 'target'> {
  features: string[] | null;
  target: Target | null;
}

/** What the command line keeps in the network's metadata, under METADATA_KEY. */
interface CommandLineMetadata {
  features: string[];
  target: Target;
  /** Only statistics the network's normalisation cannot apply (standardize.ts). */
  standardization?: Standardization;
  /** The regression's target statistics, folded into the output layer (target-scaling.ts). */
  targetScaling?: TargetScaling;
  id?: string;
  imputation?: Imputation;
  training?: TrainingRecord;
}

/**
 * Checks, before training, that writeModelFile(file) will be able to write:
 * the path is not a directory, nor the data file, and its directory exists
 * and is writable (also for a file that exists: the new one is written
 * beside it). Nothing is created, so a failed run leaves no empty model
 * file behind.
 */
export function checkModelPath(file: string, dataFile: string): void {
  const cannot = (reason: string): Error => new Error(`${file}: cannot write the model file (--save): ${reason}`);
  const existing = stat(file, cannot);
  if (isDataFile(file, existing, dataFile)) throw cannot('it is the data file, which saving would overwrite');
  if (existing === undefined) {
    if (file.endsWith('/') || file.endsWith(sep))
      throw cannot('it ends with a path separator, so it names a directory; give a file name, such as model.json');
    const dir = dirname(file);
    const parent = stat(dir, cannot);
    if (parent === undefined) throw cannot(`there is no directory ${dir}`);
    if (!parent.isDirectory()) throw cannot(`${dir} is not a directory`);
    if (!accessible(dir, constants.W_OK | constants.X_OK)) throw cannot(`no permission to create a file in ${dir}`);
  } else if (existing.isDirectory()) {
    throw cannot('it is a directory; give a file name, such as model.json');
  } else if (!accessible(file, constants.W_OK)) {
    throw cannot('no permission to write to it');
  } else {
    // The new model is written beside the file it replaces (atomic-write.ts), so its directory must take a new file.
    const dir = dirname(realpathSync(file));
    if (!accessible(dir, constants.W_OK | constants.X_OK))
      throw cannot(`no permission to create a file in ${dir} (the model is written beside it, then renamed over it)`);
  }
}

/**
 * Whether writing to `file` would overwrite `dataFile`. Comparing the paths
 * is not enough: through a symbolic link another path is the same file, and
 * the model is written through it; so the real paths are compared, and the
 * files (device and inode: a hard link is the same file too, where the file
 * system numbers its files). A path with nothing there is compared as a path.
 */
function isDataFile(file: string, existing: Stats | undefined, dataFile: string): boolean {
  let data: Stats;
  try {
    data = statSync(dataFile);
  } catch {
    return resolve(file) === resolve(dataFile);
  }
  if (existing === undefined) return false;
  return (
    realpathSync(file) === realpathSync(dataFile) || (data.ino !== 0 && existing.ino === data.ino && existing.dev === data.dev)
  );
}

/** The path's stats, or undefined if there is nothing there (or a part of the path before it is not a directory). */
function stat(path: string, cannot: (reason: string) => Error): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw cannot((error as Error).message);
  }
}

function accessible(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Writes the model file atomically: a failed write leaves the previous file as it was (atomic-write.ts). */
export function writeModelFile(file: string, model: ModelFile, fs?: WriteFs): void {
  const { features, target, standardization, network, targetScaling, id, imputation, training } = model;
  const wasmlp: CommandLineMetadata = {
    features,
    target,
    ...(standardization && { standardization }),
    ...(targetScaling && { targetScaling }),
    ...(id !== undefined && { id }),
    ...(imputation && { imputation }),
    ...(training && { training }),
  };
  const saved: NetworkJSON = { ...network, metadata: { ...network.metadata, [METADATA_KEY]: wasmlp } };
  try {
    writeFileAtomic(file, `${JSON.stringify(saved)}\n`, fs);
  } catch (error) {
    throw new Error(`${file}: cannot write the model file: ${(error as Error).message}`);
  }
}

/**
 * The largest model file read: 256 MiB. V8 cannot hold a string much past
 * 512 MiB (2^29 characters), which JSON.parse needs whole, and 256 MiB is
 * some 20 million float32 weights as toJSON() writes them (about 12
 * characters each), far past any network the command line trains; a larger
 * file is refused before it is read, not read until memory runs out.
 */
export const MAX_MODEL_BYTES = 256 * 2 ** 20;

/** The model file's text: a regular file, at most MAX_MODEL_BYTES, UTF-8, a byte-order mark dropped (as CSVs have theirs). */
export function readModelText(file: string, bytes: Buffer = readModelBytes(file, 'the model file')): string {
  const text = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  if (!isUtf8(text)) {
    const at = firstInvalid(text) + bytes.length - text.length;
    throw new Error(`${file}: not a wasmlp model file: line ${lineAtByte(file, at)}, byte ${at + 1} is not valid UTF-8`);
  }
  return text.toString('utf8');
}

/** A model's bytes: a regular file (`what` names it in messages), at most MAX_MODEL_BYTES. */
export function readModelBytes(file: string, what: string): Buffer {
  const { fd, stats } = openRegularFile(file, what);
  try {
    const tooLarge = (): Error =>
      new Error(
        `${file}: cannot read ${what}: it is larger than ${MAX_MODEL_BYTES / 2 ** 20} MiB, ` +
          'more than any model file holds (is it the right file?)',
      );
    if (stats.size > MAX_MODEL_BYTES) throw tooLarge();
    // Read to the end, not to stats.size: the file may have grown since; never past the limit.
    const buffer = Buffer.alloc(Math.min(stats.size + 1, MAX_MODEL_BYTES + 1));
    let length = 0;
    for (let read: number; length < buffer.length && (read = readSync(fd, buffer, length, buffer.length - length, null)) > 0; )
      length += read;
    if (length > MAX_MODEL_BYTES) throw tooLarge();
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads and checks a model file (its bytes, if read already), all but its
 * network (loadFileNetwork checks that). A saved network without the
 * command line's metadata comes back without features and target.
 */
export function parseModelFile(file: string, bytes?: Buffer): ModelSource {
  const text = readModelText(file, bytes);
  // Measured before JSON.parse builds it: a few bytes of brackets nest a million deep.
  const deep = nestingBeyond(text, MAX_MODEL_DEPTH);
  if (deep >= 0) {
    throw new Error(
      `${file}: not a wasmlp model file: it nests deeper than ${MAX_MODEL_DEPTH} levels (at character ${deep + 1})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not a wasmlp model file: not valid JSON (${(error as Error).message})`);
  }
  if (isObject(json) && json.format === NETWORK_FORMAT && !(isObject(json.metadata) && METADATA_KEY in json.metadata)) {
    checkVersion(file, json.version);
    return { features: null, target: null, standardization: null, network: json as unknown as NetworkJSON };
  }
  return checkModel(file, json);
}

/** The file's network, loaded (loadNetwork checks it whole). */
export async function loadFileNetwork(file: string, network: NetworkJSON, backend: BackendName, threads = 1): Promise<Network> {
  try {
    return await loadNetwork(network, { backend, threads });
  } catch (error) {
    throw new Error(`${file}: the network in the model file cannot be loaded: ${(error as Error).message}`);
  }
}

/** The model's network, loaded, and checked to take its features and give its target's outputs. */
export async function loadModelNetwork(file: string, model: ModelFile, backend: BackendName, threads = 1): Promise<Network> {
  const net = await loadFileNetwork(file, model.network, backend, threads);
  const outputs = outputUnits(model.target);
  if (net.inputs !== model.features.length || net.outputs !== outputs) {
    net.dispose();
    throw new Error(
      `${file}: malformed model file: the network takes ${count(net.inputs, 'input')} and gives ${count(net.outputs, 'output')}, ` +
        `but the file lists ${count(model.features.length, 'feature')} and a target needing ${count(outputs, 'output')}`,
    );
  }
  return net;
}

/** Checks everything but the network itself (loadNetwork checks that), in either layout. */
export function checkModel(file: string, json: unknown): ModelFile {
  const bad = (what: string): Error => new Error(`${file}: malformed model file: ${what}`);
  if (isObject(json) && json.format === NETWORK_FORMAT) {
    checkVersion(file, json.version);
    const metadata = isObject(json.metadata) ? json.metadata[METADATA_KEY] : undefined;
    if (!isObject(metadata)) throw bad(`"metadata.${METADATA_KEY}" must be an object (features and target)`);
    const { features, target } = checkNames(bad, metadata.features, metadata.target);
    const { standardization = null } = metadata;
    checkStandardization(bad, standardization, features.length);
    if (standardization !== null && json.normalization !== undefined)
      throw bad('the network has a normalization and the metadata a standardization: the inputs would be standardised twice');
    const { id, imputation } = metadata;
    const training = readTrainingRecord(metadata.training);
    if (id !== undefined && (typeof id !== 'string' || id === '')) throw bad('"id" must be a column name');
    if (
      imputation !== undefined &&
      !(isObject(imputation) && imputation.strategy === 'mean' && isNumberList(imputation.values, features.length))
    )
      throw bad(`"imputation" must be { "strategy": "mean", "values" }, ${count(features.length, 'finite number')}`);
    return {
      features,
      target,
      standardization,
      network: json as unknown as NetworkJSON,
      ...(id !== undefined && { id }),
      ...(imputation !== undefined && { imputation: imputation as unknown as Imputation }),
      ...(training && { training }),
    };
  }
  if (!isObject(json) || json.format !== OLD_MODEL_FORMAT) {
    throw new Error(
      `${file}: not a wasmlp model file (it has no "format": "${NETWORK_FORMAT}"); write one with: wasmlp train data.csv --target COLUMN --save ${file}`,
    );
  }
  checkVersion(file, json.version);
  const { standardization, network } = json;
  const { features, target } = checkNames(bad, json.features, json.target);
  checkStandardization(bad, standardization, features.length);
  if (!isObject(network)) throw bad('"network" must be an object (what net.toJSON() returns)');
  return withNetworkStandardization({ features, target, standardization, network: network as unknown as NetworkJSON });
}

/** Both layouts are at version 1; a reader refuses a version it does not know rather than guess. */
function checkVersion(file: string, version: unknown): void {
  if (version !== OLD_MODEL_VERSION)
    throw new Error(`${file}: model file version ${showValue(version)} is not one this wasmlp reads (it reads version 1)`);
}

/**
 * The model with its standardisation moved into its network (normalization,
 * variance std²) where the network applies the very same deviations
 * (standardize.ts), as `wasmlp train` saves it now; otherwise as it is.
 */
export function withNetworkStandardization<M extends Pick<ModelFile, 'standardization' | 'network'>>(model: M): M {
  const { standardization, network } = model;
  if (standardization === null || network.normalization !== undefined) return model;
  const normalization = networkNormalization(standardization);
  return normalization ? { ...model, standardization: null, network: { ...network, normalization } } : model;
}

function checkNames(bad: (what: string) => Error, features: unknown, target: unknown): Pick<ModelFile, 'features' | 'target'> {
  if (!isStringList(features)) throw bad('"features" must be a non-empty array of column names');
  refuseRepeats(bad, 'features', features);
  if (!isObject(target)) throw bad('"target" must be an object');
  if (target.type === 'classes') {
    if (typeof target.column !== 'string') throw bad('"target.column" must be a column name');
    if (!isStringList(target.classes) || target.classes.length < 2)
      throw bad('"target.classes" must be an array of at least 2 class names');
    // Two outputs with one name: predict could not say which class it predicts, evaluate would score one of them never.
    refuseRepeats(bad, 'target.classes', target.classes);
    if (target.encoding !== 'onehot' && target.encoding !== 'binary') throw bad('"target.encoding" must be "onehot" or "binary"');
    if (target.encoding === 'binary' && target.classes.length !== 2) throw bad('a "binary" target must have exactly 2 classes');
  } else if (target.type === 'values') {
    if (!isStringList(target.columns)) throw bad('"target.columns" must be a non-empty array of column names');
    refuseRepeats(bad, 'target.columns', target.columns);
  } else {
    throw bad(`"target.type" must be "classes" or "values", got ${showValue(target.type)}`);
  }
  return { features, target: target as unknown as Target };
}

function checkStandardization(
  bad: (what: string) => Error,
  standardization: unknown,
  features: number,
): asserts standardization is Standardization | null {
  if (standardization === null) return;
  if (
    !isObject(standardization) ||
    !isNumberList(standardization.mean, features) ||
    !isNumberList(standardization.std, features) ||
    !standardization.std.every((s) => s > 0)
  ) {
    throw bad(
      `"standardization" must be null or { mean, std }, each ${count(features, 'finite number')} (one per feature), std > 0`,
    );
  }
}

/** A name listed twice in `list` (the model file's `key`), refused naming both places (from 0, as JSON arrays are indexed). */
function refuseRepeats(bad: (what: string) => Error, key: string, list: readonly string[]): void {
  const seen = new Map<string, number>();
  list.forEach((name, i) => {
    const earlier = seen.get(name);
    if (earlier !== undefined)
      throw bad(`"${key}" lists ${quote(name)} twice, at [${earlier}] and [${i}]; each must be listed once`);
    seen.set(name, i);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string');
}

function isNumberList(value: unknown, length: number): value is number[] {
  return Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}
