import { parseName } from '../oci/names';
import type { RepositoryAction } from '../ports/auth-store';

/** Every action a repository scope can name; `*` in a request means all of them. */
export const REPOSITORY_ACTIONS: readonly RepositoryAction[] = ['pull', 'push', 'delete'];

/** One entry of a token's `access` claim (the Docker token spec's shape). */
export type AccessEntry =
  | { type: 'repository'; name: string; actions: RepositoryAction[] }
  | { type: 'registry'; name: 'catalog'; actions: ['*'] };

/** What a request asks for or a route needs: actions on one repository, or the catalog. */
export type Scope =
  | { type: 'repository'; name: string; actions: RepositoryAction[] }
  | { type: 'registry'; name: 'catalog' };

// A name in a scope may carry a registry host ("host:port/name" is not a valid name; distribution rejects it too).
const REPOSITORY_SCOPE = /^repository(?:\([a-z0-9]+\))?:([^:]+):([a-z*,]*)$/;

/**
 * Parses one scope string: `repository:<name>:<actions>` (pull, push, delete or `*`, comma-separated)
 * or `registry:catalog:*`. Unknown actions are dropped; an unparsable scope, or one whose name the API
 * would refuse (names.ts), is null (ignored, as distribution's token servers do).
 */
export function parseScope(value: string): Scope | null {
  if (value === 'registry:catalog:*') return { type: 'registry', name: 'catalog' };
  const m = REPOSITORY_SCOPE.exec(value);
  // The API's own name grammar: a token never lists a name no route could serve (`a/../b`, `*`, `a/`).
  if (!m || !validName(m[1]!)) return null;
  const actions = new Set<RepositoryAction>();
  for (const a of m[2]!.split(',')) {
    if (a === '*') REPOSITORY_ACTIONS.forEach((x) => actions.add(x));
    else if ((REPOSITORY_ACTIONS as readonly string[]).includes(a)) actions.add(a as RepositoryAction);
  }
  return { type: 'repository', name: m[1]!, actions: REPOSITORY_ACTIONS.filter((a) => actions.has(a)) };
}

function validName(name: string): boolean {
  try {
    parseName(name);
    return true;
  } catch {
    return false;
  }
}

/** Parses every `scope` parameter (repeatable, and each may hold several space-separated scopes). */
export function parseScopes(values: string[]): Scope[] {
  const out: Scope[] = [];
  for (const v of values) {
    for (const part of v.split(' ')) {
      const scope = part ? parseScope(part) : null;
      if (scope) out.push(scope);
    }
  }
  return mergeScopes(out);
}

/** Joins scopes on the same repository (union of actions); the catalog appears once. */
export function mergeScopes(scopes: Scope[]): Scope[] {
  const repos = new Map<string, Set<RepositoryAction>>();
  let catalog = false;
  for (const s of scopes) {
    if (s.type === 'registry') catalog = true;
    else {
      const set = repos.get(s.name) ?? new Set<RepositoryAction>();
      s.actions.forEach((a) => set.add(a));
      repos.set(s.name, set);
    }
  }
  const out: Scope[] = [...repos].map(([name, set]) => ({
    type: 'repository' as const, name, actions: REPOSITORY_ACTIONS.filter((a) => set.has(a)),
  }));
  if (catalog) out.push({ type: 'registry', name: 'catalog' });
  return out;
}

/** The scope string of a requirement, as put into a WWW-Authenticate challenge. */
export function formatScope(scope: Scope): string {
  return scope.type === 'registry' ? 'registry:catalog:*' : `repository:${scope.name}:${scope.actions.join(',')}`;
}
