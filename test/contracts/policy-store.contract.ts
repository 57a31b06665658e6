/**
 * The PolicyStore contract: immutability rules and retention policies, each keyed by repository pattern.
 * Call it from a test file with a factory of fresh, empty stores.
 */
import type { ImmutabilityRule, PolicyStore, RetentionPolicy } from '../../lambda/ports/policy-store';

/** Fresh, empty policy stores. */
export type PolicyStoreFactory = () => Promise<PolicyStore>;

const teamRule: ImmutabilityRule = { pattern: 'team/*', mode: 'IMMUTABLE_WITH_EXCLUSION', exclusions: ['dev-*', 'latest'], updatedAt: 1_700_000_000_000 };
const exactRule: ImmutabilityRule = { pattern: 'team/app', mode: 'MUTABLE', updatedAt: 1_700_000_000_001 };
const everyRule: ImmutabilityRule = { pattern: '*', mode: 'IMMUTABLE', updatedAt: 1_700_000_000_002 };
const policyText = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }] });

/** Declares the PolicyStore contract tests for the stores `make` returns. */
export function policyStoreContract(name: string, make: PolicyStoreFactory): void {
  describe(`PolicyStore contract: ${name}`, () => {
    let store: PolicyStore;
    beforeEach(async () => { store = await make(); });

    describe('immutability rules', () => {
      it('listImmutability -> [] when there are none', async () => {
        expect(await store.listImmutability()).toEqual([]);
      });

      it('putImmutability then listImmutability returns every rule as stored, sorted by pattern', async () => {
        await store.putImmutability(teamRule);
        await store.putImmutability(exactRule);
        await store.putImmutability(everyRule);
        expect(await store.listImmutability()).toEqual([everyRule, teamRule, exactRule]);
      });

      it('putImmutability on an existing pattern replaces the rule (exclusions dropped when the new one has none)', async () => {
        await store.putImmutability(teamRule);
        const replaced: ImmutabilityRule = { pattern: 'team/*', mode: 'IMMUTABLE', updatedAt: 1_700_000_000_100 };
        await store.putImmutability(replaced);
        expect(await store.listImmutability()).toEqual([replaced]);
      });

      it('deleteImmutability -> true once, then false; the other rules stay', async () => {
        await store.putImmutability(teamRule);
        await store.putImmutability(everyRule);
        expect(await store.deleteImmutability('team/*')).toBe(true);
        expect(await store.deleteImmutability('team/*')).toBe(false);
        expect(await store.listImmutability()).toEqual([everyRule]);
      });

      it('a rule and a retention policy on the same pattern are separate', async () => {
        await store.putImmutability(teamRule);
        await store.putRetention({ pattern: 'team/*', policyText, updatedAt: 5 });
        expect(await store.deleteRetention('team/*')).toBe(true);
        expect(await store.listImmutability()).toEqual([teamRule]);
        expect(await store.listRetention()).toEqual([]);
      });

      it('a caller changing a listed rule does not change the store', async () => {
        await store.putImmutability(teamRule);
        const [listed] = await store.listImmutability();
        listed.exclusions!.push('x');
        expect(await store.listImmutability()).toEqual([teamRule]);
      });
    });

    describe('retention policies', () => {
      const team: RetentionPolicy = { pattern: 'team/*', policyText, updatedAt: 1_700_000_000_000 };
      const every: RetentionPolicy = { pattern: '*', policyText: '{"rules":[]}', updatedAt: 1_700_000_000_001 };

      it('listRetention -> [] when there are none', async () => {
        expect(await store.listRetention()).toEqual([]);
      });

      it('putRetention then listRetention returns the policy text exactly as written, sorted by pattern', async () => {
        await store.putRetention(team);
        await store.putRetention(every);
        expect(await store.listRetention()).toEqual([every, team]);
      });

      it('putRetention on an existing pattern replaces it; deleteRetention -> true once, then false', async () => {
        await store.putRetention(team);
        await store.putRetention({ ...team, policyText: '{"rules":[]}', updatedAt: 2 });
        expect(await store.listRetention()).toEqual([{ ...team, policyText: '{"rules":[]}', updatedAt: 2 }]);
        expect(await store.deleteRetention('team/*')).toBe(true);
        expect(await store.deleteRetention('team/*')).toBe(false);
        expect(await store.listRetention()).toEqual([]);
      });
    });
  });
}
