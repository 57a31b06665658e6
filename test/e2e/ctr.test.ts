/** containerd's ctr against the registry: push (one monolithic PUT per blob) and pull, compare digests. */
import { join } from 'node:path';
import { Containerd, imageDigest, startContainerd } from './containerd';
import { removeTree, run, runId, settle, tempDir } from './exec';
import { makeOciLayout, makeRootfs, writeRandomFile } from './images';
import { RegistryProcess, startRegistry } from './registry-process';

describe('containerd (ctr)', () => {
  let registry: RegistryProcess;
  let containerd: Containerd;
  let work: string;
  let remote: string;
  let importedDigest: string;
  const local = 'localhost/e2e/ctr:v1';

  beforeAll(async () => {
    await settle(startRegistry().then((r) => (registry = r)), startContainerd().then((c) => (containerd = c)));
    work = tempDir('ctr');
    remote = `${registry.host}/e2e-${runId()}/ctr:v1`;
    // 16 MiB of random data: bigger than one Lambda request, sent by containerd as a single PUT.
    const rootfs = makeRootfs(join(work, 'rootfs'));
    await writeRandomFile(join(rootfs, 'random.bin'), 16 << 20, remote);
    await makeOciLayout(join(work, 'layout'), 'v1', rootfs);
    // `ctr images import` reads an OCI archive: the layout directory as a tar stream.
    await run('tar', ['-C', join(work, 'layout'), '-cf', join(work, 'image.tar'), '.']);
    await containerd.ctr(['images', 'import', '--base-name', 'localhost/e2e/ctr', join(work, 'image.tar')]);
    importedDigest = await imageDigest(containerd, local);
  });

  afterAll(async () => {
    await containerd?.stop();
    await registry?.stop();
    if (work) removeTree(work);
  });

  test('ctr images push --plain-http uploads the image under the same manifest digest', async () => {
    await containerd.ctr(['images', 'tag', local, remote]);
    await containerd.ctr(['images', 'push', '--plain-http', remote]);

    const [host, ...rest] = remote.split('/');
    const [path, tag] = rest.join('/').split(':');
    const head = await fetch(`http://${host}/v2/${path}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(importedDigest);
  });

  test('ctr images pull --plain-http into an emptied store returns the same digest, complete', async () => {
    await containerd.ctr(['images', 'rm', '--sync', local, remote]);
    // Removing the last reference lets containerd's garbage collector drop the blobs too.
    expect((await containerd.ctr(['content', 'ls', '--quiet'])).stdout.trim()).toBe('');

    const pull = await containerd.ctr(['images', 'pull', '--plain-http', remote]);
    expect(pull.output).toMatch(/^done/m);
    expect(await imageDigest(containerd, remote)).toBe(importedDigest);
    const check = await containerd.ctr(['images', 'check']);
    const row = check.stdout.split('\n').find((l) => l.startsWith(`${remote} `));
    expect(row).toMatch(/ complete \((\d+)\/\1\) /); // every config and layer blob present
  });
});
