/**
 * The parts of TensorFlow.js's model.json (format 'layers-model') that a
 * Sequential of Dense layers uses, as tf.LayersModel.save writes them.
 */

/** One layer of a Sequential model: its Keras class and config. */
export interface TFJSLayer {
  class_name: string;
  config: Record<string, unknown>;
}

/** One weight in weightsManifest: its bytes follow the previous one's in the weight files. */
export interface TFJSWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** The content of a model.json. */
export interface TFJSModelJSON {
  /** The model: a Sequential and its layers, each with its Keras class and config. */
  modelTopology: {
    class_name: 'Sequential';
    config: { name: string; layers: { class_name: string; config: Record<string, unknown> }[] };
  };
  /** Always 'layers-model'. */
  format: 'layers-model';
  /** The library that wrote it. */
  generatedBy: string;
  /** null: written, not converted from Keras. */
  convertedBy: null;
  /** The weight files, and each weight's name, shape and dtype, in the order of their bytes. */
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: 'float32' }[] }[];
  /** What the writer adds for its readers; TensorFlow.js keeps it and reads none of it. */
  userDefinedMetadata?: Record<string, unknown>;
}
