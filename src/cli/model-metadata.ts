/**
 * What an exported model carries of the model file beside its graph: the
 * feature names, the target (column, classes, encoding) and the
 * standardisation statistics. Neither ONNX's graph nor a TF.js layers model
 * has a place for them, so they go into ONNX's metadata_props (text values,
 * here JSON) and TF.js's userDefinedMetadata, which runtimes keep and do not
 * read; `wasmlp predict model.onnx` reads them back.
 */
import { MAX_MODEL_DEPTH, nestingBeyond } from '../modelText.js';
import type { ModelFile } from './model-file.js';
import type { Standardization } from './standardize.js';

/** The metadata_props keys of an ONNX export, each value JSON. */
export const ONNX_KEYS = {
  features: 'wasmlp.features',
  target: 'wasmlp.target',
  /** The statistics, exact (float64); the graph's Sub and Div apply them, in the model's dtype. */
  standardization: 'wasmlp.standardization',
} as const;

export function onnxMetadata(model: ModelFile): Record<string, string> {
  return {
    [ONNX_KEYS.features]: JSON.stringify(model.features),
    [ONNX_KEYS.target]: JSON.stringify(model.target),
    [ONNX_KEYS.standardization]: JSON.stringify(appliedStandardization(model)),
  };
}

/**
 * The statistics applied before the first layer, by the command line or by
 * the network (its deviations sqrt(variance), which the command line's
 * variances, std², give back exactly); null if none.
 */
export function appliedStandardization(model: Pick<ModelFile, 'network' | 'standardization'>): Standardization | null {
  const own = model.network.normalization;
  return own ? { mean: [...own.mean], std: own.variance.map(Math.sqrt) } : model.standardization;
}

/**
 * model.json's userDefinedMetadata. The statistics are named as folded: the
 * first layer's weights already apply them, and applying them again would
 * standardise twice.
 */
export function tfjsMetadata(model: ModelFile): Record<string, unknown> {
  return { wasmlp: { features: model.features, target: model.target, foldedStandardization: appliedStandardization(model) } };
}

/** The model file's parts from an ONNX model's metadata_props, or undefined if it has none of wasmlp's keys. */
export function fromOnnxMetadata(
  file: string,
  metadata: Readonly<Record<string, string>>,
): Pick<ModelFile, 'features' | 'target' | 'standardization'> | undefined {
  const keys = Object.values(ONNX_KEYS);
  const present = keys.filter((key) => key in metadata);
  if (present.length === 0) return undefined;
  const missing = keys.filter((key) => !(key in metadata));
  if (missing.length > 0)
    throw new Error(`${file}: malformed wasmlp metadata: it has ${present.join(', ')} but not ${missing.join(', ')}`);
  const parse = (key: string): unknown => {
    if (nestingBeyond(metadata[key], MAX_MODEL_DEPTH) >= 0)
      throw new Error(`${file}: malformed wasmlp metadata: ${key} nests deeper than ${MAX_MODEL_DEPTH} levels`);
    try {
      return JSON.parse(metadata[key]);
    } catch (error) {
      throw new Error(`${file}: malformed wasmlp metadata: ${key} is not valid JSON (${(error as Error).message})`);
    }
  };
  return {
    features: parse(ONNX_KEYS.features),
    target: parse(ONNX_KEYS.target),
    standardization: parse(ONNX_KEYS.standardization),
  } as Pick<ModelFile, 'features' | 'target' | 'standardization'>;
}
