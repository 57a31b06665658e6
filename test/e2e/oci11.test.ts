/**
 * OCI Distribution 1.1: an artifact with a `subject`, pushed by skopeo, then found through the referrers
 * API. The clients on this machine predate 1.1, so the referrers checks speak HTTP directly.
 * Distribution 2.8 has no referrers API: E2E_SKIP_OCI11=1 skips those checks when comparing against it.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTree, run, RunOptions, runId, tempDir } from './exec';
import { Descriptor, makeArtifactLayout, makeOciLayout, makeRootfs } from './images';
import { RegistryProcess, startRegistry } from './registry-process';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const SBOM = 'application/vnd.example.sbom.v1+json';
const oci11 = process.env.E2E_SKIP_OCI11 ? test.skip : test;

type Index = { mediaType: string; manifests: (Descriptor & { artifactType?: string })[] };

describe('OCI 1.1 artifacts and referrers', () => {
  let registry: RegistryProcess;
  let work: string;
  let name: string;
  let subject: Descriptor;
  let artifact: Descriptor;
  const skopeo = (args: string[], opts?: RunOptions) =>
    run('skopeo', args, { ...opts, env: { REGISTRY_AUTH_FILE: join(work, 'auth.json') } });
  const referrers = (digest: string, query = ''): Promise<Response> =>
    fetch(`http://${registry.host}/v2/${name}/referrers/${digest}${query}`);

  beforeAll(async () => {
    registry = await startRegistry();
    work = tempDir('oci11');
    writeFileSync(join(work, 'auth.json'), '{}');
    name = `e2e-${runId()}/oci11`;
    const rootfs = makeRootfs(join(work, 'rootfs'), { 'hello.txt': `subject ${name}\n` });
    const image = await makeOciLayout(join(work, 'image'), 'v1', rootfs);
    const dest = `docker://${registry.host}/${name}:v1`;
    await skopeo(['copy', '--dest-tls-verify=false', `oci:${join(work, 'image')}:v1`, dest]);
    const size = statSync(join(work, 'image', 'blobs', ...image.manifestDigest.split(':'))).size;
    subject = { mediaType: OCI_MANIFEST, digest: image.manifestDigest, size };
  });

  afterAll(async () => {
    await registry?.stop();
    if (work) removeTree(work);
  });

  test('skopeo copies an artifact manifest with a subject and keeps its digest', async () => {
    artifact = makeArtifactLayout(join(work, 'sbom'), 'sbom', SBOM, '{"packages":[]}', subject);
    const digestFile = join(work, 'sbom.digest');
    await skopeo(['copy', '--dest-tls-verify=false', '--digestfile', digestFile, `oci:${join(work, 'sbom')}:sbom`,
      `docker://${registry.host}/${name}:sbom`]);
    const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/${name}:sbom`]);
    expect((JSON.parse(raw.stdout) as { subject: Descriptor }).subject).toEqual(subject);
    expect(readFileSync(digestFile, 'utf8').trim()).toBe(artifact.digest);
  });

  oci11('the referrers API lists the artifact under its subject, with its artifactType', async () => {
    const res = await referrers(subject.digest);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(OCI_INDEX);
    const index = (await res.json()) as Index;
    expect(index.mediaType).toBe(OCI_INDEX);
    expect(index.manifests).toContainEqual(expect.objectContaining({ ...artifact, artifactType: SBOM }));
  });

  oci11('referrers filtered by another artifactType leave the artifact out', async () => {
    const res = await referrers(subject.digest, `?artifactType=${encodeURIComponent('application/x-other')}`);
    expect(res.status).toBe(200);
    const index = (await res.json()) as Index;
    // Filtering is optional in the spec; a registry that filters says so in OCI-Filters-Applied.
    if (res.headers.get('oci-filters-applied')?.includes('artifactType')) expect(index.manifests).toEqual([]);
  });

  oci11('referrers of a digest nothing refers to is an empty index, not a 404', async () => {
    const res = await referrers(`sha256:${'0'.repeat(64)}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Index).manifests).toEqual([]);
  });

  oci11('after skopeo delete of the artifact, the referrers list no longer has it', async () => {
    await skopeo(['delete', '--tls-verify=false', `docker://${registry.host}/${name}@${artifact.digest}`]);
    const index = (await (await referrers(subject.digest)).json()) as Index;
    expect(index.manifests.map((m) => m.digest)).not.toContain(artifact.digest);
  });
});
