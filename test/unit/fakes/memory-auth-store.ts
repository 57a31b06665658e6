import { LOCK_THRESHOLD, lockDurationMs } from '../../../lambda/auth/lockout-policy';
import type { AuthStore, Grant, LoginAttempt, LoginFailures, RobotToken, User } from '../../../lambda/ports/auth-store';

/** AuthStore in memory, with the DynamoDB adapter's lockout policy (unit tests; integration uses DynamoDB Local). */
export class MemoryAuthStore implements AuthStore {
  readonly users = new Map<string, User>();
  readonly robots = new Map<string, RobotToken>();
  readonly failures = new Map<string, LoginFailures>();
  anonymous: Grant[] = [];
  /** How many reads each method got: Bearer requests must cause none. */
  reads = 0;

  async getUser(name: string) { this.reads++; return this.users.get(name) ?? null; }
  async putUser(user: User) { this.users.set(user.name, user); }
  async deleteUser(name: string) { return this.users.delete(name); }
  async listUsers() { return [...this.users.values()]; }
  async getRobot(id: string) { this.reads++; return this.robots.get(id) ?? null; }
  async putRobot(robot: RobotToken) { this.robots.set(robot.id, robot); }
  async listRobots() { return [...this.robots.values()]; }
  async getAnonymousGrants() { this.reads++; return this.anonymous; }
  async setAnonymousGrants(grants: Grant[]) { this.anonymous = grants; }
  /** Keyed `<account> <address>`; the same policy as DynamoDB's (no expiry: tests move no clock that far). */
  async beginLoginAttempt(account: string, address: string, now: number): Promise<LoginAttempt> {
    const key = `${account} ${address}`;
    const old = this.failures.get(key);
    if (old?.lockedUntil !== undefined && old.lockedUntil > now) return { allowed: false, lockedUntil: old.lockedUntil };
    const count = (old?.count ?? 0) + 1;
    const failures: LoginFailures = count >= LOCK_THRESHOLD ? { count, lockedUntil: now + lockDurationMs(count) } : { count };
    this.failures.set(key, failures);
    return { allowed: true, failures };
  }
  async getLoginFailures(account: string, address: string) { this.reads++; return this.failures.get(`${account} ${address}`) ?? null; }
  async clearLoginFailures(account: string, address: string) { this.failures.delete(`${account} ${address}`); }
}
