import { isGrantPattern, isRepositoryAction, orderedActions } from '../../auth/grant-edits';
import type { Grant, RepositoryAction } from '../../ports/auth-store';
import { invalid } from './json-body';

/** Grants one robot may be created with at most. */
const MAX_GRANTS = 50;

/** A grant pattern from a request, checked as the CLI checks it. */
export function patternInput(v: unknown): string {
  if (typeof v !== 'string' || !isGrantPattern(v)) {
    throw invalid('pattern must be a repository name (team/app), a prefix ending in /* (team/*), or *', { pattern: typeof v === 'string' ? v.slice(0, 80) : null });
  }
  return v;
}

/** Actions from a request: a non-empty list of pull, push, delete. */
export function actionsInput(v: unknown): RepositoryAction[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((a) => typeof a === 'string' && isRepositoryAction(a))) {
    throw invalid('actions must be a non-empty list of pull, push, delete');
  }
  return orderedActions(v as RepositoryAction[]);
}

/** A list of grants from a request: [{ pattern, actions }]. */
export function grantsInput(v: unknown): Grant[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_GRANTS) throw invalid(`grants must be a list of 1 to ${MAX_GRANTS} { pattern, actions }`);
  return v.map((g) => {
    if (!g || typeof g !== 'object') throw invalid('each grant is { pattern, actions }');
    const { pattern, actions } = g as Record<string, unknown>;
    return { pattern: patternInput(pattern), actions: actionsInput(actions) };
  });
}
