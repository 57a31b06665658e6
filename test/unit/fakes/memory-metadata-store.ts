import { MetadataStoreOfParts } from '../../../lambda/ports/metadata-store';
import type { UploadSession } from '../../../lambda/ports/upload-session-store';
import { MemoryBlobIndex } from './memory-blob-index';
import { MemoryCatalog } from './memory-catalog';
import { MemoryManifestStore } from './memory-manifest-store';
import { MemoryUploadSessions } from './memory-upload-sessions';

/** Every metadata port in memory, wired as the hosts wire DynamoDB's (unit tests; integration uses DynamoDB Local). */
export class MemoryMetadataStore extends MetadataStoreOfParts {
  readonly catalog: MemoryCatalog;
  readonly sessions: MemoryUploadSessions;
  /** The parts, for tests (and the in-memory collector) that look behind the ports. */
  readonly blobIndex: MemoryBlobIndex;
  readonly manifestStore: MemoryManifestStore;

  constructor(now: () => number = Date.now) {
    const catalog = new MemoryCatalog();
    const sessions = new MemoryUploadSessions(now);
    const blobIndex = new MemoryBlobIndex(catalog, sessions);
    const manifests = new MemoryManifestStore(catalog, blobIndex.links);
    super({ blobIndex, manifests, uploadSessions: sessions, catalog });
    this.blobIndex = blobIndex;
    this.manifestStore = manifests;
    this.catalog = catalog;
    this.sessions = sessions;
  }

  /** The stored upload sessions by id, for tests that look behind the port. */
  get uploads(): Map<string, UploadSession> { return this.sessions.uploads; }
}
