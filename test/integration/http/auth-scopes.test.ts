/**
 * Challenges with auth on: a Bearer token lacking an action its subject could get -> 401 with
 * error="insufficient_scope" (so the client asks for a wider token); credentials that can never get it -> 403
 * DENIED; a mount's challenge names the source repository too.
 */
import { hashPassword } from '../../../lambda/auth/passwords';
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser, basic, bearer, getToken } from './auth-helpers';
import { errorCodes, randomBytes, RegistryClient, uniqueRepo } from './client';

let registry: TestRegistry;
let client: RegistryClient;
let realm: string;
const team = uniqueRepo('team');
const pub = uniqueRepo('public');
const secret = uniqueRepo('secret');
let layer: { digest: string };

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
    id: 'ro1', name: 'ro', secretHash: await hashPassword('s3cret', 4), grants: [{ pattern: `${team}/*`, actions: ['pull'] }], createdAt: Date.now(),
  });
  const admin = new AuthedClient(registry.url, basic('root', 'root-pw'));
  await admin.pushImage(`${team}/app`, 'v1');
  await admin.pushImage(`${pub}/tool`, 'v1');
  await admin.pushImage(secret, 'v1');
  layer = await admin.pushBlob(`${team}/app`, randomBytes(64));
});
afterAll(async () => registry?.stop());

/** A RegistryClient that sends the same Authorization header on every registry request. */
class AuthedClient extends RegistryClient {
  constructor(base: string, private readonly headers: Record<string, string>) { super(base); }
  override fetch(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    return super.fetch(pathOrUrl, { ...init, headers: { ...(init.headers as Record<string, string>), ...this.headers } });
  }
}

const insufficient = (scope: string) => `Bearer realm="${realm}",service="stratus",scope="${scope}",error="insufficient_scope"`;
const post = (path: string, headers: Record<string, string> = {}) => client.fetch(path, { method: 'POST', headers });

describe('a Bearer token lacking an action its subject holds -> 401 error="insufficient_scope"', () => {
  it('pull-only token of a user who may push: POST uploads -> 401 with the scope needed; a wider token -> 202', async () => {
    const narrow = await getToken(client, basic('dev', 'dev-pw'), [`repository:${team}/app:pull`]);
    const res = await post(`/v2/${team}/app/blobs/uploads/`, bearer(narrow));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(insufficient(`repository:${team}/app:pull,push`));
    expect(await errorCodes(res)).toEqual(['UNAUTHORIZED']);

    const wide = await getToken(client, basic('dev', 'dev-pw'), [`repository:${team}/app:pull,push`]);
    expect((await post(`/v2/${team}/app/blobs/uploads/`, bearer(wide))).status).toBe(202);
  });

  it('a token for another repository the user may pull too -> 401 insufficient_scope (HEAD too)', async () => {
    const token = await getToken(client, basic('dev', 'dev-pw'), [`repository:${team}/other:pull`]);
    for (const method of ['GET', 'HEAD']) {
      const res = await client.fetch(`/v2/${team}/app/manifests/v1`, { method, headers: bearer(token) });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(insufficient(`repository:${team}/app:pull`));
    }
  });

  it('a token without the catalog for a user who may list it -> 401 insufficient_scope registry:catalog:*', async () => {
    const token = await getToken(client, basic('dev', 'dev-pw'), [`repository:${team}/app:pull`]);
    const res = await client.fetch('/v2/_catalog', { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(insufficient('registry:catalog:*'));
  });

  it('an anonymous token used on an anonymously public repository -> 401 insufficient_scope', async () => {
    const token = await getToken(client, {}, [`repository:${team}/app:pull`]);
    const res = await client.fetch(`/v2/${pub}/tool/tags/list`, { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(insufficient(`repository:${pub}/tool:pull`));
  });
});

describe('credentials that can never get the action -> 403 DENIED', () => {
  it('a pull-only user\'s token: POST uploads -> 403 DENIED', async () => {
    const token = await getToken(client, basic('reader', 'reader-pw'), [`repository:${team}/app:pull,push`]);
    const res = await post(`/v2/${team}/app/blobs/uploads/`, bearer(token));
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(await errorCodes(res)).toEqual(['DENIED']);
  });

  it('a repository outside the user\'s grants, the catalog without catalog rights, a pull-only robot pushing -> 403', async () => {
    const dev = await getToken(client, basic('dev', 'dev-pw'), [`repository:${team}/app:pull`]);
    expect((await client.fetch(`/v2/${secret}/manifests/v1`, { headers: bearer(dev) })).status).toBe(403);
    const reader = await getToken(client, basic('reader', 'reader-pw'), [`repository:${team}/app:pull`]);
    expect((await client.fetch('/v2/_catalog', { headers: bearer(reader) })).status).toBe(403);
    const robot = await getToken(client, basic('ro', 'ro1.s3cret'), [`repository:${team}/app:pull,push`]);
    expect((await post(`/v2/${team}/app/blobs/uploads/`, bearer(robot))).status).toBe(403);
  });

  it('a token whose user was removed since -> 403 DENIED on what it lacks (it can no longer get anything)', async () => {
    await addUser(registry.auth!.store, 'leaving', 'leaving-pw', [{ pattern: `${team}/*`, actions: ['pull', 'push'] }]);
    const token = await getToken(client, basic('leaving', 'leaving-pw'), [`repository:${team}/app:pull`]);
    await registry.auth!.store.deleteUser('leaving');
    expect((await post(`/v2/${team}/app/blobs/uploads/`, bearer(token))).status).toBe(403);
  });

  it('Basic credentials without the right -> 403, even when the user holds it on another repository', async () => {
    const res = await post(`/v2/${secret}/blobs/uploads/`, basic('dev', 'dev-pw'));
    expect(res.status).toBe(403);
    expect(await errorCodes(res)).toEqual(['DENIED']);
  });
});

describe('POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repo>', () => {
  const mountPath = () => `/v2/${team}/m/blobs/uploads/?mount=${layer.digest}&from=${team}/app`;

  it('without credentials -> 401 whose scope names the target (pull,push) and the source (pull)', async () => {
    const res = await post(mountPath());
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="${realm}",service="stratus",scope="repository:${team}/m:pull,push repository:${team}/app:pull"`,
    );
  });

  it('a token lacking push on the target -> 401 insufficient_scope naming both', async () => {
    const token = await getToken(client, basic('dev', 'dev-pw'), [`repository:${team}/app:pull`]);
    const res = await post(mountPath(), bearer(token));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(insufficient(`repository:${team}/m:pull,push repository:${team}/app:pull`));
  });

  it('a token for what the challenge named -> 201, the blob is linked without an upload', async () => {
    const token = await getToken(client, basic('dev', 'dev-pw'), [`repository:${team}/m:pull,push`, `repository:${team}/app:pull`]);
    const res = await post(mountPath(), bearer(token));
    expect(res.status).toBe(201);
    expect(res.headers.get('docker-content-digest')).toBe(layer.digest);
    expect((await client.fetch(`/v2/${team}/m/blobs/${layer.digest}`, { method: 'HEAD', headers: bearer(token) })).status).toBe(200);
  });

  it('an invalid or missing source adds nothing to the challenge', async () => {
    for (const query of [`mount=${layer.digest}&from=../x`, `mount=${layer.digest}`, `from=${team}/app`]) {
      const res = await post(`/v2/${team}/m/blobs/uploads/?${query}`);
      expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${realm}",service="stratus",scope="repository:${team}/m:pull,push"`);
    }
  });
});
