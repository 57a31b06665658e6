/**
 * Part buffers for streamed uploads: one process-wide budget of part-sized buffers that every upload (and
 * the mirror's fills) draws from, so that memory stays bounded however many bodies stream at once.
 */

/** What a pool is made of: the size of each buffer and the memory all of them may take together. */
export interface PartBufferPoolOptions {
  /** Bytes of each buffer (the store's part size). */
  partSize: number;
  /** Bytes all buffers may take together; rounded down to whole parts, at least one part. */
  capBytes: number;
  /** Free buffers are dropped after this long without an acquire (RSS returns to idle). @default 30000 */
  idleTrimMs?: number;
}

/** The wait for a buffer was given up (the caller's signal aborted). */
export class PartBufferWaitAborted extends Error {
  constructor() {
    super('gave up waiting for an upload part buffer');
    this.name = 'PartBufferWaitAborted';
  }
}

interface Waiter {
  give: (buffer: Buffer) => void;
}

/**
 * At most `capacity` buffers of `partSize` bytes exist at once. `acquire` lends one, or waits (first come,
 * first served) until one is released; a caller never needs two at once to make progress, so waiting
 * cannot deadlock as long as every lent buffer is released. Buffers are reused, not zeroed: a user may
 * read only the bytes it wrote itself (`subarray(0, filled)`).
 */
export class PartBufferPool {
  readonly partSize: number;
  /** How many buffers may exist at once. */
  readonly capacity: number;
  private readonly free: Buffer[] = [];
  private readonly lent = new Set<Buffer>();
  private readonly waiters: Waiter[] = [];
  private readonly idleTrimMs: number;
  private trimTimer: NodeJS.Timeout | undefined;

  constructor(opts: PartBufferPoolOptions) {
    if (!(opts.partSize > 0)) throw new Error(`part size ${opts.partSize}: expected a positive number of bytes`);
    this.partSize = opts.partSize;
    this.capacity = Math.max(1, Math.floor(opts.capBytes / opts.partSize));
    this.idleTrimMs = opts.idleTrimMs ?? 30_000;
  }

  /** Buffers lent out now. */
  get inUse(): number {
    return this.lent.size;
  }

  /** Callers waiting for a buffer now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Bytes of buffers that exist now (lent or kept free for reuse). */
  get allocatedBytes(): number {
    return (this.lent.size + this.free.length) * this.partSize;
  }

  /** A buffer at once when one is free or may still be made, else undefined. */
  tryAcquire(): Buffer | undefined {
    if (this.waiters.length > 0) return undefined; // no overtaking those already waiting
    const buffer = this.free.pop() ?? (this.lent.size < this.capacity ? Buffer.allocUnsafe(this.partSize) : undefined);
    if (buffer) this.lend(buffer);
    return buffer;
  }

  /** A buffer of `partSize` bytes, waiting for one to be released when all are lent; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<Buffer> {
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    if (signal?.aborted) return Promise.reject(new PartBufferWaitAborted());
    return new Promise<Buffer>((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(new PartBufferWaitAborted());
      };
      const waiter: Waiter = {
        give: (buffer) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(buffer);
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Gives a lent buffer back: to the first waiter, else kept for reuse. Releasing twice is a bug and throws. */
  release(buffer: Buffer): void {
    if (!this.lent.delete(buffer)) throw new Error('released a part buffer that is not lent out (released twice?)');
    const waiter = this.waiters.shift();
    if (waiter) {
      this.lend(buffer);
      waiter.give(buffer);
      return;
    }
    this.free.push(buffer);
    this.scheduleTrim();
  }

  private lend(buffer: Buffer): void {
    this.lent.add(buffer);
    clearTimeout(this.trimTimer);
    this.trimTimer = undefined;
  }

  /** Free buffers unused for idleTrimMs are dropped: a burst of uploads does not keep its memory forever. */
  private scheduleTrim(): void {
    if (this.trimTimer || !(this.idleTrimMs > 0)) return;
    this.trimTimer = setTimeout(() => {
      this.trimTimer = undefined;
      this.free.length = 0;
    }, this.idleTrimMs);
    this.trimTimer.unref();
  }
}

const pools = new Map<string, PartBufferPool>();

/**
 * The process-wide pool for this part size and cap (the host's configuration: one pool per process in
 * practice; a test running registries with different caps in one process gets one pool per cap).
 */
export function sharedPartBufferPool(config: { partSize: number; uploadMemoryBytes: number }): PartBufferPool {
  const key = `${config.partSize}/${config.uploadMemoryBytes}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new PartBufferPool({ partSize: config.partSize, capBytes: config.uploadMemoryBytes });
    pools.set(key, pool);
  }
  return pool;
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

/**
 * Fills one pooled part buffer at a time: bytes are copied in once, as they arrive, and a full buffer is
 * handed on (with the duty to release it) to whoever uploads it. Holds at most one buffer.
 */
export class PartFiller {
  private buffer: Buffer | undefined;
  /** Bytes in the current buffer. */
  filled = 0;

  /** `abandoned`: gives up waiting for a buffer (PartBufferWaitAborted) when it aborts. */
  constructor(private readonly pool: PartBufferPool, private readonly abandoned?: AbortSignal) {}

  /** Copies bytes of `chunk` from `from` on into the current buffer, acquiring one first; returns how many fit. */
  async append(chunk: Uint8Array, from = 0): Promise<number> {
    this.buffer ??= await this.pool.acquire(this.abandoned);
    const n = Math.min(chunk.length - from, this.pool.partSize - this.filled);
    this.buffer.set(chunk.subarray(from, from + n), this.filled);
    this.filled += n;
    return n;
  }

  /** The filled bytes and the buffer holding them, now the caller's to release; none when nothing was filled. */
  hand(): [Uint8Array, Buffer | undefined] {
    const buffer = this.buffer;
    const bytes = buffer ? buffer.subarray(0, this.filled) : new Uint8Array(0);
    this.buffer = undefined;
    this.filled = 0;
    return [bytes, buffer];
  }

  /** Gives the current buffer back unused (after a failure). */
  discard(): void {
    const [, buffer] = this.hand();
    if (buffer) this.pool.release(buffer);
  }
}
