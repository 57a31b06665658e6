/**
 * GET /token for browsers and for container clients, auth on, STRATUS_CORS_ORIGIN listing a UI's origin (and
 * `*`): a page on the listed origin asking without credentials for what anonymous callers lack gets 401 Basic
 * (its login prompt) with credentialed CORS headers; container clients (no Origin) and other origins keep
 * getting the anonymous token, whose use on a private repository answers 401 error="insufficient_scope".
 */
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser, basic, bearer } from './auth-helpers';
import { errorCodes, RegistryClient, uniqueRepo } from './client';

const UI = 'http://ui.example.test:8080';
const OTHER = 'http://elsewhere.example.test';
const BASIC_CHALLENGE = 'Basic realm="stratus", charset="UTF-8"';

let registry: TestRegistry;
let client: RegistryClient;
const team = uniqueRepo('team');
const pub = uniqueRepo('public');

beforeAll(async () => {
  registry = await startTestRegistry({ auth: {}, config: { corsOrigin: `${UI},*` } });
  client = new RegistryClient(registry.url);
  const store = registry.auth!.store;
  await addUser(store, 'dev', 'dev-pw', [{ pattern: `${team}/*`, actions: ['pull', 'push', 'delete'] }], { catalog: true });
  await store.setAnonymousGrants([{ pattern: `${pub}/*`, actions: ['pull'] }]);
  const admin = new RegistryClient(registry.url);
  admin.fetch = (path, init = {}) => RegistryClient.prototype.fetch.call(admin, path, { ...init, headers: { ...(init.headers as Record<string, string>), ...basic('dev', 'dev-pw') } });
  await admin.pushImage(`${team}/app`, 'v1');
});
afterAll(async () => registry?.stop());

const tokenPath = (...scopes: string[]) => `/token?service=stratus${scopes.map((s) => `&scope=${encodeURIComponent(s)}`).join('')}`;
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string; access: unknown[] };

async function tokenOf(res: Response): Promise<string> {
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

describe('GET /token from a page on a credentialed origin (Origin listed in STRATUS_CORS_ORIGIN)', () => {
  it('without credentials, for a private repository -> 401 WWW-Authenticate: Basic, readable by that origin with credentials', async () => {
    const res = await client.fetch(tokenPath(`repository:${team}/app:pull`), { headers: { origin: UI } });

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(BASIC_CHALLENGE);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('vary')).toMatch(/Origin/);
    expect(await errorCodes(res)).toEqual(['UNAUTHORIZED']);
  });

  it('without credentials, for the catalog, for delete on a pullable repository, or for nothing -> 401 Basic', async () => {
    for (const scopes of [['registry:catalog:*'], [`repository:${pub}/tool:pull,delete`], []]) {
      const res = await client.fetch(tokenPath(...scopes), { headers: { origin: UI } });
      await res.arrayBuffer();
      expect([scopes, res.status, res.headers.get('www-authenticate')]).toEqual([scopes, 401, BASIC_CHALLENGE]);
    }
  });

  it('without credentials, for what anonymous callers may do -> 200 with a token granting it (no login)', async () => {
    const res = await client.fetch(tokenPath(`repository:${pub}/tool:pull`), { headers: { origin: UI } });

    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(claimsOf(await tokenOf(res))).toMatchObject({ sub: '', access: [{ type: 'repository', name: `${pub}/tool`, actions: ['pull'] }] });
  });

  it('with the Basic credentials the browser sends after the prompt -> 200 with the user\'s token, credentialed CORS', async () => {
    const res = await client.fetch(tokenPath(`repository:${team}/app:pull,delete`, 'registry:catalog:*'), { headers: { origin: UI, ...basic('dev', 'dev-pw') } });

    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const token = await tokenOf(res);
    expect(claimsOf(token)).toMatchObject({ sub: 'dev' });
    const catalog = await client.fetch('/v2/_catalog', { headers: { origin: UI, ...bearer(token) } });
    expect(catalog.status).toBe(200);
    expect(((await catalog.json()) as { repositories: string[] }).repositories).toContain(`${team}/app`);
  });

  it('with a wrong password -> 401 Basic again (the browser prompts again instead of keeping the wrong password)', async () => {
    const res = await client.fetch(tokenPath(`repository:${team}/app:pull`), { headers: { origin: UI, ...basic('dev', 'wrong') } });

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(BASIC_CHALLENGE);
    expect(await errorCodes(res)).toEqual(['UNAUTHORIZED']);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  });

  it('a container client with a wrong password -> 401 without a Basic challenge, as before', async () => {
    const res = await client.fetch(tokenPath(`repository:${team}/app:pull`), { headers: basic('dev', 'wrong') });

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });
});

describe('GET /token from anything else -> the anonymous token, as before', () => {
  it('a page on an origin not listed for credentials -> 200 anonymous token, `*` CORS without credentials', async () => {
    const res = await client.fetch(tokenPath(`repository:${team}/app:pull`), { headers: { origin: OTHER } });

    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(claimsOf(await tokenOf(res))).toMatchObject({ sub: '', access: [] });
  });

  it('a container client (no Origin) -> 200 anonymous token; using it on a private repository -> 401 error="insufficient_scope"', async () => {
    const token = await tokenOf(await client.fetch(tokenPath(`repository:${team}/app:pull`)));
    expect(claimsOf(token)).toMatchObject({ sub: '', access: [] });

    for (const method of ['HEAD', 'GET']) {
      const res = await client.fetch(`/v2/${team}/app/manifests/v1`, { method, headers: bearer(token) });
      await res.arrayBuffer();
      // docker reads insufficient_scope as DENIED and prints "pull access denied ... may require 'docker login'"
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer realm="${registry.url}/token",service="stratus",scope="repository:${team}/app:pull",error="insufficient_scope"`,
      );
    }
  });

  it('a container client, for an anonymously pullable repository -> 200 token that pulls', async () => {
    const token = await tokenOf(await client.fetch(tokenPath(`repository:${pub}/tool:pull`)));
    expect(claimsOf(token).access).toEqual([{ type: 'repository', name: `${pub}/tool`, actions: ['pull'] }]);
  });
});
