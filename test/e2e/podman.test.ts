/** podman (containers/image) against the registry: push, pull, digests; Docker v2 and OCI manifests. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTree, run, RunOptions, RunResult, runId, tempDir } from './exec';
import { makeRootfs, tarDir } from './images';
import { RegistryProcess, startRegistry } from './registry-process';

describe('podman', () => {
  let registry: RegistryProcess;
  let work: string;
  let repo: string;
  const local = 'localhost/e2e/podman:1';

  /**
   * podman with its state under `work/<store>`: no system storage, cgroup manager or journald needed.
   * Pushes use store "push", pulls store "pull", so a pull never finds the layers locally.
   */
  const podman = (store: 'push' | 'pull', args: string[], opts?: RunOptions): Promise<RunResult> =>
    run(
      'podman',
      [
        `--root=${join(work, store, 'root')}`,
        `--runroot=${join(work, store, 'run')}`,
        `--tmpdir=${join(work, 'tmp')}`,
        '--storage-driver=vfs',
        '--cgroup-manager=cgroupfs',
        '--events-backend=file',
        ...args,
      ],
      {
        ...opts,
        env: {
          // Trap: when REGISTRY_AUTH_FILE is set, the file must exist.
          REGISTRY_AUTH_FILE: join(work, 'auth.json'),
          CONTAINERS_CONF: join(work, 'containers.conf'),
          ...opts?.env,
        },
      },
    );

  beforeAll(async () => {
    registry = await startRegistry();
    work = tempDir('podman');
    mkdirSync(join(work, 'tmp'));
    writeFileSync(join(work, 'auth.json'), '{}');
    writeFileSync(join(work, 'containers.conf'), '');
    repo = `${registry.host}/e2e-${runId()}/podman`;
    const rootfs = makeRootfs(join(work, 'rootfs'), { 'hello.txt': `podman ${repo}\n` });
    await podman('push', ['import', await tarDir(rootfs, join(work, 'rootfs.tar')), local]);
  });

  afterAll(async () => {
    await registry?.stop();
    if (work) removeTree(work);
  });

  /** Pushes `local` as `format`, removes every local image, pulls it back, and compares digests. */
  async function roundTrip(format: 'v2s2' | 'oci', tag: string): Promise<void> {
    const digestFile = join(work, `${tag}.digest`);
    const push = await podman('push', ['push', '--tls-verify=false', `--format=${format}`, '--digestfile', digestFile,
      local, `${repo}:${tag}`]);
    expect(push.output).toContain('Writing manifest to image destination');
    const pushed = readFileSync(digestFile, 'utf8').trim();
    expect(pushed).toMatch(/^sha256:[a-f0-9]{64}$/);

    await podman('pull', ['rmi', '--all', '--force']);
    const pull = await podman('pull', ['pull', '--tls-verify=false', `${repo}:${tag}`]);
    expect(pull.output).toContain(`Trying to pull ${repo}:${tag}`);
    const inspect = await podman('pull', ['image', 'inspect', '--format', '{{.Digest}}', `${repo}:${tag}`]);
    expect(inspect.stdout.trim()).toBe(pushed);
  }

  test('podman push then pull of a Docker v2 manifest returns the same digest', async () => {
    await roundTrip('v2s2', 'docker');
  });

  test('podman push then pull of an OCI manifest returns the same digest', async () => {
    await roundTrip('oci', 'oci');
  });

  test('podman pull by digest returns that digest', async () => {
    const digest = readFileSync(join(work, 'oci.digest'), 'utf8').trim();
    await podman('pull', ['rmi', '--all', '--force']);
    await podman('pull', ['pull', '--tls-verify=false', `${repo}@${digest}`]);
    const inspect = await podman('pull', ['image', 'inspect', '--format', '{{.Digest}}', `${repo}@${digest}`]);
    expect(inspect.stdout.trim()).toBe(digest);
  });
});
