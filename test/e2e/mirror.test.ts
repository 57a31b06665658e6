/**
 * Stratus as Docker's `registry-mirrors` (issue 16), with the real daemon and containerd. No internet here:
 * Docker Hub is unreachable, so a `docker pull busybox` that succeeds was served by the mirror. The upstream
 * is CNCF distribution behind a recording proxy (test/support), holding `library/busybox:latest` made with
 * `docker import`; Stratus runs as `npm start` with auth on and a root rule (`npx stratus mirror add ''
 * <upstream>`). Docker sends no credentials to a mirror, so the mirrored pulls are anonymous, while the
 * local repositories still need a login. One upstream, one Stratus, one dockerd, one containerd.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Containerd, imageDigest, startContainerd } from './containerd';
import { Dockerd, inspectImage, startDockerd } from './dockerd';
import { removeTree, run, runId, settle, tempDir } from './exec';
import { makeRootfs, tarDir } from './images';
import { RegistryProcess, startRegistry } from './registry-process';
import { startDistributionUpstream, UpstreamRegistry } from '../support/upstream-registry';

const ROOT = resolve(__dirname, '../..');
const DIGEST_LINE = /digest: (sha256:[a-f0-9]{64}) size: \d+/;
const TAG_TTL_SECONDS = 2;
const ADMIN = { user: 'admin', password: 'admin-Secret-1' };

/** One request line of Stratus's JSON log. */
interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  userAgent?: string;
}

