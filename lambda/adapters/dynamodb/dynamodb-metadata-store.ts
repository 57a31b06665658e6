import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Descriptor } from '../../oci/manifest';
import type { BlobRecord } from '../../ports/blob-index';
import type { ManifestRecord } from '../../ports/manifest-store';
import type { MetadataStore } from '../../ports/metadata-store';
import type { UploadSession } from '../../ports/upload-session-store';
import { DynamoDbBlobIndex } from './dynamodb-blob-index';
import { DynamoDbCatalog } from './dynamodb-catalog';
import { DynamoDbManifestStore } from './dynamodb-manifest-store';
import { DynamoDbUploadSessions } from './dynamodb-upload-sessions';

/** Every metadata port on one DynamoDB table (layout in keys.ts), as the hosts wire it: each call goes to its part. */
export class DynamoDbMetadataStore implements MetadataStore {
  readonly blobIndex: DynamoDbBlobIndex;
  readonly manifests: DynamoDbManifestStore;
  readonly uploads: DynamoDbUploadSessions;
  readonly catalog: DynamoDbCatalog;

  constructor(doc: DynamoDBDocumentClient, table: string, now: () => number = Date.now) {
    this.blobIndex = new DynamoDbBlobIndex(doc, table);
    this.manifests = new DynamoDbManifestStore(doc, table);
    this.uploads = new DynamoDbUploadSessions(doc, table, now);
    this.catalog = new DynamoDbCatalog(doc, table);
  }

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

  createUpload(session: UploadSession) { return this.uploads.createUpload(session); }
  getUpload(id: string) { return this.uploads.getUpload(id); }
  updateUpload(session: UploadSession, expectedOffset: number) { return this.uploads.updateUpload(session, expectedOffset); }
  deleteUpload(id: string) { return this.uploads.deleteUpload(id); }
  listExpiredUploads(beforeSeconds: number, limit: number) { return this.uploads.listExpiredUploads(beforeSeconds, limit); }

  repositoryExists(repo: string) { return this.catalog.repositoryExists(repo); }
  listRepositories(n: number, last?: string) { return this.catalog.listRepositories(n, last); }
}
