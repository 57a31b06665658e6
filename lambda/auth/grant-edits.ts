import type { Grant, RepositoryAction } from '../ports/auth-store';
import { REPOSITORY_ACTIONS } from './scopes';

// A repository name (lower case, / separated) optionally ending in /*, or * alone.
const PATTERN = /^(\*|[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?:\/\*)?)$/;

/** Whether a grant pattern is valid: `team/app` (one repository), `team/*` (everything under team/), `*` (all). */
export function isGrantPattern(pattern: string): boolean {
  return pattern.length <= 256 && PATTERN.test(pattern);
}

/** Whether a word is a repository action (pull, push, delete). */
export function isRepositoryAction(action: string): action is RepositoryAction {
  return (REPOSITORY_ACTIONS as readonly string[]).includes(action);
}

/** Actions in the fixed order pull, push, delete, each once. */
export function orderedActions(actions: readonly RepositoryAction[]): RepositoryAction[] {
  return REPOSITORY_ACTIONS.filter((a) => actions.includes(a));
}

/** Grants with `actions` added on `pattern` (merged into an existing grant of the same pattern). */
export function addGrant(grants: Grant[], pattern: string, actions: RepositoryAction[]): Grant[] {
  const existing = grants.find((g) => g.pattern === pattern);
  if (!existing) return [...grants, { pattern, actions: orderedActions(actions) }];
  const merged = orderedActions([...existing.actions, ...actions]);
  return grants.map((g) => (g === existing ? { pattern, actions: merged } : g));
}

/** Grants without `actions` on `pattern` (all of them when `actions` is undefined). */
export function removeGrant(grants: Grant[], pattern: string, actions?: RepositoryAction[]): Grant[] {
  return grants
    .map((g) => (g.pattern !== pattern ? g : { pattern, actions: actions ? g.actions.filter((a) => !actions.includes(a)) : [] }))
    .filter((g) => g.actions.length > 0);
}
