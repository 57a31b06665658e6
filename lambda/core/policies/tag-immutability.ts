import { OciError } from '../../oci/errors';
import type { ImmutabilityRule, PolicyStore } from '../../ports/policy-store';
import { describeRule, immutabilityRuleFor, tagIsImmutable } from './immutability';
import { PeriodicValue, POLICY_CACHE_MS } from './rule-cache';

/** The immutability rules as one registry process sees them: read through a cache of POLICY_CACHE_MS. */
export class TagImmutability {
  private readonly rules?: PeriodicValue<ImmutabilityRule[]>;

  /** Without a policy store every tag is mutable. */
  constructor(store: PolicyStore | undefined, now: () => number, periodMs = POLICY_CACHE_MS) {
    if (store) this.rules = new PeriodicValue(() => store.listImmutability(), periodMs, now);
  }

  /** The rule that applies to a repository, if any. */
  async ruleFor(repository: string): Promise<ImmutabilityRule | undefined> {
    return this.rules ? immutabilityRuleFor(await this.rules.get(), repository) : undefined;
  }

  /** Which of these tags the repository's rule makes immutable, and that rule. */
  async immutableAmong(repository: string, tags: string[]): Promise<{ rule?: ImmutabilityRule; tags: string[] }> {
    if (tags.length === 0 || !this.rules) return { tags: [] };
    const rule = await this.ruleFor(repository);
    return { rule, tags: tags.filter((t) => tagIsImmutable(rule, t)) };
  }
}

/** The DENIED answer to moving (or deleting) an immutable tag: names the tag, the repository and the rule. */
export function immutableTagDenied(tag: string, repository: string, rule: ImmutabilityRule | undefined, action: 'push' | 'delete'): OciError {
  const ruleText = rule ? ` (rule ${describeRule(rule)})` : '';
  const advice = action === 'push' ? 'push a new tag instead' : 'it cannot be deleted while the rule applies';
  return new OciError('DENIED', `tag ${tag} in ${repository} is immutable${ruleText}; ${advice}`, { detail: { tag, repository, rule: rule?.pattern, mode: rule?.mode } });
}
