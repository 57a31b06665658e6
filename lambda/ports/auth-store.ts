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

/** Failed logins of one account from one client address, for slowing down password guessing. */
export interface LoginFailures {
  count: number;
  /** Epoch milliseconds until which logins are refused. */
  lockedUntil?: number;
}

/** The answer to "may one more password of this account be checked for this address?" */
export type LoginAttempt =
  | { allowed: true; failures: LoginFailures }
  | { allowed: false; lockedUntil: number };

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

  /**
   * Reserves one password check of `account` from `address`, BEFORE it is computed, so that parallel
   * guesses cannot get past the lockout policy (lockout-policy.ts): counted as a failure up front
   * (`failures` is the state should it fail), refused while locked. A success calls clearLoginFailures.
   */
  beginLoginAttempt(account: string, address: string, now: number): Promise<LoginAttempt>;
  getLoginFailures(account: string, address: string): Promise<LoginFailures | null>;
  clearLoginFailures(account: string, address: string): Promise<void>;
}
