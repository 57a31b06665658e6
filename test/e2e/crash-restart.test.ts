/**
 * `npm start` as a service: it starts again after `kill -9` of everything it runs, says clearly why it
 * cannot start (port taken, data directory in use or not writable), keeps its data directory private,
 * and hands no secret to the embedded backends' processes.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { descendants, removeTree, run, tempDir, waitFor } from './exec';
import { freePort, RegistryProcess, startRegistry } from './registry-process';

const ROOT = resolve(__dirname, '../..');
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const ADMIN_PASSWORD = 'admin-Secret-crash-1';

/** Runs `npm start`'s entry point expecting it to fail; returns its exit code and what it printed. */
async function startExpectingFailure(env: Record<string, string>, obeyFileModes = false): Promise<{ code: number; output: string; ms: number }> {
  const node = [process.execPath, '--require', 'tsx/cjs', 'local/start.ts'];
  // root without the capabilities that let it write anywhere, still able to read the checkout (which may
  // be private to root: a clone in a `mktemp -d` directory is 0700, so another user could not load the code)
  const [cmd, ...args] = obeyFileModes ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--', ...node] : node;
  const t = Date.now();
  const res = await run(cmd, args, { cwd: ROOT, env, allowFail: true, timeoutMs: 60_000 });
  return { code: res.code, output: res.output, ms: Date.now() - t };
}

/** Every file and folder below `dir` whose mode lets group or others in. */
function openToOthers(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    if (statSync(path).mode & 0o077) out.push(`${path} ${(statSync(path).mode & 0o777).toString(8)}`);
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return out;
}

