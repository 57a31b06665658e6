/**
 * How blob bytes reach clients on the Node host with the embedded S3: a 307 to a presigned URL on a host
 * name other than the registry's (so clients never send registry credentials to S3), or, when the registry
 * serves other machines, the bytes streamed by the registry itself (Range, Content-Length, digests).
 */
import { connect, Socket } from 'node:net';
import { addUser, bearer, getToken } from './auth-helpers';
import { errorCodes, randomBytes, RegistryClient, sha256, uniqueRepo } from './client';
import { OwnS3Registry, startOwnS3Registry } from './own-s3-registry';

/** A client that sends one Authorization header with every request to the registry. */
class AuthedClient extends RegistryClient {
  constructor(base: string, public authorization: Record<string, string> = {}) {
    super(base);
  }

  override fetch(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    return fetch(this.resolve(pathOrUrl), { redirect: 'manual', ...init, headers: { ...this.authorization, ...(init.headers as Record<string, string>) } });
  }
}

/**
 * Follows redirects as Go's net/http does: Authorization goes along when the target's host name is the
 * same as the current one's, whatever the port (the OCI conformance suite and many tools do this).
 */
async function getLikeGo(url: string, headers: Record<string, string>): Promise<{ res: Response; hops: string[] }> {
  const hops: string[] = [];
  let current = new URL(url);
  let send = { ...headers };
  for (let i = 0; i < 5; i++) {
    const res = await fetch(current, { headers: send, redirect: 'manual' });
    if (res.status < 300 || res.status >= 400) return { res, hops };
    await res.arrayBuffer();
    const next = new URL(res.headers.get('location')!, current);
    hops.push(next.toString());
    if (next.hostname !== current.hostname) {
      const { authorization: _dropped, ...rest } = send;
      send = rest;
    }
    current = next;
  }
  throw new Error('too many redirects');
}

/** A user allowed to push and pull everywhere, and a client holding its token. */
async function authedClient(registry: OwnS3Registry, repo: string): Promise<AuthedClient> {
  await addUser(registry.authStore!, 'dev', 'dev-password', [{ pattern: '*', actions: ['pull', 'push'] }]);
  const anonymous = new RegistryClient(registry.url);
  const token = await getToken(anonymous, { authorization: `Basic ${Buffer.from('dev:dev-password').toString('base64')}` }, [`repository:${repo}:pull,push`]);
  return new AuthedClient(registry.url, bearer(token));
}

describe('redirect delivery (npm start on loopback): the embedded S3 answers on a host name of its own', () => {
  let registry: OwnS3Registry;
  beforeAll(async () => {
    registry = await startOwnS3Registry({ auth: true });
  });
  afterAll(async () => registry?.stop());

  it('GET /v2/:name/blobs/:digest with a Bearer token -> 307 to another host name; followed as Go does, 200 with the bytes', async () => {
    const repo = uniqueRepo('deliver-go');
    const client = await authedClient(registry, repo);
    const bytes = randomBytes(200_000);
    const { digest } = await client.pushBlob(repo, bytes);

    const { res, hops } = await getLikeGo(`${registry.url}/v2/${repo}/blobs/${digest}`, client.authorization);
    const body = Buffer.from(await res.arrayBuffer());

    expect(hops).toHaveLength(1);
    expect(new URL(hops[0]!).hostname).not.toBe(new URL(registry.url).hostname);
    expect(res.status).toBe(200);
    expect(sha256(body)).toBe(digest);
  });
});

