/** How many password checks one client address may ask for: a burst, then a steady rate. */
export interface LoginRate {
  burst: number;
  perSecond: number;
}

/**
 * Default: 20 checks at once, then one per second. A client that logs in successfully gets its check
 * back, so only failed (or abandoned) attempts use the allowance up.
 */
export const LOGIN_RATE: LoginRate = { burst: 20, perSecond: 1 };

/**
 * A token bucket per client address, in this process's memory, taken before any password hash is
 * computed: a flood of logins with made-up names costs the registry a map lookup, not a bcrypt check.
 * The map is bounded (the least recently refilled address is forgotten first).
 */
export class LoginRateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly rate: LoginRate = LOGIN_RATE, private readonly capacity = 10_000) {}

  /** Takes a check for `address`; returns 0 when allowed, else the seconds until one is free. */
  take(address: string, now: number): number {
    const bucket = this.refilled(address, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate.perSecond));
  }

  /** Gives a check back (the login succeeded). */
  refund(address: string, now: number): void {
    const bucket = this.refilled(address, now);
    bucket.tokens = Math.min(this.rate.burst, bucket.tokens + 1);
  }

  private refilled(address: string, now: number): { tokens: number; at: number } {
    const old = this.buckets.get(address);
    const tokens = old ? Math.min(this.rate.burst, old.tokens + ((now - old.at) / 1000) * this.rate.perSecond) : this.rate.burst;
    // Re-inserted so the map's order is least recently used first.
    this.buckets.delete(address);
    if (this.buckets.size >= this.capacity) this.buckets.delete(this.buckets.keys().next().value!);
    const bucket = { tokens, at: now };
    this.buckets.set(address, bucket);
    return bucket;
  }
}
