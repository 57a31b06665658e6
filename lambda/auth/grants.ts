import type { Grant, RepositoryAction } from '../ports/auth-store';
import { AccessEntry, REPOSITORY_ACTIONS, Scope } from './scopes';

/** Whose rights are being resolved: a user, a robot token or the anonymous caller. */
export interface Principal {
  /** The token `sub`: a user name, `robot:<id>`, or '' for anonymous. */
  subject: string;
  kind: 'user' | 'robot' | 'anonymous';
  admin: boolean;
  /** May list the catalog. */
  catalog: boolean;
  grants: Grant[];
  /** A user's credential generation (see credential-generation.ts), put into its refresh tokens. */
  generation?: string;
}

/** True when a grant pattern covers a repository: `*` everything, `team/*` team/x and team/x/y, else exact. */
export function patternMatches(pattern: string, repository: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('/*')) return repository.startsWith(pattern.slice(0, -1));
  return pattern === repository;
}

/** The actions a principal holds on a repository: the union of its matching grants (admins: all). */
export function allowedActions(principal: Principal, repository: string): RepositoryAction[] {
  if (principal.admin) return [...REPOSITORY_ACTIONS];
  const held = new Set<RepositoryAction>();
  for (const g of principal.grants) {
    if (patternMatches(g.pattern, repository)) g.actions.forEach((a) => held.add(a));
  }
  return REPOSITORY_ACTIONS.filter((a) => held.has(a));
}

/** The patterns under which a principal may pull (what the catalog may show it). */
export function pullPatterns(principal: Principal): string[] {
  if (principal.admin) return ['*'];
  return principal.grants.filter((g) => g.actions.includes('pull')).map((g) => g.pattern);
}

/** What to put in a token: each requested scope intersected with what the principal holds. */
export function grantAccess(principal: Principal, requested: Scope[]): AccessEntry[] {
  const out: AccessEntry[] = [];
  for (const scope of requested) {
    if (scope.type === 'registry') {
      if (principal.admin || principal.catalog) out.push({ type: 'registry', name: 'catalog', actions: ['*'] });
      continue;
    }
    const held = allowedActions(principal, scope.name);
    const actions = scope.actions.filter((a) => held.includes(a));
    if (actions.length > 0) out.push({ type: 'repository', name: scope.name, actions });
  }
  return out;
}
