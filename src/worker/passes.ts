/**
 * The calling thread's side of a worker's fitDataset(): the passes over the
 * dataset the worker has opened, each iterated here one batch per pull, so
 * that only the batch in flight ever crosses to the worker.
 */
import type { PassIterator } from '../dataset.js';
import type { FitEvent, WireBatch } from './protocol.js';

/** Opens a new pass over the training dataset or the validation one. */
export type PassOpeners = Record<'train' | 'validation', () => PassIterator<unknown>>;

export class DatasetPasses {
  /** Each open pass's iterator, or why it could not open (given to its first pull). */
  private readonly passes = new Map<number, { iterator: PassIterator<unknown> } | { error: string }>();

  /**
   * @param send - Answers the worker's pull of `pass`; `transfer` lists the batch's buffers to hand over.
   * @param pack - Copies a batch's arrays into transferable ones, listing their buffers in `transfer`.
   */
  constructor(
    private readonly send: (pass: number, batch: WireBatch, transfer: Transferable[]) => void,
    private readonly pack: (batch: unknown, transfer: Transferable[]) => unknown,
  ) {}

  /** Acts on one of the worker's dataset events: open a pass, answer a pull, or close a pass. */
  async handle(event: FitEvent, openers: PassOpeners): Promise<void> {
    if (event[0] === 'open') {
      const [, pass, which] = event;
      try {
        this.passes.set(pass, { iterator: openers[which]() });
      } catch (error) {
        this.passes.set(pass, { error: messageOf(error) });
      }
    } else if (event[0] === 'next') {
      await this.next(event[1]);
    } else if (event[0] === 'close') {
      const entry = this.passes.get(event[1]);
      this.passes.delete(event[1]);
      if (entry && 'iterator' in entry) await close(entry.iterator);
    }
  }

  private async next(pass: number): Promise<void> {
    const entry = this.passes.get(pass);
    if (!entry || 'error' in entry) {
      this.passes.delete(pass);
      this.send(pass, { error: entry ? entry.error : 'the pass is closed' }, []);
      return;
    }
    let result: IteratorResult<unknown>;
    try {
      result = await entry.iterator.next();
      if (typeof result !== 'object' || result === null)
        throw new Error(`the dataset's iterator gave ${String(result)}, not an iterator result`);
    } catch (error) {
      this.passes.delete(pass);
      this.send(pass, { error: messageOf(error) }, []);
      return;
    }
    if (result.done) {
      this.passes.delete(pass);
      this.send(pass, { done: true }, []);
      return;
    }
    const transfer: Transferable[] = [];
    this.send(pass, { value: this.pack(result.value, transfer) }, transfer);
  }

  /** Closes every pass still open: fitDataset() has ended. */
  async closeAll(): Promise<void> {
    const open = [...this.passes.values()];
    this.passes.clear();
    for (const entry of open) if ('iterator' in entry) await close(entry.iterator);
  }
}

async function close(iterator: PassIterator<unknown>): Promise<void> {
  try {
    await iterator.return?.();
  } catch {
    // The pass is over either way.
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
