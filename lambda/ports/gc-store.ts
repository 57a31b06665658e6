/**
 * What the garbage collector reads and the conditional writes it makes (DynamoDB in production). The design
 * is in the README's "Storage lifecycle": condemn (conditional on age), verify with consistent reads, delete
 * only what this run condemned. Every write that creates a reference rescues its target in the same
 * transaction (see BlobIndex.linkBlob, ManifestStore.putManifest), which is what makes the deletes safe.
 * Times are milliseconds since the epoch. Methods throw only on backend faults.
 */

/** A collector's mark on an item: absent on live items. */
export type GcState = 'condemned' | 'deleting';

/** Bookkeeping every collectable item carries. */
export interface GcMarks {
  /** Last time a write created or renewed a reference to the item (absent on items older than GC: treat as 0). */
  touchedAt?: number;
  gcState?: GcState;
  /** The run that set gcState. */
  gcRun?: string;
}

/** A manifest as the collector sees it. */
export interface ManifestFacts extends GcMarks {
  digest: string;
  mediaType: string;
  size: number;
  /** Digest of its subject (a referrer), if any. */
  subject?: string;
  /** Blobs it names (config and layers); undefined on items written before this was stored: parse the body. */
  blobs?: string[];
  /** Manifests it names (an index's children); undefined as for blobs. */
  children?: string[];
  /** Inline body (small manifests), for items without blobs/children. */
  body?: Uint8Array;
  /** Its body's object in the blob store (large manifests). */
  bodyKey?: string;
  pushedAt?: number;
  lastPulledAt?: number;
}

/** A repository's link to a blob. */
export interface LinkFacts extends GcMarks {
  digest: string;
  size: number;
}

/** A blob record (one per digest, shared by every repository that links it). */
export interface BlobFacts extends GcMarks {
  digest: string;
  size: number;
  objectKey: string;
}

/** One repository's items, read with strongly consistent reads. */
export interface RepositorySnapshot {
  repository: string;
  tags: Array<{ tag: string; digest: string }>;
  manifests: ManifestFacts[];
  links: LinkFacts[];
}

/** Everything a run decides on, from one pass over the table. */
export interface RegistrySnapshot {
  repositories: RepositorySnapshot[];
  blobs: BlobFacts[];
  /** Object keys that upload sessions still stored own (their `blobs/<id>` and `uploads/<id>/` objects are not orphans). */
  uploadIds: string[];
}

/** One run as recorded for `npx stratus gc history`. */
export interface GcRunRecord {
  runId: string;
  startedAt: number;
  finishedAt?: number;
  dryRun: boolean;
  graceMs: number;
  /** 'running' until it ends; 'incomplete' when it stopped at its deadline (the next run goes on). */
  status: 'running' | 'completed' | 'incomplete' | 'failed';
  /** Where it runs: 'cli', 'lambda', a host name. */
  host: string;
  manifestsDeleted: number;
  linksDeleted: number;
  blobsDeleted: number;
  objectsDeleted: number;
  bytesFreed: number;
  error?: string;
}

export interface GcStore {
  /** One pass over every repository's items, blob records and upload sessions. */
  snapshot(): Promise<RegistrySnapshot>;
  /** One repository read again, strongly consistent (the verify step). */
  readRepository(repository: string): Promise<RepositorySnapshot>;
  /** The blob record, strongly consistent, or null. */
  readBlob(digest: string): Promise<BlobFacts | null>;
  /** Whether any repository links the blob now (its back-links, strongly consistent). */
  blobLinked(digest: string): Promise<boolean>;
  /** Whether an upload session is stored (expired or not). */
  uploadStored(id: string): Promise<boolean>;

  /** Marks the item condemned by `run` if it exists and touchedAt (0 when absent) < `touchedBefore`; false otherwise. */
  condemnManifest(repository: string, digest: string, run: string, touchedBefore: number): Promise<boolean>;
  condemnLink(repository: string, digest: string, run: string, touchedBefore: number): Promise<boolean>;
  condemnBlob(digest: string, run: string, touchedBefore: number): Promise<boolean>;
  /** Removes the condemned mark of `run` (verify found the item live); false when the mark is not there. */
  releaseManifest(repository: string, digest: string, run: string): Promise<boolean>;
  releaseLink(repository: string, digest: string, run: string): Promise<boolean>;
  releaseBlob(digest: string, run: string): Promise<boolean>;

  /**
   * Deletes the manifest item (and its referrer entry) if `run` still holds it condemned and every manifest
   * of `absent` (the indexes listing it and its subject, as the verify read found them) is gone; returns what
   * was deleted (its bodyKey tells the caller which object to delete), or null when a condition failed. A
   * client renewing an index or a subject renews only that item, not what it reaches: the item must stay then.
   */
  deleteCondemnedManifest(repository: string, digest: string, run: string, absent?: string[]): Promise<ManifestFacts | null>;
  /**
   * Deletes the link and its back-link if `run` still holds the link condemned and every manifest of `absent`
   * (the repository's manifests naming the blob, as the verify read found them) is gone.
   */
  deleteCondemnedLink(repository: string, digest: string, run: string, absent?: string[]): Promise<boolean>;
  /** condemned -> deleting for `run` (after this nothing rescues the record); false when the condition failed. */
  markBlobDeleting(digest: string, run: string): Promise<boolean>;
  /**
   * Deletes the record if it is still `deleting` (by any run: a run that died there is finished by the next);
   * false when it was replaced meanwhile (an upload that found it dying wrote a fresh record).
   */
  deleteDeletingBlob(digest: string, objectKey: string): Promise<boolean>;

  putRun(record: GcRunRecord): Promise<void>;
  /** Most recent first. */
  listRuns(limit: number): Promise<GcRunRecord[]>;
}
