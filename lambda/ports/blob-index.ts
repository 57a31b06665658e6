import type { GcState } from './gc-store';
import type { UploadSession } from './upload-session-store';

/** A blob the registry holds: its digest, size and the object that has its bytes. */
export interface BlobRecord {
  digest: string;
  size: number;
  objectKey: string;
  /** When a write last created or renewed a reference to it (ms since the epoch; absent on old items: 0). */
  touchedAt?: number;
  /** The collector's mark, when the item is condemned or being deleted (see ports/gc-store.ts). */
  gcState?: GcState;
}

/**
 * The blob record is gone or being deleted by the garbage collector (`deleting`): it can no longer be
 * linked. Thrown by linkBlob; an upload then records its own object, a mount answers "upload it".
 */
export class BlobRecordGoneError extends Error {
  constructor(readonly digest: string) {
    super(`blob record ${digest} is gone or being deleted`);
    this.name = 'BlobRecordGoneError';
  }
}

/**
 * What touchLink did: removed a condemned mark ('rescued'), renewed a stale touchedAt ('touched'),
 * nothing because the link is live and recent ('fresh'), or nothing because there is no link ('gone').
 */
export type TouchOutcome = 'rescued' | 'touched' | 'fresh' | 'gone';

/** What completing an upload reads before writing, in one request (readUploadTarget). */
export interface UploadTarget {
  /** The live session (null when unknown or expired; always null when no session was asked for). */
  session: UploadSession | null;
  /** The blob's record when one exists, as stored (touchedAt, gcState). */
  record: BlobRecord | null;
  /** Whether the repository has its catalog entry. */
  listed: boolean;
}

/**
 * What an upload's commit does to the blob record, decided from what was read: create it (none exists),
 * renew the one that names `objectKey` (touched now, a condemned mark removed; not when `deleting`), or
 * replace the one that names `objectKey` (or none) with the upload's own.
 */
export type RecordWrite = { kind: 'create' } | { kind: 'renew'; objectKey: string } | { kind: 'replace'; objectKey: string };

/**
 * Which blobs the registry holds, and which repositories see them (DynamoDB in production). A blob is
 * recorded once per digest and shared; a repository sees it only once linked. Times are ms since the
 * epoch, passed in by the caller (adapters keep no clock). Throws only on backend faults and the errors named.
 */
export interface BlobIndex {
  /**
   * The blob as linked to a repository (the link's touchedAt and gcState), or null when the repository has
   * no such blob. May be a moment stale (a link just deleted or re-pointed, marks just changed), never
   * missing a link written before the call; `consistent` for a caller that copies the link (a mount).
   */
  getLinkedBlob(repository: string, digest: string, read?: { consistent?: boolean }): Promise<BlobRecord | null>;
  /** The blob anywhere in the registry (the record's touchedAt and gcState), or null. */
  getBlob(digest: string): Promise<BlobRecord | null>;
  /**
   * Records a new blob (touchedAt = now) unless one with that digest exists (a conditional write); returns
   * the record that is now current: the caller's (`created: true`) or the one already there, as stored.
   */
  createBlob(record: BlobRecord, now: number): Promise<{ created: boolean; record: BlobRecord }>;
  /**
   * Replaces the record with a fresh one (touchedAt = now, no collector mark) only if the stored record
   * still names `expectedObjectKey` (or is absent); false when another write replaced it first.
   */
  replaceBlob(record: BlobRecord, expectedObjectKey: string, now: number): Promise<boolean>;
  /**
   * Makes a blob visible in a repository (and the repository visible in the catalog), in one transaction
   * that also renews the blob record (touchedAt = now, a condemned mark removed) and writes the back-link.
   * BlobRecordGoneError when the record is absent or `deleting`: nothing is written then.
   */
  linkBlob(repository: string, record: BlobRecord, now: number): Promise<void>;
  /**
   * Rescues or renews a link in one conditional write: removes a condemned mark, or sets touchedAt = now
   * when it is older than `staleBefore`. A link being deleted by the collector is already gone ('gone').
   */
  touchLink(repository: string, digest: string, now: number, staleBefore: number): Promise<TouchOutcome>;
  /** Removes a blob from a repository (the link and its back-link); false when it was not linked. */
  unlinkBlob(repository: string, digest: string): Promise<boolean>;
  /**
   * One consistent read for an upload's completion: its session (when `sessionId` is given; expired ones
   * are null as of `now`, ms), the blob's record and whether the repository is in the catalog.
   */
  readUploadTarget(repository: string, digest: string, now: number, sessionId?: string): Promise<UploadTarget>;
  /**
   * One transaction completing an upload: the record written as `write` says, the repository's link to
   * `record` and its back-link, and the session deleted (when given). False, with nothing written, when
   * the record is no longer as read (another upload, the collector): the caller reads it again.
   */
  commitUpload(repository: string, record: BlobRecord, write: RecordWrite, now: number, sessionId?: string): Promise<boolean>;
  /** Which of these digests the repository does not hold as blobs, in the order given. */
  missingBlobs(repository: string, digests: string[]): Promise<string[]>;
}
