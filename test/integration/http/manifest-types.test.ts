/** Manifest media types: Docker schema 2, Docker manifest list, OCI index, OCI 1.1 artifacts. */
import { EMPTY_JSON, errorCodes, MT, randomBytes, sha256, uniqueRepo } from './client';
import { registryClientForThisFile } from './setup';

const client = registryClientForThisFile();

/** GET by tag and by digest both answer the pushed bytes with the pushed media type. */
async function expectPullable(repo: string, tag: string, bytes: Buffer, mediaType: string): Promise<void> {
  for (const ref of [tag, sha256(bytes)]) {
    const res = await client.getManifest(repo, ref);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(mediaType);
    expect(res.headers.get('docker-content-digest')).toBe(sha256(bytes));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  }
}

async function dockerImage(repo: string, tag?: string) {
  const config = await client.pushBlob(repo, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })), MT.dockerConfig);
  const layer = await client.pushBlob(repo, randomBytes(512), MT.dockerLayer);
  return client.pushManifestJson(repo, tag, { schemaVersion: 2, mediaType: MT.dockerManifest, config, layers: [layer] }, MT.dockerManifest);
}

describe('Docker Image Manifest V2, Schema 2', () => {
  it('PUT /v2/:name/manifests/:tag (application/vnd.docker.distribution.manifest.v2+json) -> 201; GET returns it', async () => {
    const repo = uniqueRepo('types-docker');

    const pushed = await dockerImage(repo, 'v2');

    expect(pushed.response.status).toBe(201);
    expect(pushed.response.headers.get('docker-content-digest')).toBe(pushed.digest);
    await expectPullable(repo, 'v2', pushed.bytes, MT.dockerManifest);
  });

  it('PUT a Docker manifest list whose children exist -> 201; GET returns it with its media type', async () => {
    const repo = uniqueRepo('types-dlist');
    const amd64 = await dockerImage(repo);
    const arm64 = await dockerImage(repo);
    const list = {
      schemaVersion: 2,
      mediaType: MT.dockerList,
      manifests: [
        { ...amd64.descriptor, platform: { architecture: 'amd64', os: 'linux' } },
        { ...arm64.descriptor, platform: { architecture: 'arm64', os: 'linux' } },
      ],
    };

    const pushed = await client.pushManifestJson(repo, 'multi', list, MT.dockerList);

    expect(pushed.response.status).toBe(201);
    await expectPullable(repo, 'multi', pushed.bytes, MT.dockerList);
  });
});

describe('OCI image index', () => {
  it('PUT an OCI index whose children exist -> 201; GET by tag and digest returns it', async () => {
    const repo = uniqueRepo('types-index');
    const a = await client.pushImage(repo);
    const b = await client.pushImage(repo);
    const index = {
      schemaVersion: 2,
      mediaType: MT.ociIndex,
      manifests: [
        { ...a.descriptor, platform: { architecture: 'amd64', os: 'linux' } },
        { ...b.descriptor, platform: { architecture: 'arm64', os: 'linux' } },
      ],
      annotations: { 'org.opencontainers.image.ref.name': 'multi' },
    };

    const pushed = await client.pushManifestJson(repo, 'multi', index, MT.ociIndex);

    expect(pushed.response.status).toBe(201);
    expect(pushed.response.headers.get('docker-content-digest')).toBe(pushed.digest);
    await expectPullable(repo, 'multi', pushed.bytes, MT.ociIndex);
    // The children remain pullable by digest.
    expect((await client.getManifest(repo, a.digest)).status).toBe(200);
  });

  it('PUT an OCI index referencing a child manifest that does not exist -> 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const repo = uniqueRepo('types-index-missing');
    const a = await client.pushImage(repo);
    const ghost = { mediaType: MT.ociManifest, digest: sha256(randomBytes(40)), size: 400, platform: { architecture: 'arm64', os: 'linux' } };
    const body = JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [a.descriptor, ghost] });

    const res = await client.putManifest(repo, 'broken', body, MT.ociIndex);

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toContain('MANIFEST_BLOB_UNKNOWN');
    expect((await client.getManifest(repo, 'broken')).status).toBe(404);
  });

  it('PUT an OCI index with no children -> 201', async () => {
    const repo = uniqueRepo('types-index-empty');

    const pushed = await client.pushManifestJson(repo, 'empty', { schemaVersion: 2, mediaType: MT.ociIndex, manifests: [] }, MT.ociIndex);

    expect(pushed.response.status).toBe(201);
    await expectPullable(repo, 'empty', pushed.bytes, MT.ociIndex);
  });
});

describe('OCI 1.1 artifacts', () => {
  it('PUT an artifact manifest with artifactType and the empty config ({}) -> 201; GET returns it', async () => {
    const repo = uniqueRepo('types-artifact');
    const config = await client.pushBlob(repo, EMPTY_JSON, MT.ociEmpty);
    expect(config.digest).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    const payload = await client.pushBlob(repo, Buffer.from('{"sbom":true}'), 'application/vnd.example.sbom.v1+json');
    const artifact = {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      artifactType: 'application/vnd.example.sbom.v1',
      config: { ...config, data: EMPTY_JSON.toString('base64') },
      layers: [payload],
      annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
    };

    const pushed = await client.pushManifestJson(repo, 'sbom', artifact, MT.ociManifest);

    expect(pushed.response.status).toBe(201);
    await expectPullable(repo, 'sbom', pushed.bytes, MT.ociManifest);
  });

  it('PUT an artifact whose only layer is the empty descriptor -> 201', async () => {
    const repo = uniqueRepo('types-artifact-empty');
    const empty = await client.pushBlob(repo, EMPTY_JSON, MT.ociEmpty);
    const artifact = { schemaVersion: 2, mediaType: MT.ociManifest, artifactType: 'application/vnd.example.note', config: empty, layers: [empty] };

    const pushed = await client.pushManifestJson(repo, 'note', artifact, MT.ociManifest);

    expect(pushed.response.status).toBe(201);
    await expectPullable(repo, 'note', pushed.bytes, MT.ociManifest);
  });

  it('PUT an OCI manifest with a custom config media type (e.g. Helm chart) -> 201', async () => {
    const repo = uniqueRepo('types-helm');
    const config = await client.pushBlob(repo, Buffer.from('{"name":"chart","version":"1.0.0"}'), 'application/vnd.cncf.helm.config.v1+json');
    const chart = await client.pushBlob(repo, randomBytes(300), 'application/vnd.cncf.helm.chart.content.v1.tar+gzip');

    const pushed = await client.pushManifestJson(repo, '1.0.0', { schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [chart] }, MT.ociManifest);

    expect(pushed.response.status).toBe(201);
    await expectPullable(repo, '1.0.0', pushed.bytes, MT.ociManifest);
  });
});
