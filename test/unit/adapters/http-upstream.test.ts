/** The HTTP upstream client against small registries on 127.0.0.1: statuses, the token dance, Basic, redirects, timeouts. */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpUpstreamFactory, HttpUpstreamOptions, MANIFEST_ACCEPT } from '../../../lambda/adapters/upstream/http-upstream';
import { UPSTREAM_TIMEOUTS } from '../../../lambda/adapters/upstream/http-exchange';
import { fetchToken } from '../../../lambda/adapters/upstream/token-auth';
import type { MirrorRule, UpstreamCredentials } from '../../../lambda/ports/mirror-store';
import { UpstreamDeniedError, UpstreamRegistry, UpstreamUnavailableError } from '../../../lambda/ports/upstream-registry';
import type { Logger } from '../../../lambda/shared/logger';
import { reply, startServer, TestServer } from './upstream-test-server';

const MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [] }));
const MANIFEST_DIGEST = sha256(MANIFEST);
const BLOB = Buffer.from('layer bytes '.repeat(5000));
const BLOB_DIGEST = sha256(BLOB);
const CREDENTIALS: UpstreamCredentials = { username: 'mirror-bot', password: 's3cret-Pa55word' };
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

function rule(upstream: string): MirrorRule {
  return { prefix: '', upstream, tagTtlSeconds: 300, anonymousPull: true, createdAt: 0 };
}

/** A registry answering library/busybox's manifest (by tag and digest) and one blob, with no authentication. */
function serveContent(req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? '';
  if (url === '/v2/library/busybox/manifests/latest' || url === `/v2/library/busybox/manifests/${MANIFEST_DIGEST}`) {
    reply(res, 200, { 'content-type': `${OCI_MANIFEST}; charset=utf-8`, 'docker-content-digest': MANIFEST_DIGEST }, MANIFEST);
    return true;
  }
  if (url === `/v2/library/busybox/blobs/${BLOB_DIGEST}`) {
    reply(res, 200, { 'content-type': 'application/octet-stream' }, BLOB);
    return true;
  }
  return false;
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of body) chunks.push(c);
  return Buffer.concat(chunks);
}

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

/** A logger that keeps every line, to check what reaches logs. */
function spyLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (m: string, f?: Record<string, unknown>) => { lines.push(`${m} ${JSON.stringify(f ?? {})}`); };
  return { lines, info: keep, warn: keep, error: keep };
}

const servers: TestServer[] = [];
async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

function client(upstream: TestServer, credentials: UpstreamCredentials | null = null, options: HttpUpstreamOptions = {}): UpstreamRegistry {
  return httpUpstreamFactory(options)(rule(upstream.url), credentials);
}

