import { createHash } from 'node:crypto';
import { StreamTooLongError, streamToStore } from '../../../../lambda/core/mirror/stream-to-store';
import { PartBufferPool } from '../../../../lambda/core/uploads/part-buffer';
import { MemoryBlobStore } from '../../fakes/memory-blob-store';

const PART = 1024;

function setup() {
  const blobs = new MemoryBlobStore(PART);
  const pool = new PartBufferPool({ partSize: PART, capBytes: 3 * PART, idleTrimMs: 0 });
  const write = (body: AsyncIterable<Uint8Array>, maxBytes = 1 << 20) =>
    streamToStore(blobs, 'blobs/x', body, { buffers: pool, partQueue: 2, maxBytes, algorithm: 'sha256' });
  return { blobs, pool, write };
}

async function* chunks(bytes: Buffer, size: number, failAt?: number) {
  for (let i = 0; i < bytes.length; i += size) {
    if (failAt !== undefined && i >= failAt) throw new Error('connection reset');
    yield bytes.subarray(i, i + size);
  }
}

describe('streamToStore', () => {
  it.each([[0], [100], [PART], [5 * PART + 17]])('%i bytes in uneven chunks: stored exactly, hashed, every buffer back in the pool', async (n) => {
    const { blobs, pool, write } = setup();
    const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) % 251));

    const out = await write(chunks(bytes, 333));

    expect(out).toEqual({ hex: createHash('sha256').update(bytes).digest('hex'), size: n });
    expect(blobs.objects.get('blobs/x')?.equals(bytes)).toBe(true);
    expect(pool.inUse).toBe(0);
  });

  it('a body cut off mid-way: multipart aborted, no object, every buffer back', async () => {
    const { blobs, pool, write } = setup();

    await expect(write(chunks(Buffer.alloc(6 * PART, 1), 500, 4 * PART))).rejects.toThrow('connection reset');

    expect(blobs.multiparts.size).toBe(0);
    expect(blobs.objects.has('blobs/x')).toBe(false);
    expect(pool.inUse).toBe(0);
  });

  it('a store failing a part: the error surfaces, multipart aborted, every buffer back', async () => {
    const { blobs, pool, write } = setup();
    const uploadPart = blobs.uploadPart.bind(blobs);
    blobs.uploadPart = async (key, id, n, body) => {
      if (n === 2) throw new Error('S3 500');
      return uploadPart(key, id, n, body);
    };

    await expect(write(chunks(Buffer.alloc(6 * PART, 1), 700))).rejects.toThrow('S3 500');

    expect(blobs.multiparts.size).toBe(0);
    expect(pool.inUse).toBe(0);
  });

  it('a body longer than announced stops being read: StreamTooLongError, nothing kept', async () => {
    const { blobs, pool, write } = setup();
    let read = 0;
    async function* endless() { for (;;) { read += PART; yield Buffer.alloc(PART, 2); } }

    await expect(write(endless(), 4 * PART)).rejects.toBeInstanceOf(StreamTooLongError);

    expect(read).toBe(5 * PART);
    expect(blobs.multiparts.size).toBe(0);
    expect(pool.inUse).toBe(0);
  });
});