describe('registry mirror (docker --registry-mirror, containerd hosts.toml)', () => {
  let upstream: UpstreamRegistry;
  let registry: RegistryProcess;
  let engine: Dockerd;
  let containerd: Containerd;
  let work: string;
  let upstreamDigest: string;
  let blobDigests: string[];
  let importedId: string;

  /** Stratus's request log from `from` (a byte offset), parsed. */
  const stratusRequests = (from = 0): LoggedRequest[] =>
    readFileSync(registry.logFile!, 'utf8').slice(from).split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { message: string } & LoggedRequest)
      .filter((l) => l.message === 'request');
  /** A bearer token for the admin from Stratus's token endpoint (the realm its 401 names). */
  const adminToken = async (scope: string): Promise<string> => {
    const challenge = (await fetch(`http://${registry.host}/v2/`)).headers.get('www-authenticate') ?? '';
    const realm = /realm="([^"]+)"/.exec(challenge)![1];
    const service = /service="([^"]+)"/.exec(challenge)?.[1] ?? '';
    const basic = Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64');
    const res = await fetch(`${realm}?service=${encodeURIComponent(service)}&scope=${encodeURIComponent(scope)}`, { headers: { authorization: `Basic ${basic}` } });
    return `Bearer ${((await res.json()) as { token: string }).token}`;
  };
  const logOffset = (): number => readFileSync(registry.logFile!, 'utf8').length;
  const upstreamBlobGets = (): string[] =>
    upstream.requests().filter((r) => r.method === 'GET' && r.path.includes('/blobs/')).map((r) => r.path.split('/blobs/')[1]);

  beforeAll(async () => {
    work = tempDir('mirror');
    const dataDir = join(work, 'stratus-data');
    await settle(
      startDistributionUpstream().then((u) => (upstream = u)),
      startRegistry({
        dataDir, env: { STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: ADMIN.user, STRATUS_ADMIN_PASSWORD: ADMIN.password },
      }).then((r) => (registry = r)),
      startContainerd().then((c) => (containerd = c)),
    );
    // dockerd needs Stratus's port; the rule goes in meanwhile, through the CLI against the running instance.
    await settle(
      startDockerd({ extraArgs: [`--registry-mirror=http://${registry.host}`] }).then((d) => (engine = d)),
      run(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/stratus-cli.ts'), 'mirror', 'add', '', upstream.url, '--tag-ttl', `${TAG_TTL_SECONDS}s`], {
        cwd: ROOT, env: { STRATUS_DATA_DIR: dataDir },
      }),
    );

    // library/busybox:latest on the upstream, as Docker Hub would hold it; then gone from the engine.
    const upstreamRef = `127.0.0.1:${upstream.port}/library/busybox:latest`;
    const tar = await tarDir(makeRootfs(join(work, 'rootfs'), { 'etc/mirror-test': `${runId()}\n` }), join(work, 'rootfs.tar'));
    await engine.docker(['import', '-c', 'CMD ["/bin/sh"]', tar, upstreamRef]);
    importedId = (await inspectImage(engine, upstreamRef)).id;
    const push = await engine.docker(['push', upstreamRef]);
    upstreamDigest = DIGEST_LINE.exec(push.output)![1];
    await engine.docker(['rmi', upstreamRef]);
    const manifest = await fetch(`${upstream.seedUrl()}/v2/library/busybox/manifests/${upstreamDigest}`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    const body = (await manifest.json()) as { config: { digest: string }; layers: { digest: string }[] };
    blobDigests = [body.config.digest, ...body.layers.map((l) => l.digest)];
    upstream.clearRequests();
  });

  afterAll(async () => {
    await Promise.allSettled([engine?.stop(), containerd?.stop(), registry?.stop(), upstream?.dispose()]);
    if (work) removeTree(work);
  });

  test('docker pull busybox is served by the mirror with the upstream digest; HEAD then one GET per blob upstream', async () => {
    const from = logOffset();
    const pull = await engine.docker(['pull', 'busybox']);
    expect(pull.output).toContain(`Digest: ${upstreamDigest}`);
    const images = await engine.docker(['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}', 'busybox']);
    expect(images.stdout.trim()).toBe(`busybox latest ${upstreamDigest}`);
    expect((await inspectImage(engine, 'busybox')).id).toBe(importedId); // same config: same bytes end to end

    // What Docker asked Stratus: the tag by HEAD, then the config and layer by digest.
    const asked = stratusRequests(from).filter((r) => r.path.startsWith('/v2/library/busybox/'));
    expect(asked).toContainEqual(expect.objectContaining({ method: 'HEAD', path: '/v2/library/busybox/manifests/latest', status: 200 }));
    for (const digest of blobDigests) {
      expect(asked).toContainEqual(expect.objectContaining({ method: 'GET', path: `/v2/library/busybox/blobs/${digest}` }));
    }
    // What Stratus asked the upstream: the tag, and each blob exactly once.
    const fromUpstream = upstream.requests();
    expect(fromUpstream.some((r) => r.path === '/v2/library/busybox/manifests/latest' && r.status === 200)).toBe(true);
    expect(upstreamBlobGets().sort()).toEqual([...blobDigests].sort());
  });

  test('docker rmi then pull again: at most one upstream HEAD and no upstream blob GET', async () => {
    await engine.docker(['rmi', 'busybox']);
    upstream.clearRequests();
    const pull = await engine.docker(['pull', 'busybox']);
    expect(pull.output).toContain(`Digest: ${upstreamDigest}`);
    expect(pull.output).toContain('Downloaded newer image for busybox:latest');
    const fromUpstream = upstream.requests();
    expect(fromUpstream.filter((r) => r.method !== 'HEAD')).toEqual([]);
    expect(fromUpstream.filter((r) => r.method === 'HEAD').length).toBeLessThanOrEqual(1);
  });

  test('upstream stopped after the tag TTL: the pull still works from the cache, and the log says it is stale', async () => {
    await new Promise((r) => setTimeout(r, (TAG_TTL_SECONDS + 1) * 1000)); // the tag must be re-checked now
    await upstream.stop();
    await engine.docker(['rmi', 'busybox']);
    const from = logOffset();
    const pull = await engine.docker(['pull', 'busybox']);
    expect(pull.output).toContain(`Digest: ${upstreamDigest}`);
    expect((await inspectImage(engine, 'busybox')).id).toBe(importedId);
    expect(readFileSync(registry.logFile!, 'utf8').slice(from)).toMatch(/stale/i);
  });

  test('docker push to a local repository works on the same instance after login (upstream still down)', async () => {
    const local = `${registry.host}/team/app:1`;
    await engine.docker(['tag', 'busybox', local]);
    // The mirror's anonymous pulls open nothing else: an anonymous push is refused.
    const anonymous = await engine.docker(['push', local], { allowFail: true });
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.output).toMatch(/unauthorized|authentication required|denied/i);

    await engine.docker(['login', '-u', ADMIN.user, '-p', ADMIN.password, registry.host]);
    const push = await engine.docker(['push', local]);
    const pushed = DIGEST_LINE.exec(push.output)?.[1];
    expect(pushed).toMatch(/^sha256:/);
    await engine.docker(['rmi', local]);
    const pull = await engine.docker(['pull', local]);
    expect(pull.output).toContain(`Digest: ${pushed}`);

    // Anonymous: the mirrored repository answers, the local one does not.
    const accept = { accept: 'application/vnd.docker.distribution.manifest.v2+json' };
    expect((await fetch(`http://${registry.host}/v2/library/busybox/manifests/latest`, { method: 'HEAD', headers: accept })).status).toBe(200);
    expect((await fetch(`http://${registry.host}/v2/team/app/manifests/1`, { method: 'HEAD', headers: accept })).status).toBe(401);
  });

  test('the mirrored repository is ordinary content: _catalog lists it beside the local one', async () => {
    const authorization = await adminToken('registry:catalog:*');
    const res = await fetch(`http://${registry.host}/v2/_catalog`, { headers: { authorization } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { repositories: string[] }).repositories).toEqual(expect.arrayContaining(['library/busybox', 'team/app']));
  });

  test('a push to the mirrored library/busybox through the registry\'s own name is refused with DENIED, even for the admin', async () => {
    const own = `${registry.host}/library/busybox:pushed`;
    await engine.docker(['tag', 'busybox', own]);
    await engine.docker(['login', '-u', ADMIN.user, '-p', ADMIN.password, registry.host]);
    const push = await engine.docker(['push', own], { allowFail: true });
    expect(push.code).not.toBe(0);
    expect(push.output).toMatch(/denied/i);

    // Over HTTP with the admin's token: an upload and a manifest PUT over the mirrored tag get 403 DENIED.
    const authorization = await adminToken('repository:library/busybox:pull,push');
    const upload = await fetch(`http://${registry.host}/v2/library/busybox/blobs/uploads/`, { method: 'POST', headers: { authorization } });
    expect(upload.status).toBe(403);
    expect(((await upload.json()) as { errors: { code: string }[] }).errors[0].code).toBe('DENIED');
    const manifest = await fetch(`http://${registry.host}/v2/library/busybox/manifests/${upstreamDigest}`, {
      headers: { authorization, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    const bytes = Buffer.from(await manifest.arrayBuffer());
    const overwrite = await fetch(`http://${registry.host}/v2/library/busybox/manifests/pushed`, {
      method: 'PUT', body: bytes, headers: { authorization, 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(overwrite.status).toBe(403);
    expect(((await overwrite.json()) as { errors: { code: string }[] }).errors[0].code).toBe('DENIED');
    const head = await fetch(`http://${registry.host}/v2/library/busybox/manifests/pushed`, { method: 'HEAD', headers: { authorization } });
    expect(head.status).not.toBe(200);
  });

  test('containerd: ctr images pull --hosts-dir with a hosts.toml mirror for docker.io', async () => {
    await upstream.restart();
    const hostsDir = join(work, 'certs.d');
    mkdirSync(join(hostsDir, 'docker.io'), { recursive: true });
    writeFileSync(join(hostsDir, 'docker.io', 'hosts.toml'), [
      'server = "https://registry-1.docker.io"',
      '',
      `[host."http://${registry.host}"]`,
      '  capabilities = ["pull", "resolve"]',
      '',
    ].join('\n'));
    const from = logOffset();
    const pull = await containerd.ctr(['images', 'pull', '--hosts-dir', hostsDir, 'docker.io/library/busybox:latest']);
    expect(pull.output).toMatch(/^done/m);
    expect(await imageDigest(containerd, 'docker.io/library/busybox:latest')).toBe(upstreamDigest);
    const asked = stratusRequests(from).filter((r) => /containerd/i.test(r.userAgent ?? ''));
    expect(asked.some((r) => r.path.startsWith('/v2/library/busybox/manifests/latest') && r.status === 200)).toBe(true);
  });
});
