import { newGeneration } from '../auth/credential-generation';
import { hashPassword } from '../auth/passwords';
import type { AuthStore } from '../ports/auth-store';

/** Creates the first administrator from STRATUS_ADMIN_USER / STRATUS_ADMIN_PASSWORD unless that user exists. */
export async function ensureAdmin(store: AuthStore, env: NodeJS.ProcessEnv): Promise<'created' | 'exists' | 'not asked'> {
  const name = env.STRATUS_ADMIN_USER;
  const password = env.STRATUS_ADMIN_PASSWORD;
  if (!name || !password) return 'not asked';
  if (await store.getUser(name)) return 'exists';
  await store.putUser({ name, passwordHash: await hashPassword(password), grants: [], catalog: true, admin: true, generation: newGeneration() });
  return 'created';
}

/**
 * Drops STRATUS_ADMIN_PASSWORD from the environment once the bootstrap is done: nothing started later
 * (a child process, a library that logs or reports its environment) can read it from there.
 */
export function forgetAdminPassword(env: NodeJS.ProcessEnv): void {
  delete env.STRATUS_ADMIN_PASSWORD;
}
