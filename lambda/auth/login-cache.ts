import { createHmac, randomBytes } from 'node:crypto';

/**
 * Remembers credentials that just passed the (deliberately slow) password check, for a short time, so
 * that clients sending Basic credentials on every request do not pay a bcrypt check each time. Keys are
 * an HMAC with a per-process secret: the cache never holds a password, nor anything that verifies one
 * outside this process. A password change or revocation takes effect within `ttlMs`.
 */
export class LoginCache<T> {
  private readonly secret = randomBytes(32);
  private readonly entries = new Map<string, { value: T; at: number }>();

  constructor(private readonly ttlMs = 60_000, private readonly capacity = 1000) {}

  get(username: string, password: string, now: number): T | undefined {
    const key = this.key(username, password);
    const entry = this.entries.get(key);
    if (entry && now - entry.at <= this.ttlMs) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(username: string, password: string, value: T, now: number): void {
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(this.key(username, password), { value, at: now });
  }

  /** The key of a pair: an HMAC with this cache's secret, so other maps can be keyed by credentials safely. */
  key(username: string, password: string): string {
    return createHmac('sha256', this.secret).update(username).update('\0').update(password).digest('hex');
  }
}
