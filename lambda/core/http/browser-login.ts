import { allowedActions, Principal } from '../../auth/grants';
import type { Scope } from '../../auth/scopes';
import type { RegistryRequest } from '../../shared/http-types';
import { fromCredentialedOrigin } from './cors';

/**
 * Whether a token request without credentials gets a Basic challenge instead of an anonymous token: a
 * browser shows its login prompt only for `401` with `WWW-Authenticate: Basic`, so a UI on another origin
 * (Joxit's docker-registry-ui and the like) can log in only this way.
 *
 * Only for a page on an origin listed for credentials (STRATUS_CORS_ORIGIN): browsers send `Origin` on
 * such requests, container clients never do, and they must keep getting the anonymous token (with a 401
 * at the token endpoint `docker pull` prints "unauthorized" instead of "pull access denied ... may
 * require 'docker login'"). Other origins get no credentials, so a prompt would only phish for them.
 * Scopes the anonymous caller holds in full still get a token without a login; asking for none is a login.
 */
export function wantsBrowserLogin(req: RegistryRequest, corsSetting: string, anonymous: Principal, scopes: Scope[]): boolean {
  if (!fromCredentialedOrigin(req, corsSetting)) return false;
  return scopes.length === 0 || !scopes.every((scope) => anonymousHolds(anonymous, scope));
}

/** The challenge that makes a browser prompt for the registry's user name and password (sent as UTF-8). */
export function basicChallenge(service: string): string {
  return `Basic realm="${service.replace(/["\\]/g, '')}", charset="UTF-8"`;
}

function anonymousHolds(anonymous: Principal, scope: Scope): boolean {
  if (scope.type === 'registry') return anonymous.admin || anonymous.catalog;
  const held = allowedActions(anonymous, scope.name);
  return scope.actions.every((a) => held.includes(a));
}
