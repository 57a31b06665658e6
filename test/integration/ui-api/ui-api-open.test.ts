/** The web UI's API with auth off, on the real local S3 and DynamoDB: answer shapes, summaries, headers, deletes. */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../../lambda/adapters/dynamodb/keys';
import { createDocumentClient } from '../../../lambda/adapters/dynamodb/table';
import { startTestRegistry, TestRegistry } from '../harness';
import { RegistryClient, uniqueRepo } from '../http/client';
import { pushPlatformImage, pushPlatformIndex, pushReferrer, qs, ui } from './ui-fixtures';

let registry: TestRegistry;
let client: RegistryClient;
const team = uniqueRepo('ui-open');

beforeAll(async () => {
  registry = await startTestRegistry({ config: { corsOrigin: '*' } });
  client = new RegistryClient(registry.url);
});
afterAll(async () => registry?.stop());

describe('GET /ui/api/session (auth off)', () => {
  it('-> auth disabled, nobody logged in, not admin, the version; no-store, no CORS', async () => {
    const res = await ui(client, 'GET', 'session');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ authEnabled: false, service: null, subject: null, admin: false, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('GET /ui/api/tags: summaries stored at push time', () => {
  const repo = `${team}/summaries`;

  it('an image: size = config + layers, platform from its config (linux/arm64/v8), pushedAt; lastPulledAt once pulled', async () => {
    const before = Date.now();
    const image = await pushPlatformImage(client, repo, 'arm', 'linux/arm64/v8');
    await client.getManifest(repo, 'arm').then((r) => r.arrayBuffer()); // a pull: recorded after the answer

    // The pull time is written after the pull's answer: asked until it shows (a second at most).
    let res = await ui(client, 'GET', `tags?${qs({ repository: repo })}`);
    for (let i = 0; i < 20 && res.body.tags?.[0]?.lastPulledAt === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      res = await ui(client, 'GET', `tags?${qs({ repository: repo })}`);
    }

    expect(res.status).toBe(200);
    expect(res.body.repository).toBe(repo);
    expect(res.body.next).toBeNull();
    const row = res.body.tags.find((t: { tag: string }) => t.tag === 'arm');
    expect(row).toEqual({
      tag: 'arm', digest: image.digest, mediaType: image.mediaType, size: image.contentSize, platforms: ['linux/arm64/v8'],
      pushedAt: expect.any(Number), lastPulledAt: expect.any(Number),
    });
    expect(row.pushedAt).toBeGreaterThanOrEqual(before);
    expect(row.size).not.toBe(image.bytes.length);
  });

  it('an index of 3 platforms: size = the sum of its images\', platforms from its entries', async () => {
    const { index, images } = await pushPlatformIndex(client, repo, 'multi', ['linux/amd64', 'linux/arm64/v8', 'linux/s390x']);

    const res = await ui(client, 'GET', `tags?${qs({ repository: repo, q: 'multi' })}`);

    expect(res.body.tags).toEqual([{
      tag: 'multi', digest: index.digest, mediaType: index.mediaType, size: images.reduce((s, i) => s + i.contentSize, 0),
      platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/s390x'], pushedAt: expect.any(Number), lastPulledAt: null,
    }]);
  });

  it('a tag stored before summaries existed (no summary, no pushedAt on its item) -> the manifest\'s size and pushedAt, platforms []', async () => {
    const image = await pushPlatformImage(client, repo, 'current', 'linux/amd64');
    const doc = createDocumentClient(registry.settings!.dynamodb);
    // The item as puts wrote it before: tag, digest, writeId (and no inline copy: the manifest is read from its item).
    await doc.send(new PutCommand({ TableName: registry.settings!.table, Item: { ...keys.tag(repo, 'legacy'), tag: 'legacy', digest: image.digest, writeId: randomUUID() } }));
    doc.destroy();

    const res = await ui(client, 'GET', `tags?${qs({ repository: repo, q: 'legacy' })}`);

    expect(res.status).toBe(200);
    expect(res.body.tags).toEqual([{
      tag: 'legacy', digest: image.digest, mediaType: image.mediaType, size: image.bytes.length, platforms: [],
      pushedAt: expect.any(Number), lastPulledAt: null,
    }]);
  });

  it('pages: n and last, next = the last tag of a full page, null at the end; a substring filter', async () => {
    const paged = `${team}/paged`;
    const image = await pushPlatformImage(client, paged, undefined, 'linux/amd64');
    for (const tag of ['a1', 'a2', 'b1', 'b2', 'c1']) await client.putManifest(paged, tag, image.bytes, image.mediaType).then((r) => r.arrayBuffer());

    const first = await ui(client, 'GET', `tags?${qs({ repository: paged, n: 2 })}`);
    const second = await ui(client, 'GET', `tags?${qs({ repository: paged, n: 2, last: first.body.next })}`);
    const third = await ui(client, 'GET', `tags?${qs({ repository: paged, n: 2, last: second.body.next })}`);
    const search = await ui(client, 'GET', `tags?${qs({ repository: paged, q: '2' })}`);

    const names = (r: { body: { tags: Array<{ tag: string }> } }) => r.body.tags.map((t) => t.tag);
    expect([names(first), first.body.next]).toEqual([['a1', 'a2'], 'a2']);
    expect([names(second), second.body.next]).toEqual([['b1', 'b2'], 'b2']);
    expect([names(third), third.body.next]).toEqual([['c1'], null]);
    expect(names(search)).toEqual(['a2', 'b2']);
  });

  it.each([
    ['no repository', qs({}), 400, 'NAME_INVALID'],
    ['an invalid name', qs({ repository: 'UPPER/case' }), 400, 'NAME_INVALID'],
    ['n = 0', qs({ repository: 'x', n: 0 }), 400, 'PAGINATION_NUMBER_INVALID'],
    ['n = 1001', qs({ repository: 'x', n: 1001 }), 400, 'PAGINATION_NUMBER_INVALID'],
    ['a repository that does not exist', qs({ repository: `${team}/none` }), 404, 'NAME_UNKNOWN'],
  ])('%s: ?%s -> %i %s', async (_what, query, status, code) => {
    const res = await ui(client, 'GET', `tags?${query}`);

    expect(res.status).toBe(status);
    expect(res.body.errors[0].code).toBe(code);
  });
});

describe('GET /ui/api/repositories', () => {
  it('-> names containing q with their tag counts, n and next', async () => {
    const prefix = uniqueRepo('ui-repos');
    for (const [name, tags] of [['one', 1], ['two', 2], ['three', 3]] as const) {
      const image = await pushPlatformImage(client, `${prefix}/${name}`, undefined, 'linux/amd64', {}, 1);
      for (let i = 0; i < tags; i++) await client.putManifest(`${prefix}/${name}`, `t${i}`, image.bytes, image.mediaType).then((r) => r.arrayBuffer());
    }

    const all = await ui(client, 'GET', `repositories?${qs({ q: prefix })}`);
    const first = await ui(client, 'GET', `repositories?${qs({ q: prefix, n: 2 })}`);
    const rest = await ui(client, 'GET', `repositories?${qs({ q: prefix, n: 2, last: first.body.next })}`);
    const t = await ui(client, 'GET', `repositories?${qs({ q: `${prefix}/t` })}`);

    expect(all.body).toEqual({
      repositories: [{ name: `${prefix}/one`, tagCount: 1 }, { name: `${prefix}/three`, tagCount: 3 }, { name: `${prefix}/two`, tagCount: 2 }],
      next: null,
    });
    expect(first.body).toEqual({ repositories: all.body.repositories.slice(0, 2), next: `${prefix}/three` });
    expect(rest.body).toEqual({ repositories: all.body.repositories.slice(2), next: null });
    expect(t.body.repositories.map((r: { name: string }) => r.name)).toEqual([`${prefix}/three`, `${prefix}/two`]);
  });
});

describe('GET /ui/api/manifest', () => {
  const repo = `${team}/view`;

  it('an image by tag -> its manifest, its config read server-side, the tags pointing at it; viewing is no pull', async () => {
    const image = await pushPlatformImage(client, repo, 'v1', 'linux/amd64', {
      created: '2026-01-02T03:04:05Z',
      config: { Env: ['PATH=/usr/bin', 'MODE=prod'], Labels: { team: 'ui' }, Entrypoint: ['/app'], Cmd: ['--serve'] },
      history: [{ created_by: 'COPY app /app' }],
    });
    await client.putManifest(repo, 'stable', image.bytes, image.mediaType).then((r) => r.arrayBuffer());

    const res = await ui(client, 'GET', `manifest?${qs({ repository: repo, reference: 'v1' })}`);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      repository: repo, digest: image.digest, mediaType: image.mediaType, size: image.bytes.length, tags: ['stable', 'v1'],
      manifest: image.doc,
      config: {
        created: '2026-01-02T03:04:05Z', os: 'linux', architecture: 'amd64',
        config: { Env: ['PATH=/usr/bin', 'MODE=prod'], Labels: { team: 'ui' }, Entrypoint: ['/app'], Cmd: ['--serve'] },
        history: [{ created_by: 'COPY app /app' }],
      },
      platforms: [], referrers: [], pushedAt: expect.any(Number), lastPulledAt: null,
    });
  });

  it('an index by digest -> its 3 platforms and its referrers as a tree (a signature of an SBOM at depth 2)', async () => {
    const { index, images } = await pushPlatformIndex(client, repo, 'multi', ['linux/amd64', 'linux/arm64/v8', 'windows/amd64']);
    const signature = await pushReferrer(client, repo, index.descriptor, 'application/vnd.dev.cosign.artifact.sig.v1+json', { 'dev.sigstore.cosign/signature': 'abc' });
    const sbom = await pushReferrer(client, repo, index.descriptor, 'application/spdx+json');
    const sbomSignature = await pushReferrer(client, repo, sbom.descriptor, 'application/vnd.dev.cosign.artifact.sig.v1+json');

    const res = await ui(client, 'GET', `manifest?${qs({ repository: repo, reference: index.digest })}`);

    expect(res.status).toBe(200);
    expect(res.body.config).toBeNull();
    expect(res.body.tags).toEqual(['multi']);
    expect(res.body.platforms).toEqual(images.map((img, i) => ({
      digest: img.digest, mediaType: img.mediaType, size: img.bytes.length,
      platform: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'windows', architecture: 'amd64' }][i],
    })));
    const byType = Object.fromEntries(res.body.referrers.map((r: { artifactType: string }) => [r.artifactType, r]));
    expect(byType['application/vnd.dev.cosign.artifact.sig.v1+json']).toEqual({
      digest: signature.digest, mediaType: signature.mediaType, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
      size: signature.bytes.length, annotations: { 'dev.sigstore.cosign/signature': 'abc' }, referrers: [],
    });
    expect(byType['application/spdx+json'].referrers.map((r: { digest: string }) => r.digest)).toEqual([sbomSignature.digest]);
  });

  it.each([
    ['an unknown tag', { reference: 'nope' }, 404, 'MANIFEST_UNKNOWN'],
    ['an invalid reference', { reference: 'sha256:zz' }, 400, 'DIGEST_INVALID'],
    ['no reference', {}, 400, 'NAME_INVALID'],
  ])('%s (%j) -> %i %s', async (_what, params, status, code) => {
    const res = await ui(client, 'GET', `manifest?${qs({ repository: repo, ...params })}`);

    expect(res.status).toBe(status);
    expect(res.body.errors[0].code).toBe(code);
  });
});