describe('HTTP upstream: answers without authentication', () => {
  it('getManifest -> the exact bytes, bare media type and Docker-Content-Digest; Accept lists every manifest and index type', async () => {
    const up = await server(serveContent);
    const m = await client(up).getManifest('library/busybox', 'latest');
    expect(Buffer.from(m!.bytes).equals(MANIFEST)).toBe(true);
    expect(m).toMatchObject({ mediaType: OCI_MANIFEST, digest: MANIFEST_DIGEST });
    const accept = up.seen[0]!.headers.accept!;
    expect(accept).toBe(MANIFEST_ACCEPT);
    for (const t of ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json',
      OCI_MANIFEST, 'application/vnd.docker.distribution.manifest.v2+json']) expect(accept).toContain(t);
  });

  it('headManifest -> digest, media type and size, by one HEAD', async () => {
    const up = await server(serveContent);
    expect(await client(up).headManifest('library/busybox', 'latest')).toEqual({ digest: MANIFEST_DIGEST, mediaType: OCI_MANIFEST, size: MANIFEST.length });
    expect(up.seen.map((r) => r.method)).toEqual(['HEAD']);
  });

  it('headBlob -> size; getBlob -> the same bytes and size', async () => {
    const up = await server(serveContent);
    const c = client(up);
    expect(await c.headBlob('library/busybox', BLOB_DIGEST)).toEqual({ size: BLOB.length });
    const blob = await c.getBlob('library/busybox', BLOB_DIGEST);
    expect(blob!.size).toBe(BLOB.length);
    expect((await readAll(blob!.body)).equals(BLOB)).toBe(true);
  });

  it('404 -> null for manifests and blobs, HEAD and GET', async () => {
    const up = await server((_, res) => reply(res, 404, { 'content-type': 'application/json' }, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}'));
    const c = client(up);
    expect(await c.headManifest('library/nothing', 'latest')).toBeNull();
    expect(await c.getManifest('library/nothing', 'latest')).toBeNull();
    expect(await c.headBlob('library/nothing', BLOB_DIGEST)).toBeNull();
    expect(await c.getBlob('library/nothing', BLOB_DIGEST)).toBeNull();
  });

  it('a 4xx whose error code is NAME_UNKNOWN -> null; another 4xx -> UpstreamUnavailableError', async () => {
    const up = await server((req, res) => reply(res, 400, { 'content-type': 'application/json' },
      JSON.stringify({ errors: [{ code: req.url!.includes('nothing') ? 'NAME_UNKNOWN' : 'UNSUPPORTED' }] })));
    const c = client(up);
    expect(await c.getManifest('library/nothing', 'latest')).toBeNull();
    const err = await failure(c.getManifest('library/busybox', 'latest'));
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
  });

  it('500 -> UpstreamUnavailableError naming the upstream and status', async () => {
    const up = await server((_, res) => reply(res, 500, {}, 'boom'));
    const err = await failure(client(up).getManifest('library/busybox', 'latest'));
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err.message).toContain(up.url);
    expect(err.message).toContain('500');
  });

  it('429 with Retry-After: 17 -> UpstreamUnavailableError with retryAfterSeconds 17; 503 with an HTTP date -> seconds until then', async () => {
    const up = await server((req, res) => (req.url!.includes('busybox')
      ? reply(res, 429, { 'retry-after': '17' }, '{"errors":[{"code":"TOOMANYREQUESTS"}]}')
      : reply(res, 503, { 'retry-after': new Date(Date.now() + 120_000).toUTCString() })));
    const limited = await failure(client(up).headManifest('library/busybox', 'latest')) as UpstreamUnavailableError;
    expect(limited).toBeInstanceOf(UpstreamUnavailableError);
    expect(limited.retryAfterSeconds).toBe(17);
    const down = await failure(client(up).headManifest('library/alpine', 'latest')) as UpstreamUnavailableError;
    expect(down.retryAfterSeconds).toBeGreaterThanOrEqual(110);
    expect(down.retryAfterSeconds).toBeLessThanOrEqual(121);
  });

  it('a manifest over the limit -> UpstreamUnavailableError, with or without Content-Length', async () => {
    const big = Buffer.alloc(4096, 0x20);
    const up = await server((req, res) => {
      if (req.url!.endsWith('/sized')) return reply(res, 200, { 'content-type': OCI_MANIFEST }, big);
      res.writeHead(200, { 'content-type': OCI_MANIFEST }); // chunked: the size shows only while reading
      res.write(big.subarray(0, 2048));
      res.end(big.subarray(2048));
    });
    const c = client(up, null, { maxManifestBytes: 1024 });
    for (const tag of ['sized', 'chunked']) {
      const err = await failure(c.getManifest('library/busybox', tag));
      expect(err).toBeInstanceOf(UpstreamUnavailableError);
      expect(err.message).toContain('larger than 1024 bytes');
    }
  });

  it('names and references are checked before anything is sent', async () => {
    const up = await server(serveContent);
    await expect(client(up).getManifest('library/../admin', 'latest')).rejects.toThrow();
    await expect(client(up).getBlob('library/busybox', '../../x')).rejects.toThrow();
    expect(up.seen).toHaveLength(0);
  });
});

