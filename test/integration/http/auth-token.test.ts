/** GET and POST /token (password and refresh grants), expired tokens, upload sessions bound to their creator, mount rights. */
import { issueAccessToken } from '../../../lambda/auth/tokens';
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser, basic, bearer, getToken } from './auth-helpers';
import { errorCodes, randomBytes, RegistryClient, sha256, uniqueRepo } from './client';

let registry: TestRegistry;
let client: RegistryClient;
const team = uniqueRepo('team');

beforeAll(async () => {
  registry = await startTestRegistry({ auth: { tokenTtlSeconds: 120 } });
  client = new RegistryClient(registry.url);
  const store = registry.auth!.store;
  await addUser(store, 'dev', 'dev-pw', [{ pattern: `${team}/*`, actions: ['pull', 'push'] }]);
  await addUser(store, 'other', 'other-pw', [{ pattern: `${team}/*`, actions: ['pull', 'push'] }]);
  await addUser(store, 'leaver', 'leaver-pw', [{ pattern: `${team}/*`, actions: ['pull'] }]);
});
afterAll(async () => registry?.stop());

const form = (fields: Record<string, string>) => ({
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(),
});
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

describe('GET /token', () => {
  it('with Basic credentials -> 200 {token, access_token, expires_in, issued_at} granting what was asked and held', async () => {
    const res = await client.fetch(`/token?service=stratus&scope=repository:${team}/app:pull,push,delete&account=dev`, { headers: basic('dev', 'dev-pw') });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.token).toBe(body.access_token);
    expect(body.expires_in).toBe(120);
    expect(new Date(body.issued_at as string).toISOString()).toBe(body.issued_at);
    expect(body.refresh_token).toBeUndefined();
    expect(claimsOf(body.token as string)).toMatchObject({
      sub: 'dev', aud: 'stratus', iss: 'stratus', access: [{ type: 'repository', name: `${team}/app`, actions: ['pull', 'push'] }],
    });
  });

  it('with a wrong password -> 401 UNAUTHORIZED, the same as for an unknown user', async () => {
    const wrong = await client.fetch('/token?service=stratus', { headers: basic('dev', 'nope') });
    const unknown = await client.fetch('/token?service=stratus', { headers: basic('ghost', 'nope') });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.text()).toBe(await unknown.text());
  });

  it('without credentials -> 200 with an anonymous token (no access here)', async () => {
    const token = await getToken(client, {}, [`repository:${team}/app:pull`]);
    expect(claimsOf(token)).toMatchObject({ sub: '', access: [] });
  });

  it('scopes naming invalid repositories are dropped, even for an administrator: only valid names get access', async () => {
    await addUser(registry.auth!.store, 'boss', 'boss-pw', [], { admin: true });
    const invalid = ['alice/../bob/app', 'alice/', '*', 'Team/App', '/abs', 'a//b', `${'a'.repeat(256)}`, 'a b'];
    const token = await getToken(client, basic('boss', 'boss-pw'), [...invalid.map((n) => `repository:${n}:pull,push`), `repository:${team}/app:pull`]);
    expect(claimsOf(token).access).toEqual([{ type: 'repository', name: `${team}/app`, actions: ['pull'] }]);
    const res = await client.fetch('/token', form({
      grant_type: 'password', username: 'boss', password: 'boss-pw', service: 'stratus', scope: 'repository:alice/../bob/app:pull repository:*:push',
    }));
    expect(res.status).toBe(200);
    expect(claimsOf(((await res.json()) as { access_token: string }).access_token).access).toEqual([]);
  });

  it('offline_token=true -> a refresh token too, exchanged by POST grant_type=refresh_token', async () => {
    const res = await client.fetch('/token?service=stratus&offline_token=true', { headers: basic('dev', 'dev-pw') });
    const { refresh_token } = (await res.json()) as { refresh_token: string };
    expect(claimsOf(refresh_token)).toMatchObject({ typ: 'refresh', sub: 'dev' });
    const refreshed = await client.fetch('/token', form({ grant_type: 'refresh_token', refresh_token, service: 'stratus', scope: `repository:${team}/app:pull` }));
    expect(refreshed.status).toBe(200);
    const { access_token } = (await refreshed.json()) as { access_token: string };
    expect((await client.fetch(`/v2/${team}/app/tags/list`, { headers: bearer(access_token) })).status).not.toBe(401);
    // A refresh token is not an access token.
    expect((await client.fetch('/v2/', { headers: bearer(refresh_token) })).status).toBe(401);
  });
});