describe('DELETE /ui/api/tag and /ui/api/manifest', () => {
  it('a tag -> 204 and it is gone, the manifest stays; the manifest -> 204 and its other tags go with it', async () => {
    const repo = `${team}/deletes`;
    const image = await pushPlatformImage(client, repo, 'keep', 'linux/amd64');
    await client.putManifest(repo, 'drop', image.bytes, image.mediaType).then((r) => r.arrayBuffer());

    const untag = await ui(client, 'DELETE', `tag?${qs({ repository: repo, tag: 'drop' })}`);
    const afterUntag = await ui(client, 'GET', `tags?${qs({ repository: repo })}`);
    const remove = await ui(client, 'DELETE', `manifest?${qs({ repository: repo, digest: image.digest })}`);
    const again = await ui(client, 'DELETE', `manifest?${qs({ repository: repo, digest: image.digest })}`);

    expect(untag.status).toBe(204);
    expect(afterUntag.body.tags.map((t: { tag: string }) => t.tag)).toEqual(['keep']);
    expect(remove.status).toBe(204);
    expect((await client.getManifest(repo, 'keep')).status).toBe(404);
    expect([again.status, again.body.errors[0].code]).toEqual([404, 'MANIFEST_UNKNOWN']);
  });
});

describe('what the UI API never does', () => {
  it('a request from a page on another origin gets no Access-Control-* header (GET, and the preflight of a DELETE)', async () => {
    const evil = { origin: 'https://evil.example' };
    const get = await ui(client, 'GET', 'session', { headers: evil });
    const preflight = await client.fetch('/ui/api/tag?repository=a&tag=b', {
      method: 'OPTIONS', headers: { ...evil, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
    });
    const v2 = await client.fetch('/v2/', { headers: evil }); // the registry API itself keeps its CORS (STRATUS_CORS_ORIGIN=*)

    const cors = (h: Headers) => [...h.keys()].filter((k) => k.startsWith('access-control-'));
    expect(get.status).toBe(200);
    expect(cors(get.headers)).toEqual([]);
    expect(cors(preflight.headers)).toEqual([]);
    expect(v2.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('admin paths with auth off -> 404 (there are no accounts); an unknown API path -> a JSON 404, not the UI\'s HTML', async () => {
    for (const path of ['admin/users', 'admin/robots', 'admin/gc-runs', 'admin/policies', 'nothing/here']) {
      const res = await ui(client, 'GET', path);
      expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 404, 'application/json']);
    }
    const post = await ui(client, 'POST', 'admin/robots', { body: { name: 'x', grants: [{ pattern: '*', actions: ['pull'] }] } });
    expect(post.status).toBe(404);
  });
});
