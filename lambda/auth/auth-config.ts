import type { AuthStore } from '../ports/auth-store';
import type { LoginRate } from './login-rate-limit';
import type { PasswordChecker } from './passwords';
import type { KeySet } from '../ports/key-store';

/** What the core needs to authenticate and authorize; absent from RegistryDeps = auth off. */
export interface AuthDeps {
  store: AuthStore;
  /** The signing keys; called often, so the host's loader may cache (the core also keeps them a minute). */
  keys: () => Promise<KeySet>;
  /** The token audience and the challenge's `service` (STRATUS_AUTH_SERVICE, default "stratus"). */
  service: string;
  /** The token issuer; @default the service */
  issuer?: string;
  /** The challenge's realm (STRATUS_AUTH_REALM); derived from Host and X-Forwarded-Proto when absent. */
  realm?: string;
  /** Access token lifetime, 60..3600 (STRATUS_TOKEN_TTL_SECONDS, default 300). */
  tokenTtlSeconds: number;
  /** Refresh token lifetime (STRATUS_REFRESH_TTL_SECONDS, default 30 days). */
  refreshTtlSeconds: number;
  /** Where bcrypt runs: worker threads in the Node host (hash-pool.ts). @default inline, on the calling thread */
  passwords?: PasswordChecker;
  /** Password checks allowed per client address. @default LOGIN_RATE (20 at once, then 1 per second) */
  loginRate?: LoginRate;
}

/** Defaults of the auth settings. */
export const AUTH_DEFAULTS = { service: 'stratus', tokenTtlSeconds: 300, refreshTtlSeconds: 30 * 24 * 3600 } as const;

/** Clamps an access token lifetime into the allowed 60..3600 seconds. */
export function clampTokenTtl(seconds: number): number {
  if (!Number.isFinite(seconds)) return AUTH_DEFAULTS.tokenTtlSeconds;
  return Math.min(3600, Math.max(60, Math.floor(seconds)));
}
