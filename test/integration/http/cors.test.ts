/** CORS: preflight OPTIONS and the headers on ordinary responses to a cross-origin (browser) caller. */
import { randomBytes, uniqueRepo } from './client';
import { registryClientForThisFile } from './setup';

const client = registryClientForThisFile();
const ORIGIN = 'http://app.example.test';

function listHeader(res: Response, name: string): string[] {
  return (res.headers.get(name) ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
}

function expectOriginAllowed(res: Response): void {
  expect([ORIGIN, '*']).toContain(res.headers.get('access-control-allow-origin'));
}

describe('OPTIONS preflight', () => {
  it.each([
    ['/v2/', 'GET'],
    ['/v2/some/repo/manifests/latest', 'PUT'],
    ['/v2/some/repo/blobs/uploads/', 'POST'],
  ])('OPTIONS %s (Origin, Access-Control-Request-Method: %s) -> 2xx with Allow-Origin and Allow-Methods', async (path, method) => {
    const res = await client.fetch(path, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' },
    });
    await res.arrayBuffer();

    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    expectOriginAllowed(res);
    expect(listHeader(res, 'access-control-allow-methods')).toContain(method.toLowerCase());
    const allowHeaders = listHeader(res, 'access-control-allow-headers');
    if (!allowHeaders.includes('*')) expect(allowHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type']));
  });
});

describe('CORS headers on ordinary responses', () => {
  it('GET /v2/ with Origin -> Access-Control-Allow-Origin', async () => {
    const res = await client.fetch('/v2/', { headers: { origin: ORIGIN } });
    await res.arrayBuffer();

    expect(res.status).toBe(200);
    expectOriginAllowed(res);
  });

  it('HEAD /v2/:name/blobs/:digest with Origin -> Allow-Origin and Expose-Headers including Docker-Content-Digest', async () => {
    const repo = uniqueRepo('cors');
    const { digest } = await client.pushBlob(repo, randomBytes(100));

    const res = await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD', headers: { origin: ORIGIN } });

    expect(res.status).toBe(200);
    expectOriginAllowed(res);
    expect(listHeader(res, 'access-control-expose-headers')).toContain('docker-content-digest');
  });

  it('GET /v2/:name/manifests/:ref with Origin -> Expose-Headers including Docker-Content-Digest', async () => {
    const repo = uniqueRepo('cors');
    await client.pushImage(repo, 'v1');

    const res = await client.fetch(`/v2/${repo}/manifests/v1`, { headers: { origin: ORIGIN, accept: 'application/vnd.oci.image.manifest.v1+json' } });
    await res.arrayBuffer();

    expect(res.status).toBe(200);
    expectOriginAllowed(res);
    expect(listHeader(res, 'access-control-expose-headers')).toContain('docker-content-digest');
  });

  it('an error response (404) with Origin still carries Access-Control-Allow-Origin', async () => {
    const res = await client.fetch(`/v2/${uniqueRepo('cors')}/tags/list`, { headers: { origin: ORIGIN } });
    await res.arrayBuffer();

    expect(res.status).toBe(404);
    expectOriginAllowed(res);
  });

  it('POST /v2/:name/blobs/uploads/ with Origin -> Expose-Headers including Location and Docker-Upload-UUID', async () => {
    const repo = uniqueRepo('cors');

    const res = await client.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { origin: ORIGIN } });
    await res.arrayBuffer();

    expect(res.status).toBe(202);
    expectOriginAllowed(res);
    expect(listHeader(res, 'access-control-expose-headers')).toEqual(expect.arrayContaining(['location', 'docker-upload-uuid']));
  });
});

