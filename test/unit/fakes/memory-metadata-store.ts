import type { Descriptor } from '../../../lambda/oci/manifest';
import type { BlobRecord } from '../../../lambda/ports/blob-index';
import type { ManifestRecord } from '../../../lambda/ports/manifest-store';
import type { MetadataStore } from '../../../lambda/ports/metadata-store';
import type { UploadSession } from '../../../lambda/ports/upload-session-store';
import { MemoryBlobIndex } from './memory-blob-index';
import { MemoryCatalog } from './memory-catalog';
import { MemoryManifestStore } from './memory-manifest-store';
import { MemoryUploadSessions } from './memory-upload-sessions';

/** Every metadata port in memory, wired as the hosts wire DynamoDB's (unit tests; integration uses DynamoDB Local). */
export class MemoryMetadataStore implements MetadataStore {
  readonly catalog = new MemoryCatalog();
  readonly blobIndex = new MemoryBlobIndex(this.catalog);
  readonly manifests = new MemoryManifestStore(this.catalog);
  readonly sessions: MemoryUploadSessions;
  constructor(now: () => number = Date.now) {
    this.sessions = new MemoryUploadSessions(now);
  }

  /** The stored upload sessions by id, for tests that look behind the port. */
  get uploads(): Map<string, UploadSession> { return this.sessions.uploads; }

  getLinkedBlob(repo: string, digest: string) { return this.blobIndex.getLinkedBlob(repo, digest); }
  getBlob(digest: string) { return this.blobIndex.getBlob(digest); }
  createBlob(record: BlobRecord) { return this.blobIndex.createBlob(record); }
  linkBlob(repo: string, record: BlobRecord) { return this.blobIndex.linkBlob(repo, record); }
  unlinkBlob(repo: string, digest: string) { return this.blobIndex.unlinkBlob(repo, digest); }
  missingBlobs(repo: string, digests: string[]) { return this.blobIndex.missingBlobs(repo, digests); }

  getManifest(repo: string, digest: string) { return this.manifests.getManifest(repo, digest); }
  getTag(repo: string, tag: string) { return this.manifests.getTag(repo, tag); }
  missingManifests(repo: string, digests: string[]) { return this.manifests.missingManifests(repo, digests); }
  putManifest(repo: string, m: ManifestRecord, tags: string[]) { return this.manifests.putManifest(repo, m, tags); }
  deleteManifest(repo: string, digest: string) { return this.manifests.deleteManifest(repo, digest); }
  deleteTag(repo: string, tag: string) { return this.manifests.deleteTag(repo, tag); }
  listTags(repo: string, n: number, last?: string) { return this.manifests.listTags(repo, n, last); }
  listReferrers(repo: string, subject: string): Promise<Descriptor[]> { return this.manifests.listReferrers(repo, subject); }

  createUpload(session: UploadSession) { return this.sessions.createUpload(session); }
  getUpload(id: string) { return this.sessions.getUpload(id); }
  updateUpload(session: UploadSession, expectedOffset: number) { return this.sessions.updateUpload(session, expectedOffset); }
  deleteUpload(id: string) { return this.sessions.deleteUpload(id); }
  listExpiredUploads(beforeSeconds: number, limit: number) { return this.sessions.listExpiredUploads(beforeSeconds, limit); }

  repositoryExists(repo: string) { return this.catalog.repositoryExists(repo); }
  listRepositories(n: number, last?: string) { return this.catalog.listRepositories(n, last); }
}
