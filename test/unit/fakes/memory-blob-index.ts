import { BlobIndex, BlobRecord, BlobRecordGoneError, RecordWrite, TouchOutcome, UploadTarget } from '../../../lambda/ports/blob-index';
import type { MemoryCatalog } from './memory-catalog';
import type { MemoryUploadSessions } from './memory-upload-sessions';

/** A record or link as stored: the port's record and the run that marked it, if any. */
export type StoredBlob = BlobRecord & { gcRun?: string };

/**
 * BlobIndex in memory: blob records by digest, links by `repo@digest`, with the adapter's conditions
 * (a link renews its record and fails on a `deleting` one; a touch rescues a condemned link).
 */
export class MemoryBlobIndex implements BlobIndex {
  readonly blobs = new Map<string, StoredBlob>();
  /** By `repo@digest`; the back-links of the adapter are these keys read by digest. */
  readonly links = new Map<string, StoredBlob>();
  /** `sessions`: the upload sessions an upload's commit deletes (the adapter's one table). */
  constructor(private readonly catalog: MemoryCatalog, private readonly sessions?: MemoryUploadSessions) {}

  async getLinkedBlob(repo: string, digest: string) { return copy(this.links.get(`${repo}@${digest}`)); }
  async getBlob(digest: string) { return copy(this.blobs.get(digest)); }

  async createBlob(record: BlobRecord, now: number) {
    const existing = this.blobs.get(record.digest);
    if (existing) return { created: false, record: copy(existing)! };
    const fresh = freshRecord(record, now);
    this.blobs.set(record.digest, fresh);
    return { created: true, record: copy(fresh)! };
  }

  async replaceBlob(record: BlobRecord, expectedObjectKey: string, now: number) {
    const existing = this.blobs.get(record.digest);
    if (existing && existing.objectKey !== expectedObjectKey) return false;
    this.blobs.set(record.digest, freshRecord(record, now));
    return true;
  }

  async linkBlob(repo: string, record: BlobRecord, now: number) {
    const stored = this.blobs.get(record.digest);
    if (!stored || stored.gcState === 'deleting') throw new BlobRecordGoneError(record.digest);
    Object.assign(stored, { touchedAt: now, gcState: undefined, gcRun: undefined });
    this.links.set(`${repo}@${record.digest}`, freshRecord(record, now));
    this.catalog.add(repo);
  }

  async readUploadTarget(repo: string, digest: string, now: number, sessionId?: string): Promise<UploadTarget> {
    const session = sessionId ? this.sessions?.uploads.get(sessionId) : undefined;
    return {
      session: session && session.expiresAt * 1000 >= now ? structuredClone(session) : null,
      record: copy(this.blobs.get(digest)),
      listed: this.catalog.repositories.has(repo),
    };
  }

  // As the adapter's transaction: only the record's write has a condition; then link, back-link, session gone.
  async commitUpload(repo: string, record: BlobRecord, write: RecordWrite, now: number, sessionId?: string) {
    const stored = this.blobs.get(record.digest);
    if (write.kind === 'create' && stored) return false;
    if (write.kind === 'replace' && stored && stored.objectKey !== write.objectKey) return false;
    if (write.kind === 'renew' && (!stored || stored.objectKey !== write.objectKey || stored.gcState === 'deleting')) return false;
    if (write.kind === 'renew') Object.assign(stored!, { touchedAt: now, gcState: undefined, gcRun: undefined });
    else this.blobs.set(record.digest, freshRecord(record, now));
    this.links.set(`${repo}@${record.digest}`, freshRecord(record, now));
    if (sessionId) this.sessions?.uploads.delete(sessionId);
    return true;
  }

  async touchLink(repo: string, digest: string, now: number, staleBefore: number): Promise<TouchOutcome> {
    const link = this.links.get(`${repo}@${digest}`);
    if (!link) return 'gone';
    if (link.gcState !== undefined) {
      Object.assign(link, { touchedAt: now, gcState: undefined, gcRun: undefined });
      return 'rescued';
    }
    if ((link.touchedAt ?? 0) >= staleBefore) return 'fresh';
    link.touchedAt = now;
    return 'touched';
  }

  async unlinkBlob(repo: string, digest: string) { return this.links.delete(`${repo}@${digest}`); }
  async missingBlobs(repo: string, digests: string[]) { return digests.filter((d) => !this.links.has(`${repo}@${d}`)); }
}

/** The record as a write stores it: touched now, no collector mark. */
function freshRecord(record: BlobRecord, now: number): StoredBlob {
  return { digest: record.digest, size: record.size, objectKey: record.objectKey, touchedAt: now };
}

/** A copy without the run id, so that callers cannot change what is stored (as with a real backend). */
function copy(record: StoredBlob | undefined): BlobRecord | null {
  if (!record) return null;
  const { gcRun: _run, ...rest } = record;
  for (const k of Object.keys(rest) as Array<keyof BlobRecord>) if (rest[k] === undefined) delete rest[k];
  return rest;
}
