import type { Descriptor } from '../../../lambda/oci/manifest';
import {
  BlobRecord, ManifestRecord, MetadataStore, Page, TagRecord, UploadConflictError, UploadSession,
} from '../../../lambda/ports/metadata-store';

/** MetadataStore in memory, for unit tests of the core (the integration suite uses DynamoDB Local). */
export class MemoryMetadataStore implements MetadataStore {
  readonly blobs = new Map<string, BlobRecord>();
  readonly links = new Map<string, BlobRecord>();
  readonly manifests = new Map<string, ManifestRecord>();
  readonly tags = new Map<string, Map<string, string>>();
  readonly uploads = new Map<string, UploadSession>();
  constructor(private readonly now: () => number = Date.now) {}

  async getLinkedBlob(repo: string, digest: string) { return this.links.get(`${repo}@${digest}`) ?? null; }
  async getBlob(digest: string) { return this.blobs.get(digest) ?? null; }
  async createBlob(record: BlobRecord) {
    const existing = this.blobs.get(record.digest);
    if (existing) return { created: false, record: existing };
    this.blobs.set(record.digest, record);
    return { created: true, record };
  }
  async linkBlob(repo: string, record: BlobRecord) { this.links.set(`${repo}@${record.digest}`, record); this.repoTags(repo); }
  async unlinkBlob(repo: string, digest: string) { return this.links.delete(`${repo}@${digest}`); }
  async missingBlobs(repo: string, digests: string[]) { return digests.filter((d) => !this.links.has(`${repo}@${d}`)); }
  async missingManifests(repo: string, digests: string[]) { return digests.filter((d) => !this.manifests.has(`${repo}@${d}`)); }
  async getManifest(repo: string, digest: string) { return this.manifests.get(`${repo}@${digest}`) ?? null; }
  async getTag(repo: string, tag: string): Promise<TagRecord | null> {
    const digest = this.tags.get(repo)?.get(tag);
    return digest ? { tag, digest } : null;
  }
  async putManifest(repo: string, m: ManifestRecord, tags: string[]) {
    this.manifests.set(`${repo}@${m.digest}`, m);
    for (const t of tags) this.repoTags(repo).set(t, m.digest);
    this.repoTags(repo);
  }
  async deleteManifest(repo: string, digest: string) {
    if (!this.manifests.delete(`${repo}@${digest}`)) return false;
    for (const [t, d] of this.repoTags(repo)) if (d === digest) this.repoTags(repo).delete(t);
    return true;
  }
  async deleteTag(repo: string, tag: string) { return this.repoTags(repo).delete(tag); }
  async listTags(repo: string, n: number, last?: string): Promise<Page> {
    return page([...(this.tags.get(repo)?.keys() ?? [])], n, last);
  }
  async repositoryExists(repo: string) { return this.tags.has(repo); }
  async listRepositories(n: number, last?: string) { return page([...this.tags.keys()], n, last); }
  async listReferrers(repo: string, subject: string): Promise<Descriptor[]> {
    return [...this.manifests.entries()]
      .filter(([k, m]) => k.startsWith(`${repo}@`) && m.subject === subject)
      .map(([, m]) => ({ mediaType: m.mediaType, digest: m.digest, size: m.size, artifactType: m.artifactType, annotations: m.annotations }));
  }
  async createUpload(s: UploadSession) { this.uploads.set(s.id, structuredClone(s)); }
  async getUpload(id: string) {
    const s = this.uploads.get(id);
    return s && s.expiresAt * 1000 >= this.now() ? structuredClone(s) : null;
  }
  async updateUpload(s: UploadSession, expectedOffset: number) {
    const current = this.uploads.get(s.id);
    if (!current || current.offset !== expectedOffset) throw new UploadConflictError(s.id);
    this.uploads.set(s.id, structuredClone(s));
  }
  async deleteUpload(id: string) { this.uploads.delete(id); }
  async listExpiredUploads(beforeSeconds: number, limit: number) {
    return [...this.uploads.values()].filter((s) => s.expiresAt < beforeSeconds).slice(0, limit).map((s) => structuredClone(s));
  }

  private repoTags(repo: string): Map<string, string> {
    if (!this.tags.has(repo)) this.tags.set(repo, new Map());
    return this.tags.get(repo)!;
  }
}

function page(all: string[], n: number, last?: string): Page {
  const sorted = all.sort().filter((x) => last === undefined || x > last);
  return { items: sorted.slice(0, n), more: sorted.length > n };
}
