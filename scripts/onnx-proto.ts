/**
 * Generates src/formats/onnx-proto.js and its declarations from
 * src/formats/onnx.proto (the schema of the onnx/onnx repository, as it is
 * there), with protobufjs-cli's pbjs: static encode and decode code over
 * protobufjs/minimal, no reflection. Only ModelProto and what it reaches are
 * kept, and nothing the converters do not call (create, verify, toObject,
 * delimited forms), to keep the chunk small.
 *
 *   tsx scripts/onnx-proto.ts
 *
 * The generated module is committed, so a build needs neither pbjs nor this
 * script; run it again after replacing onnx.proto.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FORMATS = path.join(ROOT, 'src', 'formats');

const dir = await mkdtemp(path.join(tmpdir(), 'onnx-proto-'));
try {
  const filter = path.join(dir, 'filter.json');
  await writeFile(filter, JSON.stringify({ messageNames: ['onnx.ModelProto'] }));
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'pbjs'), [
    '--target', 'static-module', '--wrap', 'esm', '--dts',
    // 64-bit integers as numbers: dims and opset versions are far below 2^53.
    '--force-number',
    '--no-create', '--no-verify', '--no-convert', '--no-delimited', '--no-typeurl', '--no-service',
    '--filter', filter,
    '--out', path.join(FORMATS, 'onnx-proto.js'),
    path.join(FORMATS, 'onnx.proto'),
  ], { stdio: 'inherit' });
} finally {
  await rm(dir, { recursive: true, force: true });
}
