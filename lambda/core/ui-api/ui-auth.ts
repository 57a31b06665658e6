import { challenge, realmOf } from '../../auth/authorizer';
import { parseAuthorization } from '../../auth/authenticator';
import { Caller, principalCaller, UNRESTRICTED } from '../../auth/caller';
import { allowedActions, Principal } from '../../auth/grants';
import { OciError } from '../../oci/errors';
import type { RepositoryAction } from '../../ports/auth-store';
import type { RouteCall } from '../services';

/** Who uses the UI API, with the rights their account has NOW (not those frozen into the token). */
export interface UiViewer {
  /** The token's subject (user name or `robot:<id>`); null with auth off. */
  subject: string | null;
  /** May use /ui/api/admin/*; never with auth off (there is no account to administer). */
  admin: boolean;
  /** The actions held on a repository. */
  actions(repository: string): RepositoryAction[];
  /** The same rights as the catalog code takes them (which repositories it may list). */
  caller: Caller;
}

/** Auth off: everything allowed, no one logged in. */
const OPEN: UiViewer = { subject: null, admin: false, actions: UNRESTRICTED.actions, caller: UNRESTRICTED };

/**
 * The caller of a UI API request. With auth on it must carry `Authorization: Bearer <access token>` from
 * the registry's token service (a user's or a robot's, never an anonymous one); its subject's grants are
 * read again on every request, so a disabled, removed or revoked account is refused at once (401).
 */
export async function uiViewer(call: RouteCall): Promise<UiViewer> {
  if (!call.auth) return OPEN;
  const { req } = call;
  const header = req.headers.authorization;
  if (!header) throw unauthorized(call, 'log in: the UI API takes a Bearer token from the token endpoint');
  let scheme: string;
  try {
    scheme = parseAuthorization(header).scheme;
  } catch {
    throw unauthorized(call, 'malformed Authorization header');
  }
  if (scheme !== 'bearer') throw unauthorized(call, 'the UI API takes a Bearer token from the token endpoint, not a password');
  let caller: Caller;
  try {
    caller = await call.auth.authenticator.authenticate(header, req.remoteAddress);
  } catch (err) {
    if (err instanceof OciError && err.code === 'UNAUTHORIZED') throw unauthorized(call, 'invalid or expired token: log in again');
    throw err;
  }
  if (caller.anonymous || (caller.kind !== 'user' && caller.kind !== 'robot') || !caller.subject) {
    throw unauthorized(call, 'log in: an anonymous token does not open the UI API');
  }
  let principal: Principal;
  try {
    principal = await call.auth.authenticator.principalOf(caller.kind, caller.subject);
  } catch (err) {
    if (err instanceof OciError && err.code === 'UNAUTHORIZED') throw unauthorized(call, 'the account is disabled, revoked or removed');
    throw err;
  }
  return viewerOf(principal);
}

/** The viewer of a request that may come without a login (GET /ui/api/session): null when it has none that works. */
export async function optionalUiViewer(call: RouteCall): Promise<UiViewer | null> {
  if (!call.auth) return OPEN;
  if (!call.req.headers.authorization) return null;
  try {
    return await uiViewer(call);
  } catch (err) {
    if (err instanceof OciError && err.code === 'UNAUTHORIZED') return null;
    throw err;
  }
}

function viewerOf(principal: Principal): UiViewer {
  return {
    subject: principal.subject, admin: principal.admin,
    actions: (repository) => allowedActions(principal, repository),
    caller: principalCaller(principal, 'basic'),
  };
}

// The Bearer challenge names no scope: any token of the account will do, its grants are read per request.
function unauthorized(call: RouteCall, message: string): OciError {
  const auth = call.auth!.deps;
  return new OciError('UNAUTHORIZED', message, { headers: { 'www-authenticate': challenge(realmOf(auth, call.req), auth.service) } });
}

/**
 * The repository if the viewer may pull it; NAME_UNKNOWN otherwise, exactly as for a repository that does
 * not exist: what a caller may not pull, it may not learn exists either.
 */
export function visibleRepository(viewer: UiViewer, repository: string): string {
  if (!viewer.actions(repository).includes('pull')) throw repositoryUnknown(repository);
  return repository;
}

/** DENIED unless the viewer holds `action` on a repository it may see (404 first when it may not). */
export function requireAction(viewer: UiViewer, repository: string, action: RepositoryAction): void {
  visibleRepository(viewer, repository);
  if (!viewer.actions(repository).includes(action)) {
    throw new OciError('DENIED', `${action} on ${repository} is not granted to you`, { detail: { name: repository, action } });
  }
}

/** DENIED for anyone but an administrator. */
export function requireAdmin(viewer: UiViewer): void {
  if (!viewer.admin) throw new OciError('DENIED', 'administrators only');
}

/** The 404 of a repository that does not exist or may not be seen. */
export function repositoryUnknown(repository: string): OciError {
  return new OciError('NAME_UNKNOWN', `repository ${repository} not found`, { detail: { name: repository } });
}
