import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from '../../oci/digest';
import type { BlobStore, StoredPart } from '../../ports/blob-store';
import { PartQueue } from '../uploads/part-buffer';

/** Where part buffers come from: the process-wide pool uploads share (core/uploads/part-buffer.ts). */
export interface PartBuffers {
  readonly partSize: number;
  /** A buffer of partSize bytes, waiting while the process's budget is in use. */
  acquire(): Promise<Buffer>;
  release(buffer: Buffer): void;
}

/** What the stream held: its digest (hex, of `algorithm`) and its length. */
export interface StreamedObject {
  hex: string;
  size: number;
}

/** The stream went past the length it was announced with: the rest is not read, nothing is kept. */
export class StreamTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`stream is longer than the announced ${limit} bytes`);
    this.name = 'StreamTooLongError';
  }
}

/**
 * Writes a stream to the object `key` with bounded memory: cut into parts of the buffers' size (a whole
 * object when it fits one), at most `partQueue` parts uploading while the next fills, every buffer taken
 * from the process-wide pool (so fills and uploads together stay within its budget); hashed as it passes.
 * Reading stops past `maxBytes`. On any failure the multipart upload is aborted and the error rethrown:
 * nothing is left in the store. The caller checks the digest.
 */
export async function streamToStore(
  blobs: BlobStore, key: string, body: AsyncIterable<Uint8Array>,
  opts: { buffers: PartBuffers; partQueue: number; maxBytes: number; algorithm: DigestAlgorithm },
): Promise<StreamedObject> {
  const { buffers } = opts;
  const partSize = buffers.partSize;
  const hash = createHash(opts.algorithm);
  const queue = new PartQueue(opts.partQueue);
  const parts: StoredPart[] = [];
  let multipartId: string | undefined;
  let current: Buffer | undefined = await buffers.acquire();
  let filled = 0;
  let size = 0;

  // Hands a full buffer to the queue; it goes back to the pool once its part is stored, or at once when
  // the part never started (a failed createMultipart, an earlier part's failure).
  const uploadPart = async (buffer: Buffer, length: number) => {
    let started = false;
    try {
      multipartId ??= await blobs.createMultipart(key);
      const part: StoredPart = { partNumber: parts.length + 1, etag: '', size: length };
      parts.push(part);
      const id = multipartId;
      await queue.add(async () => {
        started = true;
        try {
          part.etag = await blobs.uploadPart(key, id, part.partNumber, buffer.subarray(0, length));
        } finally {
          buffers.release(buffer);
        }
      });
    } finally {
      if (!started) buffers.release(buffer);
    }
  };

  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > opts.maxBytes) throw new StreamTooLongError(opts.maxBytes);
      hash.update(chunk);
      let offset = 0;
      while (offset < chunk.length) {
        current ??= await buffers.acquire();
        const n = Math.min(chunk.length - offset, partSize - filled);
        current.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === partSize) {
          const full = current;
          current = undefined;
          filled = 0;
          await uploadPart(full, partSize);
        }
      }
    }
    if (multipartId === undefined) {
      await blobs.put(key, Buffer.from(current ? current.subarray(0, filled) : []));
    } else {
      if (filled > 0 && current) {
        const last = current;
        current = undefined;
        await uploadPart(last, filled);
      }
      await queue.drain();
      await blobs.completeMultipart(key, multipartId, parts);
    }
  } catch (err) {
    await queue.drain().catch(() => undefined);
    if (multipartId !== undefined) await blobs.abortMultipart(key, multipartId).catch(() => undefined);
    throw err;
  } finally {
    if (current) buffers.release(current);
  }
  return { hex: hash.digest('hex'), size };
}
