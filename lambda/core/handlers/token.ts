import { parseAuthorization } from '../../auth/authenticator';
import { grantAccess, Principal, pullPatterns } from '../../auth/grants';
import { addMirrorPull, MirrorPullCheck, mirrorPullCheck } from '../../auth/mirror-pull';
import { parseScopes } from '../../auth/scopes';
import { InvalidTokenError, issueAccessToken, issueRefreshToken, verifyRefreshToken } from '../../auth/tokens';
import { OciError } from '../../oci/errors';
import { basicChallenge, wantsBrowserLogin } from '../http/browser-login';
import { fromCredentialedOrigin } from '../http/cors';
import { readBody } from '../http/request-parts';
import { jsonResponse, RegistryRequest, RegistryResponse } from '../../shared/http-types';
import type { RegistryServices, RouteCall } from '../services';

const FORM_LIMIT = 64 * 1024;

/**
 * GET /token (Basic credentials or none; service, scope, account, offline_token: docker, skopeo, podman).
 * Answers {token, access_token, expires_in, issued_at, refresh_token?}; a browser UI on a credentialed
 * origin asking without credentials for more than anonymous callers get: 401 Basic, its login prompt.
 */
export async function tokenByGet(call: RouteCall): Promise<RegistryResponse> {
  const { authenticator, deps: auth } = authOf(call);
  const { req } = call;
  const creds = parseAuthorization(req.headers.authorization);
  if (creds.scheme === 'bearer') throw new OciError('UNAUTHORIZED', 'the token endpoint takes Basic credentials');
  const scopes = req.query.getAll('scope');
  const corsSetting = call.deps.config.corsOrigin;
  if (creds.scheme === 'basic') {
    let principal: Principal;
    try {
      principal = await authenticator.login(creds.username, creds.password, req.remoteAddress);
    } catch (err) {
      // A browser prompts again (and forgets the wrong password) only when challenged again.
      if (err instanceof OciError && err.code === 'UNAUTHORIZED' && fromCredentialedOrigin(req, corsSetting)) {
        throw new OciError('UNAUTHORIZED', err.message, { headers: { 'www-authenticate': basicChallenge(auth.service) } });
      }
      throw err;
    }
    return issue(call, principal, scopes, req.query.get('offline_token') === 'true');
  }
  const anonymous = await authenticator.anonymous();
  if (wantsBrowserLogin(req, corsSetting, anonymous, parseScopes(scopes))) {
    throw new OciError('UNAUTHORIZED', 'authentication required: log in with a registry user or robot token', {
      headers: { 'www-authenticate': basicChallenge(auth.service) },
    });
  }
  return issue(call, anonymous, scopes, false);
}

/** POST /token (OAuth2 form: grant_type password or refresh_token; containerd, newer docker); answers as GET does. */
export async function tokenByPost(call: RouteCall): Promise<RegistryResponse> {
  const { authenticator } = authOf(call);
  const { req, deps } = call;
  const form = await readForm(req);
  const scopes = form.getAll('scope');
  const offline = form.get('access_type') === 'offline';
  const grant = form.get('grant_type');
  if (grant === 'password') {
    const principal = await authenticator.login(form.get('username') ?? '', form.get('password') ?? '', req.remoteAddress);
    return issue(call, principal, scopes, offline);
  }
  if (grant === 'refresh_token') {
    let claims;
    try {
      claims = await authenticator.withKeys((keys) => verifyRefreshToken(keys, authenticator.tokenParams, form.get('refresh_token') ?? '', deps.now()));
    } catch (err) {
      if (err instanceof InvalidTokenError) throw new OciError('UNAUTHORIZED', 'authentication required: invalid refresh token');
      throw err;
    }
    // A refresh reads the store: a user deleted, disabled or with a new password (a robot revoked) since gets nothing.
    return issue(call, await authenticator.principalOf(claims.kind, claims.sub, claims.generation), scopes, offline);
  }
  throw new OciError('UNSUPPORTED', `unsupported grant_type: ${String(grant).slice(0, 40)}`);
}

// The token routes are declared onlyWithAuth: without auth they are never reached.
function authOf(call: RouteCall): NonNullable<RouteCall['auth']> {
  if (!call.auth) throw new OciError('NOT_FOUND', 'no token endpoint: auth is off');
  return call.auth;
}

async function issue(call: RouteCall, principal: Principal, scopeValues: string[], offline: boolean): Promise<RegistryResponse> {
  const { deps: auth, authenticator } = authOf(call);
  const now = call.deps.now();
  const keys = await authenticator.keys();
  const params = authenticator.tokenParams;
  const requested = parseScopes(scopeValues);
  // Docker's daemon asks for `repository:library/busybox:pull` without credentials: a mirrored name gets it.
  const access = await addMirrorPull(grantAccess(principal, requested), requested, mirrorPullOf(call));
  const catalog = access.some((a) => a.type === 'registry');
  const token = await issueAccessToken(keys, params, {
    sub: principal.subject, kind: principal.kind, access, now, ttlSeconds: auth.tokenTtlSeconds,
    catalogPatterns: catalog ? pullPatterns(principal) : undefined,
  });
  const body: Record<string, unknown> = {
    token, access_token: token, expires_in: auth.tokenTtlSeconds,
    issued_at: new Date(Math.floor(now / 1000) * 1000).toISOString(),
  };
  if (offline && principal.kind !== 'anonymous') {
    body.refresh_token = await issueRefreshToken(keys, params, {
      sub: principal.subject, kind: principal.kind, generation: principal.generation, now, ttlSeconds: auth.refreshTtlSeconds,
    });
  }
  return jsonResponse(200, body, { 'cache-control': 'no-store' });
}

/** Anonymous pulls of mirrored repositories (auth/mirror-pull.ts) by the registry's mirror rules; undefined without a mirror. */
export function mirrorPullOf(services: Pick<RegistryServices, 'mirror'>): MirrorPullCheck | undefined {
  const rules = services.mirror?.rules;
  return rules ? mirrorPullCheck((repository) => rules.originOf(repository)) : undefined;
}

async function readForm(req: RegistryRequest): Promise<URLSearchParams> {
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new OciError('UNSUPPORTED', 'POST /token takes application/x-www-form-urlencoded');
  }
  const body = await readBody(req, FORM_LIMIT, () => new OciError('SIZE_INVALID', 'token request too large'));
  return new URLSearchParams(Buffer.from(body).toString('utf8'));
}
