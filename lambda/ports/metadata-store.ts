import type { BlobIndex } from './blob-index';
import type { Catalog } from './catalog';
import type { ManifestStore } from './manifest-store';
import type { UploadSessionStore } from './upload-session-store';

/**
 * All registry metadata, as the hosts wire it (one DynamoDB table in production). Services and handlers
 * depend on the parts they use: blobs and links, manifests and tags, upload sessions, the catalog.
 */
export interface MetadataStore extends BlobIndex, ManifestStore, UploadSessionStore, Catalog {}
