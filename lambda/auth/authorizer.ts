import type { RegistryRequest } from '../shared/http-types';
import { OciError } from '../oci/errors';
import { parseName } from '../oci/names';
import type { RepositoryAction } from '../ports/auth-store';
import type { AuthDeps } from './auth-config';
import { Authenticator, parseAuthorization } from './authenticator';
import { Caller, principalCaller } from './caller';
import type { Principal } from './grants';
import { MirrorPullCheck, pullOnly, withMirrorPull } from './mirror-pull';
import { formatScope, Scope } from './scopes';
import { SESSION_SECRET_PARAM } from './upload-capability';

/**
 * What a route needs from its caller: actions on the repository named by the route's `name`
 * parameter, the catalog, any valid credentials (GET /v2/), nothing (the token endpoint), or an upload
 * session's rights (push, except that a request without credentials may continue a session).
 */
export type Requirement =
  /** `mountSource`: a `?mount=&from=<repo>` query asks pull on <repo> too (the handler mounts only with it). */
  | { kind: 'repository'; actions: readonly RepositoryAction[]; mountSource?: boolean }
  | { kind: 'upload-session' }
  | { kind: 'catalog' }
  | { kind: 'login' }
  | { kind: 'public' };

/** The requirements routes declare, named once. */
export const NEEDS = {
  pull: { kind: 'repository', actions: ['pull'] },
  push: { kind: 'repository', actions: ['pull', 'push'] },
  startUpload: { kind: 'repository', actions: ['pull', 'push'], mountSource: true },
  delete: { kind: 'repository', actions: ['delete'] },
  uploadSession: { kind: 'upload-session' },
  catalog: { kind: 'catalog' },
  login: { kind: 'login' },
  public: { kind: 'public' },
} as const satisfies Record<string, Requirement>;

// Public routes (the token endpoint) authenticate by themselves.
const NOBODY = principalCaller({ subject: '', kind: 'anonymous', admin: false, catalog: false, grants: [] }, 'none');

/**
 * The WWW-Authenticate value that sends a client to the token endpoint for `scopes` (space-separated in one
 * parameter, as distribution does); `insufficient_scope` tells a client holding a token to ask for a wider one.
 */
