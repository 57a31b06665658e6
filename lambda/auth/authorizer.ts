import type { RegistryRequest } from '../core/http/types';
import { OciError } from '../oci/errors';
import { parseName } from '../oci/names';
import { SESSION_SECRET_PARAM } from '../core/uploads/session-access';
import type { RepositoryAction } from '../ports/auth-store';
import type { AuthDeps } from './auth-config';
import type { Authenticator } from './authenticator';
import { Caller, principalCaller } from './caller';
import { formatScope, Scope } from './scopes';

/**
 * What a route needs from its caller: actions on the repository named by the route's `name`
 * parameter, the catalog, any valid credentials (GET /v2/), nothing (the token endpoint), or an upload
 * session's rights (push, except that a request without credentials may continue a session).
 */
export type Requirement =
  | { kind: 'repository'; actions: readonly RepositoryAction[] }
  | { kind: 'upload-session' }
  | { kind: 'catalog' }
  | { kind: 'login' }
  | { kind: 'public' };

/** The requirements routes declare, named once. */
export const NEEDS = {
  pull: { kind: 'repository', actions: ['pull'] },
  push: { kind: 'repository', actions: ['pull', 'push'] },
  delete: { kind: 'repository', actions: ['delete'] },
  uploadSession: { kind: 'upload-session' },
  catalog: { kind: 'catalog' },
  login: { kind: 'login' },
  public: { kind: 'public' },
} as const satisfies Record<string, Requirement>;

// Public routes (the token endpoint) authenticate by themselves.
const NOBODY = principalCaller({ subject: '', kind: 'anonymous', admin: false, catalog: false, grants: [] }, 'none');

/** The WWW-Authenticate value that sends a client to the token endpoint for `scope`. */
export function challenge(realm: string, service: string, scope?: Scope): string {
  const base = `Bearer realm="${realm}",service="${service}"`;
  return scope ? `${base},scope="${formatScope(scope)}"` : base;
}

/** The token endpoint's URL: STRATUS_AUTH_REALM, else from the request's Host and X-Forwarded-Proto. */
export function realmOf(auth: AuthDeps, req: RegistryRequest): string {
  if (auth.realm) return auth.realm;
  const proto = (req.headers['x-forwarded-proto'] ?? 'http').split(',')[0]!.trim().toLowerCase();
  const host = req.headers.host ?? '';
  const safeHost = /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? host : 'localhost';
  return `${proto === 'https' ? 'https' : 'http'}://${safeHost}/token`;
}

/** Decides, per request, whether the caller may do what the route needs (401 with a challenge, or 403). */
export class Authorizer {
  constructor(private readonly auth: AuthDeps, private readonly authenticator: Authenticator) {}

  /** The caller, once allowed; throws UNAUTHORIZED (with challenge), DENIED or TOOMANYREQUESTS. */
  async authorize(req: RegistryRequest, requirement: Requirement | undefined, params: Record<string, string>): Promise<Caller> {
    if (!requirement) throw new OciError('DENIED', 'no access rule for this route');
    if (requirement.kind === 'public') return NOBODY;
    const scope = this.scopeOf(requirement, params);
    let caller: Caller;
    try {
      caller = await this.authenticator.authenticate(req.headers.authorization, req.remoteAddress);
    } catch (err) {
      if (err instanceof OciError && err.code === 'UNAUTHORIZED') throw this.unauthorized(req, scope, err.message);
      throw err;
    }
    if (this.allowed(caller, requirement, params, req)) return caller;
    if (caller.anonymous) throw this.unauthorized(req, scope);
    throw new OciError('DENIED', undefined, { detail: scope ? [{ type: scope.type, name: scope.name, action: actionsOf(scope) }] : undefined });
  }

  private allowed(caller: Caller, requirement: Requirement, params: Record<string, string>, req: RegistryRequest): boolean {
    switch (requirement.kind) {
      case 'login': return !caller.anonymous;
      case 'catalog': return caller.catalog;
      case 'upload-session': {
        // Without credentials (containerd drops them for another upload host) the capability is the
        // session's secret from its Location, checked against the session by the upload routes.
        if (caller.anonymous) return req.query.has(SESSION_SECRET_PARAM);
        const held = caller.actions(parseName(params.name!));
        return held.includes('push') && held.includes('pull');
      }
      case 'repository': {
        const held = caller.actions(parseName(params.name!));
        return requirement.actions.every((a) => held.includes(a));
      }
      default: return true;
    }
  }

  private scopeOf(requirement: Requirement, params: Record<string, string>): Scope | undefined {
    switch (requirement.kind) {
      // The name checked is the one the route captured, validated: no encoding or case trick widens it.
      case 'repository': return { type: 'repository', name: parseName(params.name!), actions: [...requirement.actions] };
      case 'upload-session': return { type: 'repository', name: parseName(params.name!), actions: ['pull', 'push'] };
      case 'catalog': return { type: 'registry', name: 'catalog' };
      default: return undefined;
    }
  }

  private unauthorized(req: RegistryRequest, scope: Scope | undefined, message?: string): OciError {
    return new OciError('UNAUTHORIZED', message, {
      headers: { 'www-authenticate': challenge(realmOf(this.auth, req), this.auth.service, scope) },
      detail: scope ? [{ type: scope.type, name: scope.name, action: actionsOf(scope) }] : undefined,
    });
  }
}

function actionsOf(scope: Scope): string {
  return scope.type === 'registry' ? '*' : scope.actions.join(',');
}
