/** The per-process pull caches (STRATUS_TAG_CACHE_SECONDS): what pulls read of tags, manifests and links, and what they see after writes. */
import { TagCache } from '../../../lambda/core/manifests/tag-cache';
import type { TagRecord } from '../../../lambda/ports/manifest-store';
import { registryOnFakes, sha256 } from '../fakes/registry-under-test';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** An image manifest naming one config blob, distinct per `label`, with the blob pushed to `repo` first. */
async function pushTag(send: ReturnType<typeof registryOnFakes>['send'], repo: string, tag: string, label: string): Promise<string> {
  return (await pushImage(send, repo, tag, label)).manifest;
}

/** pushTag, also telling the config blob's digest. */
async function pushImage(send: ReturnType<typeof registryOnFakes>['send'], repo: string, tag: string, label: string): Promise<{ manifest: string; config: string }> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', label }));
  const blob = await send('POST', `/v2/${repo}/blobs/uploads/?digest=${sha256(config)}`, {
    body: config, headers: { 'content-type': 'application/octet-stream', 'content-length': String(config.length) },
  });
  expect(blob.status).toBe(201);
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length }, layers: [],
  });
  const put = await send('PUT', `/v2/${repo}/manifests/${tag}`, { body: Buffer.from(manifest), headers: { 'content-type': OCI_MANIFEST } });
  expect(put.status).toBe(201);
  return { manifest: sha256(manifest), config: sha256(config) };
}

function setUp(tagCacheSeconds: number) {
  const reg = registryOnFakes({ tagCacheSeconds });
  const tagReads = jest.spyOn(reg.meta, 'getTag');
  const pull = async (repo: string, tag: string) => reg.send('GET', `/v2/${repo}/manifests/${tag}`, { headers: { accept: OCI_MANIFEST } });
  return { ...reg, tagReads, pull };
}

describe('GET /v2/:name/manifests/:tag with STRATUS_TAG_CACHE_SECONDS', () => {
  it('reads the tag item once for many pulls within the period, and answers the same manifest', async () => {
    const { send, tagReads, pull } = setUp(5);
    const digest = await pushTag(send, 'cache/a', 'latest', 'one');
    tagReads.mockClear();

    const answers = await Promise.all(Array.from({ length: 20 }, () => pull('cache/a', 'latest')));

    expect(answers.map((r) => [r.status, r.headers['docker-content-digest']])).toEqual(answers.map(() => [200, digest]));
    expect(tagReads).toHaveBeenCalledTimes(1);
  });

  it('a push moving the tag through this process is pulled at once (the cache forgets the repository)', async () => {
    const { send, pull } = setUp(5);
    await pushTag(send, 'cache/b', 'latest', 'one');
    expect((await pull('cache/b', 'latest')).status).toBe(200);

    const moved = await pushTag(send, 'cache/b', 'latest', 'two');

    expect((await pull('cache/b', 'latest')).headers['docker-content-digest']).toBe(moved);
  });

  it('a tag deleted through this process is gone at once', async () => {
    const { send, pull } = setUp(5);
    await pushTag(send, 'cache/c', 'old', 'one');
    expect((await pull('cache/c', 'old')).status).toBe(200);

    expect((await send('DELETE', '/v2/cache/c/manifests/old')).status).toBe(202);

    expect((await pull('cache/c', 'old')).status).toBe(404);
  });

  it('a missing tag is not kept: pushed by another process, it is pulled at once', async () => {
    const { send, meta, pull } = setUp(5);
    const digest = await pushTag(send, 'cache/d', 'v1', 'one');
    expect((await pull('cache/d', 'v2')).status).toBe(404);

    // Another process's write: straight to the store, which this process's cache does not see.
    await meta.putManifest('cache/d', (await meta.getManifest('cache/d', digest))!, ['v2'], { now: Date.now() });

    expect((await pull('cache/d', 'v2')).headers['docker-content-digest']).toBe(digest);
  });

  it('a tag moved by another process is served as cached until the period ends (the documented staleness)', async () => {
    const { send, meta, deps, pull } = setUp(5);
    const first = await pushTag(send, 'cache/e', 'latest', 'one');
    const second = await pushTag(send, 'cache/e', 'other', 'two');
    const pullRecorded = jest.spyOn(deps.meta, 'recordPull');
    expect((await pull('cache/e', 'latest')).headers['docker-content-digest']).toBe(first);
    // The pull's time is written after its answer (retention): it must not empty the cache.
    await new Promise((r) => setTimeout(r, 50));
    expect(pullRecorded).toHaveBeenCalled();

    await meta.manifestStore.putManifest('cache/e', (await meta.getManifest('cache/e', second))!, ['latest'], { now: Date.now() });

    expect((await pull('cache/e', 'latest')).headers['docker-content-digest']).toBe(first);
  });

  it('keeps repositories apart: the same tag name in two repositories answers each its own', async () => {
    const { send, pull } = setUp(5);
    const a = await pushTag(send, 'cache/f1', 'latest', 'one');
    const b = await pushTag(send, 'cache/f2', 'latest', 'two');

    expect((await pull('cache/f1', 'latest')).headers['docker-content-digest']).toBe(a);
    expect((await pull('cache/f2', 'latest')).headers['docker-content-digest']).toBe(b);
    expect((await pull('cache/f1', 'latest')).headers['docker-content-digest']).toBe(a);
  });

  it('off (0, the Node host default): every pull reads the tag', async () => {
    const { send, tagReads, pull } = setUp(0);
    await pushTag(send, 'cache/g', 'latest', 'one');
    tagReads.mockClear();

    for (let i = 0; i < 3; i++) expect((await pull('cache/g', 'latest')).status).toBe(200);

    expect(tagReads).toHaveBeenCalledTimes(3);
  });
});