export function challenge(realm: string, service: string, scopes: Scope[] = [], error?: 'insufficient_scope'): string {
  let value = `Bearer realm="${realm}",service="${service}"`;
  if (scopes.length > 0) value += `,scope="${scopes.map(formatScope).join(' ')}"`;
  return error ? `${value},error="${error}"` : value;
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
  /** `mirrorPull`: anonymous pulls of mirrored repositories (mirror-pull.ts); absent = no mirror. */
  constructor(private readonly auth: AuthDeps, private readonly authenticator: Authenticator, private readonly mirrorPull?: MirrorPullCheck) {}

  /** The caller, once allowed; throws UNAUTHORIZED (with challenge), DENIED or TOOMANYREQUESTS. */
  async authorize(req: RegistryRequest, requirement: Requirement | undefined, params: Record<string, string>): Promise<Caller> {
    if (!requirement) throw new OciError('DENIED', 'no access rule for this route');
    if (requirement.kind === 'public') return NOBODY;
    const scopes = this.scopesOf(req, requirement, params);
    let caller: Caller;
    try {
      caller = await this.authenticator.authenticate(req.headers.authorization, req.remoteAddress);
    } catch (err) {
      // Basic credentials meant for another registry (a client configured for the mirror sends what it has
      // for docker.io) are no reason to refuse a pull everyone may make: they are treated as none.
      if (err instanceof OciError && (err.code === 'UNAUTHORIZED' || err.code === 'TOOMANYREQUESTS')
        && isBasic(req) && (await this.mirrorPullOn(requirement, params))) {
        return withMirrorPull(principalCaller(await this.authenticator.anonymous(), 'none'), [parseName(params.name!)]);
      }
      if (err instanceof OciError && err.code === 'UNAUTHORIZED') throw this.unauthorized(req, scopes, err.message);
      throw err;
    }
    if (this.allowed(caller, requirement, params, req)) return this.withMirroredMountSource(caller, requirement, req);
    if (await this.mirrorPullOn(requirement, params)) return withMirrorPull(caller, [parseName(params.name!)]);
    // An anonymous token lacking the right: a login would get a wider one. Said as Docker Hub says it, so
    // `docker pull` prints "pull access denied ... may require 'docker login'" (docker reads
    // insufficient_scope as DENIED; without it, "unauthorized: authentication required").
    if (caller.credentials === 'bearer' && caller.anonymous) {
      throw this.unauthorized(req, scopes, 'authentication required: an anonymous token does not grant this access, log in', 'insufficient_scope');
    }
    if (caller.credentials === 'bearer' && (await this.subjectCouldBeAllowed(caller, requirement, params, req))) {
      throw this.unauthorized(req, scopes, 'the token does not grant this access: ask the token endpoint for the scope challenged', 'insufficient_scope');
    }
    if (caller.anonymous) throw this.unauthorized(req, scopes);
    throw new OciError('DENIED', undefined, { detail: detailOf(scopes.slice(0, 1)) });
  }

  /**
   * Whether the subject of a token that lacks the right could get a token that has it, from its rights
   * now (re-read on this failure path only): a token asked too narrowly gets 401 insufficient_scope, while
   * a subject that may never do it (or no longer exists) gets 403.
   */
  private async subjectCouldBeAllowed(caller: Caller, requirement: Requirement, params: Record<string, string>, req: RegistryRequest): Promise<boolean> {
    let principal: Principal;
    try {
      principal = caller.kind === 'user' || caller.kind === 'robot'
        ? await this.authenticator.principalOf(caller.kind, caller.subject ?? '')
        : await this.authenticator.anonymous();
    } catch (err) {
      if (err instanceof OciError && err.code === 'UNAUTHORIZED') return false;
      throw err;
    }
    return this.allowed(principalCaller(principal, 'basic'), requirement, params, req);
  }

  /** Whether the requirement is a pull of a repository anyone may pull because a mirror rule fills it. */
  private async mirrorPullOn(requirement: Requirement, params: Record<string, string>): Promise<boolean> {
    if (!this.mirrorPull || requirement.kind !== 'repository' || !pullOnly(requirement.actions)) return false;
    return this.mirrorPull(parseName(params.name!));
  }

  /** A mount's source the caller may not pull by its grants, but anyone may (mirrored): the handler may mount from it. */
  private async withMirroredMountSource(caller: Caller, requirement: Requirement, req: RegistryRequest): Promise<Caller> {
    const source = this.mirrorPull && requirement.kind === 'repository' && requirement.mountSource ? mountSourceOf(req) : undefined;
    if (!source || caller.actions(source).includes('pull') || !(await this.mirrorPull!(source))) return caller;
    return withMirrorPull(caller, [source]);
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

  /** The route's scope and, for a mount, pull on its source: what a token must hold for this request. */
  private scopesOf(req: RegistryRequest, requirement: Requirement, params: Record<string, string>): Scope[] {
    const scope = this.scopeOf(requirement, params);
    if (!scope) return [];
    const source = requirement.kind === 'repository' && requirement.mountSource ? mountSourceOf(req) : undefined;
    return source && source !== scope.name ? [scope, { type: 'repository', name: source, actions: ['pull'] }] : [scope];
  }

  private unauthorized(req: RegistryRequest, scopes: Scope[], message?: string, error?: 'insufficient_scope'): OciError {
    return new OciError('UNAUTHORIZED', message, {
      headers: { 'www-authenticate': challenge(realmOf(this.auth, req), this.auth.service, scopes, error) },
      detail: detailOf(scopes),
    });
  }
}

function isBasic(req: RegistryRequest): boolean {
  try {
    return parseAuthorization(req.headers.authorization).scheme === 'basic';
  } catch {
    return false;
  }
}

// A source the API would refuse is no scope to ask for (the handler then starts a normal session, or 400).
function mountSourceOf(req: RegistryRequest): string | undefined {
  const from = req.query.get('from');
  if (!req.query.get('mount') || !from) return undefined;
  try {
    return parseName(from);
  } catch {
    return undefined;
  }
}

function detailOf(scopes: Scope[]): Array<{ type: string; name: string; action: string }> | undefined {
  if (scopes.length === 0) return undefined;
  return scopes.map((s) => ({ type: s.type, name: s.name, action: s.type === 'registry' ? '*' : s.actions.join(',') }));
}
