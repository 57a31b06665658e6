import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { SigningKey } from '../../ports/key-store';

/** The JWS algorithm of every Stratus signing key (ECDSA P-256 with SHA-256). */
export const SIGNING_ALG = 'ES256';

/** A new ES256 key pair as a private JWK; its kid is the RFC 7638 thumbprint of the public key. */
export async function generateSigningKey(now: number = Date.now()): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk); // uses the public members only (crv, kty, x, y)
  return { kid, jwk: { ...jwk, kid, alg: SIGNING_ALG, use: 'sig' }, createdAt: now };
}

/** The key without its private part (`d`): what a retired key is kept as, for verification only. */
export function publicOnly(key: SigningKey): SigningKey {
  const { d: _d, ...publicJwk } = key.jwk;
  return { ...key, jwk: publicJwk };
}
