import bcrypt from 'bcryptjs';

/** bcrypt cost of new hashes: about 80 ms per check with bcryptjs on these machines at 10, 4x that at 12. */
export const BCRYPT_COST = 12;

// Compared against when an account does not exist, so a miss costs as long as a wrong password.
const DUMMY_HASH = '$2b$10$PN.9e.ZSJDt5fD6Lc54WuuXip8aOoHX8p90ggACDhAikWAJmow9nq';

/** A salted bcrypt hash of a password or robot secret. */
export function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
  return bcrypt.hash(password, cost);
}

/** Whether the password matches the hash; with no hash (unknown account) it still spends the time, and is false. */
export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  if (!hash) {
    await bcrypt.compare(password, DUMMY_HASH);
    return false;
  }
  try {
    return await bcrypt.compare(password, hash);
  } catch {
    return false;
  }
}
