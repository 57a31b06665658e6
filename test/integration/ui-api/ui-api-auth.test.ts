/** The web UI's API with auth on: who may see, delete and administer what, and how a login is refused. */
import { DynamoDbGcStore } from '../../../lambda/adapters/dynamodb/dynamodb-gc-store';
import { DynamoDbPolicyStore } from '../../../lambda/adapters/dynamodb/dynamodb-policy-store';
import { createDocumentClient } from '../../../lambda/adapters/dynamodb/table';
import { hashPassword } from '../../../lambda/auth/passwords';
import type { AuthStore } from '../../../lambda/ports/auth-store';
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser, basic } from '../http/auth-helpers';
import { RegistryClient, uniqueRepo } from '../http/client';
import { pushPlatformImage, qs, ui } from './ui-fixtures';

let registry: TestRegistry;
let client: RegistryClient;
let store: AuthStore;
const team = uniqueRepo('team');
const other = uniqueRepo('other');
let image: { digest: string };

/** Logs in as the UI does: POST /token with the password grant, client_id stratus-ui; returns the access token. */
async function login(username: string, password: string): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'password', username, password, client_id: 'stratus-ui', access_type: 'offline', service: 'stratus' });
  const res = await client.fetch('/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  const body = (await res.json()) as { access_token: string };
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** A client that pushes with the administrator's Basic credentials. */
class AdminClient extends RegistryClient {
  override fetch(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    return super.fetch(pathOrUrl, { ...init, headers: { ...(init.headers as Record<string, string>), ...basic('root', 'root-pw') } });
  }
}

beforeAll(async () => {
  // catalogScanLimit 1: each repositories call examines one catalog name, so a page can end on a hidden one.
  registry = await startTestRegistry({ auth: {}, config: { corsOrigin: '*', catalogScanLimit: 1 } });
  client = new RegistryClient(registry.url);
  store = registry.auth!.store;
  await addUser(store, 'root', 'root-pw', [], { admin: true });
  await addUser(store, 'reader', 'reader-pw', [{ pattern: `${team}/*`, actions: ['pull'] }]);
  await addUser(store, 'leaver', 'leaver-pw', [{ pattern: `${team}/*`, actions: ['pull'] }]);
  await store.putRobot({ id: 'ci1', name: 'ci', secretHash: await hashPassword('s3cret', 4), grants: [{ pattern: `${team}/*`, actions: ['pull'] }], createdAt: Date.now() });
  // Policies and a collector run, written before the first push reads (and caches) the rules.
  const doc = createDocumentClient(registry.settings!.dynamodb);
  await new DynamoDbPolicyStore(doc, registry.settings!.table).putImmutability({ pattern: `${team}/locked`, mode: 'IMMUTABLE', updatedAt: 1_700_000_000_000 });
  await new DynamoDbGcStore(doc, registry.settings!.table).putRun({
    runId: 'run-1', startedAt: 1_700_000_000_000, finishedAt: 1_700_000_001_000, dryRun: false, graceMs: 3_600_000, status: 'completed',
    host: 'cli', manifestsDeleted: 1, linksDeleted: 2, blobsDeleted: 3, objectsDeleted: 4, bytesFreed: 5,
  });
  doc.destroy();
  const admin = new AdminClient(registry.url);
  image = await pushPlatformImage(admin, `${team}/a`, 'v1', 'linux/amd64');
  await pushPlatformImage(admin, `${team}/locked`, 'v1', 'linux/amd64');
  await pushPlatformImage(admin, `${other}/b`, 'v1', 'linux/amd64');
});
afterAll(async () => registry?.stop());

describe('without a login (auth on)', () => {
  it('GET /ui/api/session -> auth enabled, the token service\'s service, nobody logged in', async () => {
    const res = await ui(client, 'GET', 'session');

    expect(res.body).toEqual({ authEnabled: true, service: 'stratus', subject: null, admin: false, version: expect.any(String) });
  });

  it.each([
    ['GET', 'repositories'], ['GET', `tags?${qs({ repository: 'x/y' })}`], ['GET', `manifest?${qs({ repository: 'x/y', reference: 'v1' })}`],
    ['DELETE', `tag?${qs({ repository: 'x/y', tag: 'v1' })}`], ['DELETE', `manifest?${qs({ repository: 'x/y', digest: `sha256:${'a'.repeat(64)}` })}`],
    ['GET', 'admin/users'], ['POST', 'admin/robots/revoke'], ['GET', 'admin/policies'],
  ])(
    '%s /ui/api/%s -> 401 UNAUTHORIZED with a Bearer challenge', async (method, path) => {
      const res = await ui(client, method, path, { body: method === 'POST' ? { id: 'ci1' } : undefined });

      expect(res.status).toBe(401);
      expect(res.body.errors[0].code).toBe('UNAUTHORIZED');
      expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${registry.url}/token",service="stratus"`);
    },
  );

  it('a Basic password, a forged token, or an anonymous token -> 401', async () => {
    const anonymous = ((await (await client.fetch('/token?service=stratus')).json()) as { token: string }).token;
    const tries = [
      await ui(client, 'GET', 'repositories', { headers: basic('reader', 'reader-pw') }),
      await ui(client, 'GET', 'repositories', { token: 'eyJhbGciOiJFUzI1NiJ9.e30.AAAA' }),
      await ui(client, 'GET', 'repositories', { token: anonymous }),
    ];

    expect(tries.map((t) => t.status)).toEqual([401, 401, 401]);
  });
});

describe('a user granted pull on team/*', () => {
  let token: string;
  beforeAll(async () => { token = await login('reader', 'reader-pw'); });

  it('session names it; the repository list shows team/a, not other/b', async () => {
    const session = await ui(client, 'GET', 'session', { token });
    const list = await ui(client, 'GET', `repositories?${qs({ n: 100 })}`, { token });
    const names = list.body.repositories.map((r: { name: string }) => r.name);

    expect(session.body).toMatchObject({ subject: 'reader', admin: false });
    expect(names).toContain(`${team}/a`);
    expect(names).not.toContain(`${other}/b`);
    expect(list.body.repositories.find((r: { name: string }) => r.name === `${team}/a`).tagCount).toBe(1);
  });

  it('a page that ends on a repository it may not see continues with a sealed `next`, which never names it', async () => {
    // The catalog, in order: other/b (hidden), team/a, team/locked; each call examines one name.
    const first = await ui(client, 'GET', `repositories?${qs({ n: 1 })}`, { token });
    const second = await ui(client, 'GET', `repositories?${qs({ n: 1, last: first.body.next })}`, { token });

    expect(first.body.repositories).toEqual([]);
    expect(first.body.next).toMatch(/^~/);
    expect(first.body.next).not.toContain('other');
    expect(second.body.repositories).toEqual([{ name: `${team}/a`, tagCount: 1 }]);
  });

  it('reads team/a\'s tags and manifest; other/b\'s -> 404 NAME_UNKNOWN, as a repository that does not exist', async () => {
    const tags = await ui(client, 'GET', `tags?${qs({ repository: `${team}/a` })}`, { token });
    const view = await ui(client, 'GET', `manifest?${qs({ repository: `${team}/a`, reference: 'v1' })}`, { token });
    const hidden = [
      await ui(client, 'GET', `tags?${qs({ repository: `${other}/b` })}`, { token }),
      await ui(client, 'GET', `manifest?${qs({ repository: `${other}/b`, reference: 'v1' })}`, { token }),
      await ui(client, 'GET', `tags?${qs({ repository: `${other}/none` })}`, { token }),
      await ui(client, 'DELETE', `tag?${qs({ repository: `${other}/b`, tag: 'v1' })}`, { token }),
    ];

    expect(tags.body.tags.map((t: { tag: string }) => t.tag)).toEqual(['v1']);
    expect(view.body.digest).toBe(image.digest);
    expect(hidden.map((h) => [h.status, h.body.errors[0].code])).toEqual(Array(4).fill([404, 'NAME_UNKNOWN']));
  });

  it('DELETE a tag or a manifest of team/a -> 403 DENIED (no delete right), and it stays', async () => {
    const untag = await ui(client, 'DELETE', `tag?${qs({ repository: `${team}/a`, tag: 'v1' })}`, { token });
    const remove = await ui(client, 'DELETE', `manifest?${qs({ repository: `${team}/a`, digest: image.digest })}`, { token });
    const still = await ui(client, 'GET', `tags?${qs({ repository: `${team}/a` })}`, { token });

    expect([untag.status, untag.body.errors[0].code]).toEqual([403, 'DENIED']);
    expect([remove.status, remove.body.errors[0].code]).toEqual([403, 'DENIED']);
    expect(still.body.tags).toHaveLength(1);
  });

  it.each([
    ['GET', 'admin/users', undefined], ['GET', 'admin/robots', undefined], ['GET', 'admin/gc-runs', undefined], ['GET', 'admin/policies', undefined],
    ['POST', 'admin/grants', { user: 'reader', pattern: '*', actions: ['pull', 'push', 'delete'] }],
    ['POST', 'admin/robots', { name: 'mine', grants: [{ pattern: '*', actions: ['pull'] }] }],
  ])('%s /ui/api/%s -> 403 DENIED', async (method, path, body) => {
    const res = await ui(client, method, path, { token, body });

    expect([res.status, res.body.errors[0].code]).toEqual([403, 'DENIED']);
  });

  it('its own grant was not widened by any of that', async () => {
    expect((await store.getUser('reader'))!.grants).toEqual([{ pattern: `${team}/*`, actions: ['pull'] }]);
  });
});

describe('rights are read per request, not frozen into the token', () => {
  it('a user disabled after logging in: its token is refused at once (401)', async () => {
    const token = await login('leaver', 'leaver-pw');
    expect((await ui(client, 'GET', 'repositories', { token })).status).toBe(200);
    await store.putUser({ ...(await store.getUser('leaver'))!, disabled: true });

    const res = await ui(client, 'GET', 'repositories', { token });
    const session = await ui(client, 'GET', 'session', { token });

    expect(res.status).toBe(401);
    expect(session.body.subject).toBeNull();
  });

  it('a user given delete after logging in may delete with the same token', async () => {
    const admin = new AdminClient(registry.url);
    const img = await pushPlatformImage(admin, `${team}/del`, 'gone', 'linux/amd64');
    await addUser(store, 'promoted', 'promoted-pw', [{ pattern: `${team}/*`, actions: ['pull'] }]);
    const token = await login('promoted', 'promoted-pw');
    const before = await ui(client, 'DELETE', `manifest?${qs({ repository: `${team}/del`, digest: img.digest })}`, { token });
    await store.putUser({ ...(await store.getUser('promoted'))!, grants: [{ pattern: `${team}/*`, actions: ['pull', 'delete'] }] });

    const res = await ui(client, 'DELETE', `manifest?${qs({ repository: `${team}/del`, digest: img.digest })}`, { token });

    expect(before.status).toBe(403);
    expect(res.status).toBe(204);
    expect((await admin.getManifest(`${team}/del`, 'gone')).status).toBe(404);
  });

  it('a robot logs in with its password and sees what its grants allow', async () => {
    const token = await login('ci', 'ci1.s3cret');

    const session = await ui(client, 'GET', 'session', { token });
    const tags = await ui(client, 'GET', `tags?${qs({ repository: `${team}/a` })}`, { token });
    const hidden = await ui(client, 'GET', `tags?${qs({ repository: `${other}/b` })}`, { token });

    expect(session.body).toMatchObject({ subject: 'robot:ci1', admin: false });
    expect([tags.status, hidden.status]).toEqual([200, 404]);
  });
});

describe('an administrator', () => {
  let token: string;
  beforeAll(async () => { token = await login('root', 'root-pw'); });

  it('GET admin/users -> names, admin, disabled, grants; never a password hash', async () => {
    const res = await ui(client, 'GET', 'admin/users', { token });

    expect(res.status).toBe(200);
    expect(res.body).toContainEqual({ name: 'reader', admin: false, disabled: false, grants: [{ pattern: `${team}/*`, actions: ['pull'] }] });
    expect(res.body).toContainEqual({ name: 'root', admin: true, disabled: false, grants: [] });
    expect(JSON.stringify(res.body)).not.toMatch(/\$2[aby]\$|passwordHash|generation/);
  });

  it('grants, then revokes; disables and enables a user; may not disable itself', async () => {
    await addUser(store, 'temp', 'temp-pw', []);
    const add = await ui(client, 'POST', 'admin/grants', { token, body: { user: 'temp', pattern: `${other}/*`, actions: ['push', 'pull'] } });
    const granted = (await store.getUser('temp'))!.grants;
    const tempToken = await login('temp', 'temp-pw');
    const sees = await ui(client, 'GET', `tags?${qs({ repository: `${other}/b` })}`, { token: tempToken });
    const revoke = await ui(client, 'DELETE', `admin/grants?${qs({ user: 'temp', pattern: `${other}/*` })}`, { token });
    const seesNot = await ui(client, 'GET', `tags?${qs({ repository: `${other}/b` })}`, { token: tempToken });
    const disable = await ui(client, 'POST', 'admin/users/disable', { token, body: { user: 'temp', disabled: true } });
    const disabled = (await store.getUser('temp'))!;
    const enable = await ui(client, 'POST', 'admin/users/disable', { token, body: { user: 'temp', disabled: false } });
    const self = await ui(client, 'POST', 'admin/users/disable', { token, body: { user: 'root', disabled: true } });

    expect([add.status, granted]).toEqual([204, [{ pattern: `${other}/*`, actions: ['pull', 'push'] }]]);
    expect([sees.status, revoke.status, seesNot.status]).toEqual([200, 204, 404]);
    expect([disable.status, disabled.disabled, enable.status, (await store.getUser('temp'))!.disabled]).toEqual([204, true, 204, false]);
    expect([self.status, (await store.getUser('root'))!.disabled]).toEqual([403, undefined]);
  });

  it.each([
    ['an invalid pattern', { user: 'reader', pattern: 'Team/*', actions: ['pull'] }, 400],
    ['an unknown action', { user: 'reader', pattern: 'x/*', actions: ['pull', 'own'] }, 400],
    ['no actions', { user: 'reader', pattern: 'x/*', actions: [] }, 400],
    ['an unknown user', { user: 'nobody', pattern: 'x/*', actions: ['pull'] }, 404],
  ])('POST admin/grants with %s (%j) -> %i', async (_what, body, status) => {
    const res = await ui(client, 'POST', 'admin/grants', { token, body });

    expect(res.status).toBe(status);
  });

  it('a body that is not application/json -> 400 (a cross-origin form cannot post one)', async () => {
    const res = await client.fetch('/ui/api/admin/grants', {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: JSON.stringify({ user: 'reader', pattern: '*', actions: ['pull'] }),
    });

    expect(res.status).toBe(400);
    expect((await store.getUser('reader'))!.grants).toEqual([{ pattern: `${team}/*`, actions: ['pull'] }]);
  });

  it('creates a robot (its password shown once, logs in, hashed in the store), lists it, revokes it (no more logins)', async () => {
    const created = await ui(client, 'POST', 'admin/robots', { token, body: { name: 'deploy', grants: [{ pattern: `${team}/*`, actions: ['pull'] }], expiresInDays: 7 } });
    const { id, secret } = created.body as { id: string; secret: string };
    const stored = (await store.getRobot(id))!;
    const robotToken = await login('deploy', secret);
    const list = await ui(client, 'GET', 'admin/robots', { token });
    const revoke = await ui(client, 'POST', 'admin/robots/revoke', { token, body: { id } });
    const afterRevoke = await ui(client, 'GET', 'repositories', { token: robotToken });

    expect(created.status).toBe(201);
    expect(secret).toMatch(new RegExp(`^${id}\\.[A-Za-z0-9_-]{32}$`));
    expect(stored.secretHash).toMatch(/^\$2[aby]\$10\$/);
    expect(JSON.stringify(stored)).not.toContain(secret.split('.')[1]);
    expect(list.body).toContainEqual({
      id, name: 'deploy', grants: [{ pattern: `${team}/*`, actions: ['pull'] }], createdAt: expect.any(Number),
      expiresAt: expect.any(Number), revoked: false,
    });
    expect(list.body.find((r: { id: string }) => r.id === id).expiresAt - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
    expect(JSON.stringify(list.body)).not.toMatch(/secretHash|\$2[aby]\$/);
    expect(revoke.status).toBe(204);
    expect(afterRevoke.status).toBe(401);
  });

  it('GET admin/gc-runs and admin/policies -> the collector\'s runs and the policies by pattern', async () => {
    const runs = await ui(client, 'GET', 'admin/gc-runs', { token });
    const policies = await ui(client, 'GET', 'admin/policies', { token });

    expect(runs.status).toBe(200);
    expect(runs.body).toEqual([expect.objectContaining({ runId: 'run-1', status: 'completed', bytesFreed: 5 })]);
    expect([policies.status, policies.body]).toEqual([200, {
      retention: [], immutability: [{ pattern: `${team}/locked`, mode: 'IMMUTABLE', exclusions: [], updatedAt: 1_700_000_000_000 }],
    }]);
  });

  it('sees every repository; an immutable tag is not deleted, even by an administrator (403 DENIED)', async () => {
    const list = await ui(client, 'GET', `repositories?${qs({ q: other })}`, { token });
    const untag = await ui(client, 'DELETE', `tag?${qs({ repository: `${team}/locked`, tag: 'v1' })}`, { token });

    expect(list.body.repositories).toEqual([{ name: `${other}/b`, tagCount: 1 }]);
    expect([untag.status, untag.body.errors[0].code]).toEqual([403, 'DENIED']);
  });
});
