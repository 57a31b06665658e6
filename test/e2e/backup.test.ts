/**
 * `npx stratus backup` of a running `npm start`, `npx stratus restore` into a fresh data directory, and a
 * registry started on it: every image pulls back byte for byte (manifests by tag and digest, blobs hashed),
 * including pushes that were landing while the backup ran.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { backupFiles } from '../../cli/backup-format';
import { removeTree, run, RunOptions, tempDir } from './exec';
import { RegistryProcess, startRegistry } from './registry-process';

const ROOT = resolve(__dirname, '../..');
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

interface Pushed { repo: string; tags: string[]; body: Buffer; mediaType: string; blobs: Buffer[] }

async function pushBlob(base: string, repo: string, blob: Buffer): Promise<void> {
  const res = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${sha256(blob)}`, { method: 'POST', body: blob });
  expect(res.status).toBe(201);
}

async function putManifest(base: string, repo: string, ref: string, mediaType: string, body: Buffer): Promise<void> {
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: 'PUT', headers: { 'content-type': mediaType }, body });
  expect(res.status).toBe(201);
}

/** An image of these layers (and a config), pushed and tagged; `annotationBytes` makes the manifest large. */
async function pushImage(base: string, repo: string, tags: string[], layers: Buffer[], annotationBytes = 0): Promise<Pushed> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', repo, nonce: randomBytes(4).toString('hex') }));
  for (const blob of [config, ...layers]) await pushBlob(base, repo, blob);
  const body = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(l), size: l.length })),
    ...(annotationBytes ? { annotations: { filler: 'x'.repeat(annotationBytes) } } : {}),
  }));
  for (const tag of tags) await putManifest(base, repo, tag, OCI_MANIFEST, body);
  return { repo, tags, body, mediaType: OCI_MANIFEST, blobs: [config, ...layers] };
}

/** What a client pulling `image` sees, compared byte for byte. */
async function expectPulls(base: string, image: Pushed): Promise<void> {
  const digest = sha256(image.body);
  for (const ref of [...image.tags, digest]) {
    const res = await fetch(`${base}/v2/${image.repo}/manifests/${ref}`, { headers: { accept: image.mediaType } });
    expect({ ref, status: res.status }).toEqual({ ref, status: 200 });
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    expect(Buffer.from(await res.arrayBuffer()).equals(image.body)).toBe(true);
  }
  for (const blob of image.blobs) {
    const res = await fetch(`${base}/v2/${image.repo}/blobs/${sha256(blob)}`);
    expect(res.status).toBe(200);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(blob));
  }
}

/** Every tag of every repository resolves to a manifest whose blobs all pull with their digest's bytes. */
async function expectEveryTagWhole(base: string): Promise<number> {
  const { repositories } = (await (await fetch(`${base}/v2/_catalog?n=1000`)).json()) as { repositories: string[] };
  let checked = 0;
  for (const repo of repositories) {
    const { tags } = (await (await fetch(`${base}/v2/${repo}/tags/list`)).json()) as { tags: string[] | null };
    for (const tag of tags ?? []) {
      const res = await fetch(`${base}/v2/${repo}/manifests/${tag}`, { headers: { accept: `${OCI_MANIFEST}, ${OCI_INDEX}` } });
      expect({ repo, tag, status: res.status }).toEqual({ repo, tag, status: 200 });
      const m = (await res.json()) as { config?: { digest: string }; layers?: Array<{ digest: string }>; manifests?: Array<{ digest: string }> };
      for (const d of [m.config, ...(m.layers ?? [])].filter(Boolean).map((x) => x!.digest)) {
        const blob = await fetch(`${base}/v2/${repo}/blobs/${d}`);
        expect({ repo, tag, d, status: blob.status }).toEqual({ repo, tag, d, status: 200 });
        expect(sha256(Buffer.from(await blob.arrayBuffer()))).toBe(d);
      }
      for (const child of m.manifests ?? []) expect((await fetch(`${base}/v2/${repo}/manifests/${child.digest}`, { method: 'HEAD' })).status).toBe(200);
      checked++;
    }
  }
  return checked;
}

