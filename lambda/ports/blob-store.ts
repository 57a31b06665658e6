/** A byte range, both ends inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/** A part of a multipart object as the store acknowledged it. */
export interface StoredPart {
  partNumber: number;
  etag: string;
  size: number;
}

/**
 * The multipart upload is unknown to the store: completed (perhaps by an attempt whose answer was lost)
 * or aborted. Thrown by uploadPart and completeMultipart.
 */
export class MultipartUploadGoneError extends Error {
  constructor(key: string) {
    super(`multipart upload of ${key} is unknown: completed or aborted`);
    this.name = 'MultipartUploadGoneError';
  }
}

/** An object as a listing or a HEAD describes it. */
export interface ObjectInfo {
  key: string;
  size: number;
  /** ms since the epoch. */
  lastModified: number;
}

/**
 * Object storage for blob bytes (S3 in production). Keys are opaque to the store; the core decides them.
 * Methods throw on backend faults; "not found" is a return value, not an exception.
 */
export interface BlobStore {
  /** Writes a whole object. */
  put(key: string, body: Uint8Array): Promise<void>;
  /**
   * Reads an object (or a range of it, clamped to its end) as a stream, or null when it does not exist.
   * The stream holds a backend connection until it is read to the end or ended early (`return()`).
   */
  get(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array> | null>;
  /** Deletes an object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Starts a multipart object and returns its upload id. */
  createMultipart(key: string): Promise<string>;
  /** Uploads one part (all but the last must be at least 5 MiB); returns its ETag. MultipartUploadGoneError when gone. */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string>;
  /** Joins the parts, in order, into the object at key. MultipartUploadGoneError when the upload is gone. */
  completeMultipart(key: string, uploadId: string, parts: StoredPart[]): Promise<void>;
  /** Abandons a multipart upload; aborting an unknown upload is not an error. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
  /** Keys that start with `prefix`, in key order, at most `limit` of them. */
  list(prefix: string, limit: number): Promise<string[]>;
  /** Size and last modification of an object (a HEAD), or null when it does not exist. */
  stat(key: string): Promise<{ size: number; lastModified: number } | null>;
  /**
   * Objects whose key starts with `prefix` and sorts after `startAfter` (all when undefined), in key
   * order, at most `limit` (one LIST per 1,000): page on with the last key returned.
   */
  listObjects(prefix: string, startAfter: string | undefined, limit: number): Promise<ObjectInfo[]>;
  /** A short-lived URL from which a client can GET the object without other credentials. */
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
}