async function pushImage(base: string, repo: string): Promise<{ layer: Buffer; manifest: Buffer }> {
  const layer = randomBytes(2 * 1024 * 1024);
  const config = Buffer.from(`{"architecture":"amd64","os":"linux","repo":"${repo}"}`);
  for (const blob of [layer, config]) {
    const res = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${sha256(blob)}`, { method: 'POST', body: blob });
    expect(res.status).toBe(201);
  }
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
  }));
  const put = await fetch(`${base}/v2/${repo}/manifests/v1`, {
    method: 'PUT', headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest,
  });
  expect(put.status).toBe(201);
  return { layer, manifest };
}

async function expectImage(base: string, repo: string, image: { layer: Buffer; manifest: Buffer }): Promise<void> {
  const got = await fetch(`${base}/v2/${repo}/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  expect(got.status).toBe(200);
  expect(Buffer.from(await got.arrayBuffer()).equals(image.manifest)).toBe(true);
  const blob = await fetch(`${base}/v2/${repo}/blobs/${sha256(image.layer)}`);
  expect(blob.status).toBe(200);
  expect(sha256(Buffer.from(await blob.arrayBuffer()))).toBe(sha256(image.layer));
}

/** The registry and every process below it (local S3 server, DynamoDB Local's watchdog shell and java). */
function family(pid: number): Array<{ pid: number; name: string }> {
  return [pid, ...descendants(pid)].map((p) => {
    try {
      return { pid: p, name: readFileSync(`/proc/${p}/comm`, 'utf8').trim() };
    } catch {
      return { pid: p, name: '?' };
    }
  });
}

/** SIGKILL, unless the process has exited meanwhile. */
function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

describe('npm start after kill -9 of the registry and its embedded backends', () => {
  const dir = tempDir('crash');
  const dataDir = join(dir, 'data');
  let registry: RegistryProcess | undefined;
  afterAll(async () => {
    await registry?.stop();
    removeTree(dir);
  });

  it('starts again on the same data directory and serves what was stored before the kill', async () => {
    // Prepare: two images stored, a third push cut off mid-body by the kill
    registry = await startRegistry({ dataDir });
    let base = `http://${registry.host}`;
    const first = await pushImage(base, 'crash/one');
    const second = await pushImage(base, 'crash/two');
    const session = await fetch(`${base}/v2/crash/three/blobs/uploads/`, { method: 'POST' });
    expect(session.status).toBe(202);
    let sent = 0;
    const body = new ReadableStream({
      async pull(controller) {
        await new Promise((ok) => setTimeout(ok, 20));
        sent += 256 * 1024;
        controller.enqueue(randomBytes(256 * 1024));
      },
    });
    const cut = fetch(new URL(session.headers.get('location')!, base), { method: 'PATCH', body, duplex: 'half' } as RequestInit).catch((e: Error) => e);
    await waitFor(async () => sent > 12 * 1024 * 1024, 30_000, 50);
    const processes = family(registry.pid!);
    expect(processes.map((p) => p.name)).toEqual(expect.arrayContaining(['node', 'java']));

    // Act: kill -9 all of them at once, then start again on the same data directory
    for (const { pid } of processes) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // a short-lived helper (esbuild's service) that exited meanwhile
      }
    }
    expect((await cut) instanceof Response).toBe(false); // the cut-off PATCH got no answer
    await waitFor(async () => processes.every(({ pid }) => !existsSync(`/proc/${pid}`) || /\)\s+Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))), 10_000, 50);
    expect(existsSync(join(dataDir, 'stratus.lock'))).toBe(true); // left behind, naming a dead process
    expect(existsSync(join(dataDir, 'endpoints.json'))).toBe(true); // naming ports nobody serves
    const unfinished = join(dataDir, 's3', 'stratus-blobs', 'blobs', 'cut-off._S3rver_object.0123456789ab.tmp');
    writeFileSync(unfinished, 'half an object'); // what a write cut off by SIGKILL leaves
    await registry.stop();
    registry = await startRegistry({ dataDir });
    base = `http://${registry.host}`;

    // Assess: everything stored is there, the leftovers are gone, and the registry takes new pushes
    await expectImage(base, 'crash/one', first);
    await expectImage(base, 'crash/two', second);
    expect(existsSync(unfinished)).toBe(false);
    expect(readFileSync(registry.logFile!, 'utf8')).toMatch(/did not stop cleanly; recovered/);
    await expectImage(base, 'crash/three', await pushImage(base, 'crash/three'));
    expect(((await (await fetch(`${base}/v2/_catalog`)).json()) as { repositories: string[] }).repositories).toEqual(['crash/one', 'crash/three', 'crash/two']);
  });

  it('a DynamoDB Local left running by a killed registry (its watchdog killed too) is stopped by the next start', async () => {
    // Prepare: kill -9 the registry and DynamoDB Local's watchdog shells, not java
    const processes = family(registry!.pid!);
    const java = processes.find((p) => p.name === 'java')!.pid;
    // Children before their parents: a watchdog shell whose parent dies first kills java itself (and exits
    // before it is reached), which under load made java a zombie and this kill fail with ESRCH.
    for (const { pid, name } of [...processes].reverse()) if (name !== 'java' && name !== 'esbuild') killIfAlive(pid);
    await new Promise((ok) => setTimeout(ok, 500));
    expect(readFileSync(`/proc/${java}/stat`, 'utf8')).not.toMatch(/\)\s+Z/); // still running, on the data directory's files
    await registry!.stop();

    // Act
    registry = await startRegistry({ dataDir });

    // Assess: the orphan is gone and the data is served by the new backends
    expect(existsSync(`/proc/${java}`) && !/\)\s+Z/.test(readFileSync(`/proc/${java}/stat`, 'utf8'))).toBe(false);
    expect(readFileSync(registry.logFile!, 'utf8')).toMatch(/"stoppedLeftoverBackends":[1-9]/);
    expect((await fetch(`http://${registry.host}/v2/crash/one/tags/list`)).status).toBe(200);
  });

  it('a second npm start on the same data directory exits 1 naming the running one, which keeps serving', async () => {
    const second = await startExpectingFailure({ STRATUS_DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(second.code).toBe(1);
    expect(second.output).toMatch(new RegExp(`data directory ${dataDir} is in use by npm start \\(pid ${registry!.pid}, since `));
    expect(second.output).not.toMatch(/\n\s+at /); // no stack trace
    expect((await fetch(`http://${registry!.host}/v2/crash/one/tags/list`)).status).toBe(200);
  });

  it('a taken port: exits 1 with a message, before starting any backend', async () => {
    const [, port] = registry!.host.split(':');
    const res = await startExpectingFailure({ STRATUS_DATA_DIR: join(dir, 'other'), PORT: port });
    expect(res.code).toBe(1);
    expect(res.output).toContain(`Stratus failed to start: port ${port} on 127.0.0.1 is in use by another process`);
    expect(res.output).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'other', 'dynamodb'))).toBe(false);
  });

  it('a data directory this user may not write: exits 1 with a message', async () => {
    const locked = join(dir, 'not-mine');
    mkdirSync(locked, { mode: 0o755 });
    chmodSync(locked, 0o555);
    // root may write anywhere: run it without that capability then
    const asRoot = process.getuid!() === 0;
    const res = await startExpectingFailure({ STRATUS_DATA_DIR: locked, PORT: String(await freePort()) }, asRoot);
    expect(res.code).toBe(1);
    expect(res.output).toMatch(new RegExp(`Stratus failed to start: data directory ${locked} is not writable by user \\d+`));
    expect(res.output).not.toMatch(/\n\s+at /);
  });
});

