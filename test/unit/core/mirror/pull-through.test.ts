import { createRegistry } from '../../../../lambda/core/registry';
import type { RegistryConfig } from '../../../../lambda/core/config';
import type { MirrorRule } from '../../../../lambda/ports/mirror-store';
import type { Logger } from '../../../../lambda/shared/logger';
import { MemoryMirrorStore } from '../../fakes/memory-mirror-store';
import { registryOnFakes, sender, sha256 } from '../../fakes/registry-under-test';
import { FakeUpstream } from './fake-upstream';

const TTL = 60;

/** A registry core on fakes with the root mirror rule to a fake upstream, a clock, and a log kept. */
async function mirrorOnFakes(
  config: Partial<RegistryConfig> = {}, rule: Partial<MirrorRule> = {},
  credentials: { get: (ref: string) => Promise<{ username: string; password: string } | null> } = { get: async () => null },
) {
  let time = 1_700_000_000_000;
  const upstream = new FakeUpstream();
  const store = new MemoryMirrorStore();
  await store.putRule({ prefix: '', upstream: upstream.url, tagTtlSeconds: TTL, anonymousPull: true, createdAt: 0, ...rule });
  const log: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const logger: Logger = {
    info: (message, fields) => log.push({ level: 'info', message, fields }),
    warn: (message, fields) => log.push({ level: 'warn', message, fields }),
    error: (message, fields) => log.push({ level: 'error', message, fields }),
  };
  const base = registryOnFakes({ mirrorWaitSeconds: 2, ...config });
  const deps = {
    ...base.deps, logger, now: () => time,
    mirror: { store, credentials, upstream: () => upstream },
  };
  const send = sender(createRegistry(deps));
  /** The bytes the registry stored for a blob. */
  const storedBlob = async (digest: string) => {
    const record = await base.meta.getBlob(digest);
    return record ? base.blobs.objects.get(record.objectKey) : undefined;
  };
  return { ...base, upstream, store, send, log, storedBlob, advance: (ms: number) => { time += ms; } };
}

