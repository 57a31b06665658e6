/** POST, PUT, GET and DELETE /v2/:name/blobs/uploads/: starting, completing and cancelling uploads. */
import { randomUUID } from 'node:crypto';
import { errorCodes, randomBytes, sha256, sha512, uniqueRepo } from './client';
import { registryClientForThisFile } from './setup';

const client = registryClientForThisFile();

async function headStatus(repo: string, digest: string): Promise<number> {
  return (await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' })).status;
}

describe('POST /v2/:name/blobs/uploads/', () => {
  it('POST /v2/:name/blobs/uploads/ -> 202 with Location, Docker-Upload-UUID, Range 0-0 and OCI-Chunk-Min-Length', async () => {
    const repo = uniqueRepo('up-post');

    const res = await client.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { 'content-length': '0' } });
    await res.arrayBuffer();

    expect(res.status).toBe(202);
    expect(client.location(res)).toContain(`/v2/${repo}/blobs/uploads/`);
    expect(res.headers.get('docker-upload-uuid')).toBeTruthy();
    expect(res.headers.get('range')).toBe('0-0');
    expect(Number(res.headers.get('oci-chunk-min-length'))).toBeGreaterThan(0);
  });

  it('POST /v2/:name/blobs/uploads/?digest= with a body (monolithic) -> 201 with Location and Docker-Content-Digest', async () => {
    const repo = uniqueRepo('up-mono');
    const bytes = randomBytes(4096);
    const digest = sha256(bytes);

    const res = await client.fetch(`/v2/${repo}/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    await res.arrayBuffer();

    expect(res.status).toBe(201);
    expect(new URL(client.location(res)).pathname).toBe(`/v2/${repo}/blobs/${digest}`);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    expect((await client.pullBlobBytes(repo, digest)).equals(bytes)).toBe(true);
  });

  it('POST /v2/:name/blobs/uploads/?digest= -> 400 DIGEST_INVALID when the body does not match, blob not visible', async () => {
    const repo = uniqueRepo('up-mono-bad');
    const bytes = randomBytes(100);
    const claimed = sha256(randomBytes(100));

    const res = await client.fetch(`/v2/${repo}/blobs/uploads/?digest=${claimed}`, { method: 'POST', body: bytes });

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toContain('DIGEST_INVALID');
    expect(await headStatus(repo, claimed)).toBe(404);
    expect(await headStatus(repo, sha256(bytes))).toBe(404);
  });

  it('POST /v2/:name/blobs/uploads/?digest=sha512:... -> 201, the blob is retrievable by its sha512 digest', async () => {
    const repo = uniqueRepo('up-sha512');
    const bytes = randomBytes(2048);
    const digest = sha512(bytes);

    const res = await client.fetch(`/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: bytes });
    await res.arrayBuffer();

    expect(res.status).toBe(201);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    const head = await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    expect((await client.pullBlobBytes(repo, digest)).equals(bytes)).toBe(true);
  });
});

