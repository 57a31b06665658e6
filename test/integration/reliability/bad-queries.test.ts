/**
 * Bad query values and header injection: huge or malformed `n` and `last`, and CR/LF or other bytes in
 * values that could end up in Location, Docker-Content-Digest, Link or CORS headers. Answers are the
 * spec's errors, never a 5xx, and never carry a header the registry did not mean to send.
 */
import fc from 'fast-check';
import { sha256, uniqueRepo } from '../http/client';
import { registryClientForThisFile } from '../http/setup';
import { answerOf, expectAlive, expectRefused, fcParams, snapshot } from './invariants';
import { rawExchange, requestHead } from './raw-http';

const client = registryClientForThisFile();

/** Every header name the registry (and Node's HTTP layer) may send. */
const KNOWN_HEADERS = new Set([
  'content-type', 'content-length', 'docker-distribution-api-version', 'x-request-id', 'access-control-allow-origin',
  'access-control-expose-headers', 'access-control-allow-credentials', 'vary', 'location', 'docker-content-digest',
  'docker-upload-uuid', 'range', 'oci-chunk-min-length', 'link', 'etag', 'date', 'connection', 'keep-alive',
  'retry-after', 'allow', 'oci-filters-applied', 'oci-subject', 'access-control-allow-methods',
  'access-control-allow-headers', 'access-control-max-age',
]);

/** Asserts a raw answer's header block holds only known headers (nothing injected through a value). */
function expectOnlyKnownHeaders(headers: Record<string, string>): void {
  expect(Object.keys(headers).filter((h) => !KNOWN_HEADERS.has(h))).toEqual([]);
}

let repo: string;
let before: Record<string, unknown>;

beforeAll(async () => {
  repo = uniqueRepo('queries');
  for (const tag of ['a', 'b', 'c']) await client.pushImage(repo, tag);
});

describe('tags/list and _catalog with bad n and last', () => {
  beforeAll(async () => {
    before = await snapshot(client, { repo });
  });
  afterAll(async () => {
    expect(await snapshot(client, { repo })).toEqual(before);
    await expectAlive(client);
  });

  it('generated n: 200 when it is 1 to 9 digits, else 400 PAGINATION_NUMBER_INVALID', async () => {
    const n = fc.oneof(
      fc.nat({ max: 999_999_999 }).map(String),
      fc.bigInt({ min: 1_000_000_000n, max: 10n ** 40n }).map(String),
      fc.integer({ min: -1_000_000, max: -1 }).map(String),
      fc.constantFrom('', ' 1', '1 ', '+1', '1.5', '0x10', '1e9', 'NaN', 'Infinity', '١٢', '0'.repeat(12), '%0d%0a1'),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(fc.asyncProperty(n, fc.constantFrom('tags', 'catalog'), async (value, which) => {
      const path = which === 'tags' ? `/v2/${repo}/tags/list` : '/v2/_catalog';
      const res = await client.fetch(`${path}?n=${encodeURIComponent(value)}`);
      const answer = await answerOf(res);
      if (/^\d{1,9}$/.test(value)) expect(answer.status).toBe(200);
      else expectRefused(answer, 400, 'PAGINATION_NUMBER_INVALID');
    }), fcParams(100));
  });

  it('generated last (any text up to 512 characters) -> 200 with the tags after it, Link only pointing at this repository', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 60, unit: 'binary' }), fc.integer({ min: 1, max: 3 }), async (last, n) => {
      const res = await rawExchange(client.base, requestHead(client.base, 'GET', `/v2/${repo}/tags/list?n=${n}&last=${encodeURIComponent(last)}`, { connection: 'close' }));
      expect(res.status).toBe(200);
      expectOnlyKnownHeaders(res.headers);
      const tags = (JSON.parse(res.body) as { tags: string[] }).tags;
      expect(tags).toEqual(['a', 'b', 'c'].filter((t) => t > last).slice(0, n));
      if (res.headers.link) expect(res.headers.link).toMatch(new RegExp(`^</v2/${repo}/tags/list\\?n=${n}&last=[a-c]>; rel="next"$`));
    }), fcParams(80));
  });

  it('last over 512 characters -> 400 PAGINATION_NUMBER_INVALID; a query of 10,000 characters -> 400, never 5xx', async () => {
    const long = await client.fetch(`/v2/${repo}/tags/list?last=${'z'.repeat(513)}`);
    expectRefused(await answerOf(long), 400, 'PAGINATION_NUMBER_INVALID');
    const huge = await client.fetch(`/v2/_catalog?last=${'z'.repeat(10_000)}&n=1`);
    expectRefused(await answerOf(huge), 400, 'PAGINATION_NUMBER_INVALID');
  });
});