describe('pull-through: manifests', () => {
  it('GET by tag -> 200 with the upstream\'s exact bytes and digest; one upstream HEAD and GET', async () => {
    const { send, upstream } = await mirrorOnFakes();
    const image = upstream.addImage('library/busybox', 'latest');

    const res = await send('GET', '/v2/library/busybox/manifests/latest');

    expect(res.status).toBe(200);
    expect(res.headers['docker-content-digest']).toBe(image.manifest);
    expect(sha256(res.body!)).toBe(image.manifest);
    expect(res.headers['content-type']).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(upstream.calls).toEqual([`HEAD manifest library/busybox:latest`, `GET manifest library/busybox:${image.manifest}`]);
  });

  it('a tag is asked upstream again only after its TTL, and a re-tag upstream is then seen', async () => {
    const { send, upstream, advance } = await mirrorOnFakes();
    const first = upstream.addImage('library/app', '1');
    await send('HEAD', '/v2/library/app/manifests/1');
    const second = upstream.addImage('library/app', '1', Buffer.from('new layer'));
    upstream.calls.length = 0;

    advance((TTL - 1) * 1000);
    const before = await send('HEAD', '/v2/library/app/manifests/1');
    advance(2000);
    const after = await send('GET', '/v2/library/app/manifests/1');

    expect(before.headers['docker-content-digest']).toBe(first.manifest);
    expect(after.headers['docker-content-digest']).toBe(second.manifest);
    expect(upstream.calls).toEqual([`HEAD manifest library/app:1`, `GET manifest library/app:${second.manifest}`]);
  });

  it('after the TTL, an unchanged tag costs one upstream HEAD and no GET', async () => {
    const { send, upstream, advance } = await mirrorOnFakes();
    upstream.addImage('library/app', '1');
    await send('GET', '/v2/library/app/manifests/1');
    upstream.calls.length = 0;
    advance(TTL * 1000);

    expect((await send('GET', '/v2/library/app/manifests/1')).status).toBe(200);
    expect(upstream.calls).toEqual(['HEAD manifest library/app:1']);
  });

  it('an upstream HEAD without a digest: the GET by tag tells it, and the bytes are stored as sent', async () => {
    const { send, upstream } = await mirrorOnFakes();
    upstream.noDigestHeader = true;
    const image = upstream.addImage('library/app', '1');

    const res = await send('GET', '/v2/library/app/manifests/1');

    expect(res.headers['docker-content-digest']).toBe(image.manifest);
    expect(upstream.calls).toEqual(['HEAD manifest library/app:1', 'GET manifest library/app:1']);
  });

  it('upstream down after the TTL -> the stale tag is served and the log says so', async () => {
    const { send, upstream, advance, log } = await mirrorOnFakes();
    const image = upstream.addImage('library/app', '1');
    await send('GET', '/v2/library/app/manifests/1');
    advance(TTL * 1000 + 1);
    upstream.down = true;

    const res = await send('GET', '/v2/library/app/manifests/1');

    expect(res.status).toBe(200);
    expect(res.headers['docker-content-digest']).toBe(image.manifest);
    expect(log.some((l) => l.level === 'warn' && /serving stale/.test(l.message) && l.fields?.repository === 'library/app')).toBe(true);
  });

  it('upstream down with nothing cached -> 503 UNAVAILABLE with the upstream\'s Retry-After', async () => {
    const { send, upstream } = await mirrorOnFakes();
    upstream.down = true;

    const res = await send('GET', '/v2/library/app/manifests/1');

    expect(res.status).toBe(503);
    expect(res.json().errors[0].code).toBe('UNAVAILABLE');
    expect(res.headers['retry-after']).toBe('7');
  });

  it('upstream down, a digest on a name never filled -> 404 (a pusher\'s HEAD before pushing to a new name must not fail)', async () => {
    const { send, upstream } = await mirrorOnFakes();
    upstream.down = true;

    const res = await send('HEAD', `/v2/team/new/manifests/${sha256('x')}`);

    expect(res.status).toBe(404);
  });

  it('unknown upstream -> 404 MANIFEST_UNKNOWN, by tag and by digest', async () => {
    const { send } = await mirrorOnFakes();

    const byTag = await send('GET', '/v2/library/nothing/manifests/latest');
    const byDigest = await send('GET', `/v2/library/nothing/manifests/${sha256('x')}`);

    expect([byTag.status, byDigest.status]).toEqual([404, 404]);
    expect(byTag.json().errors[0].code).toBe('MANIFEST_UNKNOWN');
    expect(byDigest.json().errors[0].code).toBe('MANIFEST_UNKNOWN');
  });

  it('a manifest whose bytes do not match its digest is not stored: 503, an error logged, and the honest upstream later works', async () => {
    const { send, upstream, meta, log } = await mirrorOnFakes();
    const image = upstream.addImage('library/app', '1');
    upstream.lying = true;

    const lied = await send('GET', `/v2/library/app/manifests/${image.manifest}`);

    expect(lied.status).toBe(503);
    expect(await meta.getManifest('library/app', image.manifest)).toBeNull();
    expect(log.some((l) => l.level === 'error' && /does not match its digest/.test(l.message))).toBe(true);
    upstream.lying = false;
    const good = await send('GET', `/v2/library/app/manifests/${image.manifest}`);
    expect(good.status).toBe(200);
    expect(sha256(good.body!)).toBe(image.manifest);
  });

  it('20 concurrent cold pulls of a tag -> one upstream HEAD and one GET', async () => {
    const { send, upstream } = await mirrorOnFakes();
    const image = upstream.addImage('library/app', '1');

    const all = await Promise.all(Array.from({ length: 20 }, () => send('GET', '/v2/library/app/manifests/1')));

    expect(all.map((r) => r.headers['docker-content-digest'])).toEqual(Array(20).fill(image.manifest));
    expect(upstream.count('HEAD manifest')).toBe(1);
    expect(upstream.count('GET manifest')).toBe(1);
  });
});

