import { patternMatches } from '../../auth/grants';

// A repository name (the spec's grammar) optionally ending in /*, or * alone: the grant patterns.
const PATTERN = /^(\*|[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?:\/\*)?)$/;

/** True for a policy's repository pattern: `team/app` (one repository), `team/*` (everything under team/), `*`. */
export function isRepositoryPattern(pattern: string): boolean {
  return PATTERN.test(pattern);
}

/**
 * The policy of the most specific pattern covering a repository: an exact name first, then the longest
 * prefix pattern (`team/app/*` before `team/*`), then `*`; undefined when none covers it. Retention and
 * immutability resolve the same way, so one repository never falls under two policies of a kind.
 */
export function mostSpecific<T extends { pattern: string }>(policies: readonly T[], repository: string): T | undefined {
  let best: T | undefined;
  for (const p of policies) {
    if (!patternMatches(p.pattern, repository)) continue;
    if (!best || specificity(p.pattern) > specificity(best.pattern)) best = p;
  }
  return best;
}

/** Exact names outrank every prefix; longer prefixes outrank shorter; `*` (length 1) comes last. */
function specificity(pattern: string): number {
  return pattern.endsWith('*') ? pattern.length : Number.MAX_SAFE_INTEGER;
}
