/**
 * Generates src/formats/onnx-proto.js and its declarations from
 * src/formats/onnx.proto (the schema of the onnx/onnx repository, as it is
 * there), with protobufjs-cli's pbjs: static encode and decode code over
 * protobufjs/minimal, no reflection.
 *
 * Only the fields a dense network's model uses are generated (KEEP below),
 * with their numbers and types unchanged: decoding skips every other field,
 * as protobuf decoders skip fields they do not know, so any ONNX model still
 * reads, and the generated code is a fraction of the full schema's. Nor is
 * anything generated that the converters do not call (create, verify,
 * toObject, delimited forms).
 *
 *   tsx scripts/onnx-proto.ts
 *
 * The generated module is committed, so a build needs neither pbjs nor this
 * script; run it again after replacing onnx.proto or changing KEEP.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FORMATS = path.join(ROOT, 'src', 'formats');

/** The messages kept, each with the fields kept (protobufjs's camelCase names). */
const KEEP: Readonly<Record<string, readonly string[]>> = {
  ModelProto: ['irVersion', 'opsetImport', 'producerName', 'producerVersion', 'graph', 'metadataProps'],
  OperatorSetIdProto: ['domain', 'version'],
  GraphProto: ['node', 'name', 'initializer', 'input', 'output'],
  NodeProto: ['input', 'output', 'name', 'opType', 'domain', 'attribute'],
  AttributeProto: ['name', 'type', 'f', 'i', 't'],
  TensorProto: [
    'dims',
    'dataType',
    'segment',
    'floatData',
    'int64Data',
    'name',
    'rawData',
    'doubleData',
    'externalData',
    'dataLocation',
  ],
  'TensorProto.Segment': ['begin', 'end'],
  StringStringEntryProto: ['key', 'value'],
  ValueInfoProto: ['name', 'type'],
  TypeProto: ['tensorType'],
  'TypeProto.Tensor': ['elemType', 'shape'],
  TensorShapeProto: ['dim'],
  'TensorShapeProto.Dimension': ['dimValue', 'dimParam'],
};

/** The schema with only KEEP's messages and fields (enums stay whole). */
function pruned(): protobuf.Root {
  const root = protobuf.loadSync(path.join(FORMATS, 'onnx.proto'));
  const onnx = root.lookup('onnx') as protobuf.Namespace;
  const prune = (ns: protobuf.Namespace, prefix: string): void => {
    for (const child of [...ns.nestedArray]) {
      if (!(child instanceof protobuf.Type)) continue;
      const name = prefix + child.name;
      const fields = KEEP[name];
      if (!fields) {
        ns.remove(child);
        continue;
      }
      for (const field of [...child.fieldsArray]) {
        if (fields.includes(field.name)) continue;
        field.partOf?.remove(field);
        child.remove(field);
      }
      for (const oneof of [...child.oneofsArray]) if (oneof.fieldsArray.length === 0) child.remove(oneof);
      prune(child, `${name}.`);
    }
  };
  prune(onnx, '');
  const missing = Object.entries(KEEP).flatMap(([name, fields]) =>
    fields.filter((field) => !root.lookupType(`onnx.${name}`).fields[field]).map((field) => `${name}.${field}`),
  );
  if (missing.length > 0) throw new Error(`onnx.proto has no ${missing.join(', ')}`);
  return root;
}

const dir = await mkdtemp(path.join(tmpdir(), 'onnx-proto-'));
try {
  const schema = path.join(dir, 'onnx.json');
  await writeFile(schema, JSON.stringify(pruned().toJSON()));
  const filter = path.join(dir, 'filter.json');
  await writeFile(filter, JSON.stringify({ messageNames: ['onnx.ModelProto'] }));
  execFileSync(
    path.join(ROOT, 'node_modules', '.bin', 'pbjs'),
    [
      '--target',
      'static-module',
      '--wrap',
      'esm',
      '--dts',
      // 64-bit integers as numbers where protobufjs can: dims and versions are far below 2^53.
      '--force-number',
      '--no-create',
      '--no-verify',
      '--no-convert',
      '--no-delimited',
      '--no-typeurl',
      '--no-service',
      '--filter',
      filter,
      '--out',
      path.join(FORMATS, 'onnx-proto.js'),
      schema,
    ],
    { stdio: 'inherit' },
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
