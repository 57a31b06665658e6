import type { RepositoryAction } from '../ports/auth-store';
import { allowedActions, patternMatches, Principal, pullPatterns } from './grants';
import { REPOSITORY_ACTIONS } from './scopes';
import type { AccessClaims, SubjectKind } from './tokens';

/** The caller of one request, as authorization and the handlers see it. */
export interface Caller {
  /** How the request authenticated: no credentials, a Basic header, or a Bearer token. */
  credentials: 'none' | 'basic' | 'bearer';
  /** Whether this is the anonymous caller (no credentials, or a token issued without any). */
  anonymous: boolean;
  /** The token `sub` (user name, `robot:<id>`, '' anonymous); undefined when auth is off. */
  subject?: string;
  /** Whose credentials these are; undefined when auth is off. */
  kind?: SubjectKind;
  /** The actions the caller holds on a repository. */
  actions(repository: string): RepositoryAction[];
  /** May list the catalog. */
  catalog: boolean;
  /** May see the repository in the catalog (it may pull it). */
  listable(repository: string): boolean;
  /** Epoch seconds after which the credentials are dead (Bearer tokens). */
  expiresAt?: number;
}

/** The caller when auth is off: everything allowed, nothing bound to a subject. */
export const UNRESTRICTED: Caller = {
  credentials: 'none', anonymous: true, catalog: true,
  actions: () => [...REPOSITORY_ACTIONS], listable: () => true,
};

/** A caller whose rights come from grants (Basic credentials, or none). */
export function principalCaller(principal: Principal, credentials: 'none' | 'basic'): Caller {
  const patterns = pullPatterns(principal);
  return {
    credentials, anonymous: principal.kind === 'anonymous', subject: principal.subject, kind: principal.kind,
    catalog: principal.admin || principal.catalog,
    actions: (repository) => allowedActions(principal, repository),
    listable: (repository) => patterns.some((p) => patternMatches(p, repository)),
  };
}

/** A caller whose rights are exactly a verified token's access claim. */
export function tokenCaller(claims: AccessClaims): Caller {
  const patterns = claims.catalogPatterns ?? [];
  return {
    credentials: 'bearer', anonymous: claims.kind === 'anonymous', subject: claims.sub, kind: claims.kind, expiresAt: claims.exp,
    catalog: claims.access.some((a) => a.type === 'registry' && a.name === 'catalog'),
    actions: (repository) => {
      const held = new Set<RepositoryAction>();
      for (const a of claims.access) if (a.type === 'repository' && a.name === repository) a.actions.forEach((x) => held.add(x));
      return REPOSITORY_ACTIONS.filter((x) => held.has(x));
    },
    listable: (repository) => patterns.some((p) => patternMatches(p, repository)),
  };
}
