import type { MirroredRepository, MirrorRule, MirrorStore, TagCheck } from '../../../lambda/ports/mirror-store';

interface Lease {
  holder: string;
  until: number;
}

/** MirrorStore in memory (unit tests; integration uses DynamoDB Local). Rules list sorted by prefix, as the adapter's. */
export class MemoryMirrorStore implements MirrorStore {
  readonly rules = new Map<string, MirrorRule>();
  readonly marks = new Map<string, MirroredRepository>();
  readonly tagChecks = new Map<string, TagCheck>();
  readonly leases = new Map<string, Lease>();
  /** How many listRules calls reached the store: a rule cache must keep this low. */
  ruleReads = 0;
  /** How many acquireLease calls reached the store, and how many of them won. */
  leaseAttempts = 0;
  leasesWon = 0;

  async putRule(rule: MirrorRule) { this.rules.set(rule.prefix, { ...rule }); }
  async deleteRule(prefix: string) { return this.rules.delete(prefix); }
  async listRules() {
    this.ruleReads++;
    return [...this.rules.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0)).map((r) => ({ ...r }));
  }

  async getMirrored(repository: string) {
    const mark = this.marks.get(repository);
    return mark ? { ...mark } : null;
  }
  async markMirrored(mark: MirroredRepository) {
    if (!this.marks.has(mark.repository)) this.marks.set(mark.repository, { ...mark });
  }

  async getTagCheck(repository: string, tag: string) {
    const check = this.tagChecks.get(tagKey(repository, tag));
    return check ? { ...check } : null;
  }
  async putTagCheck(check: TagCheck) { this.tagChecks.set(tagKey(check.repository, check.tag), { ...check }); }

  async acquireLease(key: string, holder: string, now: number, ttlMs: number) {
    this.leaseAttempts++;
    const lease = this.leases.get(key);
    // The same condition as the DynamoDB adapter's conditional Put.
    if (lease && lease.holder !== holder && !(lease.until < now)) return false;
    this.leases.set(key, { holder, until: now + ttlMs });
    this.leasesWon++;
    return true;
  }
  async releaseLease(key: string, holder: string) {
    if (this.leases.get(key)?.holder === holder) this.leases.delete(key);
  }
}

function tagKey(repository: string, tag: string): string {
  return `${repository}\u0000${tag}`;
}