describe('POST /token', () => {
  it('grant_type=password with access_type=offline -> access and refresh tokens', async () => {
    const res = await client.fetch('/token', form({
      grant_type: 'password', username: 'dev', password: 'dev-pw', service: 'stratus', client_id: 'containerd',
      access_type: 'offline', scope: `repository:${team}/app:pull repository:${team}/lib:push`,
    }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; refresh_token: string };
    expect(claimsOf(body.access_token).access).toEqual([
      { type: 'repository', name: `${team}/app`, actions: ['pull'] },
      { type: 'repository', name: `${team}/lib`, actions: ['push'] },
    ]);
    expect(typeof body.refresh_token).toBe('string');
  });

  it('grant_type=password with a wrong password -> 401 UNAUTHORIZED', async () => {
    const res = await client.fetch('/token', form({ grant_type: 'password', username: 'dev', password: 'x', service: 'stratus' }));
    expect(res.status).toBe(401);
    expect(await errorCodes(res)).toEqual(['UNAUTHORIZED']);
  });

  it('grant_type=refresh_token for a user deleted since -> 401', async () => {
    const res = await client.fetch('/token', form({ grant_type: 'password', username: 'leaver', password: 'leaver-pw', access_type: 'offline', service: 'stratus' }));
    const { refresh_token } = (await res.json()) as { refresh_token: string };
    await registry.auth!.store.deleteUser('leaver');
    const refreshed = await client.fetch('/token', form({ grant_type: 'refresh_token', refresh_token, service: 'stratus' }));
    expect(refreshed.status).toBe(401);
  });

  it('grant_type=refresh_token with a tampered token -> 401', async () => {
    const refreshed = await client.fetch('/token', form({ grant_type: 'refresh_token', refresh_token: 'a.b.c', service: 'stratus' }));
    expect(refreshed.status).toBe(401);
  });
});

describe('expired tokens', () => {
  it('a token past its exp -> 401 with the challenge', async () => {
    const keys = registry.auth!.keys;
    const token = await issueAccessToken(keys, { issuer: 'stratus', service: 'stratus' }, {
      sub: 'dev', kind: 'user', access: [{ type: 'repository', name: `${team}/app`, actions: ['pull'] }],
      now: Date.now() - 3600_000, ttlSeconds: 300,
    });
    const res = await client.fetch(`/v2/${team}/app/tags/list`, { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain(`scope="repository:${team}/app:pull"`);
  });
});

describe('upload sessions carry their creator\'s rights only', () => {
  it('PATCH/PUT by another subject -> 404 BLOB_UPLOAD_UNKNOWN; without credentials the session URL works', async () => {
    const repo = `${team}/up`;
    const devToken = await getToken(client, basic('dev', 'dev-pw'), [`repository:${repo}:pull,push`]);
    const otherToken = await getToken(client, basic('other', 'other-pw'), [`repository:${repo}:pull,push`]);
    const start = await client.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: bearer(devToken) });
    expect(start.status).toBe(202);
    const url = client.location(start);
    const bytes = randomBytes(100);
    const foreign = await client.fetch(url, { method: 'PATCH', headers: bearer(otherToken), body: bytes });
    expect(foreign.status).toBe(404);
    expect(await errorCodes(foreign)).toEqual(['BLOB_UPLOAD_UNKNOWN']);
    const done = await client.fetch(client.withDigest(url, sha256(bytes)), { method: 'PUT', body: bytes });
    expect(done.status).toBe(201);
  });

  it('mount from a repository the caller may not pull -> a normal session (202), not a mount', async () => {
    const adminRepo = uniqueRepo('private');
    await addUser(registry.auth!.store, 'root', 'root-pw', [], { admin: true });
    const blob = await new AdminClient(registry.url).pushBlob(adminRepo, randomBytes(64));
    const token = await getToken(client, basic('dev', 'dev-pw'), [`repository:${team}/m:pull,push`, `repository:${adminRepo}:pull`]);
    const res = await client.fetch(`/v2/${team}/m/blobs/uploads/?mount=${blob.digest}&from=${adminRepo}`, { method: 'POST', headers: bearer(token) });
    expect(res.status).toBe(202);
    expect((await client.fetch(`/v2/${team}/m/blobs/${blob.digest}`, { method: 'HEAD', headers: bearer(token) })).status).toBe(404);
  });
});

class AdminClient extends RegistryClient {
  override fetch(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    return super.fetch(pathOrUrl, { ...init, headers: { ...(init.headers as Record<string, string>), ...basic('root', 'root-pw') } });
  }
}
