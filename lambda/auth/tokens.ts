import { randomUUID } from 'node:crypto';
import { errors as joseErrors, importJWK, JWK, JWTPayload, jwtVerify, KeyLike, ProtectedHeaderParameters, SignJWT } from 'jose';
import type { KeySet, SigningKey } from '../ports/key-store';
import type { AccessEntry } from './scopes';
import { LEGACY_GENERATION } from './credential-generation';

/** The algorithm of every Stratus token (P-256 keys). */
export const TOKEN_ALGORITHM = 'ES256';

/** Who a token speaks for; `kind` lets a refresh re-read the right record. */
export type SubjectKind = 'user' | 'robot' | 'anonymous';

/** The claims of a verified access token. */
export interface AccessClaims {
  sub: string;
  kind: SubjectKind;
  access: AccessEntry[];
  /** Patterns the subject could pull when the token was issued (filters the catalog); only with catalog access. */
  catalogPatterns?: string[];
  /** Epoch seconds. */
  exp: number;
  iat: number;
}

/** The claims of a verified refresh token. */
export interface RefreshClaims {
  sub: string;
  kind: SubjectKind;
  /** The subject's credential generation when the token was issued (LEGACY_GENERATION for tokens without one). */
  generation: string;
  exp: number;
}

/** What tokens are issued for and checked against. */
export interface TokenParams {
  issuer: string;
  /** The `aud`: the registry's service name. */
  service: string;
}

/** A token that is malformed, tampered, expired, not yet valid, of another issuer or audience, or signed by an unknown key. */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/** A token signed by a key this key set does not hold (perhaps made by a rotation this process has not read yet). */
export class UnknownKeyError extends InvalidTokenError {}

const imported = new Map<string, Promise<KeyLike | Uint8Array>>();

// Importing a JWK costs more than verifying a signature: keep each key once, by kid and key material.
function keyOf(key: SigningKey, usePublic: boolean): Promise<KeyLike | Uint8Array> {
  const jwk: JWK = usePublic ? publicPart(key.jwk) : key.jwk;
  const id = `${usePublic ? 'pub' : 'priv'}:${key.kid}:${jwk.x}:${jwk.y}`;
  let k = imported.get(id);
  if (!k) {
    k = importJWK(jwk, TOKEN_ALGORITHM);
    imported.set(id, k);
    k.catch(() => imported.delete(id));
  }
  return k;
}

function publicPart(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return pub;
}

async function sign(keys: KeySet, params: TokenParams, claims: JWTPayload, sub: string, now: number, ttlSeconds: number): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: keys.current.kid, typ: 'JWT' })
    .setIssuer(params.issuer)
    .setSubject(sub)
    .setAudience(params.service)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + ttlSeconds)
    .setJti(randomUUID())
    .sign(await keyOf(keys.current, false));
}

/** Signs an access token with the key set's current key. */
export function issueAccessToken(
  keys: KeySet, params: TokenParams,
  t: { sub: string; kind: SubjectKind; access: AccessEntry[]; catalogPatterns?: string[]; now: number; ttlSeconds: number },
): Promise<string> {
  const claims: JWTPayload = { access: t.access, kind: t.kind };
  if (t.catalogPatterns) claims.catalog_patterns = t.catalogPatterns;
  return sign(keys, params, claims, t.sub, t.now, t.ttlSeconds);
}

/**
 * Signs a refresh token: no access, only who it is for and the subject's credential generation (a user's
 * password change ends the tokens of older generations); exchanged at the token endpoint.
 */
export function issueRefreshToken(
  keys: KeySet, params: TokenParams, t: { sub: string; kind: SubjectKind; generation?: string; now: number; ttlSeconds: number },
): Promise<string> {
  const claims: JWTPayload = { typ: 'refresh', kind: t.kind };
  if (t.generation !== undefined) claims.gen = t.generation;
  return sign(keys, params, claims, t.sub, t.now, t.ttlSeconds);
}

async function verify(keys: KeySet, params: TokenParams, token: string, now: number): Promise<JWTPayload> {
  const resolve = async (header: ProtectedHeaderParameters) => {
    if (header.alg !== TOKEN_ALGORITHM) throw new InvalidTokenError('unexpected token algorithm');
    const key = [keys.current, ...keys.previous].find((k) => k.kid === header.kid);
    if (!key) throw new UnknownKeyError('token signed by an unknown key');
    return keyOf(key, true);
  };
  try {
    const { payload } = await jwtVerify(token, resolve, {
      issuer: params.issuer, audience: params.service, algorithms: [TOKEN_ALGORITHM],
      currentDate: new Date(now), requiredClaims: ['exp', 'iat', 'sub'], clockTolerance: 5,
    });
    return payload;
  } catch (err) {
    if (err instanceof InvalidTokenError) throw err;
    if (err instanceof joseErrors.JOSEError) throw new InvalidTokenError(`invalid token: ${err.code}`);
    throw err;
  }
}

/** Verifies an access token (signature by a known key, iss, aud, exp, nbf) from the token alone. */
export async function verifyAccessToken(keys: KeySet, params: TokenParams, token: string, now: number): Promise<AccessClaims> {
  const p = await verify(keys, params, token, now);
  if (p.typ === 'refresh' || !Array.isArray(p.access)) throw new InvalidTokenError('not an access token');
  return {
    sub: p.sub!, kind: subjectKind(p.kind), access: p.access as AccessEntry[], exp: p.exp!, iat: p.iat!,
    catalogPatterns: Array.isArray(p.catalog_patterns) ? (p.catalog_patterns as string[]) : undefined,
  };
}

/** Verifies a refresh token; the caller still checks that its subject may log in. */
export async function verifyRefreshToken(keys: KeySet, params: TokenParams, token: string, now: number): Promise<RefreshClaims> {
  const p = await verify(keys, params, token, now);
  if (p.typ !== 'refresh') throw new InvalidTokenError('not a refresh token');
  const generation = typeof p.gen === 'string' ? p.gen : LEGACY_GENERATION;
  return { sub: p.sub!, kind: subjectKind(p.kind), generation, exp: p.exp! };
}

function subjectKind(v: unknown): SubjectKind {
  if (v === 'user' || v === 'robot' || v === 'anonymous') return v;
  throw new InvalidTokenError('token has no subject kind');
}
