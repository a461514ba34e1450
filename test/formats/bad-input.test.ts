/**
 * fromONNX and fromTFJS on bad input: each refuses with its Error, and no
 * network is left allocated. A model is read whole before a network is
 * made, so a refused one allocates nothing at all: every Arena.alloc (both
 * backends allocate through an Arena) is counted, and a good model shows
 * the count works.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Arena } from '../../src/backend/arena.js';
import type { BackendName } from '../../src/backend/backend.js';
import { fromONNX, fromTFJS } from '../../src/formats/index.js';
import { onnx } from '../../src/formats/onnx-proto.js';
import { tfjsFromNetworkJSON } from '../../src/formats/tfjs-write.js';
import { fixtureBytes, savedNetwork } from './networks.js';

let allocations = 0;
beforeAll(() => {
  const original = Arena.prototype.alloc;
  vi.spyOn(Arena.prototype, 'alloc').mockImplementation(function (this: Arena, bytes: number) {
    allocations++;
    return original.call(this, bytes);
  });
});
afterAll(() => vi.restoreAllMocks());

/** The fixture decoded, changed by `edit`, and encoded again. */
function edited(name: string, edit: (model: onnx.ModelProto) => void): Uint8Array {
  const model = onnx.ModelProto.decode(fixtureBytes(name));
  edit(model);
  return onnx.ModelProto.encode(model).finish();
}

const torch = fixtureBytes('torch-relu-sigmoid');
const infinite = edited('torch-relu-sigmoid', (m) => {
  const b = m.graph!.initializer!.find((t) => t.name === '2.bias')!;
  new DataView(b.rawData!.buffer, b.rawData!.byteOffset).setFloat32(4, Number.POSITIVE_INFINITY, true);
});

const ONNX_CASES: [string, Uint8Array, string | RegExp][] = [
  [
    'truncated bytes',
    torch.subarray(0, torch.length - 9),
    `fromONNX: the ${torch.length - 9} bytes are not a complete ONNX model (truncated or corrupt): the model's graph at byte 18 declares`,
  ],
  ['corrupt bytes', new TextEncoder().encode('not a model at all'), /^fromONNX: the 18 bytes are not a complete ONNX model/],
  ['a wrong opset', fixtureBytes('bad-opset-6'), 'fromONNX: opset 6 is not supported: this reader knows ai.onnx opsets 7 to 28'],
  ['an unsupported op', fixtureBytes('bad-conv'), 'fromONNX: node "/conv/Conv" (Conv) is not supported'],
  [
    'initializers whose shapes do not match',
    fixtureBytes('bad-bias-shape'),
    'fromONNX: node "/2/Gemm" (Gemm): bias "2.bias" has dims [5], but the layer has 2 units: expected [2]',
  ],
  [
    'a non-finite weight',
    infinite,
    'fromONNX: initializer "2.bias" (the bias of node "/2/Gemm" (Gemm)) holds Infinity at [1]: every weight must be finite',
  ],
];

const tfjs = tfjsFromNetworkJSON(
  savedNetwork(
    3,
    [
      { units: 4, activation: 'relu' },
      { units: 2, activation: 'linear' },
    ],
    'float32',
  ),
);
const reshaped = structuredClone(tfjs.modelJSON);
reshaped.weightsManifest[0].weights[2].shape = [2, 4];
const nan = tfjs.weights.slice();
new DataView(nan.buffer).setFloat32(4 * 13, Number.NaN, true);

const TFJS_CASES: [string, unknown, unknown, string][] = [
  [
    'model.json without its weights',
    tfjs.modelJSON,
    undefined,
    "fromTFJS: no weights: pass the bytes of the files model.json's weightsManifest names (weights.bin)",
  ],
  [
    'a manifest that does not match the bytes',
    tfjs.modelJSON,
    tfjs.weights.subarray(0, 100),
    'fromTFJS: weightsManifest describes 104 bytes (4 float32 weights), but the weights have 100 bytes',
  ],
  ['model.json that is no JSON', '{"format": "layers-model", ', tfjs.weights, 'fromTFJS: model.json is not JSON'],
  [
    'a kernel whose shape does not fit the layer before',
    reshaped,
    tfjs.weights,
    'fromTFJS: layer "dense_1" (Dense): kernel has shape [2, 4], expected [4, 2]',
  ],
  [
    'a non-finite weight',
    tfjs.modelJSON,
    nan,
    'fromTFJS: weight "dense_0/bias" holds NaN at index 1 (byte 52): every weight must be finite',
  ],
];

describe.each(['js', 'wasm'] as BackendName[])('bad input on the %s backend', (backend) => {
  it.each(ONNX_CASES)('fromONNX, %s: the Error says where, and nothing is allocated', async (_, bytes, message) => {
    allocations = 0;
    await expect(fromONNX(bytes, { backend })).rejects.toThrow(message);
    expect(allocations).toBe(0);
  });

  it.each(TFJS_CASES)('fromTFJS, %s: the Error says where, and nothing is allocated', async (_, modelJSON, weights, message) => {
    allocations = 0;
    await expect(fromTFJS(modelJSON, weights as Uint8Array, { backend })).rejects.toThrow(message);
    expect(allocations).toBe(0);
  });

  it('a good model allocates its network, which dispose() gives back', async () => {
    allocations = 0;
    const net = await fromONNX(torch, { backend });
    net.dispose();
    expect(allocations).toBeGreaterThan(0);
  });
});
