/** Docker manifest lists: `docker manifest create/annotate/push`, inspect, and pulls by platform. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFromRootfs, copyFileFromImage, Dockerd, startDockerd } from './dockerd';
import { removeTree, runId, settle, tempDir } from './exec';
import { makeRootfs } from './images';
import { RegistryProcess, startRegistry } from './registry-process';

const DIGEST_LINE = /: digest: (sha256:[a-f0-9]{64}) size: \d+$/m;
const ARCHES = ['amd64', 'arm64'] as const;
/** The list entry a plain `docker pull` on this machine should choose. */
const NATIVE = process.arch === 'arm64' ? 'arm64' : 'amd64';

type Entry = { digest: string; mediaType: string; platform: { architecture: string; os: string } };

describe('docker manifest list (two platforms)', () => {
  let registry: RegistryProcess;
  let engine: Dockerd;
  let work: string;
  const id = runId();
  let repo: string;
  let list: string;
  let listDigest: string;
  const archDigest: Record<string, string> = {};
  const content = (arch: string): string => `${arch} image ${id}\n`;
  // Drop every local copy so that a pull really resolves the list in the registry.
  const dropLocal = (): Promise<unknown> =>
    engine.docker(['rmi', '-f', list, ...ARCHES.map((a) => `${repo}:${a}`)], { allowFail: true });

  beforeAll(async () => {
    await settle(startRegistry().then((r) => (registry = r)), startDockerd().then((d) => (engine = d)));
    work = tempDir('multiarch');
    repo = `${registry.host}/e2e-${id}/multi`;
    list = `${repo}:list`;
    // One image per platform, with different content and the architecture recorded in its config.
    for (const arch of ARCHES) {
      const rootfs = makeRootfs(join(work, arch), { 'hello.txt': content(arch) });
      await buildFromRootfs(engine, rootfs, `${repo}:${arch}`, `linux/${arch}`);
      const push = await engine.docker(['push', `${repo}:${arch}`]);
      archDigest[arch] = DIGEST_LINE.exec(push.output)![1];
    }
  });

  afterAll(async () => {
    await engine?.stop();
    await registry?.stop();
    if (work) removeTree(work);
  });

  test('docker manifest push of a two-platform list succeeds and prints the list digest', async () => {
    const refs = ARCHES.map((a) => `${repo}:${a}`);
    const created = await engine.docker(['manifest', 'create', '--insecure', list, ...refs]);
    expect(created.output).toContain(`Created manifest list ${list}`);
    for (const arch of ARCHES) {
      await engine.docker(['manifest', 'annotate', '--os', 'linux', '--arch', arch, list, `${repo}:${arch}`]);
    }
    const push = await engine.docker(['manifest', 'push', '--insecure', list]);
    listDigest = push.stdout.trim().split('\n').pop() as string;
    expect(listDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
  });

  test('docker manifest inspect shows both platforms with the digests pushed for them', async () => {
    const out = await engine.docker(['manifest', 'inspect', '--insecure', list]);
    const parsed = JSON.parse(out.stdout) as { mediaType: string; manifests: Entry[] };
    expect(parsed.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    const byArch = Object.fromEntries(parsed.manifests.map((m) => [m.platform.architecture, m]));
    expect(Object.keys(byArch).sort()).toEqual([...ARCHES]);
    for (const arch of ARCHES) {
      expect(byArch[arch].digest).toBe(archDigest[arch]);
      expect(byArch[arch].platform.os).toBe('linux');
    }
  });

  test("pulling the list by tag gives this machine's platform image", async () => {
    await dropLocal();
    const pull = await engine.docker(['pull', list]);
    expect(pull.output).toContain(`Digest: ${listDigest}`);
    const arch = await engine.docker(['image', 'inspect', '--format', '{{.Architecture}}', list]);
    expect(arch.stdout.trim()).toBe(NATIVE);
    const file = await copyFileFromImage(engine, list, '/hello.txt', work);
    expect(readFileSync(file, 'utf8')).toBe(content(NATIVE));
  });

  test('pulling the list with --platform picks the other entry', async () => {
    const other = ARCHES.find((a) => a !== NATIVE) as string;
    await dropLocal();
    const pull = await engine.docker(['pull', '--platform', `linux/${other}`, list]);
    expect(pull.output).toContain(`Digest: ${listDigest}`);
    const arch = await engine.docker(['image', 'inspect', '--format', '{{.Architecture}}', list]);
    expect(arch.stdout.trim()).toBe(other);
    const file = await copyFileFromImage(engine, list, '/hello.txt', work);
    expect(readFileSync(file, 'utf8')).toBe(content(other));
  });
});
