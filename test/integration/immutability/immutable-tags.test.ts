/**
 * Immutable tags on the real backends (local S3, DynamoDB Local): what a client sees when it moves or
 * deletes an immutable tag, and two registry hosts racing to move one.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDbPolicyStore } from '../../../lambda/adapters/dynamodb/dynamodb-policy-store';
import { createDocumentClient } from '../../../lambda/adapters/dynamodb/table';
import { startTestRegistry, TestRegistry } from '../harness';
import { Descriptor, MT, randomBytes, RegistryClient, sha256 } from '../http/client';

const hosts: TestRegistry[] = [];
let a: RegistryClient;
let b: RegistryClient;
/** DynamoDB commands the first host sent, by name. */
const calls = new Map<string, number>();

beforeAll(async () => {
  hosts.push(await startTestRegistry({ observeBackendCall: (backend, command) => {
    if (backend === 'dynamodb') calls.set(command, (calls.get(command) ?? 0) + 1);
  } }));
  hosts.push(await startTestRegistry({ shareStorageWith: hosts[0] }));
  [a, b] = hosts.map((h) => new RegistryClient(h.url)) as [RegistryClient, RegistryClient];
  // Rules are in place before either host reads them (each reads once, at its first tagged PUT).
  const doc = createDocumentClient(hosts[0]!.settings!.dynamodb);
  const policies = new DynamoDbPolicyStore(doc, hosts[0]!.settings!.table);
  await policies.putImmutability({ pattern: 'locked/*', mode: 'IMMUTABLE', updatedAt: Date.now() });
  await policies.putImmutability({ pattern: 'mixed/app', mode: 'IMMUTABLE_WITH_EXCLUSION', exclusions: ['dev-*', 'latest'], updatedAt: Date.now() });
  await policies.putImmutability({ pattern: 'releases/*', mode: 'MUTABLE_WITH_EXCLUSION', exclusions: ['v*.*.*'], updatedAt: Date.now() });
  doc.destroy();
});

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

/** A repository under `prefix` with a config and a layer pushed, and distinct manifests naming them. */
async function imageRepo(prefix: string) {
  const repo = `${prefix}/${randomUUID().slice(0, 8)}`;
  const config = await a.pushBlob(repo, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })), MT.ociConfig);
  const layer = await a.pushBlob(repo, randomBytes(1024));
  const manifest = (n: number) => Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer as Descriptor], annotations: { build: String(n) },
  }));
  return { repo, manifest };
}

const put = (client: RegistryClient, repo: string, ref: string, body: Buffer) => client.putManifest(repo, ref, body, MT.ociManifest);

async function digestOfTag(repo: string, tag: string): Promise<string | null> {
  const res = await a.getManifest(repo, tag, 'HEAD');
  return res.status === 200 ? res.headers.get('docker-content-digest') : null;
}

describe('PUT of a manifest to an immutable tag', () => {
  it('another digest -> 403 DENIED with the spec error JSON naming the rule; the tag still points at the first digest', async () => {
    const { repo, manifest } = await imageRepo('locked');
    expect((await put(a, repo, 'v1', manifest(1))).status).toBe(201);
    const moved = await put(a, repo, 'v1', manifest(2));
    expect(moved.status).toBe(403);
    expect(moved.headers.get('content-type')).toBe('application/json');
    const body = (await moved.json()) as { errors: Array<{ code: string; message: string }> };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({ code: 'DENIED', message: `tag v1 in ${repo} is immutable (rule locked/*: IMMUTABLE); push a new tag instead` });
    expect(await digestOfTag(repo, 'v1')).toBe(sha256(manifest(1)));
    // the bytes pulled back are the first push's
    const pulled = await a.getManifest(repo, 'v1');
    expect(Buffer.from(await pulled.arrayBuffer()).equals(manifest(1))).toBe(true);
  });

  it('the same digest again -> 201 (a retried push is not a move), on either host', async () => {
    const { repo, manifest } = await imageRepo('locked');
    expect((await put(a, repo, 'v1', manifest(1))).status).toBe(201);
    expect((await put(a, repo, 'v1', manifest(1))).status).toBe(201);
    expect((await put(b, repo, 'v1', manifest(1))).status).toBe(201);
  });

  it('IMMUTABLE_WITH_EXCLUSION: latest and dev-* move (201), v1 does not (403)', async () => {
    const config = await a.pushBlob('mixed/app', Buffer.from('{"os":"linux"}'), MT.ociConfig);
    const manifest = (n: number) => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [], annotations: { n: `${n}-${randomUUID()}` } }));
    const [one, two] = [manifest(1), manifest(2)];
    for (const tag of ['latest', 'dev-7', 'v1']) expect((await put(a, 'mixed/app', tag, one)).status).toBe(201);
    expect((await put(a, 'mixed/app', 'latest', two)).status).toBe(201);
    expect((await put(a, 'mixed/app', 'dev-7', two)).status).toBe(201);
    expect((await put(a, 'mixed/app', 'v1', two)).status).toBe(403);
    expect([await digestOfTag('mixed/app', 'latest'), await digestOfTag('mixed/app', 'dev-7'), await digestOfTag('mixed/app', 'v1')])
      .toEqual([sha256(two), sha256(two), sha256(one)]);
  });

  it('MUTABLE_WITH_EXCLUSION: only v*.*.* tags are immutable', async () => {
    const { repo, manifest } = await imageRepo('releases');
    for (const tag of ['v1.2.3', 'nightly']) expect((await put(a, repo, tag, manifest(1))).status).toBe(201);
    expect((await put(a, repo, 'nightly', manifest(2))).status).toBe(201);
    expect((await put(a, repo, 'v1.2.3', manifest(2))).status).toBe(403);
  });

  it('a repository no rule covers keeps mutable tags', async () => {
    const { repo, manifest } = await imageRepo('free');
    expect((await put(a, repo, 'v1', manifest(1))).status).toBe(201);
    expect((await put(a, repo, 'v1', manifest(2))).status).toBe(201);
    expect(await digestOfTag(repo, 'v1')).toBe(sha256(manifest(2)));
  });
});

