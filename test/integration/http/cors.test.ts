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
