import type { Descriptor } from '../oci/manifest';
import type { BlobIndex, BlobRecord, RecordWrite } from './blob-index';
import type { Catalog } from './catalog';
import type { ManifestRecord, ManifestStore, PutManifestOptions } from './manifest-store';
import type { UploadSession, UploadSessionStore } from './upload-session-store';

/**
 * All registry metadata, as the hosts wire it (one DynamoDB table in production). Services and handlers
 * depend on the parts they use: blobs and links, manifests and tags, upload sessions, the catalog.
 */
export interface MetadataStore extends BlobIndex, ManifestStore, UploadSessionStore, Catalog {}

/** The four parts one backend implements the metadata ports with. */
export interface MetadataParts {
  blobIndex: BlobIndex;
  manifests: ManifestStore;
  uploadSessions: UploadSessionStore;
  catalog: Catalog;
}

/**
 * A MetadataStore made of its parts, each call going to the part that owns it: the one wiring every
 * backend (DynamoDB, the in-memory fakes) shares, so their forwarding cannot drift apart.
 */
export class MetadataStoreOfParts implements MetadataStore {
  constructor(private readonly parts: MetadataParts) {}

  getLinkedBlob(repo: string, digest: string, read?: { consistent?: boolean }) { return this.parts.blobIndex.getLinkedBlob(repo, digest, read); }
  getBlob(digest: string) { return this.parts.blobIndex.getBlob(digest); }
  createBlob(record: BlobRecord, now: number) { return this.parts.blobIndex.createBlob(record, now); }
  replaceBlob(record: BlobRecord, expectedObjectKey: string, now: number) { return this.parts.blobIndex.replaceBlob(record, expectedObjectKey, now); }
  linkBlob(repo: string, record: BlobRecord, now: number) { return this.parts.blobIndex.linkBlob(repo, record, now); }
  touchLink(repo: string, digest: string, now: number, staleBefore: number) { return this.parts.blobIndex.touchLink(repo, digest, now, staleBefore); }
  unlinkBlob(repo: string, digest: string) { return this.parts.blobIndex.unlinkBlob(repo, digest); }
  missingBlobs(repo: string, digests: string[]) { return this.parts.blobIndex.missingBlobs(repo, digests); }
  readUploadTarget(repo: string, digest: string, now: number, sessionId?: string) { return this.parts.blobIndex.readUploadTarget(repo, digest, now, sessionId); }
  commitUpload(repo: string, record: BlobRecord, write: RecordWrite, now: number, sessionId?: string) { return this.parts.blobIndex.commitUpload(repo, record, write, now, sessionId); }

  getManifest(repo: string, digest: string) { return this.parts.manifests.getManifest(repo, digest); }
  getTag(repo: string, tag: string) { return this.parts.manifests.getTag(repo, tag); }
  missingManifests(repo: string, digests: string[]) { return this.parts.manifests.missingManifests(repo, digests); }
  readForPut(repo: string, blobs: string[], manifests: string[]) { return this.parts.manifests.readForPut(repo, blobs, manifests); }
  putManifest(repo: string, m: ManifestRecord, tags: string[], options: PutManifestOptions) { return this.parts.manifests.putManifest(repo, m, tags, options); }
  recordPull(repo: string, digest: string, at: number, notSince: number) { return this.parts.manifests.recordPull(repo, digest, at, notSince); }
  deleteManifest(repo: string, digest: string) { return this.parts.manifests.deleteManifest(repo, digest); }
  deleteTag(repo: string, tag: string) { return this.parts.manifests.deleteTag(repo, tag); }
  listTags(repo: string, n: number, last?: string) { return this.parts.manifests.listTags(repo, n, last); }
  listReferrers(repo: string, subject: string): Promise<Descriptor[]> { return this.parts.manifests.listReferrers(repo, subject); }
  manifestSummaries(repo: string, digests: string[]) { return this.parts.manifests.manifestSummaries(repo, digests); }
  listTagSummaries(repo: string, n: number, last?: string, contains?: string) { return this.parts.manifests.listTagSummaries(repo, n, last, contains); }
  tagsOf(repo: string, digest: string, limit: number) { return this.parts.manifests.tagsOf(repo, digest, limit); }
  countTags(repo: string) { return this.parts.manifests.countTags(repo); }

  createUpload(session: UploadSession) { return this.parts.uploadSessions.createUpload(session); }
  getUpload(id: string) { return this.parts.uploadSessions.getUpload(id); }
  updateUpload(session: UploadSession, expectedOffset: number) { return this.parts.uploadSessions.updateUpload(session, expectedOffset); }
  reserveParts(id: string, count: number, base: number) { return this.parts.uploadSessions.reserveParts(id, count, base); }
  deleteUpload(id: string) { return this.parts.uploadSessions.deleteUpload(id); }
  listExpiredUploads(beforeSeconds: number, limit: number) { return this.parts.uploadSessions.listExpiredUploads(beforeSeconds, limit); }

  repositoryExists(repo: string) { return this.parts.catalog.repositoryExists(repo); }
  addRepository(repo: string) { return this.parts.catalog.addRepository(repo); }
  listRepositories(n: number, last?: string) { return this.parts.catalog.listRepositories(n, last); }
}
