/**
 * Test instrumentation: every kernel call on the js and wasm backends asserts
 * that each of its buffer arguments is a non-zero offset inside a live arena
 * block. A freed or never-set buffer (offset 0) then fails at the call that
 * would have written over another network's memory, not epochs later.
 */

import type { Arena } from '../../src/backend/arena.js';
import { type Backend, KERNEL_NAMES } from '../../src/backend/backend.js';
import { HeapBackend } from '../../src/backend/heap.js';
import { JsBackend } from '../../src/backend/js.js';
import { JsForwardBackend } from '../../src/backend/js-forward.js';
import { WasmBackend } from '../../src/backend/wasm.js';

/** The positions of each kernel's buffer (offset) arguments, as declared in backend.ts. */
export const BUFFER_ARGUMENTS: Readonly<Record<string, readonly number[]>> = {
  gemm: [6, 7, 9],
  denseForward: [3, 4, 5, 8],
  denseBackwardInput: [3, 4, 7, 8],
  denseBackwardWeights: [3, 4, 5, 6],
  addBias: [2, 3],
  sumColumns: [2, 3],
  sigmoid: [1, 2],
  sigmoidBackward: [1, 2],
  tanh: [1, 2],
  tanhBackward: [1, 2],
  relu: [1, 2],
  reluBackward: [1, 2],
  leakyRelu: [2, 3],
  leakyReluBackward: [2, 3],
  softmax: [2, 3],
  binaryCrossentropy: [1, 2],
  binaryCrossentropySigmoidBackward: [1, 2, 3],
  binaryAccuracy: [1, 2],
  categoricalCrossentropy: [2, 3],
  categoricalCrossentropySoftmaxBackward: [2, 3, 4],
  categoricalAccuracy: [2, 3],
  meanSquaredError: [1, 2],
  meanSquaredErrorBackward: [1, 2, 3],
  sgd: [2, 3],
  sgdMomentum: [4, 5, 6],
  adam: [5, 6, 7, 8],
  rmsprop: [6, 7, 8, 9],
  decayWeights: [3],
  clipByValue: [2],
  scaleGradient: [3],
  sumSquares: [1],
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
  const checked = (name: string, positions: readonly number[], original: (...args: number[]) => unknown) =>
    function (this: Backend, ...args: number[]) {
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
  // The js backend's kernels, and copy(), are methods.
  for (const proto of [JsBackend.prototype, JsForwardBackend.prototype, HeapBackend.prototype]) {
    for (const [name, positions] of Object.entries(BUFFER_ARGUMENTS)) {
      if (!Object.hasOwn(proto, name)) continue;
      const original = (proto as unknown as Record<string, (...args: number[]) => unknown>)[name];
      (proto as unknown as Record<string, unknown>)[name] = checked(name, positions, original);
      restore.push(() => {
        (proto as unknown as Record<string, unknown>)[name] = original;
      });
    }
  }
  // The wasm backend's kernels are own properties, assigned in its constructor:
  // a setter on its prototype takes each assignment and keeps the kernel checked.
  for (const name of KERNEL_NAMES) {
    const positions = BUFFER_ARGUMENTS[name];
    if (!positions) continue;
    Object.defineProperty(WasmBackend.prototype, name, {
      configurable: true,
      set(this: WasmBackend, kernel: (...args: number[]) => unknown) {
        Object.defineProperty(this, name, {
          value: checked(name, positions, kernel),
          writable: true,
          enumerable: true,
          configurable: true,
        });
      },
    });
    restore.push(() => {
      delete (WasmBackend.prototype as unknown as Record<string, unknown>)[name];
    });
  }
  guard.uninstall = () => {
    for (const undo of restore) undo();
  };
  return guard;
}
