import { describeValue } from '../checks.js';
import { createThreadedWasmBackend } from '../platform/threaded-backend.js';
import { BACKENDS, type Backend, type BackendName, DTYPES, type DType } from './backend.js';
import { createJsBackend } from './js.js';
import { createWasmBackend } from './wasm.js';

/** `threads` > 1: the wasm backend on that many threads where it can run, one thread otherwise (threads.ts). */
export async function createBackend(name: BackendName, dtype: DType, threads = 1): Promise<Backend> {
  if (!BACKENDS.includes(name))
    throw new Error(`createBackend: Unknown backend ${describeValue(name)}: expected one of ${BACKENDS.join(', ')}`);
  if (!DTYPES.includes(dtype))
    throw new Error(`createBackend: Unknown dtype ${describeValue(dtype)}: expected one of ${DTYPES.join(', ')}`);
  if (name === 'wasm' && threads > 1) return createThreadedWasmBackend(dtype, threads, () => createWasmBackend(dtype));
  return name === 'wasm' ? createWasmBackend(dtype) : createJsBackend(dtype);
}
