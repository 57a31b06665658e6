import { randomUUID } from 'node:crypto';
import { OciError } from '../../oci/errors';
import type { BlobStore } from '../../ports/blob-store';
import type { UploadSession } from '../../ports/upload-session-store';
import type { RegistryConfig } from '../config';
import { storageKeys } from '../storage-layout';
import type { RunningHash } from './hashing';
import type { PartNumbers } from './part-numbers';
import { abandonedSignal } from './abandonable-body';
import { PartFiller, PartQueue, sharedPartBufferPool } from './part-buffer';

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
  /** Where part numbers come from (unique per write across processes); without it, 1, 2, ... after the session's parts. */
  partNumbers?: PartNumbers;
}

/**
 * Streams a request body into the session's multipart object with bounded memory: bytes are copied into
 * part buffers from the process-wide pool (waiting for one when all are lent), full parts are uploaded as
 * they fill (a few at once), a leftover too small for a part is kept as a tail object and prepended to the
 * next write. With `final`, the object is assembled. The input session is not modified, so a failed write
 * leaves the stored session as it was; parts it uploaded are overwritten by the next.
 */
export async function writeBody(
  blobs: BlobStore, config: RegistryConfig, session: UploadSession,
  body: AsyncIterable<Uint8Array> | undefined, opts: WriteOptions,
): Promise<WriteResult> {
  const s: UploadSession = { ...session, parts: session.parts.map((p) => ({ ...p })) };
  const queue = new PartQueue(config.partQueue);
  const pool = sharedPartBufferPool(config);
  // A client that goes away while its upload waits for a buffer ends the wait (and the write).
  const filler = new PartFiller(pool, abandonedSignal(body));
  const garbage: string[] = [];
  // Takes over `pooled` (the buffer holding `bytes`) and releases it once the part is stored or failed.
  const uploadPart = async (bytes: Uint8Array, pooled: Buffer) => {
    let started = false;
    try {
      s.multipartId ??= await blobs.createMultipart(s.objectKey);
      const part = { partNumber: opts.partNumbers ? await opts.partNumbers.take() : s.parts.length + 1, etag: '', size: bytes.length };
      s.parts.push(part);
      await queue.add(async () => {
        started = true;
        try {
          part.etag = await blobs.uploadPart(s.objectKey, s.multipartId!, part.partNumber, bytes);
        } finally {
          pool.release(pooled);
        }
      });
    } finally {
      // a failed create, or an earlier part's failure stopping the queue before this part started
      if (!started) pool.release(pooled);
    }
  };
  const flushFull = async () => {
    if (filler.filled < config.partSize) return;
    const [bytes, pooled] = filler.hand();
    await uploadPart(bytes, pooled!);
  };

  let received = 0;
  try {
    if (s.tail) {
      await appendTail(blobs, s.tail, filler, flushFull);
      garbage.push(s.tail.key);
    }
    for await (const chunk of body ?? []) {
      received += chunk.length;
      if (opts.declaredLength !== undefined && received > opts.declaredLength) {
        throw new OciError('SIZE_INVALID', `body is longer than the declared ${opts.declaredLength} bytes`);
      }
      opts.hash?.update(chunk);
      for (let at = 0; at < chunk.length;) {
        at += await filler.append(chunk, at);
        await flushFull();
      }
    }
    if (opts.declaredLength !== undefined && received !== opts.declaredLength) {
      throw new OciError('SIZE_INVALID', `body ended after ${received} of the declared ${opts.declaredLength} bytes`);
    }
    s.tail = undefined;
    // The leftover (none, or a buffer with 1 byte to a part): a last part, the whole blob, or a tail.
    const [rest, pooled] = filler.hand();
    let mine = pooled; // released below unless handed to uploadPart, which releases it itself
    try {
      if (opts.final) {
        if (s.multipartId) {
          if (pooled) {
            mine = undefined;
            await uploadPart(rest, pooled);
          }
          await queue.drain();
          await blobs.completeMultipart(s.objectKey, s.multipartId, s.parts);
        } else {
          await blobs.put(s.objectKey, rest);
        }
      } else if (pooled && rest.length >= config.minPartSize) {
        mine = undefined;
        await uploadPart(rest, pooled);
      } else if (rest.length > 0) {
        // A fresh key per write: the committed session keeps pointing at its own tail until the commit.
        s.tail = { key: storageKeys.uploadTail(s.id, randomUUID()), size: rest.length };
        await blobs.put(s.tail.key, rest);
      }
    } finally {
      if (mine) pool.release(mine);
    }
    await queue.drain();
  } catch (err) {
    await queue.drain().catch(() => undefined);
    filler.discard();
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

/** Streams the session's tail object into the part being filled (no copy of it held on the side). */
async function appendTail(
  blobs: BlobStore, tail: { key: string; size: number }, filler: PartFiller, flushFull: () => Promise<void>,
): Promise<void> {
  const stream = await blobs.get(tail.key);
  if (!stream) throw new UploadTailMissingError(tail.key);
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > tail.size) break;
    for (let at = 0; at < chunk.length;) {
      at += await filler.append(chunk, at);
      await flushFull();
    }
  }
  if (size !== tail.size) throw new Error(`upload tail ${tail.key} has ${size > tail.size ? 'more than ' : ''}${Math.min(size, tail.size + 1)} bytes, expected ${tail.size}`);
}
