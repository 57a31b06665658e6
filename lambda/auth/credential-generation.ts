import { randomBytes } from 'node:crypto';
import type { User } from '../ports/auth-store';

/**
 * The generation of users stored before generations existed, and of refresh tokens issued before then:
 * such tokens keep working for such users until the first `user passwd` gives the user a random one.
 */
export const LEGACY_GENERATION = 'legacy';

/**
 * A fresh credential generation: random, so a user removed and added again never matches the refresh
 * tokens of the account it replaces. Set on creation, on a password change and on `user disable`.
 */
export function newGeneration(): string {
  return randomBytes(12).toString('base64url');
}

/** The generation a user's refresh tokens must carry. */
export function generationOf(user: User): string {
  return user.generation ?? LEGACY_GENERATION;
}
