import { challenge, realmOf } from '../../../lambda/auth/authorizer';
import { hashPassword, verifyPassword } from '../../../lambda/auth/passwords';
import { generateSigningKey } from '../../../lambda/auth/signing-keys/generate';
import type { AccessEntry } from '../../../lambda/auth/scopes';
import type { KeySet } from '../../../lambda/ports/key-store';
import { issueAccessToken } from '../../../lambda/auth/tokens';
import { addUser, authRegistryOnFakes, basic } from './auth-fixture';

const HOST = { host: 'registry.test:5000' };

describe('challenge header', () => {
  it('Bearer realm="<base>/token",service="<service>",scope="repository:<name>:pull,push"', () => {
    expect(challenge('http://h/token', 'stratus', [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }]))
      .toBe('Bearer realm="http://h/token",service="stratus",scope="repository:team/app:pull,push"');
    expect(challenge('http://h/token', 'stratus')).toBe('Bearer realm="http://h/token",service="stratus"');
  });
  it('several scopes share one space-separated scope parameter; error="insufficient_scope" comes last', () => {
    const scopes = [
      { type: 'repository' as const, name: 'team/app', actions: ['pull' as const, 'push' as const] },
      { type: 'repository' as const, name: 'base/img', actions: ['pull' as const] },
    ];
    expect(challenge('http://h/token', 'stratus', scopes, 'insufficient_scope')).toBe(
      'Bearer realm="http://h/token",service="stratus",scope="repository:team/app:pull,push repository:base/img:pull",error="insufficient_scope"',
    );
  });
  it('realm from STRATUS_AUTH_REALM, else Host and X-Forwarded-Proto (http by default)', () => {
    const auth = { service: 's' } as never;
    const req = (headers: Record<string, string>) => ({ method: 'GET', path: '/v2/', query: new URLSearchParams(), headers, requestId: 'r' });
    expect(realmOf(auth, req({ host: 'r.example:5000' }))).toBe('http://r.example:5000/token');
    expect(realmOf(auth, req({ host: 'r.example', 'x-forwarded-proto': 'https' }))).toBe('https://r.example/token');
    expect(realmOf({ service: 's', realm: 'https://auth.example/token' } as never, req({ host: 'x' }))).toBe('https://auth.example/token');
    expect(realmOf(auth, req({ host: 'evil" x="' }))).toBe('http://localhost/token');
  });
});

describe('passwords', () => {
  it('bcrypt hashes are salted and verify only the right password', async () => {
    const a = await hashPassword('s3cret', 4);
    const b = await hashPassword('s3cret', 4);
    expect(a).not.toBe(b);
    expect(await verifyPassword('s3cret', a)).toBe(true);
    expect(await verifyPassword('wrong', a)).toBe(false);
    expect(await verifyPassword('s3cret', undefined)).toBe(false);
  });
});

