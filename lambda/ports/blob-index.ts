/** A blob the registry holds: its digest, size and the object that has its bytes. */
export interface BlobRecord {
  digest: string;
  size: number;
  objectKey: string;
}

/**
 * Which blobs the registry holds, and which repositories see them (DynamoDB in production). A blob is
 * recorded once per digest and shared; a repository sees it only once linked. Throws only on backend faults.
 */
export interface BlobIndex {
  /** The blob as linked to a repository, or null when the repository has no such blob. */
  getLinkedBlob(repository: string, digest: string): Promise<BlobRecord | null>;
  /** The blob anywhere in the registry, or null. */
  getBlob(digest: string): Promise<BlobRecord | null>;
  /**
   * Records a new blob unless one with that digest exists (a conditional write); returns the record that
   * is now current: the caller's (`created: true`) or the one already there, whose object holds the bytes.
   */
  createBlob(record: BlobRecord): Promise<{ created: boolean; record: BlobRecord }>;
  /** Makes a blob visible in a repository (and the repository visible in the catalog). */
  linkBlob(repository: string, record: BlobRecord): Promise<void>;
  /** Removes a blob from a repository; false when it was not linked. */
  unlinkBlob(repository: string, digest: string): Promise<boolean>;
  /** Which of these digests the repository does not hold as blobs, in the order given. */
  missingBlobs(repository: string, digests: string[]): Promise<string[]>;
}
