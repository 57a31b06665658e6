import { PartBufferWaitAborted } from './part-buffer';

/**
 * Reads a request body one chunk at a time, and can keep one read going while its caller waits for
 * something else (a part buffer): when that read fails because the client went away, the wait is aborted
 * and the body's own error thrown, so a cancelled request never sits in a queue holding its place.
 */
export class BodyReader {
  private readonly it: AsyncIterator<Uint8Array> | undefined;
  private ahead: Promise<IteratorResult<Uint8Array>> | undefined;
  private aheadSettled = true;
  private ended = false;

  constructor(body: AsyncIterable<Uint8Array> | undefined) {
    this.it = body?.[Symbol.asyncIterator]();
  }

  /** The next chunk (the one read ahead, if any). */
  async read(): Promise<IteratorResult<Uint8Array>> {
    const next = this.ahead ?? this.it?.next() ?? Promise.resolve({ done: true as const, value: undefined });
    this.ahead = undefined;
    const result = await next;
    if (result.done) this.ended = true;
    return result;
  }

  /** Runs `wait` with a signal that aborts if the body fails meanwhile; then throws the body's error instead. */
  async whileWaiting<T>(wait: (signal?: AbortSignal) => Promise<T>): Promise<T> {
    if (!this.it || this.ended) return wait();
    if (!this.ahead) {
      this.aheadSettled = false;
      this.ahead = this.it.next();
      this.ahead.then(() => (this.aheadSettled = true), () => (this.aheadSettled = true));
    }
    const ahead = this.ahead;
    const stop = new AbortController();
    ahead.catch(() => stop.abort());
    try {
      return await wait(stop.signal);
    } catch (err) {
      if (err instanceof PartBufferWaitAborted) await ahead; // rejects with the body's own error
      throw err;
    }
  }

  /** Tells the body it will not be read further (a failed write); not while a read-ahead still waits for bytes. */
  async close(): Promise<void> {
    if (this.ended || !this.aheadSettled) return;
    this.ended = true;
    await this.it?.return?.();
  }
}