/** An upstream speaking Docker's token protocol: a realm on the same server, tokens counted, optional credentials. */
async function tokenUpstream(opts: { credentials?: UpstreamCredentials; expiresIn?: number; tokenField?: string } = {}) {
  const issued: string[] = [];
  let revoked = new Set<string>();
  const up = await server();
  up.handle = (req, res) => {
    const url = new URL(req.url!, up.url);
    if (url.pathname === '/token') {
      if (opts.credentials) {
        const expected = `Basic ${Buffer.from(`${opts.credentials.username}:${opts.credentials.password}`).toString('base64')}`;
        if (req.headers.authorization !== expected) return reply(res, 401, {}, '{"details":"incorrect username or password"}');
      }
      const token = `tok-${issued.length + 1}-${url.searchParams.get('scope')}`;
      issued.push(token);
      return reply(res, 200, { 'content-type': 'application/json' },
        JSON.stringify({ [opts.tokenField ?? 'token']: token, ...(opts.expiresIn ? { expires_in: opts.expiresIn } : {}) }));
    }
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!issued.includes(token) || revoked.has(token)) {
      return reply(res, 401, {
        'www-authenticate': `Bearer realm="${up.url}/token",service="test-registry",scope="repository:${url.pathname.split('/').slice(2, 4).join('/')}:pull"`,
        'content-type': 'application/json',
      }, '{"errors":[{"code":"UNAUTHORIZED"}]}');
    }
    if (!serveContent(req, res)) reply(res, 404);
  };
  return { up, issued, revoke: (t: string) => { revoked = new Set([...revoked, t]); } };
}

