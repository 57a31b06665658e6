import { createHmac, randomBytes } from 'node:crypto';
import type { Logger } from '../shared/logger';
import { OciError } from '../oci/errors';
import type { Grant, RobotToken, User } from '../ports/auth-store';
import type { AuthDeps } from './auth-config';
import { generationOf } from './credential-generation';
import { Caller, principalCaller, tokenCaller } from './caller';
import { clientAddress } from './client-address';
import { busy } from './hash-pool';
import type { Principal } from './grants';
import { inlineChecker, verifyPassword } from './passwords';
import { LoginCache } from './login-cache';
import { LoginGuard } from './login-guard';
import type { KeySet } from '../ports/key-store';
import { InvalidTokenError, SubjectKind, TokenParams, UnknownKeyError, verifyAccessToken } from './tokens';

/** Anonymous grants and the key set are re-read at most this often. */
const ANONYMOUS_CACHE_MS = 10_000;
const KEYS_CACHE_MS = 60_000;
/** A token signed by an unknown key makes the key set be re-read, but not more often than this. */
const KEYS_RELOAD_MIN_MS = 5_000;
const ROBOT_PASSWORD = /^([A-Za-z0-9_-]{1,128})\.(.+)$/;
/** Longer user names are no account (the CLI allows 128 characters) and are never looked up: DynamoDB keys end at 1 KiB. */
const MAX_NAME_BYTES = 256;

/** Credentials from an Authorization header. */
export type Credentials =
  | { scheme: 'none' }
  | { scheme: 'basic'; username: string; password: string }
  | { scheme: 'bearer'; token: string };

