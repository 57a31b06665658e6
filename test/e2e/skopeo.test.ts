/** skopeo against the registry: OCI layout round trip, list-tags, inspect, delete. */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTree, run, RunOptions, runId, tempDir } from './exec';
import { makeOciLayout, makeRootfs, OciLayoutInfo, readOciLayout } from './images';
import { RegistryProcess, startRegistry, TOPOLOGIES } from './registry-process';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe.each(TOPOLOGIES)('skopeo on %s', (_topology, options) => {
  let registry: RegistryProcess;
  let work: string;
  let repo: string;
  let source: OciLayoutInfo;
  // An (empty) auth file of our own, so skopeo never reads root's credentials; it must exist.
  const skopeo = (args: string[], opts?: RunOptions) =>
    run('skopeo', args, { ...opts, env: { REGISTRY_AUTH_FILE: join(work, 'auth.json') } });
  const plain = '--tls-verify=false'; // 127.0.0.1 speaks plain HTTP; skopeo would try HTTPS first

  beforeAll(async () => {
    registry = await startRegistry(options);
    work = tempDir('skopeo');
    writeFileSync(join(work, 'auth.json'), '{}');
    repo = `docker://${registry.host}/e2e-${runId()}/skopeo`;
    const rootfs = makeRootfs(join(work, 'rootfs'), { 'hello.txt': `skopeo ${repo}\n` });
    source = await makeOciLayout(join(work, 'src'), 'v1', rootfs);
  });

  afterAll(async () => {
    await registry?.stop();
    if (work) removeTree(work);
  });

  test('skopeo copy from an OCI layout pushes the manifest unchanged', async () => {
    const digestFile = join(work, 'pushed.digest');
    const copy = await skopeo(['copy', '--dest-tls-verify=false', '--digestfile', digestFile,
      `oci:${join(work, 'src')}:v1`, `${repo}:v1`]);
    expect(copy.output).toContain('Writing manifest to image destination');
    expect(readFileSync(digestFile, 'utf8').trim()).toBe(source.manifestDigest);
  });

  test('skopeo copy back into a new OCI layout gives the same manifest, config and layer digests', async () => {
    await skopeo(['copy', '--src-tls-verify=false', `${repo}:v1`, `oci:${join(work, 'back')}:v1`]);
    expect(readOciLayout(join(work, 'back'), 'v1')).toEqual(source);
  });

  test('skopeo list-tags shows every pushed tag', async () => {
    await skopeo(['copy', '--src-tls-verify=false', '--dest-tls-verify=false', `${repo}:v1`, `${repo}:v2`]);
    const out = await skopeo(['list-tags', plain, repo]);
    const { Tags } = JSON.parse(out.stdout) as { Tags: string[] };
    expect([...Tags].sort()).toEqual(['v1', 'v2']);
  });

  test('skopeo inspect reports the digest, layers and platform of the image', async () => {
    const out = await skopeo(['inspect', plain, `${repo}:v1`]);
    const info = JSON.parse(out.stdout) as { Digest: string; Layers: string[]; Architecture: string; Os: string };
    expect(info.Digest).toBe(source.manifestDigest);
    expect(info.Layers).toEqual(source.layerDigests);
    expect(info.Os).toBe('linux');

    const raw = await skopeo(['inspect', '--raw', plain, `${repo}:v1`]);
    // The registry serves the manifest bytes exactly as pushed (umoci's have no mediaType field).
    expect('sha256:' + createHash('sha256').update(raw.stdout).digest('hex')).toBe(source.manifestDigest);
    expect((JSON.parse(raw.stdout) as { config: { digest: string } }).config.digest).toBe(source.configDigest);
  });

  test('skopeo delete removes the manifest: a later GET answers 404', async () => {
    const [host, ...path] = repo.slice('docker://'.length).split('/');
    const manifestUrl = `http://${host}/v2/${path.join('/')}/manifests/${source.manifestDigest}`;
    const get = () => fetch(manifestUrl, { headers: { Accept: OCI_MANIFEST } });
    expect((await get()).status).toBe(200);

    await skopeo(['delete', plain, `${repo}@${source.manifestDigest}`]);

    const after = await get();
    expect(after.status).toBe(404);
    const body = (await after.json()) as { errors: { code: string }[] };
    expect(body.errors[0].code).toBe('MANIFEST_UNKNOWN');
    const inspect = await skopeo(['inspect', plain, `${repo}:v1`], { allowFail: true });
    expect(inspect.code).not.toBe(0);
    expect(inspect.output).toMatch(/manifest unknown/i);
  });
});
