/**
 * The blob bucket's key layout: every object the registry writes (the table's item layout is in
 * adapters/dynamodb/keys.ts).
 *
 *   <bucket>/
 *     blobs/<upload id>                an upload's object, assembled from its multipart upload (which has the
 *                                      same key while in progress); once its digest is checked it is the
 *                                      blob's object: the table records digest -> key, no bytes are copied
 *     manifests/<algorithm>/<hex>/     a manifest body too large for its table item (over 64 KiB), one object
 *       <put id>                       per PUT, so that deleting one repository's copy (or one superseded by a
 *                                      later put) never removes another's. Items written before this name
 *                                      manifests/<algorithm>/<hex> itself; they are read as recorded
 *     uploads/<upload id>/             leftovers of an upload session in progress, safe to expire after the
 *       tail-<random>                  session's TTL: a chunk's end too small for a multipart part (under
 *                                      5 MiB), prepended to the session's next chunk
 *
 * Only `uploads/` is temporary: a session's leftovers are deleted when it completes or is cancelled, the
 * sweeper deletes those of expired sessions, and the bucket's lifecycle rule (lib/blob-bucket.ts) expires
 * whatever a sweep missed. `blobs/` and `manifests/` are collected by the garbage collector (core/gc):
 * objects whose record is deleted, and objects no record names (README, "Storage lifecycle").
 *
 * Imported by the CDK app too: keep it free of imports.
 */

/** The prefix under which every upload session keeps its leftovers; what the lifecycle rule expires. */
export const UPLOAD_LEFTOVERS_PREFIX = 'uploads/';

/** The object keys the registry writes, by what they hold. */
export const storageKeys = {
  /** An upload's object (and its multipart upload); it becomes the blob's object. */
  uploadObject: (uploadId: string) => `blobs/${uploadId}`,
  /** The prefix of one session's leftovers, for listing them. */
  uploadLeftovers: (uploadId: string) => `${UPLOAD_LEFTOVERS_PREFIX}${uploadId}/`,
  /** One leftover (tail) of a session; `unique` keeps a failed write's tail apart from the committed one. */
  uploadTail: (uploadId: string, unique: string) => `${UPLOAD_LEFTOVERS_PREFIX}${uploadId}/tail-${unique}`,
  /** A large manifest's body as one PUT stored it (`sha256:<hex>`, id -> manifests/sha256/<hex>/<id>). */
  manifestBody: (digest: string, putId: string) => `manifests/${digest.replace(':', '/')}/${putId}`,
};
