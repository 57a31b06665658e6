/** PUT, GET and HEAD /v2/:name/manifests/:ref for OCI image manifests, success and error paths. */
import { errorCodes, MT, randomBytes, sha256, uniqueRepo } from './client';
import { registryClientForThisFile } from './setup';

const client = registryClientForThisFile();

/** An OCI image manifest (as exact bytes) whose config and layer are pushed to `repo`. */
async function imageManifest(repo: string): Promise<{ bytes: Buffer; digest: string }> {
  const config = await client.pushBlob(repo, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux' })), MT.ociConfig);
  const layer = await client.pushBlob(repo, randomBytes(2048));
  // Unusual formatting on purpose: the digest is of these exact bytes, never of re-serialized JSON.
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer] }, null, '\t') + '\n');
  return { bytes, digest: sha256(bytes) };
}

describe('PUT /v2/:name/manifests/:ref', () => {
  it('PUT /v2/:name/manifests/:tag -> 201 with Location and Docker-Content-Digest = sha256 of the exact body', async () => {
    const repo = uniqueRepo('man-put');
    const { bytes, digest } = await imageManifest(repo);

    const res = await client.putManifest(repo, 'v1', bytes, MT.ociManifest);
    await res.arrayBuffer();

    expect(res.status).toBe(201);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    expect(new URL(client.location(res)).pathname).toMatch(new RegExp(`^/v2/${repo}/manifests/(v1|${digest})$`));
  });

  it('PUT /v2/:name/manifests/:digest -> 201 when the body hashes to the digest', async () => {
    const repo = uniqueRepo('man-put-digest');
    const { bytes, digest } = await imageManifest(repo);

    const res = await client.putManifest(repo, digest, bytes, MT.ociManifest);
    await res.arrayBuffer();

    expect(res.status).toBe(201);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    expect(new URL(client.location(res)).pathname).toBe(`/v2/${repo}/manifests/${digest}`);
  });

  it('PUT /v2/:name/manifests/:ref -> 400 MANIFEST_BLOB_UNKNOWN when a layer was never pushed', async () => {
    const repo = uniqueRepo('man-missing-layer');
    const config = await client.pushBlob(repo, Buffer.from('{}'), MT.ociConfig);
    const ghost = { mediaType: MT.ociLayer, digest: sha256(randomBytes(32)), size: 32 };
    const body = JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [ghost] });

    const res = await client.putManifest(repo, 'v1', body, MT.ociManifest);

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toContain('MANIFEST_BLOB_UNKNOWN');
    expect((await client.getManifest(repo, 'v1')).status).toBe(404);
  });

  it('PUT /v2/:name/manifests/:ref -> 400 MANIFEST_BLOB_UNKNOWN when the config was never pushed', async () => {
    const repo = uniqueRepo('man-missing-config');
    const layer = await client.pushBlob(repo, randomBytes(64));
    const config = { mediaType: MT.ociConfig, digest: sha256(randomBytes(8)), size: 8 };
    const body = JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer] });

    const res = await client.putManifest(repo, 'v1', body, MT.ociManifest);

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toContain('MANIFEST_BLOB_UNKNOWN');
  });

  it('PUT /v2/:name/manifests/:ref -> 400 MANIFEST_BLOB_UNKNOWN when a layer exists only in another repository', async () => {
    const repoA = uniqueRepo('man-other-a');
    const repoB = uniqueRepo('man-other-b');
    const layer = await client.pushBlob(repoA, randomBytes(128));
    const config = await client.pushBlob(repoB, Buffer.from('{}'), MT.ociConfig);
    const body = JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer] });

    const res = await client.putManifest(repoB, 'v1', body, MT.ociManifest);

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toContain('MANIFEST_BLOB_UNKNOWN');
  });

  it('PUT /v2/:name/manifests/:ref -> 400 MANIFEST_INVALID when the body is not JSON', async () => {
    const repo = uniqueRepo('man-notjson');

    const res = await client.putManifest(repo, 'v1', '{"schemaVersion": 2, "config": ', MT.ociManifest);

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toContain('MANIFEST_INVALID');
  });

  it('PUT /v2/:name/manifests/:ref -> 400 MANIFEST_INVALID when schemaVersion is not 2', async () => {
    const repo = uniqueRepo('man-schema');
    const config = await client.pushBlob(repo, Buffer.from('{}'), MT.ociConfig);
    const body = JSON.stringify({ schemaVersion: 3, mediaType: MT.ociManifest, config, layers: [] });

    const res = await client.putManifest(repo, 'v1', body, MT.ociManifest);

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toContain('MANIFEST_INVALID');
  });

  it('PUT /v2/:name/manifests/:digest -> 400 DIGEST_INVALID when the body does not hash to the digest', async () => {
    const repo = uniqueRepo('man-baddigest');
    const { bytes } = await imageManifest(repo);
    const other = sha256(Buffer.concat([bytes, Buffer.from(' ')]));

    const res = await client.putManifest(repo, other, bytes, MT.ociManifest);

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toContain('DIGEST_INVALID');
    expect((await client.getManifest(repo, other)).status).toBe(404);
  });

  it('PUT /v2/:name/manifests/:ref -> 413 SIZE_INVALID (or MANIFEST_INVALID) for a manifest over 4 MiB', async () => {
    const repo = uniqueRepo('man-huge');
    const config = await client.pushBlob(repo, Buffer.from('{}'), MT.ociConfig);
    const annotations = { 'org.example.padding': 'x'.repeat(4 * 1024 * 1024 + 1) };
    const body = JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [], annotations });

    const res = await client.putManifest(repo, 'huge', body, MT.ociManifest);

    expect(res.status).toBe(413);
    expect(await errorCodes(res)).toEqual(expect.arrayContaining([expect.stringMatching(/^(SIZE_INVALID|MANIFEST_INVALID)$/)]));
  });

  it('PUT /v2/:name/manifests/:ref -> 201 for a manifest just under 4 MiB', async () => {
    const repo = uniqueRepo('man-big');
    const config = await client.pushBlob(repo, Buffer.from('{}'), MT.ociConfig);
    const annotations = { 'org.example.padding': 'x'.repeat(4 * 1024 * 1024 - 1024) };
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [], annotations }));

    const res = await client.putManifest(repo, 'big', body, MT.ociManifest);
    await res.arrayBuffer();

    expect(res.status).toBe(201);
    const get = await client.getManifest(repo, 'big');
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).equals(body)).toBe(true);
  });
});