/** Parses an Authorization header; malformed headers are UNAUTHORIZED. */
export function parseAuthorization(header: string | undefined): Credentials {
  if (!header) return { scheme: 'none' };
  const m = /^(\S+)\s+(\S+)\s*$/.exec(header);
  const scheme = m?.[1]!.toLowerCase();
  if (m && scheme === 'bearer') return { scheme: 'bearer', token: m[2]! };
  if (m && scheme === 'basic') {
    const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  throw new OciError('UNAUTHORIZED', 'malformed Authorization header');
}

/**
 * Who is calling: Bearer tokens are verified from the token alone (no store read); Basic credentials
 * are checked against the store (users, or robot tokens as `<id>.<secret>`), with lockout after
 * repeated failures; no credentials is the anonymous caller, whose grants are cached for 10 s.
 */
export class Authenticator {
  private anonymousCache?: { grants: Grant[]; at: number };
  private keysCache?: { keys: Promise<KeySet>; at: number };
  private lastEarlyReload = -Infinity;
  private readonly verified = new LoginCache<Principal>();
  private readonly checking = new Map<string, Promise<Principal>>();
  private readonly unknownNameSecret = randomBytes(32);
  private readonly guard: LoginGuard;

  constructor(private readonly auth: AuthDeps, private readonly logger: Logger, private readonly now: () => number) {
    this.guard = new LoginGuard(auth.store, logger, now, auth.loginRate);
  }

  /** Issuer and audience of this registry's tokens. */
  get tokenParams(): TokenParams {
    return { issuer: this.auth.issuer ?? this.auth.service, service: this.auth.service };
  }

  /** The signing keys, kept a minute; `early` re-reads them sooner, at most once per 5 s. */
  keys(opts: { early?: boolean } = {}): Promise<KeySet> {
    const now = this.now();
    const early = opts.early === true && now - this.lastEarlyReload >= KEYS_RELOAD_MIN_MS;
    if (early) this.lastEarlyReload = now;
    if (!this.keysCache || early || now - this.keysCache.at > KEYS_CACHE_MS) {
      const keys = this.auth.keys();
      this.keysCache = { keys, at: now };
      keys.catch(() => (this.keysCache = undefined));
    }
    return this.keysCache.keys;
  }

  /**
   * Runs a token check with the cached keys and, when the token names a key they do not hold, once more
   * with the keys re-read: a token signed right after a rotation is accepted by an instance that cached
   * the key set before it.
   */
  async withKeys<T>(check: (keys: KeySet) => Promise<T>): Promise<T> {
    try {
      return await check(await this.keys());
    } catch (err) {
      if (!(err instanceof UnknownKeyError)) throw err;
      return check(await this.keys({ early: true }));
    }
  }

  /** The caller of a request; invalid credentials are UNAUTHORIZED, a locked account TOOMANYREQUESTS. */
  async authenticate(authorization: string | undefined, remote?: string): Promise<Caller> {
    const creds = parseAuthorization(authorization);
    if (creds.scheme === 'bearer') {
      try {
        return tokenCaller(await this.withKeys((keys) => verifyAccessToken(keys, this.tokenParams, creds.token, this.now())));
      } catch (err) {
        if (err instanceof InvalidTokenError) throw new OciError('UNAUTHORIZED', 'authentication required: invalid or expired token');
        throw err;
      }
    }
    if (creds.scheme === 'basic') return principalCaller(await this.login(creds.username, creds.password, remote), 'basic');
    return principalCaller(await this.anonymous(), 'none');
  }

  /** The anonymous principal (grants cached for 10 s). */
  async anonymous(): Promise<Principal> {
    return { subject: '', kind: 'anonymous', admin: false, catalog: false, grants: await this.anonymousGrants() };
  }

  /**
   * Checks a user name and password (or a robot token as the password); never tells which part was
   * wrong. Identical attempts in flight from one address share one check.
   */
  async login(username: string, password: string, remote?: string): Promise<Principal> {
    const address = clientAddress(remote);
    const remembered = this.verified.get(username, password, this.now());
    if (remembered) {
      await this.guard.succeeded(remembered.subject, address, false);
      return remembered;
    }
    const key = this.verified.key(`${address}\0${username}`, password);
    let check = this.checking.get(key);
    if (!check) {
      check = this.checkLogin(username, password, address).finally(() => this.checking.delete(key));
      this.checking.set(key, check);
    }
    return check;
  }

  private async checkLogin(username: string, password: string, address: string): Promise<Principal> {
    if (this.guard.repeatsFailure(username, password, address)) throw badCredentials();
    this.guard.throttle(address);
    // Refused before the attempt is counted: a flood elsewhere must not add to this account's failures.
    if (this.auth.passwords?.saturated?.()) throw busy();
    const { store } = this.auth;
    const robotParts = ROBOT_PASSWORD.exec(password);
    const robot = robotParts ? await store.getRobot(robotParts[1]!) : null;
    const nameFits = Buffer.byteLength(username) <= MAX_NAME_BYTES;
    const user = robot || !nameFits ? null : await store.getUser(username);
    // A name that is no account is counted under a keyed hash: it may be a password typed into the name
    // field, and must not be stored as it is. Counting it at all keeps a miss as slow as a wrong password.
    const account = robot ? `robot:${robot.id}` : user ? username : `unknown:${createHmac('sha256', this.unknownNameSecret).update(username).digest('hex').slice(0, 32)}`;
    // Logs name known accounts only: an unknown "name" may be a password typed into the wrong field.
    const shown = robot ? account : user ? username : shortened(username);
    const failures = await this.guard.begin(account, address, shown);
    const principal = robot
      ? await this.robotLogin(robot, robotParts![2]!)
      : await this.userLogin(user, password);
    if (!principal) {
      this.guard.failed(username, password, account, address, shown, failures);
      throw badCredentials();
    }
    await this.guard.succeeded(account, address, true);
    this.verified.set(username, password, principal, this.now());
    return principal;
  }

  /**
   * The current principal behind a token's subject, or UNAUTHORIZED when it may no longer log in. Given a
   * refresh token's `generation`, a user whose credentials changed since (passwd, disable, or removed and
   * added again) is UNAUTHORIZED too.
   */
  async principalOf(kind: SubjectKind, subject: string, generation?: string): Promise<Principal> {
    const { store } = this.auth;
    if (kind === 'user') {
      const user = await store.getUser(subject);
      const current = user && !user.disabled && (generation === undefined || generationOf(user) === generation);
      if (current) return this.userPrincipal(user);
    } else if (kind === 'robot' && subject.startsWith('robot:')) {
      const robot = await store.getRobot(subject.slice('robot:'.length));
      if (robot && robotUsable(robot, this.now())) return this.robotPrincipal(robot);
    }
    throw new OciError('UNAUTHORIZED', 'authentication required: the refresh token is no longer valid');
  }

  private async userLogin(user: User | null, password: string): Promise<Principal | null> {
    const usable = user && !user.disabled ? user : null;
    const ok = await verifyPassword(password, usable?.passwordHash, this.auth.passwords ?? inlineChecker);
    return ok && usable ? this.userPrincipal(usable) : null;
  }

  private async robotLogin(robot: RobotToken, secret: string): Promise<Principal | null> {
    const ok = await verifyPassword(secret, robot.secretHash, this.auth.passwords ?? inlineChecker);
    return ok && robotUsable(robot, this.now()) ? this.robotPrincipal(robot) : null;
  }

  // A logged-in caller keeps what anonymous callers have: logging in never loses access to public images.
  private async userPrincipal(user: User): Promise<Principal> {
    const grants = [...user.grants, ...(await this.anonymousGrants())];
    return { subject: user.name, kind: 'user', admin: user.admin, catalog: user.catalog, grants, generation: generationOf(user) };
  }

  // Robots too: a CI robot for `team/*` still pulls the public base images.
  private async robotPrincipal(robot: RobotToken): Promise<Principal> {
    const grants = [...robot.grants, ...(await this.anonymousGrants())];
    return { subject: `robot:${robot.id}`, kind: 'robot', admin: false, catalog: false, grants };
  }

  private async anonymousGrants(): Promise<Grant[]> {
    const now = this.now();
    if (!this.anonymousCache || now - this.anonymousCache.at > ANONYMOUS_CACHE_MS) {
      this.anonymousCache = { grants: await this.auth.store.getAnonymousGrants(), at: now };
    }
    return this.anonymousCache.grants;
  }
}

function badCredentials(): OciError {
  return new OciError('UNAUTHORIZED', 'authentication required: invalid username or password');
}

/** A name that is no account, as logs show it: two characters and the length. */
function shortened(name: string): string {
  const chars = [...name];
  return `${chars.slice(0, 2).join('')}…(${chars.length} characters, no such account)`;
}

function robotUsable(robot: RobotToken, now: number): boolean {
  return !robot.revoked && (robot.expiresAt === undefined || robot.expiresAt * 1000 > now);
}
