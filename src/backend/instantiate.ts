/**
 * Instantiates build/wasmlp.wasm's bytes, the same way from source and in
 * every bundle. Plain WebAssembly.instantiate, not @assemblyscript/loader:
 * wasm.ts reads only raw exports (the loader's demangled wrappers add a
 * rest-args call per kernel, which the seed network's tiny kernels would
 * feel), and the module imports nothing (stub runtime, no assertions:
 * asconfig.json) but, should assertions ever be compiled in, abort.
 */
export async function instantiateKernels(bytes: Uint8Array): Promise<Record<string, unknown>> {
  const env = {
    abort(): never {
      throw new Error('wasmlp.wasm aborted');
    },
  };
  const { instance } = await WebAssembly.instantiate(bytes as BufferSource, { env });
  return instance.exports;
}
