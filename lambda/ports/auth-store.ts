/** What a grant allows on the repositories it matches. */
export type RepositoryAction = 'pull' | 'push' | 'delete';

/** Actions on a repository pattern: `team/*` matches team/app and team/app/api; `*` matches every name. */
export interface Grant {
  pattern: string;
  actions: RepositoryAction[];
}

/** A person who logs in with a password. */
export interface User {
  name: string;
  /** bcrypt hash (cost >= 10) of the password. */
  passwordHash: string;
  grants: Grant[];
  /** May list the catalog (GET /v2/_catalog shows only what the caller may pull anyway). */
  catalog: boolean;
  /** Administrators hold every action on every repository. */
  admin: boolean;
  /** May not log in or refresh tokens (`npx stratus user disable`). */
  disabled?: boolean;
  /**
   * Credential generation, carried in refresh tokens: random on creation, new on a password change or
   * `user disable`, so refresh tokens issued before stop working. Absent on users stored before it existed.
   */
  generation?: string;
}

/** A robot (CI) token, used as a password with any user name; its secret is shown once, at creation. */
export interface RobotToken {
  id: string;
  /** A label for people (e.g. "github-actions"). */
  name: string;
  /** bcrypt hash of the secret part. */
  secretHash: string;
  grants: Grant[];
  createdAt: number;
  /** Epoch seconds; absent = never. */
  expiresAt?: number;
  revoked?: boolean;
}

/** Failed logins of one account, for slowing down brute force. */
export interface LoginFailures {
  count: number;
  /** Epoch milliseconds until which logins are refused. */
  lockedUntil?: number;
}

/**
 * Users, robot tokens, anonymous access and login throttling (DynamoDB in production).
 * Not read on requests carrying a Bearer token: those are checked from the token alone.
 */
export interface AuthStore {
  getUser(name: string): Promise<User | null>;
  /** Creates or replaces a user. */
  putUser(user: User): Promise<void>;
  /** False when there was no such user. */
  deleteUser(name: string): Promise<boolean>;
  listUsers(): Promise<User[]>;

  getRobot(id: string): Promise<RobotToken | null>;
  putRobot(robot: RobotToken): Promise<void>;
  listRobots(): Promise<RobotToken[]>;

  /** Grants everyone has without credentials (e.g. pull on `public/*`). */
  getAnonymousGrants(): Promise<Grant[]>;
  setAnonymousGrants(grants: Grant[]): Promise<void>;

  /** Records a failed login and returns the new state (count, and a lock once over the threshold). */
  recordLoginFailure(account: string, now: number): Promise<LoginFailures>;
  getLoginFailures(account: string): Promise<LoginFailures | null>;
  clearLoginFailures(account: string): Promise<void>;
}