describe('default STRATUS_CORS_ORIGIN (*): a literal * and never credentials', () => {
  it.each([
    ['another site', 'https://evil.example.test'],
    ['a sandboxed page or file: URL', 'null'],
  ])('GET /v2/ from %s -> Allow-Origin: *, no Allow-Credentials, the origin not echoed', async (_who, origin) => {
    const res = await client.fetch('/v2/', { headers: { origin } });
    await res.arrayBuffer();

    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('OPTIONS preflight asking for Authorization -> Allow-Origin: *, Authorization listed by name (* does not cover it)', async () => {
    const res = await client.fetch('/v2/some/repo/tags/list', {
      method: 'OPTIONS',
      headers: { origin: 'https://ui.example.test', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    await res.arrayBuffer();

    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(listHeader(res, 'access-control-allow-headers')).toContain('authorization');
  });
});

describe('auth on, default CORS: /token answers no origin with credentials', () => {
  const authed = registryClientForThisFile({ auth: {} });

  it('GET /token from another origin -> Allow-Origin: *, no Allow-Credentials', async () => {
    const res = await authed.fetch('/token?service=stratus', { headers: { origin: 'https://evil.example.test' } });
    await res.arrayBuffer();

    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('STRATUS_CORS_ORIGIN=<allow-list>: credentials for exactly the listed origins', () => {
  const UI = 'https://ui.example.test';
  const listed = registryClientForThisFile({ auth: {}, config: { corsOrigin: `${UI}, https://other.example.test:8443` } });

  it('a listed origin -> its origin echoed, Allow-Credentials: true, Vary: Origin, on a 401 too', async () => {
    const res = await listed.fetch('/v2/', { headers: { origin: UI } });
    await res.arrayBuffer();

    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(listHeader(res, 'vary')).toContain('origin');
    expect(listHeader(res, 'access-control-expose-headers')).toContain('www-authenticate');
  });

  it.each([
    ['an unlisted origin', 'https://evil.example.test'],
    ['null', 'null'],
    ['a listed host on another scheme', 'http://ui.example.test'],
    ['a listed host on another port', 'https://other.example.test'],
    ['a listed origin as a suffix', 'https://ui.example.test.evil.example'],
  ])('%s -> no Allow-Origin and no Allow-Credentials, Vary: Origin', async (_what, origin) => {
    const res = await listed.fetch('/token?service=stratus', { headers: { origin } });
    await res.arrayBuffer();

    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(listHeader(res, 'vary')).toContain('origin');
  });

  it('preflight from the listed UI (no credentials) -> 204 naming Authorization; the request with its Authorization header -> an answer the UI may read', async () => {
    const repo = uniqueRepo('cors-ui');
    const pre = await listed.fetch(`/v2/${repo}/tags/list`, {
      method: 'OPTIONS',
      headers: { origin: UI, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    await pre.arrayBuffer();
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(UI);
    expect(listHeader(pre, 'access-control-allow-headers')).toContain('authorization');
    expect(listHeader(pre, 'access-control-allow-methods')).toContain('get');

    const res = await listed.fetch('/v2/', { headers: { origin: UI, authorization: 'Bearer not-a-token' } });
    await res.arrayBuffer();
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  });

  it('preflight from an unlisted origin -> no Allow-Origin (the browser stops there)', async () => {
    const res = await listed.fetch('/v2/', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.test', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    await res.arrayBuffer();

    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('STRATUS_CORS_ORIGIN=null listed literally', () => {
  const withNull = registryClientForThisFile({ config: { corsOrigin: 'null' } });

  it('Origin: null -> echoed with credentials only because it is listed', async () => {
    const res = await withNull.fetch('/v2/', { headers: { origin: 'null' } });
    await res.arrayBuffer();

    expect(res.headers.get('access-control-allow-origin')).toBe('null');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  });
});

describe('STRATUS_CORS_ORIGIN empty: CORS off', () => {
  const off = registryClientForThisFile({ config: { corsOrigin: '' } });

  it('GET /v2/ and OPTIONS with an Origin -> no Access-Control-* headers at all', async () => {
    const get = await off.fetch('/v2/', { headers: { origin: ORIGIN } });
    await get.arrayBuffer();
    const pre = await off.fetch('/v2/', { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } });
    await pre.arrayBuffer();

    for (const res of [get, pre]) {
      expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });
});

describe('STRATUS_CORS_ORIGIN=*,<origin>: credentials for the listed origin, a plain * for the others', () => {
  const UI = 'https://ui.example.test';
  const mixed = registryClientForThisFile({ config: { corsOrigin: `*,${UI}` } });

  it.each([
    [UI, UI, 'true'],
    ['https://evil.example.test', '*', null],
  ])('Origin %s -> Allow-Origin %s, Allow-Credentials %s', async (origin, allowed, credentials) => {
    const res = await mixed.fetch('/v2/', { headers: { origin } });
    await res.arrayBuffer();

    expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(res.headers.get('access-control-allow-credentials')).toBe(credentials);
    expect(listHeader(res, 'vary')).toContain('origin');
  });
});
