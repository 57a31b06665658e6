/** Accumulates incoming chunks and cuts them into parts without copying more than once. */
export class PartBuffer {
  private chunks: Uint8Array[] = [];
  length = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Removes and returns the first n bytes (n <= length) as one contiguous buffer, written into `into` when given. */
  take(n: number, into?: Buffer): Uint8Array {
    const out = into ? into.subarray(0, n) : Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const need = n - filled;
      if (head.length <= need) {
        out.set(head, filled);
        filled += head.length;
        this.chunks.shift();
      } else {
        out.set(head.subarray(0, need), filled);
        this.chunks[0] = head.subarray(need);
        filled += need;
      }
    }
    this.length -= n;
    return out;
  }
}

/**
 * Part-sized buffers reused across the parts of one write: memory stays at (queue + 1) parts instead of
 * waiting for the garbage collector to notice a gigabyte of discarded part buffers.
 */
export class PartPool {
  private readonly free: Buffer[] = [];
  constructor(private readonly size: number) {}

  acquire(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  release(buffer: Buffer): void {
    this.free.push(buffer);
  }
}

/** Runs at most `limit` part uploads at once; the first failure is rethrown by add() or drain(). */
export class PartQueue {
  private readonly running = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly limit: number) {}

  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.throwIfFailed();
    const p: Promise<void> = task()
      .catch((err) => { this.failure ??= err; })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Waits for every started upload; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.running);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
