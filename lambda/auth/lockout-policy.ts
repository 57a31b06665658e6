/**
 * When failed logins lock an account at one client address. Counting per account AND address means a
 * guesser throttles only itself: the owner, logging in from elsewhere, is never locked out by it.
 */

/** Failed logins in a row (from one address) before that address is locked out of the account. */
export const LOCK_THRESHOLD = 5;
/** The first lock (at LOCK_THRESHOLD failures) lasts this long; each further failure doubles it. */
export const FIRST_LOCK_MS = 30_000;
/** Locks never last longer than this. */
export const MAX_LOCK_MS = 15 * 60_000;
/** A failure counter is forgotten this long after the last attempt (TTL, and ignored on read). */
export const FAILURES_TTL_SECONDS = 3600;

/** How long an account stays locked (at one address) after its `count`-th failure in a row (0 below the threshold). */
export function lockDurationMs(count: number): number {
  if (count < LOCK_THRESHOLD) return 0;
  return Math.min(FIRST_LOCK_MS * 2 ** (count - LOCK_THRESHOLD), MAX_LOCK_MS);
}
