/**
 * Names and versions the writers put into what they write, apart from the
 * writers: a caller that only names them (the command line's messages)
 * takes these few constants, not the writers and protobufjs a second time.
 */

/** The ai.onnx opset an ONNX export imports. */
export const OPSET = 13;

/** The file a TensorFlow.js export's weights are saved to, as its weightsManifest names it. */
export const WEIGHTS_PATH = 'weights.bin';
