/**
 * The calling thread's side of a worker's fitDataset(): the passes over the
 * dataset the worker is iterating, each opened at its first pull and
 * iterated here one batch per pull, so that only the batch in flight ever
 * crosses to the worker.
 */
import type { PassIterator } from '../dataset.js';
import type { FitEvent, WireBatch } from './protocol.js';

/** Opens a new pass over the training dataset or the validation one. */
export type PassOpeners = Record<'train' | 'validation', () => PassIterator<unknown>>;

export class DatasetPasses {
  private readonly passes = new Map<number, PassIterator<unknown>>();

  /**
   * @param send - Answers the worker's pull of `pass`; `transfer` lists the batch's buffers to hand over.
   * @param pack - Copies a batch's arrays into transferable ones, listing their buffers in `transfer`.
   */
  constructor(
    private readonly send: (pass: number, batch: WireBatch, transfer: Transferable[]) => void,
    private readonly pack: (batch: unknown, transfer: Transferable[]) => unknown,
  ) {}

  /** Answers a pull with the pass's next batch, its end, or what the dataset threw; or closes a pass the worker left. */
  async handle(event: FitEvent, openers: PassOpeners): Promise<void> {
    if (event[0] === 'close') {
      const iterator = this.passes.get(event[1]);
      this.passes.delete(event[1]);
      if (iterator) await close(iterator);
      return;
    }
    if (event[0] !== 'next') return;
    const [, pass, which] = event;
    let reply: WireBatch;
    const transfer: Transferable[] = [];
    try {
      let iterator = this.passes.get(pass);
      if (!iterator) this.passes.set(pass, (iterator = openers[which]()));
      const result = await iterator.next();
      if (typeof result !== 'object' || result === null) throw new Error(`the dataset's next() gave ${String(result)}`);
      reply = result.done ? { done: true } : { value: this.pack(result.value, transfer) };
    } catch (error) {
      reply = { error: error instanceof Error ? error.message : String(error) };
    }
    if (!('value' in reply)) this.passes.delete(pass);
    this.send(pass, reply, transfer);
  }

  /** Closes every pass still open: fitDataset() has ended. */
  async closeAll(): Promise<void> {
    const open = [...this.passes.values()];
    this.passes.clear();
    for (const iterator of open) await close(iterator);
  }
}

async function close(iterator: PassIterator<unknown>): Promise<void> {
  try {
    await iterator.return?.();
  } catch {
    // The pass is over either way.
  }
}
