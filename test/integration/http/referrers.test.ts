/** OCI 1.1: manifests with `subject`, the OCI-Subject header and GET /v2/:name/referrers/:digest. */
import { Descriptor, EMPTY_JSON, errorCodes, MT, randomBytes, sha256, uniqueRepo } from './client';
import { registryClientForThisFile } from './setup';

const client = registryClientForThisFile();

interface Index {
  schemaVersion: number;
  mediaType: string;
  manifests: Descriptor[];
}

/** Pushes an artifact (empty config, one small layer) referring to `subject`, by digest. */
async function pushReferrer(repo: string, subject: Descriptor, artifactType: string, annotations?: Record<string, string>) {
  const config = await client.pushBlob(repo, EMPTY_JSON, MT.ociEmpty);
  const layer = await client.pushBlob(repo, randomBytes(64), 'application/vnd.example.payload');
  const doc = { schemaVersion: 2, mediaType: MT.ociManifest, artifactType, config, layers: [layer], subject, ...(annotations ? { annotations } : {}) };
  return client.pushManifestJson(repo, undefined, doc, MT.ociManifest);
}

async function referrers(repo: string, digest: string, query = ''): Promise<{ res: Response; index: Index }> {
  const res = await client.fetch(`/v2/${repo}/referrers/${digest}${query}`);
  expect(res.status).toBe(200);
  return { res, index: (await res.json()) as Index };
}

describe('PUT /v2/:name/manifests/:ref with a subject', () => {
  it('PUT a manifest with subject -> 201 with OCI-Subject: <subject digest>', async () => {
    const repo = uniqueRepo('ref-put');
    const image = await client.pushImage(repo, 'v1');

    const sig = await pushReferrer(repo, image.descriptor, 'application/vnd.example.signature');

    expect(sig.response.status).toBe(201);
    expect(sig.response.headers.get('oci-subject')).toBe(image.digest);
  });

  it('PUT a manifest whose subject does not exist (yet) -> 201; it is listed once queried', async () => {
    const repo = uniqueRepo('ref-dangling');
    const missing: Descriptor = { mediaType: MT.ociManifest, digest: sha256(randomBytes(16)), size: 321 };

    const sbom = await pushReferrer(repo, missing, 'application/vnd.example.sbom');

    expect(sbom.response.status).toBe(201);
    const { index } = await referrers(repo, missing.digest);
    expect(index.manifests.map((d) => d.digest)).toEqual([sbom.digest]);
  });
});

