/**
 * Stands in for @assemblyscript/loader in dist/ (see bundles.ts). wasm.ts
 * takes only `instance` from instantiate() and reads raw exports, and
 * wasmlp.wasm imports nothing (stub runtime, no assertions: asconfig.json),
 * so WebAssembly.instantiate does the same job in a few lines instead of the
 * loader's 5.5 KB, which the library would carry twice (itself and its
 * worker). Should the kernels ever import abort, it is here too; any other
 * import fails loudly at instantiation, and the dist tests with it.
 */
export async function instantiate(source: BufferSource, imports: WebAssembly.Imports = {}) {
  const env = {
    abort(): never {
      throw new Error('wasmlp.wasm aborted');
    },
    ...imports.env,
  };
  const { module, instance } = await WebAssembly.instantiate(source, { ...imports, env });
  return { module, instance, exports: instance.exports };
}
