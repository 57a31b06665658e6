/** GET /v2/, the error body format and unknown routes. */
import { uniqueRepo, sha256 } from './client';
import { registryClientForThisFile } from './setup';

const client = registryClientForThisFile();

describe('GET /v2/', () => {
  it('GET /v2/ -> 200 with {} and Docker-Distribution-API-Version: registry/2.0', async () => {
    const res = await client.fetch('/v2/');

    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(await res.json()).toEqual({});
  });

  it('HEAD /v2/ -> 200 with no body', async () => {
    const res = await client.fetch('/v2/', { method: 'HEAD' });

    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('error bodies', () => {
  it('a 404 for an unknown manifest is application/json {"errors":[{code,message,detail?}]}', async () => {
    const repo = uniqueRepo('base-err');

    const res = await client.fetch(`/v2/${repo}/manifests/${sha256('nothing here')}`);

    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { errors: Array<Record<string, unknown>> };
    expect(Array.isArray(body.errors)).toBe(true);
    expect(body.errors.length).toBeGreaterThan(0);
    for (const e of body.errors) {
      expect(typeof e.code).toBe('string');
      expect(e.code).toMatch(/^[A-Z_]+$/);
      if ('message' in e) expect(typeof e.message).toBe('string');
    }
    expect(body.errors[0].code).toBe('MANIFEST_UNKNOWN');
  });

  it('a 400 for an invalid digest is application/json with code DIGEST_INVALID', async () => {
    const repo = uniqueRepo('base-err');

    const res = await client.fetch(`/v2/${repo}/blobs/sha256:${'0'.repeat(63)}`);

    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { errors: Array<{ code: string }> };
    expect(body.errors.map((e) => e.code)).toContain('DIGEST_INVALID');
  });
});

describe('unknown routes', () => {
  it.each([
    ['GET', '/v3/'],
    ['GET', '/v2/some/repo/unknown-endpoint'],
    ['GET', '/v2/some/repo/blobs'],
    ['GET', '/not-a-registry-path'],
    ['POST', '/v2/some/repo/manifests'],
  ])('%s %s -> 404', async (method, path) => {
    const res = await client.fetch(path, { method });

    expect(res.status).toBe(404);
    await res.arrayBuffer();
  });

  it('an unsupported method on a known route -> 404 or 405, never 2xx', async () => {
    const repo = uniqueRepo('base-method');

    const res = await client.fetch(`/v2/${repo}/tags/list`, { method: 'DELETE' });

    expect([404, 405]).toContain(res.status);
    await res.arrayBuffer();
  });
});