describe('HTTP upstream: Docker token dance', () => {
  it('401 Bearer -> token from the realm with service and scope, request retried once; one token serves later calls', async () => {
    const { up, issued } = await tokenUpstream({ expiresIn: 300 });
    const c = client(up);
    expect(await c.headManifest('library/busybox', 'latest')).toMatchObject({ digest: MANIFEST_DIGEST });
    expect(await c.getManifest('library/busybox', MANIFEST_DIGEST)).toMatchObject({ digest: MANIFEST_DIGEST });
    const blob = await c.getBlob('library/busybox', BLOB_DIGEST);
    expect((await readAll(blob!.body)).equals(BLOB)).toBe(true);
    expect(issued).toHaveLength(1);
    const tokenRequest = up.seen.find((r) => r.url.startsWith('/token'))!;
    const params = new URL(tokenRequest.url, up.url).searchParams;
    expect(params.get('service')).toBe('test-registry');
    expect(params.get('scope')).toBe('repository:library/busybox:pull');
    expect(tokenRequest.headers.authorization).toBeUndefined(); // anonymous rule
    expect(up.count('/v2/')).toBe(4); // one 401, then three requests with the token
  });

  it('clients made by one factory share tokens; another repository gets its own token up front (no second 401)', async () => {
    const { up, issued } = await tokenUpstream({ expiresIn: 300 });
    const factory = httpUpstreamFactory();
    await factory(rule(up.url), null).headManifest('library/busybox', 'latest');
    await factory(rule(up.url), null).getManifest('library/busybox', 'latest');
    expect(issued).toHaveLength(1);
    expect(await factory(rule(up.url), null).getManifest('library/alpine', 'latest')).toBeNull();
    expect(issued).toEqual(['tok-1-repository:library/busybox:pull', 'tok-2-repository:library/alpine:pull']);
    expect(up.seen.filter((r) => r.url.startsWith('/v2/')).map((r) => r.headers.authorization === undefined)).toEqual([true, false, false, false]);
  });

  it('ten concurrent calls on a cold client -> ten 401s, one token request', async () => {
    const { up, issued } = await tokenUpstream({ expiresIn: 300 });
    const factory = httpUpstreamFactory();
    const results = await Promise.all(Array.from({ length: 10 }, () => factory(rule(up.url), null).headManifest('library/busybox', 'latest')));
    expect(results.every((r) => r?.digest === MANIFEST_DIGEST)).toBe(true);
    expect(issued).toHaveLength(1);
    expect(up.count('/v2/')).toBe(20);
  });

  it('an expired token is fetched again: expires_in 60 -> usable 45 s, then a new token request', async () => {
    const { up, issued } = await tokenUpstream({ expiresIn: 60 });
    let now = 1_000_000;
    const c = client(up, null, { now: () => now });
    await c.headManifest('library/busybox', 'latest');
    now += 44_000;
    await c.headManifest('library/busybox', 'latest');
    expect(issued).toHaveLength(1);
    now += 2_000;
    await c.headManifest('library/busybox', 'latest');
    expect(issued).toHaveLength(2);
  });

  it('no expires_in -> 60 s; access_token is read when token is absent', async () => {
    const { up, issued } = await tokenUpstream({ tokenField: 'access_token' });
    let now = 0;
    const c = client(up, null, { now: () => now });
    expect(await c.headManifest('library/busybox', 'latest')).not.toBeNull();
    now += 40_000;
    await c.headManifest('library/busybox', 'latest');
    now += 10_000;
    await c.headManifest('library/busybox', 'latest');
    expect(issued).toHaveLength(2);
  });

  it('a cached token the upstream refuses -> a new token and one retry', async () => {
    const { up, issued, revoke } = await tokenUpstream({ expiresIn: 3600 });
    const c = client(up);
    await c.headManifest('library/busybox', 'latest');
    revoke(issued[0]!);
    expect(await c.headManifest('library/busybox', 'latest')).toMatchObject({ digest: MANIFEST_DIGEST });
    expect(issued).toHaveLength(2);
  });

  it('credentials go to the token endpoint as Basic; wrong ones -> UpstreamDeniedError', async () => {
    const { up, issued } = await tokenUpstream({ credentials: CREDENTIALS, expiresIn: 300 });
    expect(await client(up, CREDENTIALS).getManifest('library/busybox', 'latest')).not.toBeNull();
    expect(issued).toHaveLength(1);
    const wrong = await failure(client(up, { username: 'mirror-bot', password: 'wrong' }).getManifest('library/busybox', 'latest'));
    expect(wrong).toBeInstanceOf(UpstreamDeniedError);
    expect((wrong as UpstreamDeniedError).status).toBe(401);
    const anonymous = await failure(client(up).getManifest('library/busybox', 'latest'));
    expect(anonymous).toBeInstanceOf(UpstreamDeniedError);
  });

  it('tokens got with one set of credentials are never sent with another', async () => {
    const { up } = await tokenUpstream({ credentials: CREDENTIALS, expiresIn: 300 });
    const factory = httpUpstreamFactory();
    expect(await factory(rule(up.url), CREDENTIALS).headManifest('library/busybox', 'latest')).not.toBeNull();
    await expect(factory(rule(up.url), null).headManifest('library/busybox', 'latest')).rejects.toBeInstanceOf(UpstreamDeniedError);
  });

  it('a 401 after a fresh token -> UpstreamDeniedError (a private image, or an unknown one on Docker Hub)', async () => {
    const up = await server((req, res) => (req.url!.startsWith('/token')
      ? reply(res, 200, {}, '{"token":"granted-nothing"}')
      : reply(res, 401, { 'www-authenticate': `Bearer realm="${up.url}/token",service="s",scope="repository:x:pull",error="insufficient_scope"` })));
    const err = await failure(client(up).headManifest('library/private', 'latest'));
    expect(err).toBeInstanceOf(UpstreamDeniedError);
    expect(up.count('/v2/')).toBe(2);
    expect(up.count('/token')).toBe(1);
  });

  it('a realm that is not http(s) is refused without being asked', async () => {
    const up = await server((_, res) => reply(res, 401, { 'www-authenticate': 'Bearer realm="file:///etc/passwd",service="s"' }));
    const err = await failure(client(up).headManifest('library/busybox', 'latest'));
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err.message).toContain('file:');
  });

  it('a plain-http realm behind an https upstream is refused before any request (credentials would travel in clear)', async () => {
    const realm = await server((_, res) => reply(res, 200, {}, '{"token":"t"}'));
    const err = await failure(fetchToken({ scheme: 'bearer', realm: `${realm.url}/token` }, 'repository:x:pull', CREDENTIALS, {
      upstream: new URL('https://registry.example'), label: 'https://registry.example', timeouts: UPSTREAM_TIMEOUTS,
      agents: { http: undefined as never, https: undefined as never }, logger: spyLogger(), userAgent: 't',
    }));
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(realm.seen).toHaveLength(0);
  });

  it('a realm at a link-local address is refused without being asked', async () => {
    const up = await server((_, res) => reply(res, 401, { 'www-authenticate': 'Bearer realm="http://169.254.170.2/v2/credentials/abc",service="s"' }));
    const err = await failure(client(up, CREDENTIALS).headManifest('library/busybox', 'latest'));
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err.message).toContain('link-local');
  });

  it('a token endpoint without a token, or failing -> UpstreamUnavailableError', async () => {
    let answer = (res: ServerResponse) => reply(res, 200, {}, '{"nothing":true}');
    const up = await server((req, res) => (req.url!.startsWith('/token')
      ? answer(res)
      : reply(res, 401, { 'www-authenticate': `Bearer realm="${up.url}/token",service="s"` })));
    await expect(client(up).headManifest('library/busybox', 'latest')).rejects.toBeInstanceOf(UpstreamUnavailableError);
    answer = (res) => reply(res, 503, { 'retry-after': '9' });
    const err = await failure(client(up).headManifest('library/busybox', 'latest')) as UpstreamUnavailableError;
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err.retryAfterSeconds).toBe(9);
  });
});

