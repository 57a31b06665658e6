/**
 * Bad credentials and token requests with auth on: generated Authorization headers, scopes and token
 * forms. Never a 5xx: a bad credential is 401 UNAUTHORIZED, a bad form 4xx, and a scope the caller
 * does not hold simply grants nothing.
 */
import fc from 'fast-check';
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser, basic } from '../http/auth-helpers';
import { RegistryClient, uniqueRepo } from '../http/client';
import { answerOf, expectRefused, fcParams } from './invariants';
import { rawExchange, requestHead } from './raw-http';

let registry: TestRegistry;
let client: RegistryClient;
const team = uniqueRepo('auth-team');

beforeAll(async () => {
  registry = await startTestRegistry({ auth: {} });
  client = new RegistryClient(registry.url);
  await addUser(registry.auth!.store, 'dev', 'dev-pw', [{ pattern: `${team}/*`, actions: ['pull', 'push'] }]);
  // the form property tries wrong passwords for this one (and may lock it); dev stays usable
  await addUser(registry.auth!.store, 'formuser', 'formuser-pw', [{ pattern: `${team}/*`, actions: ['pull'] }]);
});
afterAll(async () => {
  try {
    const alive = await client.fetch('/v2/', { headers: basic('dev', 'dev-pw') });
    expect(alive.status).toBe(200);
  } finally {
    await registry?.stop();
  }
});

const base64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
const jwtPart = fc.string({ maxLength: 40 }).map((s) => Buffer.from(s).toString('base64url'));

/** Authorization values that carry no valid credential. */
const badAuthorization = fc.oneof(
  fc.string({ maxLength: 60 }).filter((s) => !/[\r\n\0]/.test(s) && /^[\x20-\x7e]*$/.test(s)),
  fc.tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER'), fc.tuple(jwtPart, jwtPart, jwtPart).map((p) => p.join('.'))).map(([s, t]) => `${s} ${t}`),
  fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })).map(([u, p]) => `Basic ${base64(`${u}:${p}`)}`),
  fc.string({ maxLength: 40 }).map((s) => `Basic ${s.replace(/[^\x21-\x7e]/g, 'A')}`),
  fc.constantFrom('Basic', 'Bearer', 'Basic ', 'Bearer a.b', 'Basic Og==', `Basic ${base64('intruder:')}`, `Basic ${base64(':dev-pw')}`,
    `Basic ${base64('intruder:dev-pw:x')}`, `Basic ${base64('robot.x:y')}`, 'Digest username="dev"', `Bearer ${'a'.repeat(4000)}`),
).filter((v) => v.trim() !== '' && !Buffer.from(v.replace(/^Basic /, ''), 'base64').toString('latin1').startsWith('dev:'));

describe('auth on: bad credentials, scopes and token requests never get a 5xx', () => {
  it('generated Authorization headers on GET /v2/, a manifest GET and GET /token -> 401 UNAUTHORIZED', async () => {
    await fc.assert(fc.asyncProperty(badAuthorization, async (authorization) => {
      for (const path of ['/v2/', `/v2/${team}/app/manifests/latest`, '/token?service=stratus']) {
        const res = await rawExchange(client.base, requestHead(client.base, 'GET', path, { authorization, connection: 'close' }));
        // repeated failures of one account lock it: 429 TOOMANYREQUESTS is the other right answer
        if (res.status === 429) expectRefused(res, 429, 'TOOMANYREQUESTS');
        else expectRefused(res, 401, 'UNAUTHORIZED');
      }
    }), fcParams(60));
  });

  it('generated scope values on GET /token -> 200 with a token granting only what dev holds', async () => {
    const scope = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.tuple(fc.string({ maxLength: 30 }), fc.array(fc.constantFrom('pull', 'push', 'delete', '*', 'PULL', '', 'x'), { maxLength: 4 }))
        .map(([name, actions]) => `repository:${name}:${actions.join(',')}`),
      fc.constantFrom('registry:catalog:*', 'repository::pull', 'repository:__proto__:pull', 'repository:constructor:*', `repository:${team}/app:pull push`),
    );
    await fc.assert(fc.asyncProperty(fc.array(scope, { maxLength: 4 }), async (scopes) => {
      const q = new URLSearchParams({ service: 'stratus' });
      scopes.forEach((s) => q.append('scope', s));
      const res = await client.fetch(`/token?${q}`, { headers: basic('dev', 'dev-pw') });
      const answer = await answerOf(res);
      expect({ status: answer.status, body: answer.status === 200 ? '' : answer.body }).toEqual({ status: 200, body: '' });
      const token = (JSON.parse(answer.body) as { token: string }).token;
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { access: Array<{ name: string; actions: string[] }> };
      for (const a of claims.access) {
        if (a.actions.length > 0) expect(a.name.startsWith(`${team}/`)).toBe(true);
        expect(a.actions.every((x) => x === 'pull' || x === 'push')).toBe(true);
      }
    }), fcParams(60));
  });

  it('generated POST /token forms -> 200 only for the right password, otherwise 4xx', async () => {
    const field = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('password', 'refresh_token', 'client_credentials', 'formuser', 'formuser-pw'));
    const form = fc.dictionary(fc.constantFrom('grant_type', 'username', 'password', 'refresh_token', 'scope', 'service', 'client_id', 'access_type'), field);
    await fc.assert(fc.asyncProperty(form, fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', ''), async (fields, type) => {
      const res = await client.fetch('/token', {
        method: 'POST', headers: type ? { 'content-type': type } : {}, body: new URLSearchParams(fields).toString(),
      });
      const answer = await answerOf(res);
      expect(answer.status).toBeLessThan(500);
      const valid = type === 'application/x-www-form-urlencoded' && fields.grant_type === 'password' && fields.username === 'formuser' && fields.password === 'formuser-pw';
      if (!valid) expect(answer.status).toBeGreaterThanOrEqual(400);
    }), fcParams(60));
  });

  it('POST /token with a 100 KB form -> 400 SIZE_INVALID', async () => {
    const res = await client.fetch('/token', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=password&x=${'a'.repeat(100_000)}`,
    });

    expectRefused(await answerOf(res), 400, 'SIZE_INVALID');
  });
});
