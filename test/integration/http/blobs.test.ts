/** HEAD, GET and DELETE /v2/:name/blobs/:digest. */
import { errorCodes, randomBytes, sha256, uniqueRepo } from './client';
import { registryClientForThisFile } from './setup';

const client = registryClientForThisFile();

describe('HEAD /v2/:name/blobs/:digest', () => {
  it('HEAD /v2/:name/blobs/:digest -> 200 with Content-Length and Docker-Content-Digest, no body', async () => {
    const repo = uniqueRepo('blobs-head');
    const bytes = randomBytes(3000);
    const { digest } = await client.pushBlob(repo, bytes);

    const res = await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('HEAD /v2/:name/blobs/:digest -> 404 for a blob never pushed', async () => {
    const repo = uniqueRepo('blobs-head');
    await client.pushBlob(repo, randomBytes(10));

    const res = await client.fetch(`/v2/${repo}/blobs/${sha256(randomBytes(10))}`, { method: 'HEAD' });

    expect(res.status).toBe(404);
  });
});

describe('GET /v2/:name/blobs/:digest', () => {
  it('GET /v2/:name/blobs/:digest -> 307 to storage; the Location serves the exact bytes', async () => {
    const repo = uniqueRepo('blobs-get');
    const bytes = randomBytes(64 * 1024 + 7);
    const { digest } = await client.pushBlob(repo, bytes);

    const res = await client.fetch(`/v2/${repo}/blobs/${digest}`);
    await res.arrayBuffer();

    expect(res.status).toBe(307);
    const target = await fetch(client.location(res), { redirect: 'manual' });
    expect(target.status).toBe(200);
    expect(Buffer.from(await target.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('GET /v2/:name/blobs/:digest (redirect followed) -> 200 with bytes hashing to the digest', async () => {
    const repo = uniqueRepo('blobs-get');
    const bytes = randomBytes(1 << 20);
    const { digest } = await client.pushBlob(repo, bytes);

    const res = await client.getBlob(repo, digest);
    const body = Buffer.from(await res.arrayBuffer());

    expect(res.status).toBe(200);
    expect(body.length).toBe(bytes.length);
    expect(sha256(body)).toBe(digest);
  });

  it('GET /v2/:name/blobs/:digest with Range: bytes=2-5 -> 206 with those four bytes', async () => {
    const repo = uniqueRepo('blobs-range');
    const bytes = Buffer.from('0123456789abcdef');
    const { digest } = await client.pushBlob(repo, bytes);

    const res = await client.getBlob(repo, digest, { range: 'bytes=2-5' });

    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('2345');
    expect(res.headers.get('content-range')).toBe(`bytes 2-5/${bytes.length}`);
  });

  it('GET /v2/:name/blobs/:digest -> 404 BLOB_UNKNOWN for a blob never pushed', async () => {
    const repo = uniqueRepo('blobs-get');
    await client.pushBlob(repo, randomBytes(10));

    const res = await client.fetch(`/v2/${repo}/blobs/${sha256(randomBytes(16))}`);

    expect(res.status).toBe(404);
    expect(await errorCodes(res)).toContain('BLOB_UNKNOWN');
  });

  it('GET /v2/:name/blobs/:digest -> 404 BLOB_UNKNOWN in a repository that was never pushed to', async () => {
    const res = await client.fetch(`/v2/${uniqueRepo('blobs-norepo')}/blobs/${sha256('x')}`);

    expect(res.status).toBe(404);
    expect(await errorCodes(res)).toEqual(expect.arrayContaining([expect.stringMatching(/^(BLOB_UNKNOWN|NAME_UNKNOWN)$/)]));
  });

  it('a blob pushed to repository A is not visible in repository B (404)', async () => {
    const repoA = uniqueRepo('blobs-a');
    const repoB = uniqueRepo('blobs-b');
    await client.pushBlob(repoB, randomBytes(10)); // B exists, just without this blob
    const { digest } = await client.pushBlob(repoA, randomBytes(100));

    const head = await client.fetch(`/v2/${repoB}/blobs/${digest}`, { method: 'HEAD' });
    const get = await client.fetch(`/v2/${repoB}/blobs/${digest}`);

    expect(head.status).toBe(404);
    expect(get.status).toBe(404);
    expect(await errorCodes(get)).toContain('BLOB_UNKNOWN');
  });

  it.each([
    ['non-hex encoded part', 'sha256:xyz'],
    ['sha256 of the wrong length', `sha256:${'a'.repeat(63)}`],
    ['uppercase hex', `sha256:${'A'.repeat(64)}`],
  ])('GET /v2/:name/blobs/:digest -> 400 DIGEST_INVALID for a %s', async (_why, digest) => {
    const repo = uniqueRepo('blobs-baddigest');
    await client.pushBlob(repo, randomBytes(10));

    const res = await client.fetch(`/v2/${repo}/blobs/${digest}`);

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toContain('DIGEST_INVALID');
  });

  it('GET /v2/:name/blobs/:digest -> 400 DIGEST_INVALID (or UNSUPPORTED) for an unknown algorithm', async () => {
    const repo = uniqueRepo('blobs-badalg');
    await client.pushBlob(repo, randomBytes(10));

    const res = await client.fetch(`/v2/${repo}/blobs/md5:${'a'.repeat(32)}`);

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toEqual(expect.arrayContaining([expect.stringMatching(/^(DIGEST_INVALID|UNSUPPORTED)$/)]));
  });
});

describe('DELETE /v2/:name/blobs/:digest', () => {
  it('DELETE /v2/:name/blobs/:digest -> 202, then HEAD -> 404 and GET -> 404 BLOB_UNKNOWN', async () => {
    const repo = uniqueRepo('blobs-del');
    const { digest } = await client.pushBlob(repo, randomBytes(500));

    const del = await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'DELETE' });
    await del.arrayBuffer();

    expect(del.status).toBe(202);
    const head = await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    const get = await client.fetch(`/v2/${repo}/blobs/${digest}`);
    expect(get.status).toBe(404);
    expect(await errorCodes(get)).toContain('BLOB_UNKNOWN');
  });

  it('DELETE /v2/:name/blobs/:digest in one repository leaves the blob in another', async () => {
    const repoA = uniqueRepo('blobs-del-a');
    const repoB = uniqueRepo('blobs-del-b');
    const bytes = randomBytes(300);
    const { digest } = await client.pushBlob(repoA, bytes);
    await client.pushBlob(repoB, bytes);

    const del = await client.fetch(`/v2/${repoA}/blobs/${digest}`, { method: 'DELETE' });
    await del.arrayBuffer();

    expect(del.status).toBe(202);
    expect(Buffer.from(await client.pullBlobBytes(repoB, digest)).equals(bytes)).toBe(true);
  });

  it('DELETE /v2/:name/blobs/:digest -> 404 BLOB_UNKNOWN for a blob never pushed', async () => {
    const repo = uniqueRepo('blobs-del');
    await client.pushBlob(repo, randomBytes(10));

    const res = await client.fetch(`/v2/${repo}/blobs/${sha256(randomBytes(8))}`, { method: 'DELETE' });

    expect(res.status).toBe(404);
    expect(await errorCodes(res)).toContain('BLOB_UNKNOWN');
  });
});
