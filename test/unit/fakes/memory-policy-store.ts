import type { ImmutabilityRule, PolicyStore, RetentionPolicy } from '../../../lambda/ports/policy-store';

/** PolicyStore in memory (unit tests; integration uses DynamoDB Local). Lists come back sorted by pattern, as the adapter's. */
export class MemoryPolicyStore implements PolicyStore {
  readonly immutability = new Map<string, ImmutabilityRule>();
  readonly retention = new Map<string, RetentionPolicy>();
  /** How many list calls reached the store: the rule cache must keep this at one per period. */
  reads = 0;

  async putImmutability(rule: ImmutabilityRule) { this.immutability.set(rule.pattern, copy(rule)); }
  async deleteImmutability(pattern: string) { return this.immutability.delete(pattern); }
  async listImmutability() { this.reads++; return sorted(this.immutability).map(copy); }
  async putRetention(policy: RetentionPolicy) { this.retention.set(policy.pattern, { ...policy }); }
  async deleteRetention(pattern: string) { return this.retention.delete(pattern); }
  async listRetention() { this.reads++; return sorted(this.retention).map((p) => ({ ...p })); }
}

function sorted<T>(map: Map<string, T>): T[] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/** A copy, so a caller mutating what it got does not change the store (as with a real backend). */
function copy(rule: ImmutabilityRule): ImmutabilityRule {
  const { exclusions, ...rest } = rule;
  return exclusions && exclusions.length > 0 ? { ...rest, exclusions: [...exclusions] } : { ...rest };
}
