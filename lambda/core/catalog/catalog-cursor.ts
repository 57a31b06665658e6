import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { KeySet } from '../../ports/key-store';
import { OciError } from '../../oci/errors';

/** Marks a sealed continuation in `last`: no repository name can start with it. */
const MARK = '~';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Catalog continuations that name a repository the caller may not see are sealed (AES-256-GCM, with a
 * key derived from the current token signing key, which every host shares): the caller can hand it back
 * but not read it. A rotation of the signing key ends the continuations sealed before it.
 */
export function sealCursor(keys: KeySet, name: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', cursorKey(keys), iv);
  const sealed = Buffer.concat([cipher.update(name, 'utf8'), cipher.final()]);
  return `${MARK}${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`;
}

/** Whether a `last` value is a sealed continuation rather than a repository name. */
export function isSealedCursor(last: string): boolean {
  return last.startsWith(MARK);
}

/** The name a sealed continuation holds; PAGINATION_NUMBER_INVALID when it is not one this registry sealed. */
export function openCursor(keys: KeySet | undefined, cursor: string): string {
  const raw = Buffer.from(cursor.slice(MARK.length), 'base64url');
  if (keys && raw.length > IV_BYTES + TAG_BYTES) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', cursorKey(keys), raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      // forged, damaged, or sealed before a key rotation: answered below
    }
  }
  throw new OciError('PAGINATION_NUMBER_INVALID', 'catalog continuation is invalid or expired: list again from the start');
}

function cursorKey(keys: KeySet): Buffer {
  const d = keys.current.jwk.d;
  if (!d) throw new Error('the current signing key has no private part');
  return Buffer.from(hkdfSync('sha256', Buffer.from(d, 'base64url'), Buffer.alloc(0), 'stratus catalog cursor', 32));
}
