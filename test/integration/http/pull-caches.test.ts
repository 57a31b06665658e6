/**
 * The pull caches (STRATUS_TAG_CACHE_SECONDS) on DynamoDB Local, with two registry processes sharing one
 * deployment's storage: what a pull reads from DynamoDB, and what each process sees after the other's writes.
 */
import { startTestRegistry, TestRegistry } from '../harness';
import { ACCEPT_MANIFESTS, randomBytes, RegistryClient, sha256, uniqueRepo } from './client';

describe('pull caches across two processes of one deployment', () => {
  let a: TestRegistry;
  let b: TestRegistry;
  let clientA: RegistryClient;
  let clientB: RegistryClient;
  const readsOfA: string[] = [];

  beforeAll(async () => {
    // A long period: the test never waits for it to pass (the unit test covers expiry with a clock).
    a = await startTestRegistry({
      config: { tagCacheSeconds: 300 },
      observeBackendCall: (backend, command) => { if (backend === 'dynamodb') readsOfA.push(command); },
    });
    b = await startTestRegistry({ config: { tagCacheSeconds: 300 }, shareStorageWith: a });
    clientA = new RegistryClient(a.url);
    clientB = new RegistryClient(b.url);
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  /** The digest a GET of the tag answers through `client`, and the DynamoDB calls it cost (on A). */
  async function pull(client: RegistryClient, repo: string, ref: string): Promise<{ status: number; digest: string | null; reads: string[] }> {
    readsOfA.length = 0;
    const res = await client.fetch(`/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT_MANIFESTS } });
    await res.arrayBuffer();
    return { status: res.status, digest: res.headers.get('docker-content-digest'), reads: readsOfA.filter((c) => c !== 'UpdateItemCommand') };
  }

  it('a second pull of a tag and its blobs reads nothing from DynamoDB; the answers stay the same', async () => {
    const repo = uniqueRepo('cached');
    const image = await clientA.pushImage(repo, 'latest');
    const doc = image.doc as { config: { digest: string }; layers: Array<{ digest: string }> };
    const blobs = [doc.config, ...doc.layers];

    const first = await pull(clientA, repo, 'latest');
    const blobReads: string[] = [];
    for (const blob of blobs) {
      readsOfA.length = 0;
      expect((await clientA.fetch(`/v2/${repo}/blobs/${blob.digest}`)).status).toBe(307);
      blobReads.push(...readsOfA);
    }
    const second = await pull(clientA, repo, 'latest');
    const againBlobReads: string[] = [];
    for (const blob of blobs) {
      readsOfA.length = 0;
      const res = await clientA.fetch(`/v2/${repo}/blobs/${blob.digest}`);
      expect([res.status, res.headers.get('docker-content-digest')]).toEqual([307, blob.digest]);
      againBlobReads.push(...readsOfA);
    }

    expect(first).toEqual({ status: 200, digest: image.digest, reads: ['GetItemCommand'] });
    // (The manifest GET records its pull time after its answer: an UpdateItem that may land in any window.)
    expect(blobReads.filter((c) => c !== 'UpdateItemCommand')).toEqual(['GetItemCommand', 'GetItemCommand']);
    expect(second).toEqual({ status: 200, digest: image.digest, reads: [] });
    expect(againBlobReads.filter((c) => c !== 'UpdateItemCommand')).toEqual([]);
  });

  it('a push moving the tag is pulled at once through the process that pushed it', async () => {
    const repo = uniqueRepo('cached-move');
    await clientA.pushImage(repo, 'latest');
    expect((await pull(clientA, repo, 'latest')).status).toBe(200);

    const moved = await clientA.pushImage(repo, 'latest');

    expect((await pull(clientA, repo, 'latest')).digest).toBe(moved.digest);
  });

  it('a tag or blob added through the other process is pulled at once (misses are not kept)', async () => {
    const repo = uniqueRepo('cached-new');
    await clientA.pushImage(repo, 'v1');
    expect((await pull(clientA, repo, 'v2')).status).toBe(404);
    const layer = randomBytes(512);
    const missing = await clientA.fetch(`/v2/${repo}/blobs/${sha256(layer)}`);
    expect(missing.status).toBe(404);

    const pushed = await clientB.pushImage(repo, 'v2');
    const blob = await clientB.pushBlob(repo, layer);

    expect((await pull(clientA, repo, 'v2')).digest).toBe(pushed.digest);
    expect((await clientA.fetch(`/v2/${repo}/blobs/${blob.digest}`)).status).toBe(307);
  });

  it('a tag moved through the other process is still pulled as it was within the period (documented)', async () => {
    const repo = uniqueRepo('cached-stale');
    const before = await clientA.pushImage(repo, 'latest');
    expect((await pull(clientA, repo, 'latest')).digest).toBe(before.digest);

    const after = await clientB.pushImage(repo, 'latest');

    expect((await pull(clientB, repo, 'latest')).digest).toBe(after.digest);
    expect((await pull(clientA, repo, 'latest')).digest).toBe(before.digest);
  });

  it('a tag deleted through this process is gone at once', async () => {
    const repo = uniqueRepo('cached-delete');
    await clientA.pushImage(repo, 'old');
    expect((await pull(clientA, repo, 'old')).status).toBe(200);

    expect((await clientA.fetch(`/v2/${repo}/manifests/old`, { method: 'DELETE' })).status).toBe(202);

    expect((await pull(clientA, repo, 'old')).status).toBe(404);
  });
});
