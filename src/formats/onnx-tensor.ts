/**
 * ONNX tensors of FLOAT and DOUBLE: written as raw_data (little-endian, as
 * every exporter writes initializers), read from raw_data or from the typed
 * fields float_data / double_data, with their byte counts and values checked.
 */
import type { DType } from '../backend/backend.js';
import { onnx } from './onnx-proto.js';

const { DataType } = onnx.TensorProto;

export const ELEM_TYPE: Readonly<Record<DType, number>> = { float32: DataType.FLOAT, float64: DataType.DOUBLE };

/** The wasmlp dtype of an ONNX element type, or undefined for any other. */
export function dtypeOf(elemType: number): DType | undefined {
  if (elemType === DataType.FLOAT) return 'float32';
  if (elemType === DataType.DOUBLE) return 'float64';
  return undefined;
}

/** An ONNX data type's name, for messages (FLOAT16, INT64, ...). */
export function elemTypeName(elemType: number): string {
  return DataType[elemType] ?? `data type ${elemType}`;
}

/**
 * A 64-bit field as a number. protobufjs decodes int64 as a Long when the
 * long package is reachable and as a number otherwise; dims and versions
 * are far below 2^53 either way.
 */
export function int64(value: number | { toNumber(): number }): number {
  return typeof value === 'number' ? value : value.toNumber();
}

export function tensor(name: string, dims: readonly number[], values: Float64Array, dtype: DType): onnx.ITensorProto {
  const size = dtype === 'float32' ? 4 : 8;
  const raw = new Uint8Array(values.length * size);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    if (dtype === 'float32') view.setFloat32(i * size, values[i], true);
    else view.setFloat64(i * size, values[i], true);
  }
  return { name, dims: [...dims], dataType: ELEM_TYPE[dtype], rawData: raw };
}

export interface ReadTensor {
  dims: number[];
  dtype: DType;
  values: Float64Array;
}

/**
 * An initializer's dims and values; `where` names it in messages (its name
 * and the node that reads it). Every value must be finite.
 */
export function readTensor(where: string, t: onnx.ITensorProto): ReadTensor {
  const dims = (t.dims ?? []).map(int64);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new Error(`${where} has invalid dims [${dims.join(', ')}]`);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData?.length ?? 0) > 0) {
    throw new Error(`${where} is stored in an external file, which is not supported: save the model with its weights inside`);
  }
  if ((t.segment ?? null) !== null) throw new Error(`${where} is split into segments, which is not supported`);
  const dtype = dtypeOf(t.dataType ?? 0);
  if (dtype === undefined)
    throw new Error(`${where} is ${elemTypeName(t.dataType ?? 0)}; only FLOAT and DOUBLE weights are supported`);
  const count = dims.reduce((a, b) => a * b, 1);
  const size = dtype === 'float32' ? 4 : 8;
  const typed = dtype === 'float32' ? (t.floatData ?? []) : (t.doubleData ?? []);
  const raw = t.rawData ?? new Uint8Array(0);
  let values: Float64Array;
  if (raw.length > 0) {
    if (raw.length !== count * size) {
      throw new Error(
        `${where} has ${raw.length} bytes of raw_data, but dims [${dims.join(', ')}] of ${elemTypeName(t.dataType!)} need ${count * size}`,
      );
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    values = new Float64Array(count);
    for (let i = 0; i < count; i++)
      values[i] = dtype === 'float32' ? view.getFloat32(i * size, true) : view.getFloat64(i * size, true);
  } else {
    const field = dtype === 'float32' ? 'float_data' : 'double_data';
    if (typed.length !== count) {
      throw new Error(`${where} has ${typed.length} values in ${field}, but dims [${dims.join(', ')}] need ${count}`);
    }
    values = Float64Array.from(typed);
  }
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`${where} holds ${values[bad]} at ${position(bad, dims)}: every weight must be finite`);
  return { dims, dtype, values };
}

/** An INT64 constant's values (a Reshape's shape), from raw_data or int64_data. */
export function readInt64s(where: string, t: onnx.ITensorProto): number[] {
  if (t.dataType !== DataType.INT64) throw new Error(`${where} is ${elemTypeName(t.dataType ?? 0)}; expected INT64`);
  const raw = t.rawData ?? new Uint8Array(0);
  if (raw.length === 0) return (t.int64Data ?? []).map(int64);
  if (raw.length % 8 !== 0) throw new Error(`${where} has ${raw.length} bytes of raw_data, not a whole number of INT64s`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.length / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
}

/** A flat index as [i, j, ...] in dims. */
function position(index: number, dims: readonly number[]): string {
  const at: number[] = [];
  for (let d = dims.length - 1; d >= 0; d--) {
    at.unshift(index % dims[d]);
    index = Math.floor(index / dims[d]);
  }
  return `[${at.join(', ')}]`;
}
