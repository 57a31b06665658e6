/**
 * Pushes with auth on through the cloud topology (`npm run start:lambda`: the API and, on another port,
 * the upload service that upload Locations point to): docker, skopeo, podman and containerd each
 * continue their sessions there, with their credentials or with the secret the Location carries, and
 * no log line holds that secret.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Containerd, startContainerd } from './containerd';
import { Dockerd, startDockerd } from './dockerd';
import { removeTree, run, RunOptions, runId, settle, tempDir } from './exec';
import { makeOciLayout, makeRootfs, tarDir, writeRandomFile } from './images';
import { RegistryProcess, startRegistry } from './registry-process';

const ROOT = resolve(__dirname, '../..');
const ADMIN = { user: 'admin', password: 'admin-Secret-1' };
const ALICE = { user: 'alice', password: 'alice-Secret-2' };

describe('pushes with auth on, upload sessions on the upload service (npm run start:lambda)', () => {
  let registry: RegistryProcess;
  let engine: Dockerd;
  let containerd: Containerd;
  let work: string;
  const id = runId();
  const team = `team-${id}`;
  const dataDir = () => join(work, 'data');
  const cli = (args: string[], opts: RunOptions = {}) =>
    run(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/stratus-cli.ts'), ...args],
      { ...opts, cwd: ROOT, env: { STRATUS_DATA_DIR: dataDir(), ...opts.env } });
  const podman = (args: string[]) => run('podman', [
    `--root=${join(work, 'podman', 'root')}`, `--runroot=${join(work, 'podman', 'run')}`, `--tmpdir=${join(work, 'tmp')}`,
    '--storage-driver=vfs', '--cgroup-manager=cgroupfs', '--events-backend=file', ...args,
  ], { env: { REGISTRY_AUTH_FILE: join(work, 'auth.json'), CONTAINERS_CONF: join(work, 'containers.conf') } });
  const skopeo = (args: string[]) => run('skopeo', args, { env: { REGISTRY_AUTH_FILE: join(work, 'auth.json') } });

  /** The manifest digest a tag has, asked as the administrator (null when missing). */
  async function pushedDigest(repo: string, tag: string): Promise<string | null> {
    const res = await fetch(`http://${registry.host}/v2/${repo}/manifests/${tag}`, {
      method: 'HEAD',
      headers: {
        authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`,
        accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
      },
    });
    return res.status === 200 ? res.headers.get('docker-content-digest') : null;
  }

  beforeAll(async () => {
    work = tempDir('auth-uploads');
    await settle(
      startRegistry({
        script: 'local/start-lambda.ts', dataDir: dataDir(),
        env: { STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: ADMIN.user, STRATUS_ADMIN_PASSWORD: ADMIN.password },
      }).then((r) => (registry = r)),
      startDockerd().then((d) => (engine = d)),
      startContainerd().then((c) => (containerd = c)),
    );
    await cli(['user', 'add', ALICE.user], { env: { STRATUS_PASSWORD: ALICE.password } });
    await cli(['grant', ALICE.user, `${team}/*`, 'pull,push']);
    mkdirSync(join(work, 'tmp'));
    writeFileSync(join(work, 'auth.json'), '{}');
    writeFileSync(join(work, 'containers.conf'), '');
  });

  afterAll(async () => {
    await engine?.stop();
    await containerd?.stop();
    await registry?.stop();
    if (work) removeTree(work);
  });

  test('docker login and push', async () => {
    const tar = await tarDir(makeRootfs(join(work, 'docker'), { 'id.txt': `docker ${id}` }), join(work, 'docker.tar'));
    const image = `${registry.host}/${team}/docker:1`;
    await engine.docker(['import', tar, image]);
    await engine.docker(['login', '-u', ALICE.user, '-p', ALICE.password, registry.host]);
    await engine.docker(['push', image]);
    expect(await pushedDigest(`${team}/docker`, '1')).toMatch(/^sha256:/);
  });

  test('skopeo copy with --dest-creds', async () => {
    const layout = join(work, 'skopeo-layout');
    await makeOciLayout(layout, 'v1', makeRootfs(join(work, 'skopeo'), { 'id.txt': `skopeo ${id}` }));
    await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `${ALICE.user}:${ALICE.password}`,
      `oci:${layout}:v1`, `docker://${registry.host}/${team}/skopeo:v1`]);
    expect(await pushedDigest(`${team}/skopeo`, 'v1')).toMatch(/^sha256:/);
  });

  test('podman push with --creds', async () => {
    const tar = await tarDir(makeRootfs(join(work, 'podman-rootfs'), { 'id.txt': `podman ${id}` }), join(work, 'podman.tar'));
    await podman(['import', tar, 'localhost/e2e/auth-podman:1']);
    await podman(['push', '--tls-verify=false', '--creds', `${ALICE.user}:${ALICE.password}`,
      'localhost/e2e/auth-podman:1', `${registry.host}/${team}/podman:1`]);
    expect(await pushedDigest(`${team}/podman`, '1')).toMatch(/^sha256:/);
  });

  test('ctr images push -u (containerd drops credentials for the upload host) under the same digest', async () => {
    const rootfs = makeRootfs(join(work, 'ctr'));
    await writeRandomFile(join(rootfs, 'random.bin'), 1 << 20, id);
    const layout = await makeOciLayout(join(work, 'ctr-layout'), 'v1', rootfs);
    await run('tar', ['-C', join(work, 'ctr-layout'), '-cf', join(work, 'ctr.tar'), '.']);
    await containerd.ctr(['images', 'import', '--base-name', 'localhost/e2e/auth-ctr', join(work, 'ctr.tar')]);
    const remote = `${registry.host}/${team}/ctr:v1`;
    await containerd.ctr(['images', 'tag', 'localhost/e2e/auth-ctr:v1', remote]);
    await containerd.ctr(['images', 'push', '--plain-http', '-u', `${ALICE.user}:${ALICE.password}`, remote]);
    expect(await pushedDigest(`${team}/ctr`, 'v1')).toBe(layout.manifestDigest);
  });

  test('the upload service logged the sessions by path, and no log line holds a session secret', () => {
    const log = readFileSync(registry.logFile!, 'utf8');
    expect(log).toMatch(/"service":"stratus-upload-service".*"path":"\/v2\/[^"]+\/blobs\/uploads\/[0-9a-f-]{36}"/);
    expect(log).not.toContain('_state');
  });
});
