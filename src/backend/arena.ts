/**
 * First-fit allocator over a growable linear memory, shared by both backends:
 * the wasm backend over WebAssembly.Memory past the module's static data, the
 * js backend over a plain ArrayBuffer that it replaces when it grows.
 *
 * Networks allocate a handful of blocks when they are created and free them
 * on dispose, so a simple list is enough; training never calls it.
 */

const ALIGN = 16; // one v128

export interface GrowableMemory {
  /** Current size in bytes. */
  byteLength(): number;
  /** Makes the memory at least `bytes` long. */
  grow(bytes: number): void;
}

interface Span {
  offset: number;
  size: number;
}

/**
 * INTERNAL, for fault-injection tests only (never exported from index.ts):
 * allocations counted across every arena in the process, and an optional
 * countdown after which one fails as running out of memory would.
 */
const faults = { allocations: 0, failAt: 0 };

/** Test hook: the `k`-th allocation from now (1 = the next) throws as out of memory; 0 turns it off. */
export function failAllocation(k: number): void {
  faults.failAt = k > 0 ? faults.allocations + k : 0;
}

/** Test hook: allocations made so far in this process, by every arena. */
export function allocationCount(): number {
  return faults.allocations;
}

export class Arena {
  private top: number;
  private readonly used = new Map<number, number>();
  /** Free spans below `top`, sorted by offset, never adjacent to each other. */
  private readonly holes: Span[] = [];

  constructor(
    private readonly memory: GrowableMemory,
    base: number,
  ) {
    // Offset 0 is never a block: a buffer offset of 0 is always a bug (an
    // unset or freed buffer), and no kernel can then write over memory's start.
    this.top = alignUp(Math.max(base, 1));
  }

  alloc(bytes: number): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error(`Arena.alloc: invalid size ${bytes}`);
    faults.allocations++;
    if (faults.failAt === faults.allocations) {
      faults.failAt = 0;
      throw new Error(
        `wasmlp: ${bytes} bytes of memory needed, but allocation ${faults.allocations} was made to fail (fault injection)`,
      );
    }
    const size = Math.max(ALIGN, alignUp(bytes));
    let offset = -1;
    for (let i = 0; i < this.holes.length; i++) {
      const hole = this.holes[i];
      if (hole.size < size) continue;
      offset = hole.offset;
      if (hole.size === size) this.holes.splice(i, 1);
      else {
        hole.offset += size;
        hole.size -= size;
      }
      break;
    }
    if (offset < 0) {
      offset = this.top;
      if (offset + size > this.memory.byteLength()) this.memory.grow(offset + size);
      this.top += size;
    }
    this.used.set(offset, size);
    return offset;
  }

  free(offset: number): void {
    const size = this.used.get(offset);
    if (size === undefined) throw new Error(`Arena.free: ${offset} is not an allocated block`);
    this.used.delete(offset);
    let i = 0;
    while (i < this.holes.length && this.holes[i].offset < offset) i++;
    this.holes.splice(i, 0, { offset, size });
    // Merge with the following hole, then with the preceding one.
    const next = this.holes[i + 1];
    if (next && offset + size === next.offset) {
      this.holes[i].size += next.size;
      this.holes.splice(i + 1, 1);
    }
    const prev = this.holes[i - 1];
    if (prev && prev.offset + prev.size === offset) {
      prev.size += this.holes[i].size;
      this.holes.splice(i, 1);
      i--;
    }
    // A hole that reaches the top gives its bytes back to the bump pointer.
    const last = this.holes[this.holes.length - 1];
    if (last && last.offset + last.size === this.top) {
      this.top = last.offset;
      this.holes.pop();
    }
  }

  /** Whether `offset` lies inside a live block (for tests that check every kernel's buffers). */
  owns(offset: number): boolean {
    for (const [start, size] of this.used) if (offset >= start && offset < start + size) return true;
    return false;
  }

  /** Bytes in live blocks (for tests and leak checks). */
  get bytesInUse(): number {
    let total = 0;
    for (const size of this.used.values()) total += size;
    return total;
  }
}

function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}