describe('DELETE under an immutability rule', () => {
  it('DELETE of an immutable tag -> 403 DENIED; the tag still pulls', async () => {
    const { repo, manifest } = await imageRepo('locked');
    await put(a, repo, 'v1', manifest(1));
    const res = await a.fetch(`/v2/${repo}/manifests/v1`, { method: 'DELETE' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: Array<{ code: string; message: string }> }).errors[0]).toMatchObject({
      code: 'DENIED', message: `tag v1 in ${repo} is immutable (rule locked/*: IMMUTABLE); it cannot be deleted while the rule applies`,
    });
    expect(await digestOfTag(repo, 'v1')).toBe(sha256(manifest(1)));
  });

  it('DELETE of the manifest by digest while an immutable tag points at it -> 403 DENIED; still pullable by digest', async () => {
    const { repo, manifest } = await imageRepo('locked');
    await put(a, repo, 'v1', manifest(1));
    const res = await a.fetch(`/v2/${repo}/manifests/${sha256(manifest(1))}`, { method: 'DELETE' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('DENIED');
    expect((await a.getManifest(repo, sha256(manifest(1)))).status).toBe(200);
  });

  it('an untagged manifest in a locked repository deletes (202); excluded tags delete (202)', async () => {
    const { repo, manifest } = await imageRepo('locked');
    expect((await put(a, repo, sha256(manifest(3)), manifest(3))).status).toBe(201);
    expect((await a.fetch(`/v2/${repo}/manifests/${sha256(manifest(3))}`, { method: 'DELETE' })).status).toBe(202);
    const config = await a.pushBlob('mixed/app', Buffer.from('{"os":"linux","x":1}'), MT.ociConfig);
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [], annotations: { n: randomUUID() } }));
    expect((await put(a, 'mixed/app', 'dev-del', body)).status).toBe(201);
    expect((await a.fetch('/v2/mixed/app/manifests/dev-del', { method: 'DELETE' })).status).toBe(202);
    expect(await digestOfTag('mixed/app', 'dev-del')).toBeNull();
  });
});

describe('two hosts racing to set one immutable tag', () => {
  it('different digests PUT at once on host A and host B -> exactly one 201, the other 403 DENIED; the tag names the winner', async () => {
    const { repo, manifest } = await imageRepo('locked');
    for (let round = 0; round < 8; round++) {
      const tag = `race-${round}`;
      const [fromA, fromB] = [manifest(100 + round), manifest(200 + round)];
      const [ra, rb] = await Promise.all([put(a, repo, tag, fromA), put(b, repo, tag, fromB)]);
      const statuses = [ra.status, rb.status].sort();
      expect(statuses).toEqual([201, 403]);
      const loser = ra.status === 403 ? ra : rb;
      expect(((await loser.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('DENIED');
      expect(await digestOfTag(repo, tag)).toBe(sha256(ra.status === 201 ? fromA : fromB));
    }
  });
});

describe('the rule cache', () => {
  it('tagged PUTs read the rules at most once per 10 s per host: no extra Query per PUT', async () => {
    const { repo, manifest } = await imageRepo('locked');
    const queries = () => calls.get('QueryCommand') ?? 0;
    const before = queries();
    for (let i = 0; i < 10; i++) expect((await put(a, repo, sha256(manifest(300 + i)), manifest(300 + i))).status).toBe(201);
    const byDigest = queries() - before;
    const start = Date.now();
    const mid = queries();
    for (let i = 0; i < 10; i++) expect((await put(a, repo, `c${i}`, manifest(400 + i))).status).toBe(201);
    const tagged = queries() - mid;
    // a refresh may fall into the loop if it crossed a 10 s boundary of the cache
    expect(tagged - byDigest).toBeLessThanOrEqual(Math.ceil((Date.now() - start) / 10_000) + 1);
    expect(tagged - byDigest).toBeLessThan(10);
  });
});
