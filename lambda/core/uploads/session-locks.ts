/**
 * One write at a time per upload session, within this process. Two chunks written to one session at once
 * would both upload the S3 part after the session's last one under the same part number: the chunk that
 * loses the session update (416) may overwrite the winner's part, and the upload can then never complete.
 * Serialised, the second chunk finds the session moved on and is refused before it writes anything.
 * Writers in different processes (two Lambda invocations) are not covered by this lock. UploadService takes
 * it around each chunk and completion, so no handler has to.
 */
export class SessionLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier `run` for the same session id has finished. */
  async run<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(id) ?? Promise.resolve();
    let release!: () => void;
    const tail = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
    this.tails.set(id, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(id) === tail) this.tails.delete(id);
    }
  }
}
