import type { Logger } from '../shared/logger';
import { OciError } from '../oci/errors';
import type { AuthStore, LoginFailures } from '../ports/auth-store';
import { LoginCache } from './login-cache';
import { LOGIN_RATE, LoginRate, LoginRateLimit } from './login-rate-limit';
import { RefusalLog } from './refusal-log';

/** A wrong password repeated from the same address within this time is answered without counting again. */
const REPEAT_WINDOW_MS = 30_000;
/** Pairs of account and address with failures recorded by this process, remembered at most. */
const FAILED_HERE_CAPACITY = 10_000;

/**
 * What stands between a login attempt and a password check: the per-address rate limit, the lockout
 * (counted per account and address in the store, reserved before the check), and the memory that keeps
 * honest clients from locking themselves out: a wrong password sent again (containerd tries both token
 * forms) counts once, and a success, even one answered from the login cache, clears the failures.
 */
export class LoginGuard {
  private readonly rate: LoginRateLimit;
  private readonly recentlyWrong = new LoginCache<true>(REPEAT_WINDOW_MS, 10_000);
  private readonly failedHere = new Set<string>();
  private readonly refusals = new RefusalLog();

  constructor(
    private readonly store: AuthStore,
    private readonly logger: Logger,
    private readonly now: () => number,
    rate: LoginRate = LOGIN_RATE,
  ) {
    this.rate = new LoginRateLimit(rate);
  }

  /** Whether this exact wrong password was refused for this name and address moments ago. */
  repeatsFailure(username: string, password: string, address: string): boolean {
    return this.recentlyWrong.get(`${address}\0${username}`, password, this.now()) === true;
  }

  /** Takes one password check from the address's allowance; 429 (before any hash) when it is used up. */
  throttle(address: string): void {
    const now = this.now();
    const wait = this.rate.take(address, now);
    if (wait === 0) return;
    this.refusals.note(`rate\0${address}`, now, (refused) =>
      this.logger.warn('login refused: too many attempts from this address', { remote: address, refused, retryAfterSeconds: wait }));
    throw tooMany(`too many login attempts, try again in ${wait} s`, wait);
  }

  /** Reserves the check in the store; 429 while the account is locked at this address. `shown` is the name logs may show. */
  async begin(account: string, address: string, shown: string): Promise<LoginFailures> {
    const now = this.now();
    const attempt = await this.store.beginLoginAttempt(account, address, now);
    if (attempt.allowed) return attempt.failures;
    const wait = Math.max(1, Math.ceil((attempt.lockedUntil - now) / 1000));
    this.refusals.note(`lock\0${account}\0${address}`, now, (refused) =>
      this.logger.warn('login refused: account locked', { account: shown, remote: address, refused, retryAfterSeconds: wait }));
    throw tooMany(`too many failed logins, try again in ${wait} s`, wait);
  }

  /** A checked password was wrong: logged, and remembered so that the same one sent again is not counted again. */
  failed(username: string, password: string, account: string, address: string, shown: string, failures: LoginFailures): void {
    this.recentlyWrong.set(`${address}\0${username}`, password, true, this.now());
    this.remember(`${account}\0${address}`);
    this.logger.warn('login failed', { account: shown, remote: address, failures: failures.count, lockedUntil: failures.lockedUntil });
  }

  /** A login succeeded: failures of the account at this address are forgotten, and the check is given back. */
  async succeeded(account: string, address: string, checked: boolean): Promise<void> {
    if (checked) {
      this.rate.refund(address, this.now());
      await this.store.clearLoginFailures(account, address);
      this.failedHere.delete(`${account}\0${address}`);
    } else if (this.failedHere.delete(`${account}\0${address}`)) {
      // Answered from the login cache: the store is written only when this process saw failures there.
      await this.store.clearLoginFailures(account, address);
    }
  }

  private remember(key: string): void {
    this.failedHere.delete(key);
    if (this.failedHere.size >= FAILED_HERE_CAPACITY) this.failedHere.delete(this.failedHere.values().next().value!);
    this.failedHere.add(key);
  }
}

function tooMany(message: string, seconds: number): OciError {
  return new OciError('TOOMANYREQUESTS', message, { headers: { 'retry-after': String(seconds) } });
}
