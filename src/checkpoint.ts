/**
 * What fit() puts back when an epoch diverges: every parameter, the
 * optimiser's state and its step count, copied once per epoch into one
 * block of backend memory (no JavaScript arrays, nothing per batch).
 */
import type { Backend } from './backend/backend.js';
import type { Optimizer } from './optimizers.js';

interface Span {
  offset: number;
  size: number;
}

export class Checkpoint {
  /** One block holding a copy of every span, back to back. */
  readonly block: number;
  private spans: Span[] = [];
  private iterations = 0;
  private optimizer: Optimizer | undefined;

  /** Allocates room for `elements` floats: the parameters and the optimiser state fit() will train. */
  constructor(
    private readonly backend: Backend,
    private readonly elements: number,
  ) {
    this.block = backend.alloc(elements);
  }

  /** The buffers to copy: the parameters', then the optimiser's state; together exactly `elements` long. */
  bind(parameters: readonly Span[], optimizer: Optimizer): void {
    this.spans = [...parameters, ...optimizer.stateBuffers()];
    this.optimizer = optimizer;
    const total = this.spans.reduce((sum, span) => sum + span.size, 0);
    if (total !== this.elements) throw new Error(`Checkpoint: ${total} elements to copy into room for ${this.elements}`);
  }

  save(): void {
    let at = this.block;
    for (const { offset, size } of this.spans) {
      this.backend.copy(size, offset, at);
      at += size * this.backend.bytesPerElement;
    }
    this.iterations = this.optimizer!.iterations;
  }

  restore(): void {
    let at = this.block;
    for (const { offset, size } of this.spans) {
      this.backend.copy(size, at, offset);
      at += size * this.backend.bytesPerElement;
    }
    this.optimizer!.rewind(this.iterations);
  }
}