describe('GET and HEAD /v2/:name/manifests/:ref', () => {
  it('GET /v2/:name/manifests/:tag and /:digest -> 200 with the same bytes, Content-Type and Docker-Content-Digest', async () => {
    const repo = uniqueRepo('man-get');
    const { bytes, digest } = await imageManifest(repo);
    const put = await client.putManifest(repo, 'latest', bytes, MT.ociManifest);
    await put.arrayBuffer();

    for (const ref of ['latest', digest]) {
      const res = await client.getManifest(repo, ref);

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(MT.ociManifest);
      expect(res.headers.get('docker-content-digest')).toBe(digest);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    }
  });

  it('HEAD /v2/:name/manifests/:ref -> 200 with Content-Length, Content-Type and Docker-Content-Digest, no body', async () => {
    const repo = uniqueRepo('man-head');
    const { bytes, digest } = await imageManifest(repo);
    const put = await client.putManifest(repo, 'v1', bytes, MT.ociManifest);
    await put.arrayBuffer();

    const res = await client.getManifest(repo, 'v1', 'HEAD');

    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(res.headers.get('content-type')).toBe(MT.ociManifest);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('GET /v2/:name/manifests/:tag -> 404 MANIFEST_UNKNOWN for an unknown tag', async () => {
    const repo = uniqueRepo('man-unknown');
    const { bytes } = await imageManifest(repo);
    await (await client.putManifest(repo, 'exists', bytes, MT.ociManifest)).arrayBuffer();

    const res = await client.getManifest(repo, 'does-not-exist');

    expect(res.status).toBe(404);
    expect(await errorCodes(res)).toContain('MANIFEST_UNKNOWN');
  });

  it('GET /v2/:name/manifests/:digest -> 404 MANIFEST_UNKNOWN for an unknown digest', async () => {
    const repo = uniqueRepo('man-unknown');
    await client.pushImage(repo, 'v1');

    const res = await client.getManifest(repo, sha256(randomBytes(20)));

    expect(res.status).toBe(404);
    expect(await errorCodes(res)).toContain('MANIFEST_UNKNOWN');
  });

  it('HEAD /v2/:name/manifests/:ref -> 404 for an unknown tag, with no body', async () => {
    const repo = uniqueRepo('man-unknown');
    await client.pushImage(repo, 'v1');

    const res = await client.getManifest(repo, 'nope', 'HEAD');

    expect(res.status).toBe(404);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('GET /v2/:name/manifests/:ref in a repository that does not exist -> 404', async () => {
    const res = await client.getManifest(uniqueRepo('man-norepo'), 'latest');

    expect(res.status).toBe(404);
    expect(await errorCodes(res)).toEqual(expect.arrayContaining([expect.stringMatching(/^(MANIFEST_UNKNOWN|NAME_UNKNOWN)$/)]));
  });

  it('a manifest pushed to repository A is not visible in repository B', async () => {
    const repoA = uniqueRepo('man-a');
    const repoB = uniqueRepo('man-b');
    const pushed = await client.pushImage(repoA, 'v1');
    await client.pushImage(repoB, 'v1');

    const res = await client.getManifest(repoB, pushed.digest);

    expect(res.status).toBe(404);
    expect(await errorCodes(res)).toContain('MANIFEST_UNKNOWN');
  });
});
