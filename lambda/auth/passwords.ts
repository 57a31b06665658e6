import bcrypt from 'bcryptjs';

/** bcrypt cost of new hashes: about 80 ms per check with bcryptjs on these machines at 10, 4x that at 12. */
export const BCRYPT_COST = 12;

/** bcrypt reads at most this many bytes of a password and ignores the rest. */
export const MAX_PASSWORD_BYTES = 72;

// Compared against when an account does not exist (or a password is refused unread), so a miss costs as
// long as a wrong password. Its cost must stay BCRYPT_COST: at 10 a miss took 85 ms against 290 ms.
const DUMMY_HASH = '$2b$12$JfS4BhWOLqtUb0047d9ONeTcCE8mbGJs5m1TFFxkxajFooQ1uOGee';

/** Checks a password against a bcrypt hash; the Node host runs it on worker threads (hash-pool.ts). */
export interface PasswordChecker {
  compare(password: string, hash: string): Promise<boolean>;
  /** True when a check asked now would be refused (too many waiting); asked before a login is counted. */
  saturated?(): boolean;
}

/** bcrypt on the calling thread (the Lambda host: one invocation serves one request, nothing else waits). */
export const inlineChecker: PasswordChecker = { compare: (password, hash) => bcrypt.compare(password, hash) };

/** Whether bcrypt would read the whole password (at most 72 bytes of UTF-8). */
export function passwordFits(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
}

/** A salted bcrypt hash of a password or robot secret; refuses passwords bcrypt would truncate. */
export function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
  if (!passwordFits(password)) throw new Error(`passwords are limited to ${MAX_PASSWORD_BYTES} bytes (bcrypt ignores the rest)`);
  return bcrypt.hash(password, cost);
}

/**
 * Whether the password matches the hash. With no hash (unknown account), or a password over 72 bytes
 * (which bcrypt would compare by its first 72 bytes only, so it never logs in), it still spends the
 * time of a check, and is false.
 */
export async function verifyPassword(password: string, hash: string | undefined, checker: PasswordChecker = inlineChecker): Promise<boolean> {
  if (!hash || !passwordFits(password)) {
    await checker.compare(password.slice(0, MAX_PASSWORD_BYTES), DUMMY_HASH);
    return false;
  }
  try {
    return await checker.compare(password, hash);
  } catch {
    return false;
  }
}

/** The bcrypt cost a hash was made with (e.g. 12 for `$2b$12$...`), undefined when it is no bcrypt hash. */
export function bcryptCost(hash: string): number | undefined {
  const m = /^\$2[aby]\$(\d{2})\$/.exec(hash);
  return m ? Number(m[1]) : undefined;
}

/** The cost of the hash compared against for unknown accounts (tests: it must equal BCRYPT_COST). */
export const DUMMY_HASH_COST = bcryptCost(DUMMY_HASH);