describe('blobs and manifests by digest with STRATUS_TAG_CACHE_SECONDS', () => {
  it('GET blob: many pulls read the link once; a DELETE of the blob through this process is seen at once', async () => {
    const { send, meta } = setUp(5);
    const { config } = await pushImage(send, 'cache/h', 'latest', 'one');
    const linkReads = jest.spyOn(meta, 'getLinkedBlob');

    for (let i = 0; i < 5; i++) expect((await send('GET', `/v2/cache/h/blobs/${config}`)).status).toBe(307);
    expect(linkReads).toHaveBeenCalledTimes(1);

    expect((await send('DELETE', `/v2/cache/h/blobs/${config}`)).status).toBe(202);
    expect((await send('GET', `/v2/cache/h/blobs/${config}`)).status).toBe(404);
  });

  it('a blob missing from a repository is not kept: linked by another process, it is pulled at once', async () => {
    const { send, meta } = setUp(5);
    const { config } = await pushImage(send, 'cache/i', 'latest', 'one');
    expect((await send('GET', `/v2/cache/i2/blobs/${config}`)).status).toBe(404);

    await meta.blobIndex.linkBlob('cache/i2', (await meta.getBlob(config))!, Date.now());

    expect((await send('GET', `/v2/cache/i2/blobs/${config}`)).status).toBe(307);
  });

  it('GET manifest by digest: many pulls read the manifest once; deleted through this process, it is gone at once', async () => {
    const { send, meta } = setUp(5);
    const { manifest } = await pushImage(send, 'cache/j', 'latest', 'one');
    const manifestReads = jest.spyOn(meta, 'getManifest');

    for (let i = 0; i < 5; i++) {
      const res = await send('GET', `/v2/cache/j/manifests/${manifest}`, { headers: { accept: OCI_MANIFEST } });
      expect([res.status, sha256(res.text)]).toEqual([200, manifest]);
    }
    expect(manifestReads).toHaveBeenCalledTimes(1);

    expect((await send('DELETE', `/v2/cache/j/manifests/${manifest}`)).status).toBe(202);
    expect((await send('GET', `/v2/cache/j/manifests/${manifest}`, { headers: { accept: OCI_MANIFEST } })).status).toBe(404);
  });

  it('a mount reads the source link itself, not a kept copy', async () => {
    const { send, meta } = setUp(5);
    const { config } = await pushImage(send, 'cache/k', 'latest', 'one');
    expect((await send('GET', `/v2/cache/k/blobs/${config}`)).status).toBe(307);
    // Another process unlinks it from the source: the kept link must not be copied into a new repository.
    await meta.blobIndex.unlinkBlob('cache/k', config);

    const mount = await send('POST', `/v2/cache/k2/blobs/uploads/?mount=${config}&from=cache/k`);

    expect(mount.status).toBe(202);
    expect((await send('HEAD', `/v2/cache/k2/blobs/${config}`)).status).toBe(404);
  });
});

describe('TagCache', () => {
  const record = (digest: string): TagRecord => ({ tag: 'latest', digest });

  it('reads again once the period has passed', async () => {
    let now = 1_000;
    const cache = new TagCache(5, () => now);
    const read = jest.fn(async () => record('sha256:a'));

    await cache.get('r', 'latest', read);
    now += 4_999;
    await cache.get('r', 'latest', read);
    expect(read).toHaveBeenCalledTimes(1);
    now += 1;
    await cache.get('r', 'latest', read);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('does not keep a read that overlapped a write: the next pull reads again', async () => {
    const cache = new TagCache(5, () => 0);
    let release!: (r: TagRecord) => void;
    const slow = cache.get('r', 'latest', () => new Promise<TagRecord>((r) => { release = r; }));

    cache.forget('r');
    release(record('sha256:before-the-write'));

    expect((await slow)?.digest).toBe('sha256:before-the-write');
    expect((await cache.get('r', 'latest', async () => record('sha256:after')))?.digest).toBe('sha256:after');
  });

  it('holds at most its cap, dropping the entry refreshed longest ago', async () => {
    const cache = new TagCache(5, () => 0, 2);
    const read = jest.fn(async () => record('sha256:x'));

    await cache.get('r', 'a', read);
    await cache.get('r', 'b', read);
    await cache.get('r', 'c', read);
    await cache.get('r', 'b', read);
    await cache.get('r', 'c', read);
    expect(read).toHaveBeenCalledTimes(3);
    await cache.get('r', 'a', read);
    expect(read).toHaveBeenCalledTimes(4);
  });
});
