/** Records the metadata contracts store: unique names and digests, so suites may share one store. */
import { createHash, randomUUID } from 'node:crypto';
import type { BlobRecord } from '../../../lambda/ports/blob-index';
import type { ManifestRecord } from '../../../lambda/ports/manifest-store';
import type { UploadSession } from '../../../lambda/ports/upload-session-store';

/** The time the contracts' writes happen at (ms since the epoch). */
export const NOW = 1_700_000_000_000;

/** A repository name no other test uses. */
export const uniqueRepo = (label: string): string => `contract/${label}-${randomUUID().slice(0, 8)}`;

/** The sha256 digest of a string. */
export const digestOf = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** A blob record for `text` in object `objectKey`. */
export function blobRecord(text: string, objectKey = `blobs/${randomUUID()}`): BlobRecord {
  return { digest: digestOf(text), size: text.length, objectKey };
}

/** A manifest record with its body inline (or, with bodyKey, stored elsewhere). */
export function manifestRecord(body: string, extra: Partial<ManifestRecord> = {}): ManifestRecord {
  return {
    digest: digestOf(body), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: Buffer.byteLength(body),
    body: Buffer.from(body), ...extra,
  };
}

/** An upload session of `repo` that expires at `expiresAt` (epoch seconds). */
export function uploadSession(expiresAt: number, extra: Partial<UploadSession> = {}): UploadSession {
  const id = randomUUID();
  return { id, repository: 'contract/uploads', offset: 0, objectKey: `blobs/${id}`, parts: [], createdAt: 1, expiresAt, ...extra };
}

/** A manifest record as read back: bodies compared as plain bytes, whatever array type the store returns. */
export function comparable<T extends { body?: Uint8Array } | null | undefined>(m: T): T {
  return m && m.body ? { ...m, body: Buffer.from(m.body) } : m;
}
