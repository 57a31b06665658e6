import { FAILURES_TTL_SECONDS, LOCK_THRESHOLD, lockDurationMs } from '../../../lambda/auth/lockout-policy';
import type { AuthStore, Grant, LoginAttempt, LoginFailures, RobotToken, User } from '../../../lambda/ports/auth-store';

/** AuthStore in memory, with the DynamoDB adapter's lockout policy (unit tests; integration uses DynamoDB Local). */
export class MemoryAuthStore implements AuthStore {
  readonly users = new Map<string, User>();
  readonly robots = new Map<string, RobotToken>();
  /** Keyed `<account> <address>`, with when the counter expires (epoch ms), as the adapter's TTL attribute. */
  readonly failures = new Map<string, LoginFailures & { expiresAtMs?: number }>();
  anonymous: Grant[] = [];
  /** How many reads each method got: Bearer requests must cause none. */
  reads = 0;
  constructor(private readonly now: () => number = Date.now) {}

  async getUser(name: string) { this.reads++; return this.users.get(name) ?? null; }
  async putUser(user: User) { this.users.set(user.name, user); }
  async deleteUser(name: string) { return this.users.delete(name); }
  async listUsers() { return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : 1)); }
  async getRobot(id: string) { this.reads++; return this.robots.get(id) ?? null; }
  async putRobot(robot: RobotToken) { this.robots.set(robot.id, robot); }
  async listRobots() { return [...this.robots.values()].sort((a, b) => (a.id < b.id ? -1 : 1)); }
  async getAnonymousGrants() { this.reads++; return this.anonymous; }
  async setAnonymousGrants(grants: Grant[]) { this.anonymous = grants; }
  /** The same policy as the adapter's: counted before the check, refused while locked, forgotten after the TTL. */
  async beginLoginAttempt(account: string, address: string, now: number): Promise<LoginAttempt> {
    const key = `${account} ${address}`;
    const old = this.live(key, now);
    if (old?.lockedUntil !== undefined && old.lockedUntil > now) return { allowed: false, lockedUntil: old.lockedUntil };
    const count = (old?.count ?? 0) + 1;
    const failures: LoginFailures = count >= LOCK_THRESHOLD ? { count, lockedUntil: now + lockDurationMs(count) } : { count };
    this.failures.set(key, { ...failures, expiresAtMs: now + FAILURES_TTL_SECONDS * 1000 });
    return { allowed: true, failures };
  }
  async getLoginFailures(account: string, address: string) {
    this.reads++;
    const live = this.live(`${account} ${address}`, this.now());
    if (!live) return null;
    const { expiresAtMs: _expires, ...failures } = live;
    return failures;
  }
  async clearLoginFailures(account: string, address: string) { this.failures.delete(`${account} ${address}`); }

  /** The counter unless expired (TTL deletes late; reads ignore expired ones). */
  private live(key: string, now: number) {
    const f = this.failures.get(key);
    return f && (f.expiresAtMs === undefined || f.expiresAtMs > now) ? f : undefined;
  }
}
