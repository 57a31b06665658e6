/**
 * A value read at most once per period per process: concurrent callers share one read, and a failed read
 * is not kept (the next caller reads again). Used for policies, which change rarely and are read by every
 * manifest PUT: with a 10 s period a rule change applies on every host within 10 s, and the rules cost one
 * DynamoDB read per 10 s per process, not one per PUT.
 */
export class PeriodicValue<T> {
  private value?: { at: number; value: T };
  private reading?: Promise<T>;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly periodMs: number,
    private readonly now: () => number,
  ) {}

  async get(): Promise<T> {
    if (this.value && this.now() - this.value.at < this.periodMs) return this.value.value;
    if (!this.reading) {
      const at = this.now();
      this.reading = this.read()
        .then((value) => { this.value = { at, value }; return value; })
        .finally(() => { this.reading = undefined; });
    }
    return this.reading;
  }
}

/** How long a host may use the immutability rules it read: a change applies everywhere within this. */
export const POLICY_CACHE_MS = 10_000;
