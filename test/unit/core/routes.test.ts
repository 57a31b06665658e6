import { OciError } from '../../../lambda/oci/errors';
import { Router } from '../../../lambda/core/http/router';
import { ROUTES } from '../../../lambda/core/routes';
import type { RegistryRequest } from '../../../lambda/shared/http-types';

const router = new Router(ROUTES);
const withoutAuth = new Router(ROUTES.filter((r) => !r.onlyWithAuth));

function request(method: string, path: string): RegistryRequest {
  return { method, path, query: new URLSearchParams(), headers: {}, requestId: 'r' };
}

function routeOf(r: Router<unknown>, method: string, path: string): string {
  const { route, params } = r.match(request(method, path));
  return `${route.method} ${route.name} ${JSON.stringify(params)}`;
}

function refusal(r: Router<unknown>, method: string, path: string): OciError {
  try {
    r.match(request(method, path));
  } catch (err) {
    if (err instanceof OciError) return err;
    throw err;
  }
  throw new Error(`${method} ${path} matched a route`);
}

describe('the route table', () => {
  it('declares each method of a path once, every row with a requirement', () => {
    const keys = ROUTES.map((r) => `${r.method} ${r.name}`);

    expect(new Set(keys).size).toBe(keys.length);
    expect(ROUTES.every((r) => r.needs !== undefined)).toBe(true);
  });

  it.each([
    ['GET', '/v2/', 'GET base {}'],
    ['GET', '/v2', 'GET base {}'],
    ['GET', '/v2/_catalog', 'GET catalog {}'],
    ['POST', '/v2/a/blobs/uploads/', 'POST blob upload start {"name":"a"}'],
    ['POST', '/v2/a/blobs/uploads', 'POST blob upload start {"name":"a"}'],
    ['PATCH', '/v2/a/b/blobs/uploads/u1', 'PATCH blob upload {"name":"a/b","id":"u1"}'],
    ['GET', '/v2/a/blobs/sha256:ab', 'GET blob {"name":"a","digest":"sha256:ab"}'],
    ['GET', '/v2/x/blobs/y/blobs/sha256:ab', 'GET blob {"name":"x/blobs/y","digest":"sha256:ab"}'],
    ['PUT', '/v2/a/blobs/b/manifests/v1', 'PUT manifest {"name":"a/blobs/b","reference":"v1"}'],
    ['GET', '/v2/a/manifests/x/tags/list', 'GET tags {"name":"a/manifests/x"}'],
    ['GET', '/v2/a/referrers/sha256:ab', 'GET referrers {"name":"a","digest":"sha256:ab"}'],
    ['POST', '/token', 'POST token {}'],
  ])('%s %s -> %s', (method, path, expected) => {
    expect(routeOf(router, method, path)).toBe(expected);
  });

  it('HEAD of a path without its own HEAD is served by its GET', () => {
    expect(routeOf(router, 'HEAD', '/v2/a/tags/list')).toBe('GET tags {"name":"a"}');
    expect(routeOf(router, 'HEAD', '/v2/a/manifests/v1')).toBe('HEAD manifest {"name":"a","reference":"v1"}');
  });

  it('a known path with another method -> 405 UNSUPPORTED with Allow in the table order', () => {
    const err = refusal(router, 'POST', '/v2/a/manifests/v1');

    expect(err.code).toBe('UNSUPPORTED');
    expect(err.headers).toEqual({ allow: 'HEAD, GET, PUT, DELETE' });
  });

  it('an unknown path -> NOT_FOUND; /token is unknown without auth', () => {
    expect(refusal(router, 'GET', '/v2/a/unknown/x').code).toBe('NOT_FOUND');
    expect(refusal(withoutAuth, 'GET', '/token').code).toBe('NOT_FOUND');
  });

  it('refuses a table that gives one path two patterns or one method twice', () => {
    const row = ROUTES[0]!;

    expect(() => new Router([row, { ...row, path: /^\/other$/ }])).toThrow('two paths');
    expect(() => new Router([row, row])).toThrow('GET twice');
  });
});