describe('proxy delivery (STRATUS_BLOB_DELIVERY=proxy): the registry streams blob bytes itself', () => {
  let registry: OwnS3Registry;
  let client: AuthedClient;
  const repo = uniqueRepo('deliver-proxy');
  const bytes = Buffer.from('0123456789abcdef');
  let digest: string;
  beforeAll(async () => {
    registry = await startOwnS3Registry({ auth: true, settings: { blobDelivery: 'proxy' } });
    client = await authedClient(registry, repo);
    digest = (await client.pushBlob(repo, bytes)).digest;
  });
  afterAll(async () => registry?.stop());

  it('GET /v2/:name/blobs/:digest -> 200 with the bytes, Content-Length, Docker-Content-Digest, no redirect', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 11);
    const pushed = await client.pushBlob(repo, big);

    const res = await client.fetch(`/v2/${repo}/blobs/${pushed.digest}`);
    const body = Buffer.from(await res.arrayBuffer());

    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-length')).toBe(String(big.length));
    expect(res.headers.get('docker-content-digest')).toBe(pushed.digest);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(body.equals(big)).toBe(true);
  });

  it.each([
    ['bytes=2-5', '2345', 'bytes 2-5/16'],
    ['bytes=10-', 'abcdef', 'bytes 10-15/16'],
    ['bytes=12-99', 'cdef', 'bytes 12-15/16'],
    ['bytes=-3', 'def', 'bytes 13-15/16'],
  ])('GET /v2/:name/blobs/:digest with Range: %s -> 206 with Content-Range', async (range, expected, contentRange) => {
    const res = await client.fetch(`/v2/${repo}/blobs/${digest}`, { headers: { range } });

    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(contentRange);
    expect(res.headers.get('content-length')).toBe(String(expected.length));
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe(expected);
  });

  it.each(['bytes=16-', 'bytes=20-30', 'bytes=-0'])('GET /v2/:name/blobs/:digest with Range: %s -> 416 RANGE_INVALID, Content-Range: bytes */16', async (range) => {
    const res = await client.fetch(`/v2/${repo}/blobs/${digest}`, { headers: { range } });

    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */16');
    expect(await errorCodes(res)).toContain('RANGE_INVALID');
  });

  it('GET /v2/:name/blobs/:digest with a Range it does not understand (several ranges) -> 200 with the whole blob', async () => {
    const res = await client.fetch(`/v2/${repo}/blobs/${digest}`, { headers: { range: 'bytes=0-1,4-5' } });

    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('GET /v2/:name/blobs/:digest without credentials -> 401, no bytes', async () => {
    const res = await fetch(`${registry.url}/v2/${repo}/blobs/${digest}`);

    expect(res.status).toBe(401);
    expect(await errorCodes(res)).toContain('UNAUTHORIZED');
  });

  it('60 clients that start a large blob GET and stop reading do not hold up pushes or other pulls', async () => {
    // Prepare: a blob too large to sit in socket buffers, so each stalled GET keeps its S3 connection busy.
    const large = randomBytes(32 * 1024 * 1024);
    const pushed = await client.pushBlob(repo, large);
    const { port } = new URL(registry.url);
    const stalled: Socket[] = [];
    try {
      for (let i = 0; i < 60; i++) {
        const socket = connect(Number(port), '127.0.0.1');
        socket.write(`GET /v2/${repo}/blobs/${pushed.digest} HTTP/1.1\r\nHost: registry\r\nAuthorization: ${client.authorization.authorization}\r\n\r\n`);
        socket.pause(); // never reads the answer
        stalled.push(socket);
      }
      await new Promise((r) => setTimeout(r, 1500));

      // Act
      const started = Date.now();
      const small = await client.pushBlob(repo, randomBytes(1000));
      const pulled = await client.fetch(`/v2/${repo}/blobs/${small.digest}`, { signal: AbortSignal.timeout(10_000) });
      await pulled.arrayBuffer();

      // Assess
      expect(pulled.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      stalled.forEach((s) => s.destroy());
    }
  });

  it('HEAD /v2/:name/blobs/:digest -> 200 with Content-Length from metadata, no body', async () => {
    const res = await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('16');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('the Node host chooses the delivery from where it listens', () => {
  it.each([
    ['HOST=0.0.0.0 (other machines), the embedded S3 on loopback', '0.0.0.0', {}, 200],
    ['HOST=127.0.0.1', '127.0.0.1', {}, 307],
    ['HOST=0.0.0.0 with STRATUS_BLOB_DELIVERY=redirect', '0.0.0.0', { blobDelivery: 'redirect' as const }, 307],
    ['HOST=127.0.0.1 with STRATUS_PUBLIC_URL naming another machine', '127.0.0.1', { publicUrl: 'http://registry.example:5000' }, 200],
  ])('%s (listening on %s, %o) -> blob GET answers %s', async (_why, host, settings, status) => {
    const registry = await startOwnS3Registry({ host, settings });
    try {
      const client = new RegistryClient(registry.url);
      const repo = uniqueRepo('deliver-choice');
      const { digest } = await client.pushBlob(repo, randomBytes(100));

      const res = await client.fetch(`/v2/${repo}/blobs/${digest}`);
      await res.arrayBuffer();

      expect(res.status).toBe(status);
    } finally {
      await registry.stop();
    }
  });
});
