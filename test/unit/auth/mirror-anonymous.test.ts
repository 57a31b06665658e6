/**
 * Anonymous pulls of mirrored repositories (Docker's daemon sends no credentials to a mirror): the Authorizer
 * and the token endpoint's grant, on the mirror's real origin lookup (MirrorRules) over in-memory rules, marks
 * and catalog. A root rule with anonymous pull, a `private/` rule without, and a local `team/app`.
 */
import { Authenticator } from '../../../lambda/auth/authenticator';
import { Authorizer, NEEDS } from '../../../lambda/auth/authorizer';
import { addMirrorPull, MAX_MIRROR_CHECKS_PER_TOKEN, mirrorPullCheck } from '../../../lambda/auth/mirror-pull';
import { grantAccess } from '../../../lambda/auth/grants';
import { parseScopes } from '../../../lambda/auth/scopes';
import { issueAccessToken } from '../../../lambda/auth/tokens';
import { generateSigningKey } from '../../../lambda/auth/signing-keys/generate';
import { MirrorRules } from '../../../lambda/core/mirror/mirror-rules';
import { OciError } from '../../../lambda/oci/errors';
import type { MirrorRule } from '../../../lambda/ports/mirror-store';
import { silentLogger } from '../../../lambda/shared/logger';
import type { RegistryRequest } from '../../../lambda/shared/http-types';
import { MemoryAuthStore } from '../fakes/memory-auth-store';
import { MemoryMirrorStore } from '../fakes/memory-mirror-store';
import { addUser, basic } from './auth-fixture';

const NOW = Date.UTC(2030, 0, 1);

function rule(prefix: string, anonymousPull: boolean): MirrorRule {
  return { prefix, upstream: 'https://registry-1.docker.io', tagTtlSeconds: 300, anonymousPull, createdAt: 0 };
}

async function setup() {
  const mirror = new MemoryMirrorStore();
  await mirror.putRule(rule('', true));
  await mirror.putRule(rule('private/', false));
  await mirror.markMirrored({ repository: 'library/alpine', prefix: '', since: 0 });
  const catalog = new Set(['team/app', 'library/alpine']);
  let originLookups = 0;
  const rules = new MirrorRules(mirror, { repositoryExists: async (r) => catalog.has(r) }, () => NOW);
  const check = mirrorPullCheck((r) => { originLookups++; return rules.originOf(r); });
  const store = new MemoryAuthStore();
  await addUser(store, 'alice', 'alice password', [{ pattern: 'team/*', actions: ['pull', 'push'] }]);
  const keys = { current: await generateSigningKey(NOW), previous: [] };
  const auth = { store, keys: async () => keys, service: 'stratus', tokenTtlSeconds: 300, refreshTtlSeconds: 86400 };
  const authenticator = new Authenticator(auth, silentLogger, () => NOW);
  const authorizer = new Authorizer(auth, authenticator, check);
  return { authorizer, authenticator, check, keys, store, lookups: () => originLookups };
}

function request(method: string, path: string, headers: Record<string, string> = {}, query = ''): RegistryRequest {
  return { method, path, query: new URLSearchParams(query), headers: { host: 'registry.test', ...headers }, requestId: 't', remoteAddress: '10.0.0.9' };
}

/** What authorize throws, or null when it lets the caller through. */
async function refusal(promise: Promise<unknown>): Promise<OciError | null> {
  try {
    await promise;
    return null;
  } catch (err) {
    if (err instanceof OciError) return err;
    throw err;
  }
}

