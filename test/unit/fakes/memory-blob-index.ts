import type { BlobIndex, BlobRecord } from '../../../lambda/ports/blob-index';
import type { MemoryCatalog } from './memory-catalog';

/** BlobIndex in memory: blob records by digest, links by repository and digest. */
export class MemoryBlobIndex implements BlobIndex {
  readonly blobs = new Map<string, BlobRecord>();
  readonly links = new Map<string, BlobRecord>();
  constructor(private readonly catalog: MemoryCatalog) {}

  async getLinkedBlob(repo: string, digest: string) { return copy(this.links.get(`${repo}@${digest}`)); }
  async getBlob(digest: string) { return copy(this.blobs.get(digest)); }
  async createBlob(record: BlobRecord) {
    const existing = this.blobs.get(record.digest);
    if (existing) return { created: false, record: { ...existing } };
    this.blobs.set(record.digest, { ...record });
    return { created: true, record };
  }
  async linkBlob(repo: string, record: BlobRecord) {
    this.links.set(`${repo}@${record.digest}`, { ...record });
    this.catalog.add(repo);
  }
  async unlinkBlob(repo: string, digest: string) { return this.links.delete(`${repo}@${digest}`); }
  async missingBlobs(repo: string, digests: string[]) { return digests.filter((d) => !this.links.has(`${repo}@${d}`)); }
}

/** A copy, so that callers cannot change what is stored (as with a real backend). */
function copy(record: BlobRecord | undefined): BlobRecord | null {
  return record ? { ...record } : null;
}