describe('core with auth on', () => {
  it('GET /v2/ without credentials -> 401 UNAUTHORIZED with a challenge and no scope', async () => {
    const { send } = await authRegistryOnFakes();
    const res = await send('GET', '/v2/', { headers: HOST });
    expect(res.status).toBe(401);
    expect(res.json().errors[0].code).toBe('UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="http://registry.test:5000/token",service="stratus"');
  });

  it('Bearer requests are verified without any auth store read', async () => {
    const { send, store } = await authRegistryOnFakes();
    await addUser(store, 'alice', 'pw', [{ pattern: 'team/*', actions: ['pull'] }]);
    const { token } = (await send('GET', '/token?service=stratus&scope=repository:team/app:pull', { headers: basic('alice', 'pw') })).json();
    store.reads = 0;
    const res = await send('GET', '/v2/team/app/tags/list', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404); // allowed, the repository is just empty
    expect(store.reads).toBe(0);
  });

  it('a token signed by a key rotated in since the key set was cached is accepted (keys re-read at most every 5 s)', async () => {
    const { send, store, deps, keys, clock } = await authRegistryOnFakes();
    await addUser(store, 'alice', 'pw', [{ pattern: 'team/*', actions: ['pull'] }]);
    const { token } = (await send('GET', '/token?service=stratus&scope=repository:team/app:pull', { headers: basic('alice', 'pw') })).json();
    expect((await send('GET', '/v2/team/app/tags/list', { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    // Another instance rotated the keys and signs with the new one; this instance cached the old set.
    const rotated: KeySet = { current: await generateSigningKey(clock.now), previous: [keys.current] };
    let reads = 0;
    deps.auth.keys = async () => { reads++; return rotated; };
    const access: AccessEntry[] = [{ type: 'repository', name: 'team/app', actions: ['pull'] }];
    const params = { issuer: 'stratus', service: 'stratus' };
    const fresh = await issueAccessToken(rotated, params, { sub: 'alice', kind: 'user', access, now: clock.now, ttlSeconds: 300 });
    expect((await send('GET', '/v2/team/app/tags/list', { headers: { authorization: `Bearer ${fresh}` } })).status).toBe(404);
    expect((await send('GET', '/v2/team/app/tags/list', { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    expect(reads).toBe(1);
    // Tokens of keys nobody holds cannot make the store be read more than once per 5 s.
    const stranger = await issueAccessToken({ current: await generateSigningKey(clock.now), previous: [] }, params, { sub: 'eve', kind: 'user', access, now: clock.now, ttlSeconds: 300 });
    for (let i = 0; i < 3; i++) {
      expect((await send('GET', '/v2/team/app/tags/list', { headers: { authorization: `Bearer ${stranger}` } })).status).toBe(401);
    }
    expect(reads).toBe(1);
    clock.now += 5_000;
    expect((await send('GET', '/v2/team/app/tags/list', { headers: { authorization: `Bearer ${stranger}` } })).status).toBe(401);
    expect(reads).toBe(2);
  });

  it('Basic credentials verified once are remembered for a minute, then checked against the store again', async () => {
    const { send, store, clock } = await authRegistryOnFakes();
    await addUser(store, 'alice', 'pw', [{ pattern: 'team/*', actions: ['pull'] }]);
    expect((await send('GET', '/v2/team/app/tags/list', { headers: basic('alice', 'pw') })).status).toBe(404);
    store.reads = 0;
    expect((await send('GET', '/v2/team/app/tags/list', { headers: basic('alice', 'pw') })).status).toBe(404);
    expect(store.reads).toBe(0);
    expect((await send('GET', '/v2/team/app/tags/list', { headers: basic('alice', 'wrong') })).status).toBe(401);
    clock.now += 61_000;
    store.reads = 0;
    expect((await send('GET', '/v2/team/app/tags/list', { headers: basic('alice', 'pw') })).status).toBe(404);
    expect(store.reads).toBeGreaterThan(0);
  });

  it('an expired token -> 401 with the challenge of what the request needed', async () => {
    const { send, store, clock } = await authRegistryOnFakes();
    await addUser(store, 'alice', 'pw', [{ pattern: 'team/*', actions: ['pull', 'push'] }]);
    const { token } = (await send('GET', '/token?scope=repository:team/app:pull,push', { headers: basic('alice', 'pw') })).json();
    clock.now += 306_000; // past exp and the 5 s clock tolerance
    const res = await send('POST', '/v2/team/app/blobs/uploads/', { headers: { ...HOST, authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('scope="repository:team/app:pull,push"');
  });

  it('lockout: 5 failures lock the account 30 s, the 6th 60 s; a success clears it; warned with account and address', async () => {
    const { send, store, clock, warnings } = await authRegistryOnFakes();
    await addUser(store, 'bob', 'right', []);
    const attempt = (pw: string) => send('GET', '/token', { headers: basic('bob', pw) });
    // Distinct wrong passwords: the same one sent again from the same address counts once.
    for (let i = 0; i < 5; i++) expect((await attempt(`wrong-${i}`)).status).toBe(401);
    const locked = await attempt('right');
    expect(locked.status).toBe(429);
    expect(locked.json().errors[0].code).toBe('TOOMANYREQUESTS');
    expect(locked.headers['retry-after']).toBe('30');
    clock.now += 30_001;
    expect((await attempt('wrong-5')).status).toBe(401); // 6th failure: locked for 60 s
    clock.now += 59_000;
    expect((await attempt('right')).status).toBe(429);
    clock.now += 1_001;
    expect((await attempt('right')).status).toBe(200);
    expect(store.failures.size).toBe(0);
    expect(warnings).toContainEqual(expect.objectContaining({ message: 'login failed', account: 'bob' }));
    expect(warnings).toContainEqual(expect.objectContaining({ message: 'login refused: account locked', account: 'bob' }));
  });

  it('an unknown user and a wrong password get the same 401', async () => {
    const { send, store } = await authRegistryOnFakes();
    await addUser(store, 'carol', 'pw', []);
    const unknown = await send('GET', '/token', { headers: basic('nobody', 'pw') });
    const wrong = await send('GET', '/token', { headers: basic('carol', 'nope') });
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect(unknown.json()).toEqual(wrong.json());
  });

  it('an upload session is unknown to another subject, but open to a request without credentials', async () => {
    const { send, store } = await authRegistryOnFakes();
    await addUser(store, 'alice', 'pw', [{ pattern: 'team/*', actions: ['pull', 'push'] }]);
    await addUser(store, 'mallory', 'pw', [{ pattern: 'team/*', actions: ['pull', 'push'] }]);
    const started = await send('POST', '/v2/team/app/blobs/uploads/', { headers: basic('alice', 'pw') });
    expect(started.status).toBe(202);
    const location = started.headers.location!;
    expect((await send('GET', location, { headers: basic('mallory', 'pw') })).status).toBe(404);
    expect((await send('GET', location, { headers: basic('alice', 'pw') })).status).toBe(204);
    expect((await send('GET', location)).status).toBe(204);
  });

  it('a presigned blob URL never outlives the token: its TTL is the token\'s remaining lifetime', async () => {
    const { send, store, clock, deps } = await authRegistryOnFakes();
    await addUser(store, 'alice', 'pw', [{ pattern: '*', actions: ['pull', 'push'] }]);
    const bytes = Buffer.from('hello');
    const digest = `sha256:${require('node:crypto').createHash('sha256').update(bytes).digest('hex')}`;
    expect((await send('POST', `/v2/a/blobs/uploads/?digest=${digest}`, { headers: basic('alice', 'pw'), body: bytes })).status).toBe(201);
    const { token } = (await send('GET', '/token?scope=repository:a:pull', { headers: basic('alice', 'pw') })).json();
    clock.now += 200_000;
    const spy = jest.spyOn(deps.blobs, 'presignGet');
    expect((await send('GET', `/v2/a/blobs/${digest}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(307);
    expect(spy.mock.calls[0]![1]).toBe(100);
  });
});
