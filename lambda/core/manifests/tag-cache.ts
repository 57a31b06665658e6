import type { MetadataStore } from '../../ports/metadata-store';
import type { TagRecord } from '../../ports/manifest-store';

/** Tags one process keeps at most: a record holds the tag's inline manifest copy (up to 4 KB), so about 5 MB. */
export const TAG_CACHE_MAX_ENTRIES = 1000;

/**
 * What a pull by tag resolved, kept for a few seconds per process (STRATUS_TAG_CACHE_SECONDS; 0 = off), so
 * that 10,000 pulls/s of one tag reach its DynamoDB item once per process and period, not 10,000 times.
 * Only found tags are kept (a tag pushed through another process is seen at once; one moved or deleted
 * there is seen within the period). This process's own writes of a repository's tags forget that
 * repository's entries (forgettingTagsOnWrite), and a read that overlapped any write is not kept, so
 * whoever moves a tag here (a push, the mirror's refresh) pulls the new digest at once. Concurrent misses
 * of one tag share one read. Entries are per repository and tag, and read only after the caller was
 * authorized for the repository.
 */
export class TagCache {
  private readonly entries = new Map<string, { record: TagRecord; until: number }>();
  private readonly reading = new Map<string, Promise<TagRecord | null>>();
  /** Bumped by every write: a read that started before it may hold what the write replaced. */
  private writes = 0;

  constructor(private readonly ttlSeconds: number, private readonly now: () => number, private readonly maxEntries = TAG_CACHE_MAX_ENTRIES) {}

  /** Whether entries are kept at all. */
  get enabled(): boolean {
    return this.ttlSeconds > 0 && this.maxEntries > 0;
  }

  /** The tag's record: the kept one while fresh, else `read()`'s answer (kept when found). */
  async get(repository: string, tag: string, read: () => Promise<TagRecord | null>): Promise<TagRecord | null> {
    if (!this.enabled) return read();
    const key = `${repository}\u0000${tag}`;
    const kept = this.entries.get(key);
    if (kept && kept.until > this.now()) return kept.record;
    const pending = this.reading.get(key);
    if (pending) return pending;
    const writesBefore = this.writes;
    const reading = read().then((record) => {
      if (record && this.writes === writesBefore) this.keep(key, record);
      else this.entries.delete(key);
      return record;
    }).finally(() => {
      if (this.reading.get(key) === reading) this.reading.delete(key);
    });
    this.reading.set(key, reading);
    return reading;
  }

  /** Forgets a repository's tags (after this process wrote some) and keeps no read that overlapped the write. */
  forget(repository: string): void {
    this.writes++;
    const prefix = `${repository}\u0000`;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
    for (const key of this.reading.keys()) if (key.startsWith(prefix)) this.reading.delete(key);
  }

  private keep(key: string, record: TagRecord): void {
    this.entries.delete(key);
    // Map order is insertion order: the first key is the one refreshed longest ago.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { record, until: this.now() + this.ttlSeconds * 1000 });
  }
}

/** The MetadataStore writes that can move, add or remove a repository's tags. */
const TAG_WRITES = new Set<keyof MetadataStore>(['putManifest', 'deleteTag', 'deleteManifest']);

/**
 * `meta` with every write of tags followed by `cache.forget(repository)` (also when it fails: it may have
 * written part), so that everything in this process that writes through it (pushes, deletes, the mirror,
 * retention) invalidates the cache. Other calls go to `meta` unchanged.
 */
export function forgettingTagsOnWrite(meta: MetadataStore, cache: TagCache): MetadataStore {
  return new Proxy(meta, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (!TAG_WRITES.has(property as keyof MetadataStore)) return value.bind(target);
      return async (repository: string, ...rest: unknown[]) => {
        try {
          return await value.call(target, repository, ...rest);
        } finally {
          cache.forget(repository);
        }
      };
    },
  });
}