describe('Authorizer: anonymous pulls of mirrored repositories', () => {
  it('HEAD/GET manifest and blob of a mirrored name without credentials -> allowed, pull only', async () => {
    const { authorizer } = await setup();
    for (const name of ['library/busybox', 'library/alpine']) {
      const caller = await authorizer.authorize(request('HEAD', `/v2/${name}/manifests/latest`), NEEDS.pull, { name });
      expect(caller.anonymous).toBe(true);
      expect(caller.actions(name)).toEqual(['pull']);
      expect(caller.actions('team/app')).toEqual([]);
    }
  });

  it('a local repository under the root rule stays private: 401 with a challenge for its pull scope', async () => {
    const { authorizer } = await setup();

    const err = await refusal(authorizer.authorize(request('GET', '/v2/team/app/manifests/1'), NEEDS.pull, { name: 'team/app' }));

    expect(err?.code).toBe('UNAUTHORIZED');
    expect(err?.headers?.['www-authenticate']).toBe('Bearer realm="http://registry.test/token",service="stratus",scope="repository:team/app:pull"');
  });

  it('a rule without anonymous pull, push and delete on a mirrored name -> 401', async () => {
    const { authorizer } = await setup();

    const ruleWithout = await refusal(authorizer.authorize(request('GET', '/v2/private/x/manifests/1'), NEEDS.pull, { name: 'private/x' }));
    const push = await refusal(authorizer.authorize(request('POST', '/v2/library/busybox/blobs/uploads/'), NEEDS.startUpload, { name: 'library/busybox' }));
    const put = await refusal(authorizer.authorize(request('PUT', '/v2/library/busybox/manifests/latest'), NEEDS.push, { name: 'library/busybox' }));
    const del = await refusal(authorizer.authorize(request('DELETE', '/v2/library/alpine/manifests/latest'), NEEDS.delete, { name: 'library/alpine' }));

    expect([ruleWithout, push, put, del].map((e) => e?.code)).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED']);
    expect(push?.headers?.['www-authenticate']).toContain('scope="repository:library/busybox:pull,push"');
  });

  it('an anonymous token without the scope pulls a mirrored name; pushing with it -> 401 insufficient_scope', async () => {
    const { authorizer, keys } = await setup();
    const token = await issueAccessToken(keys, { issuer: 'stratus', service: 'stratus' }, { sub: '', kind: 'anonymous', access: [], now: NOW, ttlSeconds: 300 });
    const bearer = { authorization: `Bearer ${token}` };

    const caller = await authorizer.authorize(request('GET', '/v2/library/busybox/manifests/latest', bearer), NEEDS.pull, { name: 'library/busybox' });
    const push = await refusal(authorizer.authorize(request('PUT', '/v2/library/busybox/manifests/latest', bearer), NEEDS.push, { name: 'library/busybox' }));

    expect(caller.actions('library/busybox')).toEqual(['pull']);
    expect(push?.code).toBe('UNAUTHORIZED');
    expect(push?.headers?.['www-authenticate']).toContain('error="insufficient_scope"');
  });

  it('wrong Basic credentials on a mirrored pull are treated as none; on a local repository or a push they are 401', async () => {
    const { authorizer } = await setup();
    const wrong = basic('alice', 'not her password');
    const stranger = basic('dockerhub-user', 'dckr_pat_x');

    const mirrored = await authorizer.authorize(request('GET', '/v2/library/busybox/manifests/latest', wrong), NEEDS.pull, { name: 'library/busybox' });
    const unknown = await authorizer.authorize(request('GET', '/v2/library/busybox/blobs/sha256:aa', stranger), NEEDS.pull, { name: 'library/busybox' });
    const local = await refusal(authorizer.authorize(request('GET', '/v2/team/app/manifests/1', wrong), NEEDS.pull, { name: 'team/app' }));
    const push = await refusal(authorizer.authorize(request('PUT', '/v2/library/busybox/manifests/1', wrong), NEEDS.push, { name: 'library/busybox' }));

    expect([mirrored.anonymous, mirrored.subject, unknown.anonymous]).toEqual([true, '', true]);
    expect(mirrored.actions('library/busybox')).toEqual(['pull']);
    expect(local?.code).toBe('UNAUTHORIZED');
    expect(push?.code).toBe('UNAUTHORIZED');
  });

  it('known credentials keep their own grants and get the mirror pull too', async () => {
    const { authorizer } = await setup();
    const alice = basic('alice', 'alice password');

    const caller = await authorizer.authorize(request('GET', '/v2/library/busybox/manifests/latest', alice), NEEDS.pull, { name: 'library/busybox' });

    expect(caller.subject).toBe('alice');
    expect(caller.actions('library/busybox')).toEqual(['pull']);
    expect(caller.actions('team/app')).toEqual(['pull', 'push']);
  });

  it('a mount from a mirrored repository into one the caller may push: the caller may pull the source', async () => {
    const { authorizer } = await setup();
    const alice = basic('alice', 'alice password');
    const mount = (from: string) => authorizer.authorize(
      request('POST', '/v2/team/app/blobs/uploads/', alice, `mount=sha256:aa&from=${from}`), NEEDS.startUpload, { name: 'team/app' },
    );

    expect((await mount('library/busybox')).actions('library/busybox')).toEqual(['pull']);
    expect((await mount('private/x')).actions('private/x')).toEqual([]);
  });

  it('callers allowed by their own grants cost no origin lookup', async () => {
    const { authorizer, lookups } = await setup();

    await authorizer.authorize(request('GET', '/v2/team/app/manifests/1', basic('alice', 'alice password')), NEEDS.pull, { name: 'team/app' });

    expect(lookups()).toBe(0);
  });
});

describe('token endpoint grant: addMirrorPull', () => {
  it('an anonymous request for pull,push on a mirrored name gets pull; a local name and a rule without anonymous pull get nothing', async () => {
    const { check, authenticator } = await setup();
    const scopes = parseScopes(['repository:library/busybox:pull,push', 'repository:team/app:pull', 'repository:private/x:pull']);

    const access = await addMirrorPull(grantAccess(await authenticator.anonymous(), scopes), scopes, check);

    expect(access).toEqual([{ type: 'repository', name: 'library/busybox', actions: ['pull'] }]);
  });

  it('a user keeps its grants and gains pull on the mirrored name; a scope it already pulls is not looked up', async () => {
    const { check, authenticator, lookups } = await setup();
    const alice = await authenticator.login('alice', 'alice password');
    const scopes = parseScopes(['repository:team/app:pull,push', 'repository:library/busybox:pull']);

    const access = await addMirrorPull(grantAccess(alice, scopes), scopes, check);

    expect(access).toEqual([
      { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
      { type: 'repository', name: 'library/busybox', actions: ['pull'] },
    ]);
    expect(lookups()).toBe(1);
  });

  it(`looks up at most ${MAX_MIRROR_CHECKS_PER_TOKEN} names per token request`, async () => {
    const { check, lookups } = await setup();
    const scopes = parseScopes(Array.from({ length: 50 }, (_, i) => `repository:library/img${i}:pull`));

    const access = await addMirrorPull([], scopes, check);

    expect(access).toHaveLength(MAX_MIRROR_CHECKS_PER_TOKEN);
    expect(lookups()).toBe(MAX_MIRROR_CHECKS_PER_TOKEN);
  });
});