describe('pull-through: upstream credentials', () => {
  it('unreadable credentials -> 503 whose message names no file or secret (the log has the reason); a cached tag is still served', async () => {
    let broken = false;
    const source = { get: async () => { if (broken) throw new Error('ENOENT /data/mirror-credentials/hub.json'); return { username: 'u', password: 'p' }; } };
    const { send, upstream, advance, log } = await mirrorOnFakes({}, { credentialsRef: 'hub' }, source);
    upstream.addImage('library/app', '1');
    await send('GET', '/v2/library/app/manifests/1');
    broken = true;
    advance(5 * 60_000 + 1); // past the tag TTL and the client's reuse: credentials are read again

    const cached = await send('GET', '/v2/library/app/manifests/1');
    const uncached = await send('GET', '/v2/library/other/manifests/1');

    expect(cached.status).toBe(200);
    expect(uncached.status).toBe(503);
    expect(uncached.text).not.toMatch(/ENOENT|hub\.json|mirror-credentials/);
    expect(log.some((l) => l.level === 'error' && String(l.fields?.error).includes('ENOENT'))).toBe(true);
  });
});

describe('pull-through: origin of repositories', () => {
  it('a local repository wins over the root rule: its pulls never reach the upstream', async () => {
    const { send, upstream } = await mirrorOnFakes();
    upstream.addImage('team/app', '1');
    const config = Buffer.from('{}');
    const digest = sha256(config);
    expect((await send('POST', `/v2/team/app/blobs/uploads/?digest=${digest}`, { body: config })).status).toBe(201);
    upstream.calls.length = 0;

    const res = await send('GET', '/v2/team/app/manifests/1');

    expect(res.status).toBe(404);
    expect(upstream.calls).toEqual([]);
  });

  it('a push into a mirrored repository -> 403 DENIED naming the rule; a push to another name works', async () => {
    const { send, upstream } = await mirrorOnFakes();
    upstream.addImage('library/busybox', 'latest');
    await send('GET', '/v2/library/busybox/manifests/latest');

    const start = await send('POST', '/v2/library/busybox/blobs/uploads/');
    const put = await send('PUT', '/v2/library/busybox/manifests/mine', {
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: Buffer.from('{}'),
    });
    const elsewhere = await send('POST', '/v2/team/busybox/blobs/uploads/');

    expect(start.status).toBe(403);
    expect(start.json().errors[0]).toMatchObject({ code: 'DENIED' });
    expect(start.json().errors[0].message).toBe(
      `library/busybox is a mirror of ${upstream.url} (rule ''): it is read-only; push to another name`,
    );
    expect(put.status).toBe(403);
    expect(elsewhere.status).toBe(202);
  });

  it('a blob HEAD on a name not filled yet does not ask the upstream (a push to a new name)', async () => {
    const { send, upstream } = await mirrorOnFakes();
    upstream.down = true;

    const res = await send('HEAD', `/v2/team/new/blobs/${sha256('x')}`);

    expect(res.status).toBe(404);
    expect(upstream.calls).toEqual([]);
  });
});

