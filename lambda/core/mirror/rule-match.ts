import { OciError } from '../../oci/errors';
import { parseName } from '../../oci/names';
import type { MirrorRule } from '../../ports/mirror-store';

/** A repository matched by a mirror rule, and its name at the upstream (the rule's prefix removed). */
export interface RuleMatch {
  rule: MirrorRule;
  upstreamName: string;
}

/**
 * The rule covering a repository: the longest prefix it starts with ('' covers every name). Null when no
 * rule does, when that rule is local-only (the name is the team's own), or when removing the prefix leaves
 * no name (`ghcr/` itself is not a repository of ghcr).
 */
export function matchRule(rules: readonly MirrorRule[], repository: string): RuleMatch | null {
  let best: MirrorRule | undefined;
  for (const rule of rules) {
    if (!repository.startsWith(rule.prefix) || repository.length === rule.prefix.length) continue;
    if (!best || rule.prefix.length > best.prefix.length) best = rule;
  }
  return best && !best.localOnly ? { rule: best, upstreamName: repository.slice(best.prefix.length) } : null;
}

/**
 * A rule's prefix as given by a user: '' or `/` for the root, else a repository path, stored with one
 * trailing '/' (`ghcr` and `ghcr/` are the same rule). NAME_INVALID for anything else.
 */
export function parseRulePrefix(input: string): string {
  const trimmed = input.replace(/\/+$/, '');
  if (trimmed === '') return '';
  return `${parseName(trimmed)}/`;
}

/**
 * An upstream registry's base URL: http(s), a host and an optional port, no path, query, fragment or
 * credentials (credentials go in a credentials reference, never in a URL that `mirror list` prints).
 */
export function parseUpstreamUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new OciError('UNSUPPORTED', `upstream ${JSON.stringify(input)} is not a URL: expected e.g. https://registry-1.docker.io`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OciError('UNSUPPORTED', `upstream ${input}: expected an http:// or https:// URL`);
  }
  if (url.username || url.password) {
    throw new OciError('UNSUPPORTED', `upstream ${url.host}: put credentials in a credentials reference, not in the URL`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new OciError('UNSUPPORTED', `upstream ${input}: expected a registry's base URL without a path (e.g. https://ghcr.io)`);
  }
  return `${url.protocol}//${url.host}`;
}
