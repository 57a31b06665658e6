import { lockDurationMs } from '../../../lambda/adapters/dynamodb/dynamodb-auth-store';
import type { AuthStore, Grant, LoginFailures, RobotToken, User } from '../../../lambda/ports/auth-store';

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
  async recordLoginFailure(account: string, now: number) {
    const count = (this.failures.get(account)?.count ?? 0) + 1;
    const lock = lockDurationMs(count);
    const state: LoginFailures = lock > 0 ? { count, lockedUntil: now + lock } : { count };
    this.failures.set(account, state);
    return state;
  }
  async getLoginFailures(account: string) { this.reads++; return this.failures.get(account) ?? null; }
  async clearLoginFailures(account: string) { this.failures.delete(account); }
}