describe('HTTP upstream: Basic upstreams', () => {
  function basicUpstream(): Promise<TestServer> {
    const expected = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;
    return server((req, res) => {
      if (req.headers.authorization !== expected) return reply(res, 401, { 'www-authenticate': 'Basic realm="Registry Realm"' });
      if (!serveContent(req, res)) reply(res, 404);
    });
  }

  it('401 Basic -> retried with the credentials, which later requests send up front', async () => {
    const up = await basicUpstream();
    const factory = httpUpstreamFactory();
    expect(await factory(rule(up.url), CREDENTIALS).getManifest('library/busybox', 'latest')).toMatchObject({ digest: MANIFEST_DIGEST });
    expect(await factory(rule(up.url), CREDENTIALS).headBlob('library/busybox', BLOB_DIGEST)).toEqual({ size: BLOB.length });
    expect(up.seen.map((r) => r.headers.authorization !== undefined)).toEqual([false, true, true]);
  });

  it('without credentials, or with wrong ones -> UpstreamDeniedError', async () => {
    const up = await basicUpstream();
    await expect(client(up).getManifest('library/busybox', 'latest')).rejects.toBeInstanceOf(UpstreamDeniedError);
    await expect(client(up, { username: 'x', password: 'y' }).getManifest('library/busybox', 'latest')).rejects.toBeInstanceOf(UpstreamDeniedError);
  });
});

