import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SESSION_SECRET_PARAM } from '../../auth/upload-capability';
import type { UploadSession } from '../../ports/upload-session-store';

// Defined below the core, where the Authorizer reads it too.
export { SESSION_SECRET_PARAM };

/**
 * Who asks to use an upload session, with auth on: a caller with credentials, by its subject, or one
 * without, by the secret it presents (null when it presents none). Undefined when auth is off.
 */
export type SessionAccess = { subject: string } | { secret: string | null };

/** A new session secret: 256 random bits, URL-safe. */
export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Whether a request may use the session: credentials must be its creator's; without them, the request
 * must present its secret. A session without a secret (opened with auth off) opens to no credential-less request.
 */
export function mayUse(session: UploadSession, access: SessionAccess | undefined): boolean {
  if (access === undefined) return true;
  if ('subject' in access) return session.owner === access.subject;
  return session.secret !== undefined && access.secret !== null && sameSecret(session.secret, access.secret);
}

/** The URL a client continues an upload at: with the session's secret when it has one. */
export function uploadLocation(base: string, session: Pick<UploadSession, 'repository' | 'id' | 'secret'>): string {
  const path = `${base}/v2/${session.repository}/blobs/uploads/${session.id}`;
  return session.secret ? `${path}?${SESSION_SECRET_PARAM}=${session.secret}` : path;
}

// Compared as hashes: equal lengths for timingSafeEqual, and no timing hint about the stored value.
function sameSecret(stored: string, given: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(stored), digest(given));
}
