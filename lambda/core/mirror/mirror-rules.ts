import type { Catalog } from '../../ports/catalog';
import type { MirrorRule, MirrorStore } from '../../ports/mirror-store';
import { PeriodicValue, POLICY_CACHE_MS } from '../policies/rule-cache';
import { matchRule, RuleMatch } from './rule-match';

/**
 * Where a repository's content comes from. `local`: pushed here (or no rule covers it): the normal path,
 * never the upstream. `mirrored`: filled from the rule's upstream and read-only here; `marked` is false
 * while nothing has been filled yet (an unfilled name a rule covers; a push there creates a local one).
 */
export type RepositoryOrigin = { kind: 'local' } | { kind: 'mirrored'; match: RuleMatch; marked: boolean };

/** A repository's origin when mirrored. */
export type MirroredOrigin = Extract<RepositoryOrigin, { kind: 'mirrored' }>;

/** Writes a repository's mirror mark (before its first filled item) unless the origin says it has one. */
export type MarkRepository = (repository: string, origin: MirroredOrigin) => Promise<void>;

/** How long a host trusts a repository's origin it looked up (marks are never removed; local stays local). */
export const ORIGIN_CACHE_MS = 5_000;
/** Origins remembered per process at most (the oldest is forgotten first). */
const ORIGIN_CACHE_ENTRIES = 10_000;

const LOCAL: RepositoryOrigin = { kind: 'local' };

/**
 * The mirror rules (read at most once per POLICY_CACHE_MS per process) and the origin of repositories.
 * Local wins: a repository in the catalog without a mirror mark is local even where a rule matches. A mark
 * whose rule was removed makes the repository local again (its content stays, nothing is filled any more).
 */
export class MirrorRules {
  private readonly rules: PeriodicValue<MirrorRule[]>;
  /** Settled origins (local, or marked): an unmarked mirrored name is looked up again, a push may make it local. */
  private readonly settled = new Map<string, { at: number; origin: RepositoryOrigin }>();

  constructor(
    private readonly store: Pick<MirrorStore, 'listRules' | 'getMirrored'>,
    private readonly catalog: Pick<Catalog, 'repositoryExists'>,
    private readonly now: () => number,
  ) {
    this.rules = new PeriodicValue(() => store.listRules(), POLICY_CACHE_MS, now);
  }

  /** The rule covering a repository name (longest prefix), or null; says nothing about its origin. */
  async ruleFor(repository: string): Promise<RuleMatch | null> {
    return matchRule(await this.rules.get(), repository);
  }

  /**
   * Whether a repository is local or mirrored. No rule covering the name: local, without a read. Else one
   * mark read and one catalog read (in parallel), remembered for ORIGIN_CACHE_MS when settled.
   */
  async originOf(repository: string): Promise<RepositoryOrigin> {
    const rules = await this.rules.get();
    // No rule, or a local-only one, covers the name: local without a read (a mark from before is ignored).
    if (!matchRule(rules, repository)) return LOCAL;
    const cached = this.settled.get(repository);
    if (cached && this.now() - cached.at < ORIGIN_CACHE_MS) return this.withCurrentRules(cached.origin, rules, repository);
    const [mark, exists] = await Promise.all([this.store.getMirrored(repository), this.catalog.repositoryExists(repository)]);
    let origin: RepositoryOrigin;
    if (mark) {
      const rule = rules.find((r) => r.prefix === mark.prefix);
      origin = rule ? { kind: 'mirrored', match: { rule, upstreamName: repository.slice(rule.prefix.length) }, marked: true } : LOCAL;
    } else if (exists) {
      origin = LOCAL;
    } else {
      const match = matchRule(rules, repository);
      return match ? { kind: 'mirrored', match, marked: false } : LOCAL;
    }
    this.remember(repository, origin);
    return origin;
  }

  /** Records that this process marked a repository (its next lookups need no read). */
  marked(repository: string, match: RuleMatch): void {
    this.remember(repository, { kind: 'mirrored', match, marked: true });
  }

  /** A cached marked origin with the rule as currently configured (its upstream or TTL may have changed). */
  private withCurrentRules(origin: RepositoryOrigin, rules: MirrorRule[], repository: string): RepositoryOrigin {
    if (origin.kind === 'local' || !matchRule(rules, repository)) return LOCAL;
    const rule = rules.find((r) => r.prefix === origin.match.rule.prefix);
    return rule ? { ...origin, match: { ...origin.match, rule } } : LOCAL;
  }

  private remember(repository: string, origin: RepositoryOrigin): void {
    this.settled.delete(repository);
    if (this.settled.size >= ORIGIN_CACHE_ENTRIES) this.settled.delete(this.settled.keys().next().value!);
    this.settled.set(repository, { at: this.now(), origin });
  }
}
