import type { StoredPart } from './blob-store';

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
  /**
   * The lowest S3 part number no write has taken (reserveParts); set by the write that starts the multipart
   * upload, then only raised. Absent on sessions stored before it existed.
   */
  nextPart?: number;
}

/** The session changed under us: another request moved its offset first (or it is gone). */
export class UploadConflictError extends Error {
  constructor(id: string) {
    super(`upload ${id} was modified concurrently`);
    this.name = 'UploadConflictError';
  }
}

/**
 * Upload sessions, shared by every host (DynamoDB in production). A session past its expiresAt is
 * absent on read even while still stored (TTL deletes late, emulators never). Throws only on backend
 * faults and UploadConflictError.
 */
export interface UploadSessionStore {
  /** Stores a new session; repeating the same create (a retried write) is not an error. */
  createUpload(session: UploadSession): Promise<void>;
  /** The live session, or null when unknown or expired. */
  getUpload(id: string): Promise<UploadSession | null>;
  /**
   * Replaces the session if it exists and its offset is still expectedOffset; else throws UploadConflictError.
   * `nextPart` is written only when the stored session has none: a counter is never lowered.
   */
  updateUpload(session: UploadSession, expectedOffset: number): Promise<void>;
  /**
   * Takes `count` part numbers of a live or stored session in one atomic write (nextPart raised by count,
   * starting at `base` when absent) and returns the first; UploadConflictError when the session is gone.
   * Two writers never get the same number.
   */
  reserveParts(id: string, count: number, base: number): Promise<number>;
  /** Deletes a session; deleting an unknown one is not an error. */
  deleteUpload(id: string): Promise<void>;
  /** Sessions that expired before `beforeSeconds` (epoch seconds) and are still stored, at most `limit`. */
  listExpiredUploads(beforeSeconds: number, limit: number): Promise<UploadSession[]>;
}
