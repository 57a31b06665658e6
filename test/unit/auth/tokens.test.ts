import { LEGACY_GENERATION } from '../../../lambda/auth/credential-generation';
import { generateSigningKey, publicOnly } from '../../../lambda/auth/signing-keys/generate';
import type { KeySet } from '../../../lambda/ports/key-store';
import {
  InvalidTokenError, issueAccessToken, issueRefreshToken, verifyAccessToken, verifyRefreshToken,
} from '../../../lambda/auth/tokens';

const params = { issuer: 'stratus', service: 'stratus' };
const NOW = Date.UTC(2030, 0, 1);
const access = [{ type: 'repository' as const, name: 'team/app', actions: ['pull' as const] }];

async function keySet(): Promise<KeySet> {
  return { current: await generateSigningKey(NOW), previous: [] };
}

function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) };
}

describe('access tokens', () => {
  it('are ES256 JWTs with kid, iss, sub, aud, iat, nbf, exp, jti and access claims', async () => {
    const keys = await keySet();
    const token = await issueAccessToken(keys, params, { sub: 'alice', kind: 'user', access, now: NOW, ttlSeconds: 300 });
    const { header, payload } = decode(token);
    expect(header).toMatchObject({ alg: 'ES256', kid: keys.current.kid });
    expect(payload).toMatchObject({ iss: 'stratus', sub: 'alice', aud: 'stratus', iat: NOW / 1000, nbf: NOW / 1000, exp: NOW / 1000 + 300, access });
    expect(typeof payload.jti).toBe('string');
    const claims = await verifyAccessToken(keys, params, token, NOW + 1000);
    expect(claims).toMatchObject({ sub: 'alice', kind: 'user', access, exp: NOW / 1000 + 300 });
  });

  it('expired -> rejected', async () => {
    const keys = await keySet();
    const token = await issueAccessToken(keys, params, { sub: 'a', kind: 'user', access, now: NOW, ttlSeconds: 60 });
    await expect(verifyAccessToken(keys, params, token, NOW + 66_000)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('not yet valid (nbf in the future) -> rejected', async () => {
    const keys = await keySet();
    const token = await issueAccessToken(keys, params, { sub: 'a', kind: 'user', access, now: NOW + 600_000, ttlSeconds: 900 });
    await expect(verifyAccessToken(keys, params, token, NOW)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('tampered claims -> rejected', async () => {
    const keys = await keySet();
    const token = await issueAccessToken(keys, params, { sub: 'a', kind: 'user', access, now: NOW, ttlSeconds: 300 });
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.access[0].actions = ['pull', 'push', 'delete'];
    const forged = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
    await expect(verifyAccessToken(keys, params, forged, NOW)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifyAccessToken(keys, params, 'not.a.jwt', NOW)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('another audience or issuer -> rejected', async () => {
    const keys = await keySet();
    const token = await issueAccessToken(keys, { issuer: 'other', service: 'elsewhere' }, { sub: 'a', kind: 'user', access, now: NOW, ttlSeconds: 300 });
    await expect(verifyAccessToken(keys, params, token, NOW)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('"alg": "none" -> rejected', async () => {
    const keys = await keySet();
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: keys.current.kid })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ iss: 'stratus', aud: 'stratus', sub: 'a', iat: NOW / 1000, exp: NOW / 1000 + 60, access, kind: 'user' })).toString('base64url');
    await expect(verifyAccessToken(keys, params, `${header}.${body}.`, NOW)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('key rotation: a token signed by the previous key still verifies; one by an unknown kid does not', async () => {
    const old = await keySet();
    const token = await issueAccessToken(old, params, { sub: 'a', kind: 'user', access, now: NOW, ttlSeconds: 300 });
    const rotated: KeySet = { current: await generateSigningKey(NOW), previous: [publicOnly(old.current)] };
    await expect(verifyAccessToken(rotated, params, token, NOW)).resolves.toMatchObject({ sub: 'a' });
    const unrelated = await keySet();
    await expect(verifyAccessToken(unrelated, params, token, NOW)).rejects.toThrow(/unknown key/);
  });

  it('a refresh token is not an access token, and an access token is not a refresh token', async () => {
    const keys = await keySet();
    const refresh = await issueRefreshToken(keys, params, { sub: 'a', kind: 'user', now: NOW, ttlSeconds: 86400 });
    const accessToken = await issueAccessToken(keys, params, { sub: 'a', kind: 'user', access, now: NOW, ttlSeconds: 300 });
    await expect(verifyRefreshToken(keys, params, refresh, NOW + 3600_000)).resolves.toMatchObject({ sub: 'a', kind: 'user' });
    await expect(verifyAccessToken(keys, params, refresh, NOW)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifyRefreshToken(keys, params, accessToken, NOW)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('a refresh token carries the user\'s credential generation; one issued without it reads as the legacy generation', async () => {
    const keys = await keySet();
    const current = await issueRefreshToken(keys, params, { sub: 'a', kind: 'user', generation: 'g-1', now: NOW, ttlSeconds: 86400 });
    expect(decode(current).payload).toMatchObject({ typ: 'refresh', gen: 'g-1' });
    await expect(verifyRefreshToken(keys, params, current, NOW)).resolves.toMatchObject({ generation: 'g-1' });
    const old = await issueRefreshToken(keys, params, { sub: 'a', kind: 'user', now: NOW, ttlSeconds: 86400 });
    await expect(verifyRefreshToken(keys, params, old, NOW)).resolves.toMatchObject({ generation: LEGACY_GENERATION });
  });
});
