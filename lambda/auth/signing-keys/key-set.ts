import type { KeySet, SigningKey } from '../../ports/key-store';
import { generateSigningKey, publicOnly } from './generate';

/** How long a retired key still verifies tokens by default: tokens live minutes; refresh tokens are re-checked. */
export const DEFAULT_KEEP_PREVIOUS_SECONDS = 24 * 3600;

/** A key set with a fresh current key and no previous keys. */
export async function newKeySet(now: number = Date.now()): Promise<KeySet> {
  return { current: await generateSigningKey(now), previous: [] };
}

/**
 * The key set after a rotation: a fresh current key; the old current key (public part only) first in
 * `previous`, followed by older previous keys retired less than `keepPreviousSeconds` ago. A key's
 * retirement time is the creation time of the key that replaced it (the one before it in the list).
 * `old` undefined (or unreadable) = a first key set.
 */
export async function rotateKeySet(old: KeySet | undefined, keepPreviousSeconds: number, now: number = Date.now()): Promise<KeySet> {
  const current = await generateSigningKey(now);
  if (!old) return { current, previous: [] };
  const chain = [old.current, ...old.previous];
  const previous: SigningKey[] = [publicOnly(old.current)];
  for (let i = 1; i < chain.length; i++) {
    const retiredAt = chain[i - 1].createdAt;
    if (retiredAt > now - keepPreviousSeconds * 1000) previous.push(publicOnly(chain[i]));
  }
  return { current, previous };
}

/** Parses a stored key set; null when the text is not one (e.g. a placeholder before the first rotation). */
export function parseKeySet(text: string | undefined): KeySet | null {
  if (!text) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const set = value as Partial<KeySet> | null;
  if (!set || !isKey(set.current) || !set.current.jwk.d || !Array.isArray(set.previous) || !set.previous.every(isKey)) return null;
  return { current: set.current, previous: set.previous };
}

/** The stored form of a key set. */
export function serializeKeySet(set: KeySet): string {
  return `${JSON.stringify(set, null, 2)}\n`;
}

function isKey(key: unknown): key is SigningKey {
  const k = key as Partial<SigningKey> | null;
  return !!k && typeof k.kid === 'string' && typeof k.createdAt === 'number' && typeof k.jwk === 'object' && k.jwk !== null;
}