describe('npx stratus backup / restore', () => {
  const dir = tempDir('backup');
  const source = join(dir, 'source');
  const target = join(dir, 'target');
  const backupDir = join(dir, 'backup');
  let registry: RegistryProcess | undefined;
  let restored: RegistryProcess | undefined;
  const cli = (args: string[], dataDir: string, opts: RunOptions = {}) =>
    run(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/stratus-cli.ts'), ...args],
      { ...opts, cwd: ROOT, env: { STRATUS_DATA_DIR: dataDir, ...opts.env } });
  afterAll(async () => {
    await registry?.stop();
    await restored?.stop();
    removeTree(dir);
  });

  it('a backup taken while the registry runs restores into a fresh data directory that serves every image byte for byte', async () => {
    // Prepare: a multi-layer image, an image under two tags, two platform images and their index, a manifest stored in S3
    registry = await startRegistry({ dataDir: source });
    const base = `http://${registry.host}`;
    const images: Pushed[] = [
      await pushImage(base, 'bk/multi', ['1'], [randomBytes(6 * 1024 * 1024), randomBytes(300 * 1024), randomBytes(1024)]),
      await pushImage(base, 'bk/app', ['1', 'latest'], [randomBytes(64 * 1024)]),
      await pushImage(base, 'bk/big', ['1'], [randomBytes(1024)], 100 * 1024), // over 64 KiB: its body lives in S3
    ];
    const amd = await pushImage(base, 'bk/multi', [], [randomBytes(2048)]);
    const arm = await pushImage(base, 'bk/multi', [], [randomBytes(2048)]);
    for (const p of [amd, arm]) await putManifest(base, 'bk/multi', sha256(p.body), OCI_MANIFEST, p.body);
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI_INDEX,
      manifests: [[amd, 'amd64'], [arm, 'arm64']].map(([p, arch]) => ({
        mediaType: OCI_MANIFEST, digest: sha256((p as Pushed).body), size: (p as Pushed).body.length, platform: { architecture: arch, os: 'linux' },
      })),
    }));
    await putManifest(base, 'bk/multi', 'index', OCI_INDEX, index);
    images.push({ repo: 'bk/multi', tags: ['index'], body: index, mediaType: OCI_INDEX, blobs: [] }, amd, arm);

    // Act: back up while pushes keep landing, then restore into a fresh data directory and start a registry on it
    let pushing = true;
    const during = (async () => {
      for (let n = 0; pushing; n++) await pushImage(base, `bk/during-${n}`, ['1'], [randomBytes(256 * 1024)]);
    })();
    const backup = await cli(['backup', backupDir], source);
    pushing = false;
    await during;
    const restore = await cli(['restore', backupDir], target);
    await registry.stop();
    registry = undefined;
    restored = await startRegistry({ dataDir: target });
    const back = `http://${restored.host}`;

    // Assess
    expect(backup.stdout).toMatch(/^backup of the running npm start \(http:\/\/127\.0\.0\.1:\d+\): \d+ items( \(\d+ read after the scan\))?, \d+ objects \([\d.]+ MB\) in /);
    expect(restore.stdout).toMatch(/^restored \d+ items and \d+ objects \([\d.]+ MB\) from /);
    expect(restore.stderr).toContain('npm start is not running');
    for (const image of images) await expectPulls(back, image);
    expect(await expectEveryTagWhole(back)).toBeGreaterThanOrEqual(6);
    expect(existsSync(join(backupDir, 'stratus-backup.json'))).toBe(true);
  });

  it('restore refuses a data directory that holds data (the restored registry is running on it), and backup a non-empty directory', async () => {
    const again = await cli(['restore', backupDir], target, { allowFail: true });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^stratus: table stratus or bucket stratus-blobs of the running npm start \(.*\) is not empty: restore into a new data directory \(--data-dir <dir>\), or pass --force/);
    const into = await cli(['backup', backupDir], target, { allowFail: true });
    expect(into.code).toBe(1);
    expect(into.stderr).toBe(`stratus: ${backupDir} is not empty: back up into a new directory\n`);
  });

  it('restore stops with a message at an object whose bytes changed since the backup', async () => {
    const damaged = join(dir, 'damaged');
    await cli(['backup', damaged], target);
    const line = readFileSync(join(damaged, 'objects.jsonl'), 'utf8').split('\n')[0];
    const { key } = JSON.parse(line) as { key: string };
    writeFileSync(backupFiles(damaged).object(key), 'not the bytes');
    const res = await cli(['restore', damaged], join(dir, 'fresh'), { allowFail: true });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/does not hold the bytes backed up \(size or sha256 differs\): the backup is damaged/);
  });
});