describe('HTTP upstream: redirects', () => {
  it('a blob redirected to another host is fetched there without Authorization (and the signed query stays out of logs)', async () => {
    const cdn = await server((req, res) => (req.url!.startsWith('/blob?') ? reply(res, 200, {}, BLOB) : reply(res, 404)));
    const { up } = await tokenUpstream({ credentials: CREDENTIALS, expiresIn: 300 });
    const inner = up.handle;
    up.handle = (req, res) => (req.url!.includes('/blobs/') && req.headers.authorization
      ? reply(res, 307, { location: `${cdn.url}/blob?X-Amz-Signature=deadbeef0123&X-Amz-Credential=AKIAEXAMPLE` })
      : inner(req, res));
    const logger = spyLogger();
    const c = client(up, CREDENTIALS, { logger });
    const blob = await c.getBlob('library/busybox', BLOB_DIGEST);
    expect((await readAll(blob!.body)).equals(BLOB)).toBe(true);
    expect(blob!.size).toBe(BLOB.length);
    expect(cdn.seen).toHaveLength(1);
    expect(cdn.seen[0]!.headers.authorization).toBeUndefined();
    expect(await c.headBlob('library/busybox', BLOB_DIGEST)).toEqual({ size: BLOB.length });
    expect(cdn.seen[1]!.headers.authorization).toBeUndefined();
    const logged = logger.lines.join('\n');
    expect(logged).toContain(new URL(cdn.url).host);
    expect(logged).not.toContain('deadbeef0123');
    expect(logged).not.toContain('AKIAEXAMPLE');
  });

  it('a redirect on the same origin keeps Authorization', async () => {
    const { up } = await tokenUpstream({ expiresIn: 300 });
    const inner = up.handle;
    up.handle = (req, res) => (req.url === '/v2/library/busybox/manifests/moved' && req.headers.authorization
      ? reply(res, 302, { location: '/v2/library/busybox/manifests/latest' })
      : inner(req, res));
    expect(await client(up).getManifest('library/busybox', 'moved')).toMatchObject({ digest: MANIFEST_DIGEST });
    expect(up.seen.at(-1)!.headers.authorization).toMatch(/^Bearer /);
  });

  it('a blob redirected to a host name is fetched there (resolved through the link-local guard)', async () => {
    const cdn = await server((_, res) => reply(res, 200, {}, BLOB));
    const up = await server((_, res) => reply(res, 307, { location: `http://localhost:${new URL(cdn.url).port}/blob` }));
    const blob = await client(up).getBlob('library/busybox', BLOB_DIGEST);
    expect((await readAll(blob!.body)).equals(BLOB)).toBe(true);
  });

  it('a redirect to a link-local address (cloud credential endpoints) -> UpstreamUnavailableError, nothing asked there', async () => {
    for (const target of ['http://169.254.169.254/latest/meta-data/', 'http://169.254.170.2/v2/credentials/x', 'http://[fe80::1]/x']) {
      const up = await server((_, res) => reply(res, 307, { location: target }));
      const err = await failure(client(up).getBlob('library/busybox', BLOB_DIGEST));
      expect(err).toBeInstanceOf(UpstreamUnavailableError);
      expect(err.message).toContain('link-local');
    }
  });

  it('a manifest redirected to another origin -> UpstreamUnavailableError (its bytes by tag cannot be verified)', async () => {
    const elsewhere = await server(serveContent);
    const up = await server((req, res) => reply(res, 302, { location: `${elsewhere.url}${req.url}` }));
    const err = await failure(client(up).getManifest('library/busybox', 'latest'));
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err.message).toContain('another origin');
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('a redirect to an invalid Location -> UpstreamUnavailableError', async () => {
    const up = await server((_, res) => reply(res, 307, { location: 'http://[not-an-address/x' }));
    await expect(client(up).getBlob('library/busybox', BLOB_DIGEST)).rejects.toBeInstanceOf(UpstreamUnavailableError);
  });

  it('a redirect loop -> UpstreamUnavailableError after 5 hops', async () => {
    const up = await server((req, res) => reply(res, 307, { location: req.url! }));
    await expect(client(up).getBlob('library/busybox', BLOB_DIGEST)).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(up.seen).toHaveLength(6);
  });
});

describe('HTTP upstream: failures and timeouts', () => {
  it('connection refused -> UpstreamUnavailableError', async () => {
    const up = await server();
    const url = up.url;
    await up.close();
    servers.splice(servers.indexOf(up), 1);
    const err = await failure(httpUpstreamFactory()(rule(url), null).headManifest('library/busybox', 'latest'));
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('an upstream that accepts and never answers -> UpstreamUnavailableError after the headers timeout', async () => {
    const up = await server(() => undefined);
    const started = Date.now();
    const err = await failure(client(up, null, { timeouts: { connectMs: 2_000, headersMs: 300, idleMs: 2_000 } }).headManifest('library/busybox', 'latest'));
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err.message).toContain('no response');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('a blob body that stalls -> the reader gets UpstreamUnavailableError after the idle timeout', async () => {
    const up = await server((_, res) => {
      res.writeHead(200, { 'content-length': String(BLOB.length) });
      res.write(BLOB.subarray(0, 100)); // then nothing
    });
    const blob = await client(up, null, { timeouts: { connectMs: 2_000, headersMs: 2_000, idleMs: 300 } }).getBlob('library/busybox', BLOB_DIGEST);
    const err = await failure(readAll(blob!.body));
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err.message).toContain('stalled');
  });

  it('a blob body cut off mid-way -> UpstreamUnavailableError', async () => {
    const up = await server((req, res) => {
      res.writeHead(200, { 'content-length': String(BLOB.length) });
      res.write(BLOB.subarray(0, 100), () => req.socket.destroy());
    });
    const blob = await client(up).getBlob('library/busybox', BLOB_DIGEST);
    await expect(readAll(blob!.body)).rejects.toBeInstanceOf(UpstreamUnavailableError);
  });

  it('a slow reader is not timed out: time between chunks on our side does not count', async () => {
    const up = await server(async (_, res) => {
      res.writeHead(200, { 'content-length': String(BLOB.length) });
      for (let i = 0; i < 5; i++) {
        res.write(BLOB.subarray(i * BLOB.length / 5, (i + 1) * BLOB.length / 5));
        await new Promise((r) => setTimeout(r, 20));
      }
      res.end();
    });
    const blob = await client(up, null, { timeouts: { connectMs: 2_000, headersMs: 2_000, idleMs: 200 } }).getBlob('library/busybox', BLOB_DIGEST);
    const chunks: Uint8Array[] = [];
    for await (const c of blob!.body) {
      chunks.push(c);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(BLOB)).toBe(true);
  });

  /** An upstream that sends the first tenth of a blob and holds the rest; wasClosed settles when the client hangs up. */
  async function unfinishedBlobUpstream() {
    let closed!: () => void;
    const wasClosed = new Promise<void>((r) => { closed = r; });
    const up = await server((req, res) => {
      res.writeHead(200, { 'content-length': String(10 * BLOB.length) });
      res.write(BLOB);
      req.socket.on('close', () => closed());
    });
    return { up, wasClosed };
  }

  it('cancel() ends a download: the upstream sees its connection closed', async () => {
    const { up, wasClosed } = await unfinishedBlobUpstream();
    const blob = await client(up).getBlob('library/busybox', BLOB_DIGEST);
    await blob!.cancel();
    await wasClosed;
  });
  it('a reader that stops early frees the connection: the upstream sees it closed', async () => {
    const { up, wasClosed } = await unfinishedBlobUpstream();
    const blob = await client(up).getBlob('library/busybox', BLOB_DIGEST);
    for await (const chunk of blob!.body) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await wasClosed;
  });
});

describe('HTTP upstream: secrets stay out of logs and errors', () => {
  it('a logger spy sees no password, Basic header or token through a token dance, a denial and a Basic upstream', async () => {
    const logger = spyLogger();
    const { up, issued } = await tokenUpstream({ credentials: CREDENTIALS, expiresIn: 300 });
    const factory = httpUpstreamFactory({ logger });
    await factory(rule(up.url), CREDENTIALS).getManifest('library/busybox', 'latest');
    const denied = await failure(factory(rule(up.url), { username: CREDENTIALS.username, password: 'other-Pa55' }).getManifest('library/busybox', 'latest'));
    const basic = await server((_, res) => reply(res, 401, { 'www-authenticate': 'Basic realm="r"' }));
    const basicDenied = await failure(factory(rule(basic.url), CREDENTIALS).headManifest('library/busybox', 'latest'));
    expect(logger.lines.length).toBeGreaterThan(3);
    const seen = [...logger.lines, denied.message, basicDenied.message, String(denied.stack), String(basicDenied.stack)].join('\n');
    const basicHeader = Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64');
    for (const secret of [CREDENTIALS.password, 'other-Pa55', basicHeader, ...issued]) expect(seen).not.toContain(secret);
    expect(issued.length).toBeGreaterThan(0);
  });
});
