/**
 * STRATUS_UPLOAD_MEMORY_MB: streamed uploads share one process-wide pool of part buffers. With a small cap,
 * parallel uploads wait for buffers (none fails) and store exactly their bytes; a client that goes away while
 * its upload waits gives its place up.
 */
import { request } from 'node:http';
import { sharedPartBufferPool } from '../../../lambda/core/uploads/part-buffer';
import { settingsFromEnv } from '../../../lambda/hosts/settings';
import { randomBytes, sha256, uniqueRepo } from './client';
import { registryClientForThisFile } from './setup';

const MiB = 1024 * 1024;
// 24 MiB of 8 MiB parts: three buffers for the whole process
const { config } = settingsFromEnv({ STRATUS_UPLOAD_MEMORY_MB: '24' });
const client = registryClientForThisFile({ config });
const pool = () => sharedPartBufferPool(config);

/** PATCHes `bytes` as docker and skopeo do: one streamed body, chunked transfer, no length. */
function streamPatch(url: string, bytes: Buffer): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location }));
    });
    req.on('error', reject);
    let at = 0;
    const writeMore = () => {
      while (at < bytes.length) {
        const piece = bytes.subarray(at, at + 64 * 1024);
        at += piece.length;
        if (!req.write(piece)) return void req.once('drain', writeMore);
      }
      req.end();
    };
    writeMore();
  });
}

/** Starts a streamed PATCH, sends `n` bytes and then nothing more (a client about to go away). */
function patchThenHang(url: string, n: number): ReturnType<typeof request> {
  const req = request(url, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream' } });
  req.on('error', () => undefined);
  req.write(randomBytes(n));
  return req;
}

async function pushStreamed(repo: string, bytes: Buffer): Promise<string> {
  const url = await client.startUpload(repo);
  const patched = await streamPatch(url, bytes);
  expect(patched.status).toBe(202);
  const digest = sha256(bytes);
  const put = await client.fetch(client.withDigest(client.resolve(patched.location!), digest), { method: 'PUT' });
  await put.arrayBuffer();
  expect(put.status).toBe(201);
  return digest;
}

/** Polls until `check` holds (or fails the test after `ms`). */
async function until(check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('STRATUS_UPLOAD_MEMORY_MB=24: part buffers shared by every upload of the process', () => {
  it('6 parallel streamed PATCH uploads of 17 MiB -> each 202 then 201, and GET returns exactly the bytes pushed', async () => {
    expect(pool().capacity).toBe(3);
    const repo = uniqueRepo('mem-cap');
    const blobs = Array.from({ length: 6 }, () => randomBytes(17 * MiB + 12345));
    let mostInUse = 0;
    let mostWaiting = 0;
    const sample = setInterval(() => {
      mostInUse = Math.max(mostInUse, pool().inUse);
      mostWaiting = Math.max(mostWaiting, pool().waiting);
    }, 2);
    let digests: string[];
    try {
      digests = await Promise.all(blobs.map((b) => pushStreamed(repo, b)));
    } finally {
      clearInterval(sample);
    }

    for (const [i, digest] of digests.entries()) {
      expect(sha256(await client.pullBlobBytes(repo, digest))).toBe(sha256(blobs[i]!));
    }
    expect(mostWaiting).toBeGreaterThan(0); // the cap was reached: uploads waited instead of allocating
    expect(mostInUse).toBeLessThanOrEqual(3);
    expect(pool().inUse).toBe(0);
  }, 300_000);

  it('a client that goes away while its PATCH waits for a buffer leaves the queue at once; the session keeps offset 0', async () => {
    const held = [await pool().acquire(), await pool().acquire(), await pool().acquire()]; // as busy uploads would
    const repo = uniqueRepo('mem-gone');
    const url = await client.startUpload(repo);
    try {
      const req = patchThenHang(url, 1024); // little enough that the host still reads the connection and sees it close
      await until(() => pool().waiting === 1);
      req.destroy();

      await until(() => pool().waiting === 0); // no buffer had to come back for the wait to end
      expect(pool().inUse).toBe(3);
    } finally {
      held.forEach((b) => pool().release(b));
    }
    const status = await client.fetch(url);
    await status.arrayBuffer();
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-0'); // nothing was stored
  }, 300_000);

  it('a client gone while its PATCH waits with a paused connection gives the buffer straight back on its turn; later uploads work', async () => {
    const held = [await pool().acquire(), await pool().acquire(), await pool().acquire()];
    const repo = uniqueRepo('mem-gone-late');
    const url = await client.startUpload(repo);
    try {
      // 1 MiB fills the host's read buffers: it stops reading the connection, so the close is seen only once it reads again
      const req = patchThenHang(url, 1024 * 1024);
      await until(() => pool().waiting === 1);
      req.destroy();
      await new Promise((r) => setTimeout(r, 200));

      pool().release(held.pop()!); // its turn: it takes the buffer, finds the body cut, gives the buffer back
      await until(() => pool().waiting === 0 && pool().inUse === 2);
    } finally {
      held.forEach((b) => pool().release(b));
    }
    expect(pool().inUse).toBe(0);
    const bytes = randomBytes(9 * MiB);
    const digest = await pushStreamed(repo, bytes);
    expect(sha256(await client.pullBlobBytes(repo, digest))).toBe(sha256(bytes));
    expect(pool().inUse).toBe(0);
  }, 300_000);
});
