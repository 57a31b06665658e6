/** PATCH /v2/:name/blobs/uploads/:uuid: chunked (Content-Range) and streamed (chunked transfer) uploads. */
import { errorCodes, randomBytes, sha256, uniqueRepo } from './client';
import { registryClientForThisFile } from './setup';

const client = registryClientForThisFile();

describe('PATCH /v2/:name/blobs/uploads/:uuid', () => {
  it('PATCH with Content-Range 0-N -> 202 with Range 0-N and Location; GET the upload -> 204 with that Range', async () => {
    const repo = uniqueRepo('up-patch');
    const url = await client.startUpload(repo);
    const chunk = randomBytes(1000);

    const res = await client.patchChunk(url, chunk, 0);
    await res.arrayBuffer();

    expect(res.status).toBe(202);
    expect(res.headers.get('range')).toBe('0-999');
    const next = client.location(res);
    const status = await client.fetch(next);
    await status.arrayBuffer();
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-999');
    expect(status.headers.get('docker-upload-uuid')).toBeTruthy();
    expect(client.location(status)).toContain(`/v2/${repo}/blobs/uploads/`);
  });

  it('PATCH that does not start at the current offset -> 416 RANGE_INVALID; state unchanged, a correct PATCH still works', async () => {
    const repo = uniqueRepo('up-416');
    const first = randomBytes(100);
    const second = randomBytes(50);
    let url = await client.startUpload(repo);
    const ok = await client.patchChunk(url, first, 0);
    await ok.arrayBuffer();
    url = client.location(ok);

    const bad = await client.patchChunk(url, second, 150);

    expect(bad.status).toBe(416);
    expect(bad.headers.get('range')).toBe('0-99');
    expect(bad.headers.get('location')).toBeTruthy();
    expect(await errorCodes(bad)).toContain('RANGE_INVALID');
    const status = await client.fetch(url);
    expect(status.headers.get('range')).toBe('0-99');
    const good = await client.patchChunk(url, second, 100);
    await good.arrayBuffer();
    expect(good.status).toBe(202);
    expect(good.headers.get('range')).toBe('0-149');
    const all = Buffer.concat([first, second]);
    const put = await client.fetch(client.withDigest(client.location(good), sha256(all)), { method: 'PUT' });
    expect(put.status).toBe(201);
    expect((await client.pullBlobBytes(repo, sha256(all))).equals(all)).toBe(true);
  });

  it('PATCH without Content-Range/Content-Length (streamed, chunked transfer) -> 202, then PUT ?digest= -> 201', async () => {
    const repo = uniqueRepo('up-stream');
    const parts = [randomBytes(70_000), randomBytes(130_000), randomBytes(1)];
    const all = Buffer.concat(parts);
    const url = await client.startUpload(repo);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const p of parts) controller.enqueue(p);
        controller.close();
      },
    });

    const res = await client.fetch(url, { method: 'PATCH', body: stream, duplex: 'half' } as RequestInit);
    await res.arrayBuffer();

    expect(res.status).toBe(202);
    expect(res.headers.get('range')).toBe(`0-${all.length - 1}`);
    const put = await client.fetch(client.withDigest(client.location(res), sha256(all)), { method: 'PUT' });
    await put.arrayBuffer();
    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(sha256(all));
    expect((await client.pullBlobBytes(repo, sha256(all))).equals(all)).toBe(true);
  });

  it('PATCH 3 chunks of 5 MiB + 1 small chunk, PUT ?digest= with no body -> 201 and the same bytes pulled back', async () => {
    const repo = uniqueRepo('up-multi');
    const chunks = [randomBytes(5 << 20), randomBytes(5 << 20), randomBytes(5 << 20), randomBytes(12_345)];
    const all = Buffer.concat(chunks);
    let url = await client.startUpload(repo);
    let offset = 0;

    for (const chunk of chunks) {
      const res = await client.patchChunk(url, chunk, offset);
      await res.arrayBuffer();
      expect(res.status).toBe(202);
      offset += chunk.length;
      expect(res.headers.get('range')).toBe(`0-${offset - 1}`);
      url = client.location(res);
    }
    const put = await client.fetch(client.withDigest(url, sha256(all)), { method: 'PUT' });
    await put.arrayBuffer();

    expect(put.status).toBe(201);
    expect(new URL(client.location(put)).pathname).toBe(`/v2/${repo}/blobs/${sha256(all)}`);
    const head = await client.fetch(`/v2/${repo}/blobs/${sha256(all)}`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(all.length));
    expect((await client.pullBlobBytes(repo, sha256(all))).equals(all)).toBe(true);
  });

  it('PATCH whose Content-Range does not match the body length -> 400 or 416; state unchanged', async () => {
    const repo = uniqueRepo('up-badrange');
    const url = await client.startUpload(repo);
    const body = randomBytes(50);

    const res = await client.fetch(url, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': '0-99' },
      body,
    });

    expect([400, 416]).toContain(res.status);
    expect(await errorCodes(res)).toEqual(expect.arrayContaining([expect.stringMatching(/^(BLOB_UPLOAD_INVALID|RANGE_INVALID|SIZE_INVALID)$/)]));
    const ok = await client.patchChunk(url, body, 0);
    await ok.arrayBuffer();
    expect(ok.status).toBe(202);
    expect(ok.headers.get('range')).toBe('0-49');
  });

  it('PATCH an upload through another repository\'s path -> 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const repoA = uniqueRepo('up-own-a');
    const repoB = uniqueRepo('up-own-b');
    const url = new URL(await client.startUpload(repoA));
    url.pathname = url.pathname.replace(`/v2/${repoA}/`, `/v2/${repoB}/`);

    const res = await client.patchChunk(url.toString(), randomBytes(10), 0);

    expect(res.status).toBe(404);
    expect(await errorCodes(res)).toContain('BLOB_UPLOAD_UNKNOWN');
  });
});