describe('header injection: CR LF in values that reach response headers', () => {
  const crlf = fc.tuple(fc.constantFrom('%0d%0a', '%0a', '%0d', '%0D%0A%20', '%e2%80%a8'), fc.constantFrom('X-Injected: 1', 'Set-Cookie: a=b', 'Location: http://evil'))
    .map(([br, h]) => `${br}${encodeURIComponent(h)}`);

  it('generated CR/LF in ?digest=, ?tag=, ?mount=&from=, ?last= and the path -> refused or harmless; no injected header', async () => {
    const upload = await client.startUpload(repo);
    const uploadPath = new URL(upload).pathname;
    await fc.assert(fc.asyncProperty(crlf, async (inj) => {
      const digest = `${sha256('x')}${inj}`;
      const cases: Array<[string, string, number, string]> = [
        ['POST', `/v2/${repo}/blobs/uploads/?digest=${digest}`, 400, 'DIGEST_INVALID'],
        ['PUT', `${uploadPath}?digest=${digest}`, 400, 'DIGEST_INVALID'],
        ['PUT', `/v2/${repo}/manifests/a?tag=x${inj}`, 400, 'TAG_INVALID'],
        ['POST', `/v2/${repo}/blobs/uploads/?mount=${digest}&from=${repo}`, 400, 'DIGEST_INVALID'],
        ['POST', `/v2/${repo}/blobs/uploads/?mount=${sha256('x')}&from=${repo}${inj}`, 400, 'NAME_INVALID'],
        ['GET', `/v2/${repo}/manifests/a${inj}`, 400, 'TAG_INVALID'],
        ['GET', `/v2/${repo}/blobs/${digest}`, 400, 'DIGEST_INVALID'],
        ['GET', `/v2/${repo}/blobs/uploads/x${inj}`, 404, 'BLOB_UPLOAD_UNKNOWN'],
      ];
      for (const [method, path, status, code] of cases) {
        const res = await rawExchange(client.base, requestHead(client.base, method, path, { 'content-length': 1, connection: 'close' }), 'x');
        expectOnlyKnownHeaders(res.headers);
        expectRefused(res, status, code);
      }
    }), fcParams(30));
    expect((await client.fetch(upload)).status).toBe(204);
  });

  it('an Origin and Access-Control-Request-Headers with obs-text bytes are echoed without breaking the response', async () => {
    const origin = 'http://ex\u00e9mple\u00ff.test';

    const get = await rawExchange(client.base, requestHead(client.base, 'GET', '/v2/', { origin, connection: 'close' }));
    const pre = await rawExchange(client.base, requestHead(client.base, 'OPTIONS', `/v2/${repo}/tags/list`, {
      origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-\u00e9, authorization', connection: 'close',
    }));

    expect(get.status).toBe(200);
    expect(pre.status).toBe(204);
    expectOnlyKnownHeaders(get.headers);
    expectOnlyKnownHeaders(pre.headers);
  });

  it.each([
    ['a CR LF inside an Origin value (obs-fold)', 'Origin: http://a\r\n X-Injected: 1'],
    ['a bare LF inside a header value', 'Origin: http://a\nX-Injected: 1'],
    ['a NUL in a header value', 'Origin: http://a\u0000b'],
  ])('a request with %s -> 4xx from the HTTP layer or a clean answer; the registry stays up', async (_why, line) => {
    const res = await rawExchange(client.base, [...requestHead(client.base, 'GET', '/v2/'), line, 'Connection: close']);

    expect(res.status).toBeGreaterThan(0);
    expect(res.status).toBeLessThan(500);
    expectOnlyKnownHeaders(res.headers);
    await expectAlive(client);
  });
});