describe('PUT /v2/:name/blobs/uploads/:uuid?digest=', () => {
  it('PUT ?digest= carrying the whole blob (POST then PUT) -> 201 with Location and Docker-Content-Digest', async () => {
    const repo = uniqueRepo('up-put');
    const bytes = randomBytes(10_000);
    const url = await client.startUpload(repo);

    const res = await client.fetch(client.withDigest(url, sha256(bytes)), { method: 'PUT', body: bytes });
    await res.arrayBuffer();

    expect(res.status).toBe(201);
    expect(res.headers.get('docker-content-digest')).toBe(sha256(bytes));
    expect(new URL(client.location(res)).pathname).toBe(`/v2/${repo}/blobs/${sha256(bytes)}`);
  });

  it('PUT ?digest= with a final chunk after a PATCH -> 201 with the concatenated blob', async () => {
    const repo = uniqueRepo('up-final');
    const head = randomBytes(3000);
    const tail = randomBytes(77);
    const all = Buffer.concat([head, tail]);
    const patch = await client.patchChunk(await client.startUpload(repo), head, 0);
    await patch.arrayBuffer();

    const res = await client.fetch(client.withDigest(client.location(patch), sha256(all)), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `3000-${all.length - 1}` },
      body: tail,
    });
    await res.arrayBuffer();

    expect(res.status).toBe(201);
    expect((await client.pullBlobBytes(repo, sha256(all))).equals(all)).toBe(true);
  });

  it('PUT ?digest=<empty blob digest> with no body on a fresh session -> 201 (zero-length blob)', async () => {
    const repo = uniqueRepo('up-empty');
    const url = await client.startUpload(repo);

    const res = await client.fetch(client.withDigest(url, sha256(Buffer.alloc(0))), { method: 'PUT' });
    await res.arrayBuffer();

    expect(res.status).toBe(201);
    const headRes = await client.fetch(`/v2/${repo}/blobs/${sha256(Buffer.alloc(0))}`, { method: 'HEAD' });
    expect(headRes.status).toBe(200);
    expect(headRes.headers.get('content-length')).toBe('0');
  });

  it('a completed upload session is closed: GET and PATCH on its URL -> 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const repo = uniqueRepo('up-closed');
    const bytes = randomBytes(100);
    const url = await client.startUpload(repo);
    const put = await client.fetch(client.withDigest(url, sha256(bytes)), { method: 'PUT', body: bytes });
    await put.arrayBuffer();
    expect(put.status).toBe(201);

    const get = await client.fetch(url);
    const patch = await client.patchChunk(url, randomBytes(10), 100);

    expect(get.status).toBe(404);
    expect(await errorCodes(get)).toContain('BLOB_UPLOAD_UNKNOWN');
    expect(patch.status).toBe(404);
    expect(await errorCodes(patch)).toContain('BLOB_UPLOAD_UNKNOWN');
  });

  it('PUT ?digest= -> 400 DIGEST_INVALID when the content does not match; blob not visible', async () => {
    const repo = uniqueRepo('up-put-bad');
    const bytes = randomBytes(200);
    const wrong = sha256(randomBytes(200));
    const url = await client.startUpload(repo);

    const res = await client.fetch(client.withDigest(url, wrong), { method: 'PUT', body: bytes });

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toContain('DIGEST_INVALID');
    expect(await headStatus(repo, wrong)).toBe(404);
    expect(await headStatus(repo, sha256(bytes))).toBe(404);
  });

  it('PUT without ?digest= -> 400 DIGEST_INVALID', async () => {
    const repo = uniqueRepo('up-put-nodigest');
    const url = await client.startUpload(repo);

    const res = await client.fetch(url, { method: 'PUT', body: randomBytes(10) });

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toContain('DIGEST_INVALID');
  });
});

describe('DELETE and unknown upload sessions', () => {
  it('DELETE /v2/:name/blobs/uploads/:uuid -> 204, then GET it -> 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const repo = uniqueRepo('up-del');
    const url = await client.startUpload(repo);

    const del = await client.fetch(url, { method: 'DELETE' });
    await del.arrayBuffer();

    expect(del.status).toBe(204);
    const get = await client.fetch(url);
    expect(get.status).toBe(404);
    expect(await errorCodes(get)).toContain('BLOB_UPLOAD_UNKNOWN');
    const patch = await client.patchChunk(url, randomBytes(10), 0);
    expect(patch.status).toBe(404);
    expect(await errorCodes(patch)).toContain('BLOB_UPLOAD_UNKNOWN');
  });

  /** An upload URL of the same shape as a real one, for a session id that never existed. */
  async function unknownUploadUrl(repo: string): Promise<string> {
    const real = new URL(await client.startUpload(repo));
    const segments = real.pathname.split('/');
    segments[segments.length - 1] = randomUUID();
    return client.resolve(segments.join('/'));
  }

  it.each([
    ['GET', undefined],
    ['PATCH', Buffer.from('abc')],
    ['PUT', undefined],
    ['DELETE', undefined],
  ])('%s on an unknown upload id -> 404 BLOB_UPLOAD_UNKNOWN', async (method, body) => {
    const repo = uniqueRepo('up-unknown');
    let url = await unknownUploadUrl(repo);
    if (method === 'PUT') url = client.withDigest(url, sha256('abc'));

    const res = await client.fetch(url, { method, body });

    expect(res.status).toBe(404);
    expect(await errorCodes(res)).toContain('BLOB_UPLOAD_UNKNOWN');
  });
});
