/** POST /v2/:name/blobs/uploads/?mount=<digest>&from=<other>: cross-repository blob mount. */
import { errorCodes, randomBytes, sha256, uniqueRepo } from './client';
import { registryClientForThisFile } from './setup';

const client = registryClientForThisFile();

describe('POST /v2/:name/blobs/uploads/?mount=&from=', () => {
  it('POST ?mount=<digest>&from=<repoA> on repoB -> 201 with Location and Docker-Content-Digest; HEAD in repoB -> 200', async () => {
    const repoA = uniqueRepo('mount-src');
    const repoB = uniqueRepo('mount-dst');
    const bytes = randomBytes(2500);
    const { digest } = await client.pushBlob(repoA, bytes);
    expect((await client.fetch(`/v2/${repoB}/blobs/${digest}`, { method: 'HEAD' })).status).toBe(404);

    const res = await client.fetch(`/v2/${repoB}/blobs/uploads/?mount=${digest}&from=${repoA}`, { method: 'POST' });
    await res.arrayBuffer();

    expect(res.status).toBe(201);
    expect(new URL(client.location(res)).pathname).toBe(`/v2/${repoB}/blobs/${digest}`);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    const head = await client.fetch(`/v2/${repoB}/blobs/${digest}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    expect((await client.pullBlobBytes(repoB, digest)).equals(bytes)).toBe(true);
  });

  it('POST ?mount= from a nested repository name -> 201', async () => {
    const repoA = `${uniqueRepo('mount-team')}/app/api`;
    const repoB = `${uniqueRepo('mount-other')}/svc`;
    const { digest } = await client.pushBlob(repoA, randomBytes(300));

    const res = await client.fetch(`/v2/${repoB}/blobs/uploads/?mount=${digest}&from=${repoA}`, { method: 'POST' });
    await res.arrayBuffer();

    expect(res.status).toBe(201);
    expect((await client.fetch(`/v2/${repoB}/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200);
  });

  it('a mounted blob stays in repoB after it is deleted from repoA', async () => {
    const repoA = uniqueRepo('mount-src');
    const repoB = uniqueRepo('mount-dst');
    const bytes = randomBytes(800);
    const { digest } = await client.pushBlob(repoA, bytes);
    const mount = await client.fetch(`/v2/${repoB}/blobs/uploads/?mount=${digest}&from=${repoA}`, { method: 'POST' });
    await mount.arrayBuffer();
    expect(mount.status).toBe(201);

    const del = await client.fetch(`/v2/${repoA}/blobs/${digest}`, { method: 'DELETE' });
    await del.arrayBuffer();

    expect(del.status).toBe(202);
    expect((await client.fetch(`/v2/${repoA}/blobs/${digest}`, { method: 'HEAD' })).status).toBe(404);
    expect((await client.pullBlobBytes(repoB, digest)).equals(bytes)).toBe(true);
  });

  it('POST ?mount= from a repository that lacks the blob -> 202, a normal upload session that completes', async () => {
    const repoA = uniqueRepo('mount-empty-src');
    const repoB = uniqueRepo('mount-dst');
    await client.pushBlob(repoA, randomBytes(10));
    const bytes = randomBytes(1234);
    const digest = sha256(bytes);

    const res = await client.fetch(`/v2/${repoB}/blobs/uploads/?mount=${digest}&from=${repoA}`, { method: 'POST' });
    await res.arrayBuffer();

    expect(res.status).toBe(202);
    expect(res.headers.get('docker-upload-uuid')).toBeTruthy();
    const put = await client.fetch(client.withDigest(client.location(res), digest), { method: 'PUT', body: bytes });
    await put.arrayBuffer();
    expect(put.status).toBe(201);
    expect((await client.fetch(`/v2/${repoB}/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200);
  });

  it('POST ?mount= of a blob that exists only in a third repository -> 202 (not mounted from the wrong repo)', async () => {
    const owner = uniqueRepo('mount-owner');
    const named = uniqueRepo('mount-named');
    const target = uniqueRepo('mount-dst');
    await client.pushBlob(named, randomBytes(10));
    const { digest } = await client.pushBlob(owner, randomBytes(400));

    const res = await client.fetch(`/v2/${target}/blobs/uploads/?mount=${digest}&from=${named}`, { method: 'POST' });
    await res.arrayBuffer();

    expect(res.status).toBe(202);
    expect((await client.fetch(`/v2/${target}/blobs/${digest}`, { method: 'HEAD' })).status).toBe(404);
  });

  it('POST ?mount= from a repository that does not exist -> 202', async () => {
    const repoB = uniqueRepo('mount-dst');

    const res = await client.fetch(`/v2/${repoB}/blobs/uploads/?mount=${sha256('x')}&from=${uniqueRepo('mount-nowhere')}`, {
      method: 'POST',
    });
    await res.arrayBuffer();

    expect(res.status).toBe(202);
  });

  it('POST ?mount=<invalid digest>&from= -> 400 DIGEST_INVALID or a 202 upload session', async () => {
    const repoA = uniqueRepo('mount-src');
    const repoB = uniqueRepo('mount-dst');
    await client.pushBlob(repoA, randomBytes(10));

    const res = await client.fetch(`/v2/${repoB}/blobs/uploads/?mount=sha256:xyz&from=${repoA}`, { method: 'POST' });

    expect([400, 202]).toContain(res.status);
    if (res.status === 400) expect(await errorCodes(res)).toContain('DIGEST_INVALID');
  });
});
