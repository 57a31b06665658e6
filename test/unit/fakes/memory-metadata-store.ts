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

  constructor(now: () => number = Date.now) {
    const catalog = new MemoryCatalog();
    const sessions = new MemoryUploadSessions(now);
    super({ blobIndex: new MemoryBlobIndex(catalog), manifests: new MemoryManifestStore(catalog), uploadSessions: sessions, catalog });
    this.catalog = catalog;
    this.sessions = sessions;
  }

  /** The stored upload sessions by id, for tests that look behind the port. */
  get uploads(): Map<string, UploadSession> { return this.sessions.uploads; }
}
