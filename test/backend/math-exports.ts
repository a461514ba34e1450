/**
 * The elementwise functions the shared-memory build exports for the
 * accuracy tests (exp.test.ts, log.test.ts): not kernels of the contract,
 * but the same code the kernels run. Each is called as fn(n, x, out) over
 * an array copied into the module's memory, and its results copied out.
 */
import { readFileSync } from 'node:fs';

type ArrayFunction = (n: number, x: number, out: number) => void;

export interface MathExports {
  expNonPositiveF32: ArrayFunction;
  expNonPositiveF64: ArrayFunction;
  logArrayF64: ArrayFunction;
}

/** Instantiates build/wasmlp.threads.wasm on a shared memory of its own. */
export async function loadMathExports(): Promise<{
  run(
    name: keyof MathExports,
    values: ArrayLike<number>,
    Type: Float32ArrayConstructor | Float64ArrayConstructor,
  ): Float32Array | Float64Array;
}> {
  const bytes = readFileSync(new URL('../../build/wasmlp.threads.wasm', import.meta.url));
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 16384, shared: true });
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
  const exports = instance.exports as unknown as MathExports & { heapBase(): number };
  return {
    run(name, values, Type) {
      const n = values.length;
      const size = Type.BYTES_PER_ELEMENT;
      const base = (exports.heapBase() + 15) & ~15;
      const needed = base + 2 * size * n;
      if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
      new Type(memory.buffer, base, n).set(values); // a fresh view: the memory may have grown
      exports[name](n, base, base + size * n);
      return new Type(memory.buffer, base + size * n, n).slice();
    },
  };
}
