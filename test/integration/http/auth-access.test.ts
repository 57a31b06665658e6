/** Auth on: challenges, 401 vs 403, Basic on /v2/, robots, anonymous pull, catalog filtering, path tricks. */
import { hashPassword } from '../../../lambda/auth/passwords';
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser, basic, bearer, getToken } from './auth-helpers';
import { codesOf, errorCodes, rawRequest, RegistryClient, sha256, uniqueRepo } from './client';

let registry: TestRegistry;
let client: RegistryClient;
let realm: string;
const team = uniqueRepo('team');
const pub = uniqueRepo('public');
const admin = basic('root', 'root-pw');

beforeAll(async () => {
  registry = await startTestRegistry({ auth: {} });
  client = new RegistryClient(registry.url);
  realm = `${registry.url}/token`;
  const store = registry.auth!.store;
  await addUser(store, 'root', 'root-pw', [], { admin: true });
  await addUser(store, 'dev', 'dev-pw', [{ pattern: `${team}/*`, actions: ['pull', 'push'] }], { catalog: true });
  await addUser(store, 'reader', 'reader-pw', [{ pattern: `${team}/*`, actions: ['pull'] }]);
  await store.setAnonymousGrants([{ pattern: `${pub}/*`, actions: ['pull'] }]);
  await store.putRobot({
    id: 'ci1', name: 'ci', secretHash: await hashPassword('s3cret', 4), grants: [{ pattern: `${team}/*`, actions: ['pull', 'push'] }], createdAt: Date.now(),
  });
  await store.putRobot({
    id: 'old1', name: 'old', secretHash: await hashPassword('s3cret', 4), grants: [{ pattern: '*', actions: ['pull'] }], createdAt: Date.now(), revoked: true,
  });
  // Content to pull: pushed with admin Basic credentials straight to /v2/.
  const adminClient = new AuthedClient(registry.url, admin);
  await adminClient.pushImage(`${team}/app`, 'v1');
  await adminClient.pushImage(`${pub}/tool`, 'v1');
  await adminClient.pushImage(uniqueRepo('secret'), 'v1');
});
afterAll(async () => registry?.stop());

/** A RegistryClient that sends the same Authorization header on every registry request. */
class AuthedClient extends RegistryClient {
  constructor(base: string, private readonly headers: Record<string, string>) { super(base); }
  override fetch(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    return super.fetch(pathOrUrl, { ...init, headers: { ...(init.headers as Record<string, string>), ...this.headers } });
  }
}

const D = sha256('x');
describe('every endpoint without credentials -> 401 UNAUTHORIZED with the challenge for what it needs', () => {
  const repo = () => `${team}/app`;
  it.each([
    ['GET', () => '/v2/', undefined],
    ['GET', () => '/v2/_catalog', 'registry:catalog:*'],
    ['GET', () => `/v2/${repo()}/manifests/v1`, `repository:${repo()}:pull`],
    ['HEAD', () => `/v2/${repo()}/manifests/v1`, `repository:${repo()}:pull`],
    ['PUT', () => `/v2/${repo()}/manifests/v2`, `repository:${repo()}:pull,push`],
    ['DELETE', () => `/v2/${repo()}/manifests/v1`, `repository:${repo()}:delete`],
    ['GET', () => `/v2/${repo()}/blobs/${D}`, `repository:${repo()}:pull`],
    ['HEAD', () => `/v2/${repo()}/blobs/${D}`, `repository:${repo()}:pull`],
    ['DELETE', () => `/v2/${repo()}/blobs/${D}`, `repository:${repo()}:delete`],
    ['POST', () => `/v2/${repo()}/blobs/uploads/`, `repository:${repo()}:pull,push`],
    ['GET', () => `/v2/${repo()}/tags/list`, `repository:${repo()}:pull`],
    ['GET', () => `/v2/${repo()}/referrers/${D}`, `repository:${repo()}:pull`],
  ])('%s %s -> 401', async (method, path, scope) => {
    const res = await client.fetch(path(), { method });
    expect(res.status).toBe(401);
    const expected = `Bearer realm="${realm}",service="stratus"${scope ? `,scope="${scope}"` : ''}`;
    expect(res.headers.get('www-authenticate')).toBe(expected);
    if (method !== 'HEAD') expect(await errorCodes(res)).toEqual(['UNAUTHORIZED']);
  });
});

