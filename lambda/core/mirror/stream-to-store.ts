import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from '../../oci/digest';
import type { BlobStore, StoredPart } from '../../ports/blob-store';
import { PartQueue } from '../uploads/part-buffer';

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
 * Writes a stream to the object `key` with bounded memory: cut into parts of `partSize` (a whole object
 * when it fits one), at most `partQueue` parts uploading while the next fills, so memory is about
 * (partQueue + 1) parts; hashed as it passes. Reading stops past `maxBytes`. On any failure the multipart
 * upload is aborted and the error rethrown: nothing is left in the store. The caller checks the digest.
 */
export async function streamToStore(
  blobs: BlobStore, key: string, body: AsyncIterable<Uint8Array>,
  opts: { partSize: number; partQueue: number; maxBytes: number; algorithm: DigestAlgorithm },
): Promise<StreamedObject> {
  const hash = createHash(opts.algorithm);
  const queue = new PartQueue(opts.partQueue);
  const parts: StoredPart[] = [];
  const spare: Buffer[] = [];
  let multipartId: string | undefined;
  let current: Buffer = Buffer.allocUnsafe(opts.partSize);
  let filled = 0;
  let size = 0;

  const uploadPart = async (buffer: Buffer, length: number) => {
    multipartId ??= await blobs.createMultipart(key);
    const part: StoredPart = { partNumber: parts.length + 1, etag: '', size: length };
    parts.push(part);
    const id = multipartId;
    await queue.add(async () => {
      try {
        part.etag = await blobs.uploadPart(key, id, part.partNumber, buffer.subarray(0, length));
      } finally {
        spare.push(buffer); // reused for a later part once the store has it
      }
    });
  };

  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > opts.maxBytes) throw new StreamTooLongError(opts.maxBytes);
      hash.update(chunk);
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(chunk.length - offset, opts.partSize - filled);
        current.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === opts.partSize) {
          await uploadPart(current, filled);
          current = spare.pop() ?? Buffer.allocUnsafe(opts.partSize);
          filled = 0;
        }
      }
    }
    if (multipartId === undefined) {
      await blobs.put(key, Buffer.from(current.subarray(0, filled)));
    } else {
      if (filled > 0) await uploadPart(current, filled);
      await queue.drain();
      await blobs.completeMultipart(key, multipartId, parts);
    }
  } catch (err) {
    await queue.drain().catch(() => undefined);
    if (multipartId !== undefined) await blobs.abortMultipart(key, multipartId).catch(() => undefined);
    throw err;
  }
  return { hex: hash.digest('hex'), size };
}
