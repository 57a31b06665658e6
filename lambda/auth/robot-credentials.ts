import { randomBytes } from 'node:crypto';
import type { Grant, RobotToken } from '../ports/auth-store';
import { hashPassword } from './passwords';

/** bcrypt cost of robot secrets: 192 random bits cannot be guessed, so a CI login need not wait for cost 12. */
export const ROBOT_SECRET_COST = 10;

/** A robot token to store, and its password (`<id>.<secret>`), which is shown once and never stored. */
export interface NewRobot {
  robot: RobotToken;
  password: string;
}

/**
 * A new robot token: a random id, a random 192-bit secret stored only as its bcrypt hash. What
 * `npx stratus robot create` and the web UI's administrators both create.
 */
export async function newRobot(r: { name: string; grants: Grant[]; now: number; expiresAt?: number }): Promise<NewRobot> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  const robot: RobotToken = {
    id, name: r.name, secretHash: await hashPassword(secret, ROBOT_SECRET_COST), grants: r.grants, createdAt: r.now, expiresAt: r.expiresAt,
  };
  return { robot, password: `${id}.${secret}` };
}
