/**
 * Anonymous pulls of mirrored repositories. Docker's daemon sends no credentials to a `registry-mirrors`
 * entry, so with auth on a mirror must let anyone pull what its rules fill from upstream, or the daemon
 * falls back to Docker Hub every time. The right is narrow: pull only, only names whose origin is mirrored
 * (filled, or not yet filled) under a rule with anonymousPull; never a local repository, even under the
 * root rule, and never push or delete. The Authorizer and the token endpoint both ask this one check.
 */
import type { RepositoryAction } from '../ports/auth-store';
import type { MirrorRule } from '../ports/mirror-store';
import type { Caller } from './caller';
import { AccessEntry, REPOSITORY_ACTIONS, Scope } from './scopes';

/** True when callers without rights of their own may pull `repository` (a mirror rule with anonymousPull fills it). */
export type MirrorPullCheck = (repository: string) => Promise<boolean>;

/** A repository's origin as the mirror reports it (core/mirror/mirror-rules.ts), reduced to what the check reads. */
export type MirrorOrigin = { kind: 'local' } | { kind: 'mirrored'; match: { rule: Pick<MirrorRule, 'anonymousPull'> } };

/** Repository scopes of one token request checked against the mirror at most (each check may read the table). */
export const MAX_MIRROR_CHECKS_PER_TOKEN = 10;

/**
 * The check, from the mirror's origin lookup (which caches settled origins briefly; an unfilled name is
 * looked up again each time, since a push may make it local and private).
 */
export function mirrorPullCheck(originOf: (repository: string) => Promise<MirrorOrigin>): MirrorPullCheck {
  return async (repository) => {
    const origin = await originOf(repository);
    return origin.kind === 'mirrored' && origin.match.rule.anonymousPull;
  };
}

/** The requirement is pull alone (manifest and blob GET/HEAD, tags list): the only one a mirror right can meet. */
export function pullOnly(actions: readonly RepositoryAction[]): boolean {
  return actions.length > 0 && actions.every((a) => a === 'pull');
}

/** The caller with pull added on `repositories` (what the mirror granted it for this request). */
export function withMirrorPull(caller: Caller, repositories: string[]): Caller {
  return {
    ...caller,
    actions: (repository) => {
      const held = caller.actions(repository);
      return repositories.includes(repository) && !held.includes('pull') ? REPOSITORY_ACTIONS.filter((a) => a === 'pull' || held.includes(a)) : held;
    },
  };
}

/**
 * A token's access with pull added where a requested scope asks pull on a mirrored name the principal
 * could not pull by its grants (at most MAX_MIRROR_CHECKS_PER_TOKEN such scopes are checked).
 */
export async function addMirrorPull(access: AccessEntry[], requested: Scope[], check: MirrorPullCheck | undefined): Promise<AccessEntry[]> {
  if (!check) return access;
  const pulling = (name: string) => access.some((a) => a.type === 'repository' && a.name === name && a.actions.includes('pull'));
  const candidates = requested
    .filter((s): s is Extract<Scope, { type: 'repository' }> => s.type === 'repository' && s.actions.includes('pull') && !pulling(s.name))
    .slice(0, MAX_MIRROR_CHECKS_PER_TOKEN);
  const allowed = await Promise.all(candidates.map((s) => check(s.name)));
  const out = access.map((a) => ({ ...a, actions: [...a.actions] })) as AccessEntry[];
  candidates.forEach((scope, i) => {
    if (!allowed[i]) return;
    const entry = out.find((a) => a.type === 'repository' && a.name === scope.name);
    if (entry && entry.type === 'repository') entry.actions = REPOSITORY_ACTIONS.filter((a) => a === 'pull' || entry.actions.includes(a));
    else out.push({ type: 'repository', name: scope.name, actions: ['pull'] });
  });
  return out;
}
