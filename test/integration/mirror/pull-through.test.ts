/**
 * Stratus as a pull-through cache of a real registry (distribution 2.8 on 127.0.0.1, behind a proxy that
 * counts its requests): content comes back with the upstream's exact bytes and digests, tags are asked
 * upstream once per TTL, twenty cold pulls cost one upstream GET per blob and manifest, mirrored
 * repositories refuse pushes while other names on the same instance take them.
 */
import { createHash } from 'node:crypto';
import { DynamoDbGcStore } from '../../../lambda/adapters/dynamodb/dynamodb-gc-store';
import { createDocumentClient } from '../../../lambda/adapters/dynamodb/table';
import { collectGarbage } from '../../../lambda/core/gc';
import { silentLogger } from '../../../lambda/shared/logger';
import { PushedImage, PushedIndex, PushedReferrer, pushIndex, pushReferrer, pushSmallImage } from '../../support/fixture-images';
import { startDistributionUpstream, UpstreamRegistry } from '../../support/upstream-registry';
import { manifestRequest, MirrorStratus, pullBlob, startMirrorStratus } from './mirror-stratus';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('registry mirror: pull-through from a real upstream', () => {
  let upstream: UpstreamRegistry;
  let stratus: MirrorStratus;
  let image: PushedImage;
  let index: PushedIndex;
  let referrer: PushedReferrer;
  const backendCalls: Array<{ backend: string; command: string }> = [];

  beforeAll(async () => {
    upstream = await startDistributionUpstream();
    const seed = upstream.seedUrl();
    image = await pushSmallImage(seed, 'library/app', 'v1');
    index = await pushIndex(seed, 'library/multi', 'v1');
    referrer = await pushReferrer(seed, 'library/app', image.manifest);
    stratus = await startMirrorStratus({}, (backend, command) => backendCalls.push({ backend, command }));
    await stratus.addRule('', upstream.url);
    await stratus.addRule('ttl/', upstream.url, { tagTtlSeconds: 1 });
  });
  afterAll(async () => {
    await stratus?.stop();
    await upstream?.dispose();
  });

  it('GET manifest by tag and by digest, and every blob: the upstream\'s exact bytes and digests', async () => {
    const byTag = await manifestRequest(stratus.url, 'library/app', 'v1');
    const byDigest = await manifestRequest(stratus.url, 'library/app', image.manifest.digest);

    expect(byTag.status).toBe(200);
    expect(byTag.headers.get('docker-content-digest')).toBe(image.manifest.digest);
    expect(byTag.headers.get('content-type')).toBe(image.manifest.mediaType);
    expect(byTag.bytes.equals(image.manifest.bytes)).toBe(true);
    expect(byDigest.bytes.equals(image.manifest.bytes)).toBe(true);
    for (const blob of [image.config, ...image.layers]) {
      const pulled = await pullBlob(stratus.url, 'library/app', blob.digest);
      expect(pulled.status).toBe(200);
      expect(sha256(pulled.bytes)).toBe(blob.digest);
      expect(pulled.bytes.equals(blob.bytes)).toBe(true);
    }
  });

  it('an index with two platform manifests: the index, each child by digest and their layers', async () => {
    const got = await manifestRequest(stratus.url, 'library/multi', 'v1');

    expect(got.status).toBe(200);
    expect(got.bytes.equals(index.index.bytes)).toBe(true);
    for (const child of index.images) {
      const manifest = await manifestRequest(stratus.url, 'library/multi', child.manifest.digest);
      expect(manifest.bytes.equals(child.manifest.bytes)).toBe(true);
      const layer = await pullBlob(stratus.url, 'library/multi', child.layers[0]!.digest);
      expect(layer.bytes.equals(child.layers[0]!.bytes)).toBe(true);
    }
  });

  it('a referrer pulled by digest is stored as is and then listed by the referrers API', async () => {
    const got = await manifestRequest(stratus.url, 'library/app', referrer.manifest.digest);
    const listed = await fetch(`${stratus.url}/v2/library/app/referrers/${image.manifest.digest}`);

    expect(got.bytes.equals(referrer.manifest.bytes)).toBe(true);
    const body = (await listed.json()) as { manifests: Array<{ digest: string; artifactType?: string }> };
    expect(body.manifests.map((m) => m.digest)).toContain(referrer.manifest.digest);
  });

  it('a mirrored repository is listed in _catalog and its pulled tag in tags/list', async () => {
    await manifestRequest(stratus.url, 'library/app', 'v1');

    const catalog = (await (await fetch(`${stratus.url}/v2/_catalog`)).json()) as { repositories: string[] };
    const tags = (await (await fetch(`${stratus.url}/v2/library/app/tags/list`)).json()) as { tags: string[] };

    expect(catalog.repositories).toContain('library/app');
    expect(tags.tags).toContain('v1');
  });

  it('an image the upstream does not have -> 404 MANIFEST_UNKNOWN, by tag and by digest', async () => {
    const byTag = await manifestRequest(stratus.url, 'library/nothing-here', 'latest');
    const byDigest = await manifestRequest(stratus.url, 'library/app', sha256(Buffer.from('no such manifest')));

    expect([byTag.status, byDigest.status]).toEqual([404, 404]);
    expect(byTag.json().errors[0].code).toBe('MANIFEST_UNKNOWN');
    expect(byDigest.json().errors[0].code).toBe('MANIFEST_UNKNOWN');
  });

  it('push to a mirrored repository -> 403 DENIED naming the rule; push to another name on the same instance -> 201', async () => {
    await manifestRequest(stratus.url, 'library/app', 'v1');

    const start = await fetch(`${stratus.url}/v2/library/app/blobs/uploads/`, { method: 'POST' });
    const mount = await fetch(`${stratus.url}/v2/library/app/blobs/uploads/?mount=${image.config.digest}&from=team/other`, { method: 'POST' });
    const put = await fetch(`${stratus.url}/v2/library/app/manifests/v1`, {
      method: 'PUT', body: image.manifest.bytes, headers: { 'content-type': image.manifest.mediaType },
    });
    const pushed = await pushSmallImage(stratus.url, 'team/app', '1');

    expect([start.status, mount.status, put.status]).toEqual([403, 403, 403]);
    const error = ((await start.json()) as { errors: Array<{ code: string; message: string }> }).errors[0]!;
    expect(error.code).toBe('DENIED');
    expect(error.message).toBe(`library/app is a mirror of ${upstream.url} (rule ''): it is read-only; push to another name`);
    const back = await manifestRequest(stratus.url, 'team/app', '1');
    expect(back.bytes.equals(pushed.manifest.bytes)).toBe(true);
  });

  it('a blob another repository holds is not readable through a mirrored name the upstream lacks it in', async () => {
    const secret = await pushSmallImage(stratus.url, 'secret/app', 'v1');
    await manifestRequest(stratus.url, 'library/app', 'v1');
    const digest = secret.layers[0]!.digest;

    const get = await fetch(`${stratus.url}/v2/library/app/blobs/${digest}`, { redirect: 'manual' });
    const head = await fetch(`${stratus.url}/v2/library/app/blobs/${digest}`, { method: 'HEAD' });

    expect([get.status, head.status]).toEqual([404, 404]);
    expect(await stratus.deps.meta.getLinkedBlob('library/app', digest)).toBeNull();
  });

  it('a tag is resolved upstream again only after its TTL: a re-tag upstream is seen then, not before', async () => {
    const first = await pushSmallImage(upstream.seedUrl(), 'library/moving', 'v1');
    const before = await manifestRequest(stratus.url, 'ttl/library/moving', 'v1');
    const second = await pushSmallImage(upstream.seedUrl(), 'library/moving', 'v1');
    upstream.clearRequests();

    const within = await manifestRequest(stratus.url, 'ttl/library/moving', 'v1', 'HEAD');
    const askedWithin = upstream.requests().length;
    await new Promise((r) => setTimeout(r, 1100));
    const after = await manifestRequest(stratus.url, 'ttl/library/moving', 'v1');

    expect(before.headers.get('docker-content-digest')).toBe(first.manifest.digest);
    expect(within.headers.get('docker-content-digest')).toBe(first.manifest.digest);
    expect(askedWithin).toBe(0);
    expect(after.headers.get('docker-content-digest')).toBe(second.manifest.digest);
    expect(after.bytes.equals(second.manifest.bytes)).toBe(true);
  });

  it('20 parallel cold pulls on two hosts (HEAD tag, GET by digest, every blob) -> one upstream GET per manifest and per blob', async () => {
    const cold = await pushSmallImage(upstream.seedUrl(), 'library/crowd', 'v1', { layerSizes: [300 * 1024, 64 * 1024] });
    const second = await startMirrorStratus({}, undefined, stratus);
    upstream.clearRequests();

    let pulls;
    try {
      pulls = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        const host = i % 2 === 0 ? stratus.url : second.url;
        const head = await manifestRequest(host, 'library/crowd', 'v1', 'HEAD');
        const digest = head.headers.get('docker-content-digest')!;
        const manifest = await manifestRequest(host, 'library/crowd', digest);
        const blobs = await Promise.all([cold.config, ...cold.layers].map((b) => pullBlob(host, 'library/crowd', b.digest)));
        return { digest, manifest, blobs };
      }));
    } finally {
      await second.stop();
    }

    for (const pull of pulls) {
      expect(pull.digest).toBe(cold.manifest.digest);
      expect(pull.manifest.bytes.equals(cold.manifest.bytes)).toBe(true);
      expect(pull.blobs.map((b) => sha256(b.bytes))).toEqual([cold.config, ...cold.layers].map((b) => b.digest));
    }
    const gets = upstream.requests().filter((r) => r.method === 'GET' && r.path !== '/v2/');
    const perPath = new Map<string, number>();
    for (const r of gets) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
    expect(Object.fromEntries(perPath)).toEqual(Object.fromEntries([
      `/v2/library/crowd/manifests/${cold.manifest.digest}`,
      ...[cold.config, ...cold.layers].map((b) => `/v2/library/crowd/blobs/${b.digest}`),
    ].map((p) => [p, 1])));
    // One tag HEAD per host (each resolves the cold tag once; the second may find the first's check fresh).
    const heads = upstream.requests().filter((r) => r.method === 'HEAD' && r.path.includes('/manifests/'));
    expect(heads.length).toBeGreaterThanOrEqual(1);
    expect(heads.length).toBeLessThanOrEqual(2);
  });

  it('the garbage collector (grace 0) keeps a mirrored image and the mirror\'s own items: pulling it again asks the upstream for nothing', async () => {
    await manifestRequest(stratus.url, 'library/app', 'v1');
    for (const b of [image.config, ...image.layers]) await pullBlob(stratus.url, 'library/app', b.digest);
    const { settings } = stratus;

    const report = await collectGarbage(
      { gc: new DynamoDbGcStore(createDocumentClient(settings.dynamodb), settings.table), blobs: stratus.deps.blobs, logger: silentLogger, now: Date.now },
      { graceMs: 0, dryRun: false, host: 'test' },
    );
    upstream.clearRequests();
    const manifest = await manifestRequest(stratus.url, 'library/app', image.manifest.digest);
    const blobs = await Promise.all([image.config, ...image.layers].map((b) => pullBlob(stratus.url, 'library/app', b.digest)));

    expect(report.run.status).toBe('completed');
    expect(manifest.bytes.equals(image.manifest.bytes)).toBe(true);
    expect(blobs.map((b) => sha256(b.bytes))).toEqual([image.config, ...image.layers].map((b) => b.digest));
    expect(upstream.requests()).toEqual([]);
    expect(await stratus.deps.mirror!.store.getMirrored('library/app')).toMatchObject({ repository: 'library/app', prefix: '' });
  });

  it('a warm pull within the tag TTL asks the upstream nothing; its backend calls are a few DynamoDB reads and no S3 request', async () => {
    await manifestRequest(stratus.url, 'library/app', 'v1');
    for (const b of [image.config, ...image.layers]) await pullBlob(stratus.url, 'library/app', b.digest);
    upstream.clearRequests();
    const calls = async (act: () => Promise<unknown>) => {
      backendCalls.length = 0;
      await act();
      return backendCalls.map((c) => `${c.backend}:${c.command}`).filter((c) => c !== 'dynamodb:UpdateItemCommand'); // the pull time, once an hour
    };

    const head = await calls(() => manifestRequest(stratus.url, 'library/app', 'v1', 'HEAD'));
    const get = await calls(() => manifestRequest(stratus.url, 'library/app', image.manifest.digest));
    const blob = await calls(() => fetch(`${stratus.url}/v2/library/app/blobs/${image.layers[0]!.digest}`, { redirect: 'manual' }));

    expect(upstream.requests()).toEqual([]);
    for (const step of [head, get, blob]) expect(step.filter((c) => c.startsWith('s3:'))).toEqual([]);
    // By tag: the tag check and the tag (origin and rules are cached per process); by digest and blob: one read each.
    expect(get).toEqual(['dynamodb:GetItemCommand']);
    expect(blob).toEqual(['dynamodb:GetItemCommand']);
    expect(head.length).toBeLessThanOrEqual(4);
    console.log(`warm mirrored pull, backend calls: HEAD tag ${JSON.stringify(head)}, GET digest ${JSON.stringify(get)}, GET blob ${JSON.stringify(blob)}`);
  });
});
