/**
 * A registry serving other machines: `npm start` with HOST=0.0.0.0 inside one network namespace, real clients
 * inside another, joined by a veth pair (test/e2e/netns.ts). Two registries: TLS with a test CA and auth on,
 * and plain HTTP with auth off. Matrix: docker (TLS + auth, a 300 MB layer both ways, bytes compared; and plain
 * HTTP through insecure-registries), skopeo (plain, auth off), podman (TLS with --cert-dir, auth on), ctr (TLS
 * with --tlscacert, auth on). The embedded S3 stays on the server's loopback: blob bytes come through the
 * registry.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, rmdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { startContainerd, Containerd, imageDigest } from './containerd';
import { copyFileFromImage, Dockerd, inspectImage } from './dockerd';
import { removeTree, run, RunOptions, RunResult, runId, sha256File, settle, tempDir } from './exec';
import { makeOciLayout, makeRootfs, readOciLayout, tarDir, writeRandomFile } from './images';
import { createNetnsPair, NetnsPair } from './netns';
import { peakRssMB } from './registry-process';
import { RemoteRegistry, startDockerdIn, startRegistryIn } from './remote-registry';
import { makeTestCa, TestCa } from './test-ca';

const SIZE = 300 * 1024 * 1024;
const DIGEST_LINE = /: digest: (sha256:[a-f0-9]{64}) size: \d+$/m;
const ADMIN = 'admin';
const PASSWORD = randomBytes(12).toString('hex');

describe('clients on another machine (network namespaces), registry with HOST=0.0.0.0', () => {
  let net: NetnsPair;
  let ca: TestCa;
  let secure: RemoteRegistry; // TLS, auth on
  let plain: RemoteRegistry; // plain HTTP, auth off
  let engine: Dockerd;
  let containerd: Containerd;
  let work: string;
  let certsDir: string | undefined;
  let createdCertsRoot = false;
  const figures: string[] = [];

  /** Runs a command inside the client namespace. */
  const inClient = (argv: string[], opts?: RunOptions): Promise<RunResult> => {
    const [cmd, ...args] = net.exec(net.client, argv);
    return run(cmd!, args, opts);
  };

  beforeAll(async () => {
    net = createNetnsPair();
    work = tempDir('remote');
    ca = makeTestCa([net.serverIp]);
    const securePort = 5443;
    const plainPort = 5000;
    // Docker reads a registry's CA from /etc/docker/certs.d/<host:port>/ca.crt; removed in afterAll.
    createdCertsRoot = !existsSync('/etc/docker/certs.d');
    certsDir = `/etc/docker/certs.d/${net.serverIp}:${securePort}`;
    mkdirSync(certsDir, { recursive: true });
    copyFileSync(ca.caCert, join(certsDir, 'ca.crt'));
    await settle(
      startRegistryIn(net.server, net.serverIp, securePort, {
        STRATUS_TLS_CERT: ca.serverCert, STRATUS_TLS_KEY: ca.serverKey,
        STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: ADMIN, STRATUS_ADMIN_PASSWORD: PASSWORD,
      }).then((r) => (secure = r)),
      startRegistryIn(net.server, net.serverIp, plainPort, {}).then((r) => (plain = r)),
      startDockerdIn(net.client, [`--insecure-registry=${net.serverIp}:${plainPort}`]).then((d) => (engine = d)),
      startContainerd().then((c) => (containerd = c)),
    );
  });

  afterAll(async () => {
    console.log(`MEASURE remote clients ${figures.join(' ')}`);
    await Promise.allSettled([engine?.stop(), containerd?.stop(), secure?.stop(), plain?.stop()]);
    net?.remove();
    if (certsDir) rmSync(certsDir, { recursive: true, force: true });
    if (createdCertsRoot) rmdirSync('/etc/docker/certs.d');
    ca?.remove();
    if (work) removeTree(work);
  });

  test('the client namespace reaches the registry, not its embedded S3 or DynamoDB Local', async () => {
    const endpoints = JSON.parse(readFileSync(join(plain.dataDir, 'endpoints.json'), 'utf8')) as { s3Endpoint: string; dynamodbEndpoint: string };
    const curl = (url: string) => inClient(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '3', url], { allowFail: true });

    expect((await curl(`http://${plain.host}/v2/`)).stdout).toBe('200');
    for (const backend of [endpoints.s3Endpoint, endpoints.dynamodbEndpoint]) {
      const port = new URL(backend).port;
      expect(new URL(backend).hostname).toMatch(/^127\./);
      expect((await curl(`http://${net.serverIp}:${port}/`)).stdout).toBe('000'); // nothing listens there
    }
  });

  test('TLS registry: a client trusting the CA gets 401 with an https realm; the CA is checked', async () => {
    const res = await inClient(['curl', '-s', '-i', '--cacert', ca.caCert, `https://${secure.host}/v2/`]);
    const untrusted = await inClient(['curl', '-s', '-o', '/dev/null', `https://${secure.host}/v2/`], { allowFail: true });

    expect(readFileSync(secure.logFile, 'utf8')).toContain('Stratus registry listening on https://0.0.0.0:5443');
    expect(res.stdout).toMatch(/^HTTP\/1\.1 401/);
    expect(res.stdout).toContain(`realm="https://${secure.host}/token"`);
    expect(untrusted.code).toBe(60); // curl: peer certificate cannot be authenticated with known CA certificates
  });

  describe('docker, TLS (CA in /etc/docker/certs.d), auth on, a 300 MB layer', () => {
    let image: string;
    let fileSha: string;
    let localId: string;
    let pushedDigest: string;

    beforeAll(async () => {
      image = `${secure.host}/e2e-${runId()}/large:1`;
      const rootfs = makeRootfs(join(work, 'large'));
      fileSha = await writeRandomFile(join(rootfs, 'big.bin'), SIZE, image);
      await engine.docker(['import', await tarDir(rootfs, join(work, 'large.tar')), image]);
      rmSync(join(work, 'large'), { recursive: true });
      rmSync(join(work, 'large.tar'));
      localId = (await inspectImage(engine, image)).id;
    });

    test('docker login and push from the other machine', async () => {
      const login = await engine.docker(['login', secure.host, '-u', ADMIN, '-p', PASSWORD]);
      expect(login.output).toContain('Login Succeeded');

      const started = Date.now();
      const push = await engine.docker(['push', image]);
      figures.push(`docker-push-300MB=${((Date.now() - started) / 1000).toFixed(1)}s`);

      expect(push.output).toMatch(/: Pushed$/m);
      pushedDigest = DIGEST_LINE.exec(push.output)![1]!;
    });

    test('docker push of the same layer to another repository mounts it instead of uploading it', async () => {
      const copy = image.replace('/large:1', '/large-copy:1');
      await engine.docker(['tag', image, copy]);

      const push = await engine.docker(['push', copy]);

      expect(push.output).toMatch(/: Mounted from /m);
      await engine.docker(['rmi', copy]);
    });

    test('docker pull from the other machine: the registry streams the layer, bytes equal', async () => {
      await engine.docker(['rmi', image]);
      const started = Date.now();
      const pull = await engine.docker(['pull', image]);
      figures.push(`docker-pull-300MB=${((Date.now() - started) / 1000).toFixed(1)}s`);
      figures.push(`registry-peak-RSS=${peakRssMB(secure.pid).byProcess[0]}`);

      expect(pull.output).toContain(`Digest: ${pushedDigest}`);
      expect((await inspectImage(engine, image)).id).toBe(localId);
      expect(await sha256File(await copyFileFromImage(engine, image, '/big.bin', work))).toBe(fileSha);
      // The layer came through the registry (200 with its bytes), not as a redirect to S3.
      const blobGets = readFileSync(secure.logFile, 'utf8').split('\n').filter((l) => /"method":"GET","path":"[^"]*\/blobs\/sha256/.test(l));
      expect(blobGets.some((l) => /"status":200/.test(l) && Number(/"bytesOut":(\d+)/.exec(l)?.[1]) > SIZE)).toBe(true);
      expect(blobGets.some((l) => /"status":307/.test(l))).toBe(false);
    });
  });

  test('docker over plain HTTP (insecure-registries), auth off: push and pull', async () => {
    const image = `${plain.host}/e2e-${runId()}/small:1`;
    const rootfs = makeRootfs(join(work, 'small'), { 'hello.txt': `${image}\n` });
    await engine.docker(['import', await tarDir(rootfs, join(work, 'small.tar')), image]);
    const id = (await inspectImage(engine, image)).id;

    const push = await engine.docker(['push', image]);
    await engine.docker(['rmi', image]);
    const pull = await engine.docker(['pull', image]);

    expect(push.output).toMatch(/: Pushed$/m);
    expect(pull.output).toContain('Digest: sha256:');
    expect((await inspectImage(engine, image)).id).toBe(id);
  });

  test('skopeo over plain HTTP, auth off: an OCI layout up and back, digests equal', async () => {
    writeFileSync(join(work, 'skopeo-auth.json'), '{}');
    const env = { REGISTRY_AUTH_FILE: join(work, 'skopeo-auth.json') };
    const source = await makeOciLayout(join(work, 'skopeo-src'), 'v1', makeRootfs(join(work, 'skopeo-rootfs'), { 'a.txt': runId() }));
    const repo = `docker://${plain.host}/e2e-${runId()}/skopeo`;

    await inClient(['skopeo', 'copy', '--dest-tls-verify=false', `oci:${join(work, 'skopeo-src')}:v1`, `${repo}:v1`], { env });
    await inClient(['skopeo', 'copy', '--src-tls-verify=false', `${repo}:v1`, `oci:${join(work, 'skopeo-back')}:v1`], { env });

    expect(readOciLayout(join(work, 'skopeo-back'), 'v1')).toEqual(source);
  });

  test('podman over TLS (--cert-dir with the CA), auth on: login, push, pull', async () => {
    const certs = join(work, 'podman-certs');
    mkdirSync(certs);
    copyFileSync(ca.caCert, join(certs, 'ca.crt'));
    writeFileSync(join(work, 'podman-auth.json'), '{}');
    writeFileSync(join(work, 'containers.conf'), '');
    mkdirSync(join(work, 'podman-tmp'));
    const podman = (store: string, args: string[]) => inClient(['podman', `--root=${join(work, store, 'root')}`,
      `--runroot=${join(work, store, 'run')}`, `--tmpdir=${join(work, 'podman-tmp')}`, '--storage-driver=vfs',
      '--cgroup-manager=cgroupfs', '--events-backend=file', ...args],
    { env: { REGISTRY_AUTH_FILE: join(work, 'podman-auth.json'), CONTAINERS_CONF: join(work, 'containers.conf') } });
    const ref = `${secure.host}/e2e-${runId()}/podman:1`;
    const rootfs = makeRootfs(join(work, 'podman-rootfs'), { 'p.txt': ref });
    await podman('push', ['import', await tarDir(rootfs, join(work, 'podman.tar')), ref]);

    await podman('push', ['login', '--cert-dir', certs, '-u', ADMIN, '-p', PASSWORD, secure.host]);
    const digestFile = join(work, 'podman.digest');
    await podman('push', ['push', '--cert-dir', certs, '--digestfile', digestFile, ref]);
    await podman('pull', ['pull', '--cert-dir', certs, ref]);
    const pulled = await podman('pull', ['image', 'inspect', '--format', '{{.Digest}}', ref]);

    expect(pulled.stdout.trim()).toBe(readFileSync(digestFile, 'utf8').trim());
  });

  test('ctr over TLS (--tlscacert), auth on: push, then pull into an emptied store', async () => {
    const ctr = (args: string[]) => inClient(['ctr', '--address', join(containerd.dir, 'c.sock'), ...args]);
    const remote = `${secure.host}/e2e-${runId()}/ctr:v1`;
    const rootfs = makeRootfs(join(work, 'ctr-rootfs'));
    await writeRandomFile(join(rootfs, 'random.bin'), 8 << 20, remote);
    await makeOciLayout(join(work, 'ctr-layout'), 'v1', rootfs);
    await run('tar', ['-C', join(work, 'ctr-layout'), '-cf', join(work, 'ctr.tar'), '.']);
    await ctr(['images', 'import', '--base-name', 'localhost/e2e/ctr', join(work, 'ctr.tar')]);
    const imported = await imageDigest(containerd, 'localhost/e2e/ctr:v1');
    await ctr(['images', 'tag', 'localhost/e2e/ctr:v1', remote]);
    const tls = ['--tlscacert', ca.caCert, '-u', `${ADMIN}:${PASSWORD}`];

    await ctr(['images', 'push', ...tls, remote]);
    await ctr(['images', 'rm', '--sync', 'localhost/e2e/ctr:v1', remote]);
    const pull = await ctr(['images', 'pull', ...tls, remote]);

    expect(pull.output).toMatch(/^done/m);
    expect(await imageDigest(containerd, remote)).toBe(imported);
  });
});
