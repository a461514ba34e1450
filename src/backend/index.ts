import { BACKENDS, DTYPES, type Backend, type BackendName, type DType } from './backend.js';
import { createJsBackend } from './js.js';
import { createWasmBackend } from './wasm.js';

export async function createBackend(name: BackendName, dtype: DType): Promise<Backend> {
  if (!BACKENDS.includes(name)) throw new Error(`Unknown backend ${JSON.stringify(name)}: expected one of ${BACKENDS.join(', ')}`);
  if (!DTYPES.includes(dtype)) throw new Error(`Unknown dtype ${JSON.stringify(dtype)}: expected one of ${DTYPES.join(', ')}`);
  return name === 'wasm' ? createWasmBackend(dtype) : createJsBackend(dtype);
}
