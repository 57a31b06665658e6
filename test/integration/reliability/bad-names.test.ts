/**
 * Generated and hand-picked invalid repository names, references and digests on every route that
 * takes them: 400 with the spec's code, never a 5xx, and nothing stored or changed.
 */
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { MT, sha256, uniqueRepo } from '../http/client';
import { registryClientForThisFile } from '../http/setup';
import { invalidDigest, invalidName, invalidTag } from './arbitraries';
import { Answer, expectAlive, expectRefused, fcParams, snapshot } from './invariants';

const client = registryClientForThisFile();

const EMPTY_INDEX = JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [] });

/** A request with its path sent as given (fetch would resolve `..` and `%2e` segments). */
function raw(method: string, path: string, body = '', headers: Record<string, string> = {}): Promise<Answer> {
  const u = new URL(client.base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function catalog(): Promise<unknown> {
  const res = await client.fetch('/v2/_catalog');
  return { status: res.status, body: await res.text() };
}

describe('invalid repository names -> 400 NAME_INVALID, nothing stored', () => {
  let repo: string;
  let before: Record<string, unknown>;
  let catalogBefore: unknown;
  beforeAll(async () => {
    repo = uniqueRepo('names-ok');
    await client.pushImage(repo, 'v1');
    before = await snapshot(client, { repo });
    catalogBefore = await catalog();
  });
  afterAll(async () => {
    expect(await snapshot(client, { repo })).toEqual(before);
    expect(await catalog()).toEqual(catalogBefore);
    await expectAlive(client);
  });

  it('GET, DELETE /v2/:name/manifests/:ref, GET /v2/:name/blobs/:digest, /tags/list, /referrers/:digest (generated names)', async () => {
    const digest = sha256('x');
    await fc.assert(fc.asyncProperty(invalidName, async (name) => {
      for (const [method, path] of [
        ['GET', `/v2/${name}/manifests/latest`],
        ['DELETE', `/v2/${name}/manifests/latest`],
        ['GET', `/v2/${name}/blobs/${digest}`],
        ['DELETE', `/v2/${name}/blobs/${digest}`],
        ['GET', `/v2/${name}/tags/list`],
        ['GET', `/v2/${name}/referrers/${digest}`],
        ['GET', `/v2/${name}/blobs/uploads/0f6c3c1e-5c5e-4d55-9d6e-3f1f5b7a0c11`],
      ] as const) {
        expectRefused(await raw(method, path), 400, 'NAME_INVALID');
      }
    }), fcParams(80));
  });

  it('PUT /v2/:name/manifests/:ref and POST /v2/:name/blobs/uploads/ (generated names) create nothing', async () => {
    await fc.assert(fc.asyncProperty(invalidName, async (name) => {
      const put = await raw('PUT', `/v2/${name}/manifests/v1`, EMPTY_INDEX, { 'content-type': MT.ociIndex });
      expectRefused(put, 400, 'NAME_INVALID');
      const post = await raw('POST', `/v2/${name}/blobs/uploads/?digest=${sha256('')}`);
      expectRefused(post, 400, 'NAME_INVALID');
      const mount = await raw('POST', `/v2/${name}/blobs/uploads/?mount=${sha256('x')}&from=library%2Fx`);
      expectRefused(mount, 400, 'NAME_INVALID');
    }), fcParams(60));
  });

  it.each([
    ['uppercase', 'Team/App'],
    ['a dot-dot component', 'team/../app'],
    ['an encoded slash', 'team%2Fapp'],
    ['an encoded dot-dot', 'team/%2e%2e/app'],
    ['an empty component', 'team//app'],
    ['a leading slash', '/team'],
    ['256 characters', 'a'.repeat(256)],
    ['a NUL byte', 'team%00app'],
    ['a non-ASCII letter', 'caf%C3%A9'],
  ])('hand-picked: %s -> 400 NAME_INVALID on GET manifest and POST upload', async (_why, name) => {
    expectRefused(await raw('GET', `/v2/${name}/manifests/latest`), 400, 'NAME_INVALID');
    expectRefused(await raw('POST', `/v2/${name}/blobs/uploads/`), 400, 'NAME_INVALID');
  });

  it('POST ?mount= with an invalid `from` name -> 400 NAME_INVALID (no session started)', async () => {
    const res = await raw('POST', `/v2/${repo}/blobs/uploads/?mount=${sha256('x')}&from=UP%2F..%2Fx`);

    expectRefused(res, 400, 'NAME_INVALID');
  });
});

describe('invalid references -> 400 TAG_INVALID / DIGEST_INVALID, nothing stored', () => {
  let repo: string;
  let before: Record<string, unknown>;
  beforeAll(async () => {
    repo = uniqueRepo('refs');
    await client.pushImage(repo, 'v1');
    before = await snapshot(client, { repo });
  });
  afterAll(async () => {
    expect(await snapshot(client, { repo })).toEqual(before);
    await expectAlive(client);
  });

  it('generated invalid tags on GET, PUT, DELETE /v2/:name/manifests/:ref and PUT ?tag= -> 400 TAG_INVALID', async () => {
    await fc.assert(fc.asyncProperty(invalidTag, async (tag) => {
      expectRefused(await raw('GET', `/v2/${repo}/manifests/${tag}`), 400, 'TAG_INVALID');
      expectRefused(await raw('DELETE', `/v2/${repo}/manifests/${tag}`), 400, 'TAG_INVALID');
      expectRefused(await raw('PUT', `/v2/${repo}/manifests/${tag}`, EMPTY_INDEX, { 'content-type': MT.ociIndex }), 400, 'TAG_INVALID');
      const extra = await client.putManifest(`${repo}`, `v2?tag=ok&tag=${encodeURIComponent(tag)}`, EMPTY_INDEX, MT.ociIndex);
      expectRefused({ status: extra.status, headers: {}, body: await extra.text() }, 400, 'TAG_INVALID');
    }), fcParams(80));
  });

  it('generated invalid digests as manifest references and blob digests -> 400 DIGEST_INVALID', async () => {
    await fc.assert(fc.asyncProperty(invalidDigest, async (digest) => {
      expectRefused(await raw('GET', `/v2/${repo}/manifests/${digest}`), 400, 'DIGEST_INVALID');
      expectRefused(await raw('DELETE', `/v2/${repo}/manifests/${digest}`), 400, 'DIGEST_INVALID');
      expectRefused(await raw('GET', `/v2/${repo}/blobs/${digest}`), 400, 'DIGEST_INVALID');
      expectRefused(await raw('DELETE', `/v2/${repo}/blobs/${digest}`), 400, 'DIGEST_INVALID');
      expectRefused(await raw('GET', `/v2/${repo}/referrers/${digest}`), 400, 'DIGEST_INVALID');
      expectRefused(await raw('PUT', `/v2/${repo}/manifests/${digest}`, EMPTY_INDEX, { 'content-type': MT.ociIndex }), 400, 'DIGEST_INVALID');
    }), fcParams(80));
  });

  it('generated invalid digests in ?digest= (monolithic POST, PUT completing a session) -> 400 DIGEST_INVALID; the session survives', async () => {
    const upload = await client.startUpload(repo);
    await fc.assert(fc.asyncProperty(invalidDigest, async (digest) => {
      const q = encodeURIComponent(digest);
      const post = await client.fetch(`/v2/${repo}/blobs/uploads/?digest=${q}`, { method: 'POST', body: 'abc' });
      expectRefused({ status: post.status, headers: {}, body: await post.text() }, 400, 'DIGEST_INVALID');
      const put = await client.fetch(`${upload}?digest=${q}`, { method: 'PUT', body: 'abc' });
      expectRefused({ status: put.status, headers: {}, body: await put.text() }, 400, 'DIGEST_INVALID');
    }), fcParams(50));
    const status = await client.fetch(upload);
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-0');
    const cancel = await client.fetch(upload, { method: 'DELETE' });
    expect(cancel.status).toBe(204);
  });

  it.each([
    ['an empty reference (route miss)', '', 404, 'UNSUPPORTED'],
    ['an unsupported algorithm', `md5:${'0'.repeat(32)}`, 400, 'DIGEST_INVALID'],
    ['upper-case hex', `sha256:${'A'.repeat(64)}`, 400, 'DIGEST_INVALID'],
    ['a 129-character tag', 'v'.repeat(129), 400, 'TAG_INVALID'],
    ['a tag with an encoded CR LF', 'v1%0d%0aX-Injected:%201', 400, 'DIGEST_INVALID'],
    ['a tag starting with a dot', '.hidden', 400, 'TAG_INVALID'],
  ])('hand-picked GET /v2/:name/manifests/:ref with %s (%s) -> %i %s', async (_why, ref, status, code) => {
    expectRefused(await raw('GET', `/v2/${repo}/manifests/${ref}`), status, code);
  });
});
