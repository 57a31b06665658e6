import { randomUUID } from 'node:crypto';
import { OciError } from '../../oci/errors';
import type { BlobStore } from '../../ports/blob-store';
import type { UploadSession } from '../../ports/upload-session-store';
import type { RegistryConfig } from '../config';
import { storageKeys } from '../storage-layout';
import type { RunningHash } from './hashing';
import { PartBuffer, PartPool, PartQueue } from './part-buffer';

/** The session's tail object is gone: the upload was completed (or cancelled) by an earlier request. */
export class UploadTailMissingError extends Error {
  constructor(key: string) {
    super(`upload tail ${key} is missing`);
    this.name = 'UploadTailMissingError';
  }
}

/** The session as it will be once the write is committed, and the objects that then become garbage. */
export interface WriteResult {
  session: UploadSession;
  received: number;
  garbage: string[];
}

/** How a body is written: its declared length when known, and whether it ends the upload. */
export interface WriteOptions {
  declaredLength?: number;
  final: boolean;
  hash: RunningHash | null;
}

/**
 * Streams a request body into the session's multipart object with bounded memory: full parts are
 * uploaded as they fill (a few at once), a leftover too small for a part is kept as a tail object and
 * prepended to the next write. With `final`, the object is assembled. The input session is not modified,
 * so a failed write leaves the stored session as it was; parts it uploaded are overwritten by the next.
 */
export async function writeBody(
  blobs: BlobStore, config: RegistryConfig, session: UploadSession,
  body: AsyncIterable<Uint8Array> | undefined, opts: WriteOptions,
): Promise<WriteResult> {
  const s: UploadSession = { ...session, parts: session.parts.map((p) => ({ ...p })) };
  const buffer = new PartBuffer();
  const queue = new PartQueue(config.partQueue);
  const pool = new PartPool(config.partSize);
  const garbage: string[] = [];
  if (s.tail) {
    buffer.push(await readTail(blobs, s.tail));
    garbage.push(s.tail.key);
  }
  const uploadPart = async (bytes: Uint8Array, pooled?: Buffer) => {
    s.multipartId ??= await blobs.createMultipart(s.objectKey);
    const part = { partNumber: s.parts.length + 1, etag: '', size: bytes.length };
    s.parts.push(part);
    await queue.add(async () => {
      try {
        part.etag = await blobs.uploadPart(s.objectKey, s.multipartId!, part.partNumber, bytes);
      } finally {
        if (pooled) pool.release(pooled);
      }
    });
  };

  let received = 0;
  try {
    for await (const chunk of body ?? []) {
      received += chunk.length;
      if (opts.declaredLength !== undefined && received > opts.declaredLength) {
        throw new OciError('SIZE_INVALID', `body is longer than the declared ${opts.declaredLength} bytes`);
      }
      opts.hash?.update(chunk);
      buffer.push(chunk);
      while (buffer.length >= config.partSize) {
        const pooled = pool.acquire();
        await uploadPart(buffer.take(config.partSize, pooled), pooled);
      }
    }
    if (opts.declaredLength !== undefined && received !== opts.declaredLength) {
      throw new OciError('SIZE_INVALID', `body ended after ${received} of the declared ${opts.declaredLength} bytes`);
    }
    const rest = buffer.take(buffer.length);
    s.tail = undefined;
    if (opts.final) {
      if (s.multipartId) {
        if (rest.length > 0) await uploadPart(rest);
        await queue.drain();
        await blobs.completeMultipart(s.objectKey, s.multipartId, s.parts);
      } else {
        await blobs.put(s.objectKey, rest);
      }
    } else if (rest.length >= config.minPartSize) {
      await uploadPart(rest);
    } else if (rest.length > 0) {
      // A fresh key per write: the committed session keeps pointing at its own tail until the commit.
      s.tail = { key: storageKeys.uploadTail(s.id, randomUUID()), size: rest.length };
      await blobs.put(s.tail.key, rest);
    }
    await queue.drain();
  } catch (err) {
    await queue.drain().catch(() => undefined);
    await discardOwn(blobs, session, s);
    throw err;
  }
  s.offset += received;
  s.hashState = opts.hash?.save();
  return { session: s, received, garbage };
}

/**
 * After a failed write, removes what only this write created (a multipart upload the session did not
 * have, a new tail), best effort: nothing refers to them, and the stored session is unchanged. Parts
 * uploaded into the session's own multipart upload stay; the next write overwrites them.
 */
async function discardOwn(blobs: BlobStore, before: UploadSession, after: UploadSession): Promise<void> {
  const jobs: Promise<unknown>[] = [];
  if (after.multipartId && after.multipartId !== before.multipartId) jobs.push(blobs.abortMultipart(after.objectKey, after.multipartId));
  if (after.tail && after.tail.key !== before.tail?.key) jobs.push(blobs.delete(after.tail.key));
  await Promise.allSettled(jobs);
}

async function readTail(blobs: BlobStore, tail: { key: string; size: number }): Promise<Uint8Array> {
  const stream = await blobs.get(tail.key);
  if (!stream) throw new UploadTailMissingError(tail.key);
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(c);
  const bytes = Buffer.concat(chunks);
  if (bytes.length !== tail.size) throw new Error(`upload tail ${tail.key} has ${bytes.length} bytes, expected ${tail.size}`);
  return bytes;
}
