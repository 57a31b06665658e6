import { createHash, randomBytes } from 'node:crypto';
import { defaultConfig, RegistryConfig } from '../../../lambda/core/config';
import { PartBufferPool, PartBufferWaitAborted, sharedPartBufferPool } from '../../../lambda/core/uploads/part-buffer';
import { writeBody } from '../../../lambda/core/uploads/upload-writer';
import type { UploadSession } from '../../../lambda/ports/upload-session-store';
import { MemoryBlobStore } from '../fakes/memory-blob-store';

const KiB = 1024;
const PART = 64 * KiB;

/** A config whose process-wide pool holds `parts` buffers; each test uses its own cap, so its own pool. */
let nextCap = 0;
function configWithParts(parts: number): RegistryConfig {
  // a distinct cap in bytes (same whole number of parts) gives each test a pool of its own
  nextCap += 1;
  return { ...defaultConfig, partSize: PART, minPartSize: 16 * KiB, partQueue: 2, uploadMemoryBytes: parts * PART + nextCap };
}

function session(id: string): UploadSession {
  return { id, repository: 'team/app', offset: 0, objectKey: `uploads/${id}`, parts: [], createdAt: 0, expiresAt: 2e9 };
}

/** A body of `bytes` in chunks of `chunk` bytes that yields to the event loop between chunks, as a socket does. */
async function* chunked(bytes: Buffer, chunk = 10 * KiB): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += chunk) {
    await new Promise((r) => setImmediate(r));
    yield bytes.subarray(at, at + chunk);
  }
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 1));
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('PartBufferPool', () => {
  it('lends at most `capacity` buffers and hands released ones to waiters first come, first served', async () => {
    const pool = new PartBufferPool({ partSize: PART, capBytes: 2 * PART });
    const a = await pool.acquire();
    const b = await pool.acquire();
    const order: string[] = [];
    const third = pool.acquire().then((buf) => (order.push('third'), buf));
    const fourth = pool.acquire().then((buf) => (order.push('fourth'), buf));
    await new Promise((r) => setImmediate(r));
    expect(pool.inUse).toBe(2);
    expect(pool.waiting).toBe(2);
    expect(pool.tryAcquire()).toBeUndefined(); // no overtaking the waiters

    pool.release(b);
    expect(await third).toBe(b);
    pool.release(a);
    expect(await fourth).toBe(a);
    expect(order).toEqual(['third', 'fourth']);
    expect(pool.allocatedBytes).toBe(2 * PART);
  });

  it('has room for at least one part however small the cap', async () => {
    const pool = new PartBufferPool({ partSize: PART, capBytes: 1 });
    expect(pool.capacity).toBe(1);
    expect((await pool.acquire()).length).toBe(PART);
  });

  it('refuses a buffer released twice (it would lift the cap)', async () => {
    const pool = new PartBufferPool({ partSize: PART, capBytes: PART });
    const a = await pool.acquire();
    pool.release(a);
    expect(() => pool.release(a)).toThrow(/not lent/);
    expect(() => pool.release(Buffer.alloc(PART))).toThrow(/not lent/);
  });

  it('an aborted wait rejects, leaves the queue, and the next release goes to the one still waiting', async () => {
    const pool = new PartBufferPool({ partSize: PART, capBytes: PART });
    const held = await pool.acquire();
    const cancel = new AbortController();
    const gaveUp = pool.acquire(cancel.signal);
    const patient = pool.acquire();
    cancel.abort();
    await expect(gaveUp).rejects.toBeInstanceOf(PartBufferWaitAborted);
    expect(pool.waiting).toBe(1);
    pool.release(held);
    expect(await patient).toBe(held);
    await expect(pool.acquire(AbortSignal.abort())).rejects.toBeInstanceOf(PartBufferWaitAborted);
  });

  it('drops free buffers after an idle while, so memory goes back after a burst', async () => {
    jest.useFakeTimers();
    try {
      const pool = new PartBufferPool({ partSize: PART, capBytes: 3 * PART, idleTrimMs: 1000 });
      const bufs = [await pool.acquire(), await pool.acquire()];
      bufs.forEach((b) => pool.release(b));
      expect(pool.allocatedBytes).toBe(2 * PART);
      jest.advanceTimersByTime(1001);
      expect(pool.allocatedBytes).toBe(0);
      expect(pool.inUse).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('writeBody with the process-wide pool', () => {
  it('parallel uploads beyond the cap wait for buffers and all store exactly their bytes', async () => {
    const config = configWithParts(2); // 2 buffers for 6 uploads of 5 parts and a bit each
    const blobs = new MemoryBlobStore(config.minPartSize);
    const pool = sharedPartBufferPool(config);
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, pool.inUse)), 0);
    const bodies = Array.from({ length: 6 }, () => randomBytes(5 * PART + 1234));
    try {
      await Promise.all(bodies.map((b, i) => writeBody(blobs, config, session(`u${i}`), chunked(b), { final: true, hash: null })));
    } finally {
      clearInterval(sample);
    }
    bodies.forEach((b, i) => expect(sha(blobs.objects.get(`uploads/u${i}`)!)).toBe(sha(b)));
    expect(peak).toBeLessThanOrEqual(2);
    expect(pool.allocatedBytes).toBeLessThanOrEqual(2 * PART);
    expect(pool.inUse).toBe(0);
  });

  it('an upload holding buffers in flight and waiting for more still finishes with a single buffer in the pool', async () => {
    const config = configWithParts(1);
    const blobs = new MemoryBlobStore(config.minPartSize);
    const body = randomBytes(7 * PART + 99);
    const [a, b] = [randomBytes(3 * PART), randomBytes(2 * PART + 5)];
    await Promise.all([
      writeBody(blobs, config, session('big'), chunked(body), { final: true, hash: null }),
      writeBody(blobs, config, session('a'), chunked(a), { final: true, hash: null }),
      writeBody(blobs, config, session('b'), chunked(b), { final: true, hash: null }),
    ]);
    expect(sha(blobs.objects.get('uploads/big')!)).toBe(sha(body));
    expect(sha(blobs.objects.get('uploads/a')!)).toBe(sha(a));
    expect(sha(blobs.objects.get('uploads/b')!)).toBe(sha(b));
    expect(sharedPartBufferPool(config).inUse).toBe(0);
  });

  it('a chunk continuing from a stored tail is assembled in order while other uploads hold the pool', async () => {
    const config = configWithParts(1);
    const blobs = new MemoryBlobStore(config.minPartSize);
    const first = randomBytes(PART + 100); // one part and a 100-byte tail
    const second = randomBytes(2 * PART);
    const written = await writeBody(blobs, config, session('t'), chunked(first), { final: false, hash: null });
    expect(written.session.tail?.size).toBe(100);

    const pool = sharedPartBufferPool(config);
    const held = await pool.acquire();
    const finishing = writeBody(blobs, config, written.session, chunked(second), { final: true, hash: null });
    await new Promise((r) => setTimeout(r, 20));
    expect(pool.waiting).toBe(1); // the tail's bytes need a buffer too: it waits rather than allocate one
    pool.release(held);
    await finishing;
    expect(sha(blobs.objects.get('uploads/t')!)).toBe(sha(Buffer.concat([first, second])));
    expect(pool.inUse).toBe(0);
  });

  it('a client going away while its upload waits for a buffer ends the wait, leaving nothing held', async () => {
    const config = configWithParts(1);
    const blobs = new MemoryBlobStore(config.minPartSize);
    const pool = sharedPartBufferPool(config);
    const held = await pool.acquire(); // every buffer is busy elsewhere
    const connection = new AbortController();
    async function* oneChunkThenSilence(): AsyncGenerator<Uint8Array> {
      yield randomBytes(KiB);
      await new Promise(() => undefined); // the client sends nothing more
    }
    const body = Object.assign(oneChunkThenSilence(), { abandoned: connection.signal });
    const write = writeBody(blobs, config, session('gone'), body, { final: true, hash: null });
    await until(() => pool.waiting === 1);
    connection.abort(); // the host saw the connection close
    await expect(write).rejects.toBeInstanceOf(PartBufferWaitAborted); // while `held` is still out: it did not wait for it
    expect(pool.waiting).toBe(0);
    expect(pool.inUse).toBe(1);
    pool.release(held);
    expect(pool.inUse).toBe(0);
    expect(blobs.objects.has('uploads/gone')).toBe(false);
  });

  it('a failing store returns every buffer of the upload (in flight, queued and filling)', async () => {
    const config = configWithParts(3);
    const blobs = new MemoryBlobStore(config.minPartSize);
    let calls = 0;
    blobs.uploadPart = async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('S3 is down');
    };
    const write = writeBody(blobs, config, session('fail'), chunked(randomBytes(6 * PART)), { final: true, hash: null });
    await expect(write).rejects.toThrow('S3 is down');
    expect(calls).toBeGreaterThan(0);
    expect(sharedPartBufferPool(config).inUse).toBe(0);
  });

  it('a body longer than declared is refused and its buffers returned', async () => {
    const config = configWithParts(2);
    const blobs = new MemoryBlobStore(config.minPartSize);
    const write = writeBody(blobs, config, session('long'), chunked(randomBytes(2 * PART + 10)), { final: true, hash: null, declaredLength: 2 * PART });
    await expect(write).rejects.toMatchObject({ code: 'SIZE_INVALID' });
    expect(sharedPartBufferPool(config).inUse).toBe(0);
  });

  it('a reused buffer never leaks an earlier upload\'s bytes into a shorter one', async () => {
    const config = configWithParts(1);
    const blobs = new MemoryBlobStore(config.minPartSize);
    const secret = Buffer.alloc(PART - 1, 0x53);
    await writeBody(blobs, config, session('first'), chunked(secret), { final: true, hash: null });
    const small = randomBytes(10);
    await writeBody(blobs, config, session('second'), chunked(small), { final: true, hash: null });
    expect(blobs.objects.get('uploads/second')).toEqual(small);
  });
});
