import type { Descriptor } from '../oci/manifest';
import type { StoredPart } from './blob-store';

/** A blob the registry holds: its digest, size and the object that has its bytes. */
export interface BlobRecord {
  digest: string;
  size: number;
  objectKey: string;
}

/** A manifest as stored: small bodies inline, large ones in the blob store under bodyKey. */
export interface ManifestRecord {
  digest: string;
  mediaType: string;
  size: number;
  body?: Uint8Array;
  bodyKey?: string;
  /** Digest of the manifest this one refers to (OCI subject), for the referrers API. */
  subject?: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** A tag and the manifest it points at (with the manifest inline when small, to answer in one read). */
export interface TagRecord {
  tag: string;
  digest: string;
  manifest?: ManifestRecord;
}

/** A page of sorted names and whether more follow. */
export interface Page {
  items: string[];
  more: boolean;
}

/** An upload in progress. Parts and tail hold the bytes received so far (offset in total). */
export interface UploadSession {
  id: string;
  repository: string;
  /** Bytes received so far. */
  offset: number;
  /** Where the finished blob's bytes will live; the multipart upload targets this key. */
  objectKey: string;
  multipartId?: string;
  parts: StoredPart[];
  /** Bytes after the last part, too few for a part (< 5 MiB), kept as a small object. */
  tail?: { key: string; size: number };
  /** Resumable sha256 state (hash-wasm save()) valid at offset, base64; absent when not resumable. */
  hashState?: string;
  createdAt: number;
  /** The subject (token `sub`) that opened the session: requests with other credentials may not touch it. */
  owner?: string;
  /**
   * With auth on, what a request without credentials must present to touch the session (the Location's
   * `_state`): random, never logged. The id alone, which every request log line carries, is no capability.
   */
  secret?: string;
  /** Epoch seconds after which the session is dead (DynamoDB TTL attribute). */
  expiresAt: number;
}

/** The session changed under us: another request moved its offset first. */
export class UploadConflictError extends Error {
  constructor(id: string) {
    super(`upload ${id} was modified concurrently`);
    this.name = 'UploadConflictError';
  }
}

/**
 * Registry metadata (DynamoDB in production): blobs and their links to repositories, manifests, tags,
 * referrers, the repository catalog and upload sessions. Methods throw only on backend faults or conflicts.
 */
export interface MetadataStore {
  /** The blob as linked to a repository, or null when the repository has no such blob. */
  getLinkedBlob(repository: string, digest: string): Promise<BlobRecord | null>;
  /** The blob anywhere in the registry, or null. */
  getBlob(digest: string): Promise<BlobRecord | null>;
  /** Records a new blob unless one with that digest exists; returns the record that is now current. */
  createBlob(record: BlobRecord): Promise<{ created: boolean; record: BlobRecord }>;
  /** Makes a blob visible in a repository (and the repository visible in the catalog). */
  linkBlob(repository: string, record: BlobRecord): Promise<void>;
  /** Removes a blob from a repository; false when it was not linked. */
  unlinkBlob(repository: string, digest: string): Promise<boolean>;
  /** Which of these digests the repository does not hold as blobs. */
  missingBlobs(repository: string, digests: string[]): Promise<string[]>;
  /** Which of these digests the repository does not hold as manifests. */
  missingManifests(repository: string, digests: string[]): Promise<string[]>;

  getManifest(repository: string, digest: string): Promise<ManifestRecord | null>;
  getTag(repository: string, tag: string): Promise<TagRecord | null>;
  /** Stores a manifest, points the tags at it and indexes it as a referrer, all or nothing. */
  putManifest(repository: string, manifest: ManifestRecord, tags: string[]): Promise<void>;
  /** Deletes a manifest, the tags pointing at it and its referrer entry; false when absent. */
  deleteManifest(repository: string, digest: string): Promise<boolean>;
  /** Deletes one tag; false when absent. */
  deleteTag(repository: string, tag: string): Promise<boolean>;
  /** Tags of a repository in lexical order, after `last`, at most n. */
  listTags(repository: string, n: number, last?: string): Promise<Page>;
  /** Whether the repository holds anything. */
  repositoryExists(repository: string): Promise<boolean>;
  /** Repository names in lexical order, after `last`, at most n. */
  listRepositories(n: number, last?: string): Promise<Page>;
  /** Descriptors of the manifests whose subject is this digest. */
  listReferrers(repository: string, subject: string): Promise<Descriptor[]>;

  createUpload(session: UploadSession): Promise<void>;
  /** The live session, or null when unknown or expired. */
  getUpload(id: string): Promise<UploadSession | null>;
  /** Replaces the session if its offset is still expectedOffset; else throws UploadConflictError. */
  updateUpload(session: UploadSession, expectedOffset: number): Promise<void>;
  deleteUpload(id: string): Promise<void>;
  /** Sessions that expired before `beforeSeconds` (epoch seconds) and are still stored, at most `limit`. */
  listExpiredUploads(beforeSeconds: number, limit: number): Promise<UploadSession[]>;
}
