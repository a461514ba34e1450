/**
 * Test instrumentation: every kernel call on the js and wasm backends asserts
 * that each of its buffer arguments is a non-zero offset inside a live arena
 * block. A freed or never-set buffer (offset 0) then fails at the call that
 * would have written over another network's memory, not epochs later.
 */
import type { Backend } from '../../src/backend/backend.js';
import type { Arena } from '../../src/backend/arena.js';
import { JsBackend } from '../../src/backend/js.js';
import { WasmBackend } from '../../src/backend/wasm.js';

/** The positions of each kernel's buffer (offset) arguments, as declared in backend.ts. */
export const BUFFER_ARGUMENTS: Readonly<Record<string, readonly number[]>> = {
  gemm: [6, 7, 9],
  denseForward: [3, 4, 5, 8],
  denseBackwardInput: [3, 4, 7, 8],
  addBias: [2, 3],
  sumColumns: [2, 3],
  sigmoid: [1, 2], sigmoidBackward: [1, 2],
  tanh: [1, 2], tanhBackward: [1, 2],
  relu: [1, 2], reluBackward: [1, 2],
  leakyRelu: [2, 3], leakyReluBackward: [2, 3],
  softmax: [2, 3],
  binaryCrossentropy: [1, 2], binaryCrossentropySigmoidBackward: [1, 2, 3], binaryAccuracy: [1, 2],
  categoricalCrossentropy: [2, 3], categoricalCrossentropySoftmaxBackward: [2, 3, 4], categoricalAccuracy: [2, 3],
  meanSquaredError: [1, 2], meanSquaredErrorBackward: [1, 2, 3],
  sgd: [2, 3], sgdMomentum: [4, 5, 6], adam: [5, 6, 7, 8],
  gatherRows: [2, 3, 4],
  firstNonFinite: [1],
  copy: [1, 2],
};

export interface KernelGuard {
  /** Kernel calls checked so far. */
  calls: number;
  /** The first bad call seen (also thrown at the call), or undefined. */
  failure: string | undefined;
  uninstall(): void;
}

export function installKernelGuard(): KernelGuard {
  const guard: KernelGuard = { calls: 0, failure: undefined, uninstall: () => {} };
  const restore: (() => void)[] = [];
  for (const proto of [JsBackend.prototype, WasmBackend.prototype, Object.getPrototypeOf(WasmBackend.prototype)]) {
    for (const [name, positions] of Object.entries(BUFFER_ARGUMENTS)) {
      if (!Object.prototype.hasOwnProperty.call(proto, name)) continue;
      const original = (proto as unknown as Record<string, (...args: number[]) => unknown>)[name];
      (proto as unknown as Record<string, unknown>)[name] = function (this: Backend, ...args: number[]) {
        const arena = (this as unknown as { heap: { arena: Arena } }).heap.arena;
        guard.calls++;
        for (const p of positions) {
          if (args[p] === 0 || !arena.owns(args[p])) {
            guard.failure ??= `${this.name} ${name}: argument ${p} is ${args[p]}, not inside a live block`;
            throw new Error(guard.failure);
          }
        }
        return original.apply(this, args);
      };
      restore.push(() => { (proto as unknown as Record<string, unknown>)[name] = original; });
    }
  }
  guard.uninstall = () => { for (const undo of restore) undo(); };
  return guard;
}