describe('Bearer tokens on /v2/', () => {
  it('GET /v2/ with a token -> 200', async () => {
    const token = await getToken(client, basic('dev', 'dev-pw'), []);
    expect((await client.fetch('/v2/', { headers: bearer(token) })).status).toBe(200);
  });

  it('a token for another repository the user may pull too -> 401 insufficient_scope (more in auth-scopes.test.ts)', async () => {
    const token = await getToken(client, basic('dev', 'dev-pw'), [`repository:${team}/other:pull`]);
    const res = await client.fetch(`/v2/${team}/app/manifests/v1`, { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${realm}",service="stratus",scope="repository:${team}/app:pull",error="insufficient_scope"`);
    expect(await errorCodes(res)).toEqual(['UNAUTHORIZED']);
  });

  it('a token without push -> 403 DENIED on POST uploads and PUT manifests; pull works', async () => {
    const token = await getToken(client, basic('reader', 'reader-pw'), [`repository:${team}/app:pull,push`]);
    const up = await client.fetch(`/v2/${team}/app/blobs/uploads/`, { method: 'POST', headers: bearer(token) });
    expect(up.status).toBe(403);
    expect(await errorCodes(up)).toEqual(['DENIED']);
    const put = await client.fetch(`/v2/${team}/app/manifests/v9`, { method: 'PUT', headers: { ...bearer(token), 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: '{}' });
    expect(put.status).toBe(403);
    expect((await client.fetch(`/v2/${team}/app/manifests/v1`, { headers: bearer(token) })).status).toBe(200);
  });

  it('a tampered token -> 401', async () => {
    const token = await getToken(client, basic('reader', 'reader-pw'), [`repository:${team}/app:pull`]);
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    claims.access = [{ type: 'repository', name: `${team}/app`, actions: ['pull', 'push', 'delete'] }];
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    const res = await client.fetch(`/v2/${team}/app/manifests/v1`, { method: 'DELETE', headers: bearer(forged) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain(`scope="repository:${team}/app:delete"`);
  });

  it('a full push and pull with a token: upload, manifest, blob redirect', async () => {
    const token = await getToken(client, basic('dev', 'dev-pw'), [`repository:${team}/pushed:pull,push`]);
    const c = new AuthedClient(registry.url, bearer(token));
    const pushed = await c.pushImage(`${team}/pushed`, 'v1');
    expect((await c.getManifest(`${team}/pushed`, 'v1')).status).toBe(200);
    const layer = (pushed.doc as { layers: Array<{ digest: string }> }).layers[0]!.digest;
    expect((await c.getBlob(`${team}/pushed`, layer)).status).toBe(200);
  });
});

describe('Basic credentials directly on /v2/', () => {
  it('a user password works; a wrong one -> 401', async () => {
    expect((await client.fetch(`/v2/${team}/app/tags/list`, { headers: basic('reader', 'reader-pw') })).status).toBe(200);
    const res = await client.fetch(`/v2/${team}/app/tags/list`, { headers: basic('reader', 'nope') });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer realm=');
  });

  it('a robot token as the password (any user name) works; a revoked robot -> 401', async () => {
    expect((await client.fetch(`/v2/${team}/app/tags/list`, { headers: basic('whoever', 'ci1.s3cret') })).status).toBe(200);
    expect((await client.fetch(`/v2/${team}/app/tags/list`, { headers: basic('ci', 'ci1.wrong') })).status).toBe(401);
    expect((await client.fetch(`/v2/${team}/app/tags/list`, { headers: basic('ci', 'old1.s3cret') })).status).toBe(401);
  });

  it('valid credentials without the right -> 403 DENIED', async () => {
    const res = await client.fetch(`/v2/${team}/app/manifests/v1`, { method: 'DELETE', headers: basic('reader', 'reader-pw') });
    expect(res.status).toBe(403);
    expect(await errorCodes(res)).toEqual(['DENIED']);
  });
});

describe('anonymous access', () => {
  it('anonymous pull on a granted pattern works with no credentials and with an anonymous token', async () => {
    expect((await client.getManifest(`${pub}/tool`, 'v1')).status).toBe(200);
    const token = await getToken(client, {}, [`repository:${pub}/tool:pull`, `repository:${team}/app:pull`]);
    expect((await client.fetch(`/v2/${pub}/tool/manifests/v1`, { headers: { ...bearer(token), accept: '*/*' } })).status).toBe(200);
    const denied = await client.fetch(`/v2/${team}/app/manifests/v1`, { headers: bearer(token) });
    expect(denied.status).toBe(401); // an anonymous token lacking the right is sent back to log in
  });

  it('a robot keeps what anonymous callers have: Basic and its token pull an anonymously public repository', async () => {
    const direct = await client.fetch(`/v2/${pub}/tool/manifests/v1`, { headers: { ...basic('ci', 'ci1.s3cret'), accept: '*/*' } });
    expect(direct.status).toBe(200);
    const token = await getToken(client, basic('ci', 'ci1.s3cret'), [`repository:${pub}/tool:pull`]);
    expect((await client.fetch(`/v2/${pub}/tool/manifests/v1`, { headers: { ...bearer(token), accept: '*/*' } })).status).toBe(200);
  });

  it('anonymous push on a pull-only pattern -> 401', async () => {
    expect((await client.fetch(`/v2/${pub}/tool/blobs/uploads/`, { method: 'POST' })).status).toBe(401);
  });
});

describe('GET /v2/_catalog', () => {
  it('lists only the repositories the caller may pull', async () => {
    const token = await getToken(client, basic('dev', 'dev-pw'), ['registry:catalog:*']);
    const res = await client.fetch('/v2/_catalog', { headers: bearer(token) });
    expect(res.status).toBe(200);
    const { repositories } = (await res.json()) as { repositories: string[] };
    expect(repositories).toContain(`${team}/app`);
    expect(repositories.every((r) => r.startsWith(`${team}/`) || r.startsWith(`${pub}/`))).toBe(true);
  });

  it('without catalog permission -> 403 DENIED', async () => {
    const res = await client.fetch('/v2/_catalog', { headers: basic('reader', 'reader-pw') });
    expect(res.status).toBe(403);
  });
});

describe('path tricks never widen access', () => {
  it.each([
    `/v2/${team}/../secret/manifests/v1`,
    `/v2/${team}%2Fapp/manifests/v1`,
    `/v2/${team}/app%2F..%2F..%2Fsecret/manifests/v1`,
    `/v2/${team.toUpperCase()}/APP/manifests/v1`,
    `/v2/${team}/app/../../other/manifests/v1`,
  ])('%s -> never 2xx with a token for %s/app', async (path) => {
    const token = await getToken(client, basic('dev', 'dev-pw'), [`repository:${team}/app:pull`]);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(registry.url);
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const req = require('node:http').request({ host: u.hostname, port: u.port, method: 'GET', path, headers: bearer(token) }, (r: any) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c));
        r.on('end', () => resolve({ status: r.statusCode, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(codesOf(res.body).length).toBeGreaterThan(0);
  });

  it('raw `..` without credentials -> 4xx, never 2xx', async () => {
    const res = await rawRequest(registry.url, 'GET', `/v2/${pub}/tool/../../${team}/app/manifests/v1`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});