describe('pull-through: blobs', () => {
  it('GET of a cold blob -> 307 to the stored copy, whose bytes are the upstream\'s; multipart, one fetch for 20 clients', async () => {
    const { send, upstream, storedBlob } = await mirrorOnFakes({ partSize: 1024, minPartSize: 1024 });
    const layer = Buffer.alloc(5000, 7);
    const image = upstream.addImage('library/app', '1', layer);
    await send('GET', '/v2/library/app/manifests/1');

    const all = await Promise.all(Array.from({ length: 20 }, () => send('GET', `/v2/library/app/blobs/${image.layer}`)));

    expect(all.map((r) => r.status)).toEqual(Array(20).fill(307));
    expect(all[0]!.headers.location).toMatch(/^http:\/\/s3\.test\//);
    expect(upstream.count('GET blob')).toBe(1);
    expect((await storedBlob(image.layer))?.equals(layer)).toBe(true);
  });

  it('HEAD of a cold blob answers the upstream\'s size without fetching bytes', async () => {
    const { send, upstream, meta } = await mirrorOnFakes();
    const image = upstream.addImage('library/app', '1');
    await send('GET', '/v2/library/app/manifests/1');

    const res = await send('HEAD', `/v2/library/app/blobs/${image.layer}`);

    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(image.layerBytes.length));
    expect(upstream.count('GET blob')).toBe(0);
    expect(await meta.getBlob(image.layer)).toBeNull();
  });

  it('a blob another repository holds is not linked to a mirrored name unless the upstream has it there', async () => {
    const { send, upstream, meta } = await mirrorOnFakes();
    const secret = Buffer.from('private bytes of secret/app');
    const digest = sha256(secret);
    await send('POST', `/v2/secret/app/blobs/uploads/?digest=${digest}`, { body: secret });
    upstream.addImage('library/evil', '1');
    await send('GET', '/v2/library/evil/manifests/1'); // the mirrored name is filled (marked)

    const get = await send('GET', `/v2/library/evil/blobs/${digest}`);
    const head = await send('HEAD', `/v2/library/evil/blobs/${digest}`);

    expect([get.status, head.status]).toEqual([404, 404]);
    expect(await meta.getLinkedBlob('library/evil', digest)).toBeNull();
  });

  it('a blob another repository holds is linked without a fetch when the upstream confirms it', async () => {
    const { send, upstream, meta } = await mirrorOnFakes();
    const layer = Buffer.from('shared layer');
    const digest = sha256(layer);
    await send('POST', `/v2/team/base/blobs/uploads/?digest=${digest}`, { body: layer });
    upstream.addImage('library/app', '1', layer);
    await send('GET', '/v2/library/app/manifests/1');

    const res = await send('GET', `/v2/library/app/blobs/${digest}`);

    expect(res.status).toBe(307);
    expect(upstream.count('GET blob')).toBe(0);
    expect(await meta.getLinkedBlob('library/app', digest)).not.toBeNull();
  });

  it('a lying upstream\'s blob is not stored (503, multipart aborted); the honest upstream later fills it', async () => {
    const { send, upstream, meta, blobs, storedBlob } = await mirrorOnFakes({ partSize: 1024, minPartSize: 1024 });
    const image = upstream.addImage('library/app', '1', Buffer.alloc(4000, 3));
    await send('GET', '/v2/library/app/manifests/1');
    upstream.lying = true;

    const lied = await send('GET', `/v2/library/app/blobs/${image.layer}`);

    expect(lied.status).toBe(503);
    expect(await meta.getBlob(image.layer)).toBeNull();
    expect(blobs.multiparts.size).toBe(0);
    expect([...blobs.objects.keys()].filter((k) => k.startsWith('blobs/'))).toEqual([]);
    upstream.lying = false;
    expect((await send('GET', `/v2/library/app/blobs/${image.layer}`)).status).toBe(307);
    expect((await storedBlob(image.layer))?.equals(image.layerBytes)).toBe(true);
  });

  it('a blob larger than this host fills inline -> 307 to the upload service, which is not asked to fetch here', async () => {
    const { send, upstream } = await mirrorOnFakes({ mirrorFillInlineMaxBytes: 10, uploadBaseUrl: 'https://upload.example' });
    const image = upstream.addImage('library/app', '1');
    await send('GET', '/v2/library/app/manifests/1');

    const res = await send('GET', `/v2/library/app/blobs/${image.layer}`);

    expect(res.status).toBe(307);
    expect(res.headers.location).toBe(`https://upload.example/v2/library/app/blobs/${image.layer}`);
    expect(upstream.count('GET blob')).toBe(0);
  });

  it('a blob larger than this host fills inline, with no upload service -> 503 saying why', async () => {
    const { send, upstream } = await mirrorOnFakes({ mirrorFillInlineMaxBytes: 10 });
    const image = upstream.addImage('library/app', '1');
    await send('GET', '/v2/library/app/manifests/1');

    const res = await send('GET', `/v2/library/app/blobs/${image.layer}`);

    expect(res.status).toBe(503);
    expect(res.json().errors[0].message).toMatch(/larger than this host fetches .*upload service/);
  });

  it('another host holding the fill\'s lease: the request waits, then 503 with Retry-After', async () => {
    const { send, upstream, store } = await mirrorOnFakes({ mirrorWaitSeconds: 0 });
    const image = upstream.addImage('library/app', '1');
    await send('GET', '/v2/library/app/manifests/1');
    await store.acquireLease(`blob:${image.layer}`, 'other-host', Date.now() * 2, 60_000);

    const res = await send('GET', `/v2/library/app/blobs/${image.layer}`);

    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(upstream.count('GET blob')).toBe(0);
  });
});