describe('npx stratus and the data directory lock', () => {
  const dir = tempDir('cli-lock');
  afterAll(() => removeTree(dir));

  it('a CLI command on a data directory whose npm start holds it but does not answer yet says it is in use', async () => {
    // Prepare: a lock naming a live process (this one), as npm start writes it before its backends answer
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    writeFileSync(join(dataDir, 'stratus.lock'), JSON.stringify({ pid: process.pid, startTime, role: 'npm start', startedAt: 'earlier' }));

    // Act
    const res = await run(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/stratus-cli.ts'), 'user', 'list', '--data-dir', dataDir],
      { cwd: ROOT, allowFail: true, timeoutMs: 60_000 });

    // Assess: refused, and no DynamoDB Local was started on the files
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`stratus: data directory ${dataDir} is in use by npm start (pid ${process.pid}, since earlier): stop it first, ` +
      'or give this one another directory with STRATUS_DATA_DIR\n');
    expect(existsSync(join(dataDir, 'dynamodb'))).toBe(false);
  });
});

describe('npm start keeps its data private and its secrets out of the backends', () => {
  const dir = tempDir('private');
  let registry: RegistryProcess | undefined;
  afterAll(async () => {
    await registry?.stop();
    removeTree(dir);
  });

  it('the data directory is 0700, an existing one is tightened, and nothing in it is open to others', async () => {
    // Prepare: a data directory made before, world-readable, with a world-readable folder of Stratus's and a file of someone else's
    const fresh = join(dir, 'fresh', 'data');
    const old = join(dir, 'old');
    mkdirSync(join(old, 'dynamodb'), { recursive: true });
    chmodSync(old, 0o755);
    chmodSync(join(old, 'dynamodb'), 0o755);
    writeFileSync(join(old, 'notes.txt'), 'not Stratus\'s');
    chmodSync(join(old, 'notes.txt'), 0o644);

    // Act
    registry = await startRegistry({
      dataDir: fresh, env: { STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: 'admin', STRATUS_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
    const blob = randomBytes(64 * 1024);
    const push = await fetch(`http://${registry.host}/v2/private/app/blobs/uploads/?digest=${sha256(blob)}`, {
      method: 'POST', body: blob, headers: { authorization: basic },
    });
    expect(push.status).toBe(201);
    const oldRegistry = await startRegistry({ dataDir: old });
    await oldRegistry.stop();

    // Assess
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    expect(openToOthers(fresh)).toEqual([]);
    expect(statSync(old).mode & 0o777).toBe(0o700);
    expect(statSync(join(old, 'dynamodb')).mode & 0o777).toBe(0o700);
    expect(statSync(join(old, 'notes.txt')).mode & 0o777).toBe(0o644); // not Stratus's to change, and unreachable now
  });

  it('STRATUS_ADMIN_PASSWORD and other settings are not in the environment of the local S3 server or DynamoDB Local', async () => {
    const backends = family(registry!.pid!).filter((p) => p.pid !== registry!.pid && p.name !== 'esbuild');
    expect(backends.map((p) => p.name)).toEqual(expect.arrayContaining(['node', 'java', 'sh']));
    for (const { pid, name } of backends) {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      expect({ name, hasPassword: environ.includes(ADMIN_PASSWORD) || environ.includes('STRATUS_ADMIN_PASSWORD') }).toEqual({ name, hasPassword: false });
      expect({ name, settings: environ.split('\0').filter((v) => /^(STRATUS_|AWS_SECRET)/.test(v)) }).toEqual({ name, settings: [] });
    }
  });
});