describe('GET /v2/:name/referrers/:digest', () => {
  it('GET /v2/:name/referrers/:digest -> 200 image index listing each referrer descriptor', async () => {
    const repo = uniqueRepo('ref-list');
    const image = await client.pushImage(repo, 'v1');
    const sig = await pushReferrer(repo, image.descriptor, 'application/vnd.example.signature', { 'org.example.signer': 'alice' });
    const sbom = await pushReferrer(repo, image.descriptor, 'application/vnd.example.sbom');
    await pushReferrer(repo, (await client.pushImage(repo, 'other')).descriptor, 'application/vnd.example.sbom');

    const { res, index } = await referrers(repo, image.digest);

    expect(res.headers.get('content-type')).toBe(MT.ociIndex);
    expect(index.schemaVersion).toBe(2);
    expect(index.mediaType).toBe(MT.ociIndex);
    const byDigest = new Map(index.manifests.map((d) => [d.digest, d]));
    expect([...byDigest.keys()].sort()).toEqual([sig.digest, sbom.digest].sort());
    expect(byDigest.get(sig.digest)).toEqual({
      mediaType: MT.ociManifest,
      digest: sig.digest,
      size: sig.bytes.length,
      artifactType: 'application/vnd.example.signature',
      annotations: { 'org.example.signer': 'alice' },
    });
    expect(byDigest.get(sbom.digest)).toMatchObject({ mediaType: MT.ociManifest, size: sbom.bytes.length, artifactType: 'application/vnd.example.sbom' });
  });

  it('a referrer without artifactType is listed with artifactType = its config media type', async () => {
    const repo = uniqueRepo('ref-configtype');
    const image = await client.pushImage(repo, 'v1');
    const config = await client.pushBlob(repo, Buffer.from('{"kind":"attestation"}'), 'application/vnd.example.attestation.config.v1+json');
    const doc = { schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [], subject: image.descriptor };
    const att = await client.pushManifestJson(repo, undefined, doc, MT.ociManifest);

    const { index } = await referrers(repo, image.digest);

    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]).toMatchObject({ digest: att.digest, artifactType: 'application/vnd.example.attestation.config.v1+json' });
  });

  it('an OCI index with a subject is listed as a referrer with the index media type', async () => {
    const repo = uniqueRepo('ref-index');
    const image = await client.pushImage(repo, 'v1');
    const child = await client.pushImage(repo);
    const doc = { schemaVersion: 2, mediaType: MT.ociIndex, artifactType: 'application/vnd.example.bundle', manifests: [child.descriptor], subject: image.descriptor };

    const bundle = await client.pushManifestJson(repo, undefined, doc, MT.ociIndex);

    expect(bundle.response.headers.get('oci-subject')).toBe(image.digest);
    const { index } = await referrers(repo, image.digest);
    expect(index.manifests).toEqual([
      expect.objectContaining({ mediaType: MT.ociIndex, digest: bundle.digest, size: bundle.bytes.length, artifactType: 'application/vnd.example.bundle' }),
    ]);
  });

  it('GET /v2/:name/referrers/:digest?artifactType=x -> only type x, with OCI-Filters-Applied: artifactType', async () => {
    const repo = uniqueRepo('ref-filter');
    const image = await client.pushImage(repo, 'v1');
    const sig = await pushReferrer(repo, image.descriptor, 'application/vnd.example.signature');
    await pushReferrer(repo, image.descriptor, 'application/vnd.example.sbom');

    const { res, index } = await referrers(repo, image.digest, `?artifactType=${encodeURIComponent('application/vnd.example.signature')}`);

    expect(res.headers.get('oci-filters-applied')).toBe('artifactType');
    expect(index.manifests.map((d) => d.digest)).toEqual([sig.digest]);
  });

  it('GET /v2/:name/referrers/:digest?artifactType= matching nothing -> 200 with an empty list', async () => {
    const repo = uniqueRepo('ref-filter-none');
    const image = await client.pushImage(repo, 'v1');
    await pushReferrer(repo, image.descriptor, 'application/vnd.example.sbom');

    const { index } = await referrers(repo, image.digest, '?artifactType=application%2Fvnd.example.nothing');

    expect(index.manifests).toEqual([]);
  });

  it('GET /v2/:name/referrers/:digest for a subject with no referrers -> 200 with an empty manifests list', async () => {
    const repo = uniqueRepo('ref-none');
    const image = await client.pushImage(repo, 'v1');

    const { res, index } = await referrers(repo, sha256(randomBytes(8)));

    expect(res.headers.get('content-type')).toBe(MT.ociIndex);
    expect(index).toMatchObject({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [] });
    expect((await referrers(repo, image.digest)).index.manifests).toEqual([]);
  });

  it('a deleted referrer is no longer listed', async () => {
    const repo = uniqueRepo('ref-del');
    const image = await client.pushImage(repo, 'v1');
    const keep = await pushReferrer(repo, image.descriptor, 'application/vnd.example.sbom');
    const drop = await pushReferrer(repo, image.descriptor, 'application/vnd.example.signature');

    const del = await client.fetch(`/v2/${repo}/manifests/${drop.digest}`, { method: 'DELETE' });
    await del.arrayBuffer();

    expect(del.status).toBe(202);
    const { index } = await referrers(repo, image.digest);
    expect(index.manifests.map((d) => d.digest)).toEqual([keep.digest]);
  });

  it('referrers are scoped to the repository', async () => {
    const repoA = uniqueRepo('ref-scope-a');
    const repoB = uniqueRepo('ref-scope-b');
    const image = await client.pushImage(repoA, 'v1');
    await pushReferrer(repoA, image.descriptor, 'application/vnd.example.sbom');
    await client.pushImage(repoB, 'v1');

    const { index } = await referrers(repoB, image.digest);

    expect(index.manifests).toEqual([]);
  });

  it('GET /v2/:name/referrers/:digest -> 400 for an invalid digest', async () => {
    const repo = uniqueRepo('ref-bad');
    await client.pushImage(repo, 'v1');

    const res = await client.fetch(`/v2/${repo}/referrers/sha256:xyz`);

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toContain('DIGEST_INVALID');
  });
});
