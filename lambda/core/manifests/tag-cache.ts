import type { TagRecord } from '../../ports/manifest-store';

/** Entries one cache keeps at most (a tag record holds its inline manifest copy, up to 4 KB: about 5 MB). */
export const READ_CACHE_MAX_ENTRIES = 1000;

/**
 * What pulls read from the metadata store, kept for a few seconds per process (STRATUS_TAG_CACHE_SECONDS;
 * 0 = off), so that 10,000 pulls/s of one image reach its DynamoDB items once per process and period, not
 * 10,000 times. Only found values are kept (what another process adds is seen at once; what it moves or
 * deletes within the period). Entries are keyed by repository: this process's own writes of a repository
 * forget its entries (pull-caching-store.ts), and a read that overlapped any write is not kept, so whoever
 * writes here (a push, a delete, the mirror's refresh) reads the new value at once. Concurrent misses of
 * one key share one read. Callers read only after the request was authorized for the repository.
 */
export class ReadCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private readonly reading = new Map<string, Promise<V | null>>();
  /** Bumped by every write: a read that started before it may hold what the write replaced. */
  private writes = 0;

  constructor(private readonly ttlSeconds: number, private readonly now: () => number, private readonly maxEntries = READ_CACHE_MAX_ENTRIES) {}

  /** Whether entries are kept at all. */
  get enabled(): boolean {
    return this.ttlSeconds > 0 && this.maxEntries > 0;
  }

  /** The value of `key` in `repository`: the kept one while fresh, else `read()`'s answer (kept when found and `keep` allows). */
  async get(repository: string, key: string, read: () => Promise<V | null>, keep: (v: V) => boolean = () => true): Promise<V | null> {
    if (!this.enabled) return read();
    const id = `${repository}\u0000${key}`;
    const kept = this.entries.get(id);
    if (kept && kept.until > this.now()) return kept.value;
    const pending = this.reading.get(id);
    if (pending) return pending;
    const writesBefore = this.writes;
    const reading = read().then((value) => {
      if (value !== null && keep(value) && this.writes === writesBefore) this.keep(id, value);
      else this.entries.delete(id);
      return value;
    }).finally(() => {
      if (this.reading.get(id) === reading) this.reading.delete(id);
    });
    this.reading.set(id, reading);
    return reading;
  }

  /** Forgets a repository's entries (after this process wrote there) and keeps no read that overlapped the write. */
  forget(repository: string): void {
    this.writes++;
    const prefix = `${repository}\u0000`;
    for (const id of this.entries.keys()) if (id.startsWith(prefix)) this.entries.delete(id);
    for (const id of this.reading.keys()) if (id.startsWith(prefix)) this.reading.delete(id);
  }

  private keep(id: string, value: V): void {
    this.entries.delete(id);
    // Map order is insertion order: the first key is the one refreshed longest ago.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(id, { value, until: this.now() + this.ttlSeconds * 1000 });
  }
}

/** What pulls by tag resolved (ManifestService.resolve): tags move, so only pulls read through it, never pushes' checks. */
export class TagCache extends ReadCache<TagRecord> {}
