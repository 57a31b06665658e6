/**
 * The MirrorStore contract: upstream rules, repository marks, tag checks and leases. Call it from a test
 * file with a factory of fresh, empty stores.
 */
import type { MirrorRule, MirrorStore } from '../../lambda/ports/mirror-store';

/** Fresh, empty mirror stores. */
export type MirrorStoreFactory = () => Promise<MirrorStore>;

const T0 = 1_700_000_000_000;
const hubRule: MirrorRule = { prefix: '', upstream: 'https://registry-1.docker.io', tagTtlSeconds: 300, anonymousPull: true, createdAt: T0 };
const ghcrRule: MirrorRule = {
  prefix: 'ghcr/', upstream: 'https://ghcr.io', credentialsRef: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ghcr-AbCdEf',
  tagTtlSeconds: 60, anonymousPull: false, createdAt: T0 + 1,
};
const quayRule: MirrorRule = { prefix: 'quay/team/', upstream: 'http://127.0.0.1:5001', credentialsRef: 'quay', tagTtlSeconds: 0, anonymousPull: true, createdAt: T0 + 2 };
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

/** Declares the MirrorStore contract tests for the stores `make` returns. */
export function mirrorStoreContract(name: string, make: MirrorStoreFactory): void {
  describe(`MirrorStore contract: ${name}`, () => {
    let store: MirrorStore;
    beforeEach(async () => { store = await make(); });

    describe('rules', () => {
      it('listRules -> [] when there are none', async () => {
        expect(await store.listRules()).toEqual([]);
      });

      it('putRule then listRules returns every rule as stored (root prefix, credentialsRef, anonymousPull), sorted by prefix', async () => {
        await store.putRule(quayRule);
        await store.putRule(hubRule);
        await store.putRule(ghcrRule);
        const rules = await store.listRules();
        expect(rules).toEqual([hubRule, ghcrRule, quayRule]);
        expect('credentialsRef' in rules[0]!).toBe(false);
      });

      it('a local-only rule round-trips (localOnly, no upstream)', async () => {
        const local: MirrorRule = { prefix: 'team/', upstream: '', tagTtlSeconds: 0, anonymousPull: false, localOnly: true, createdAt: T0 + 3 };
        await store.putRule(local);
        await store.putRule(hubRule);
        expect(await store.listRules()).toEqual([hubRule, local]);
      });

      it('putRule on an existing prefix replaces the rule (credentialsRef dropped when the new one has none)', async () => {
        await store.putRule(ghcrRule);
        const replaced: MirrorRule = { prefix: 'ghcr/', upstream: 'https://ghcr.io', tagTtlSeconds: 600, anonymousPull: true, createdAt: T0 + 9 };
        await store.putRule(replaced);
        expect(await store.listRules()).toEqual([replaced]);
      });

      it('deleteRule -> true once, then false; the other rules stay', async () => {
        await store.putRule(hubRule);
        await store.putRule(ghcrRule);
        expect(await store.deleteRule('')).toBe(true);
        expect(await store.deleteRule('')).toBe(false);
        expect(await store.listRules()).toEqual([ghcrRule]);
      });

      it('a caller changing a listed rule does not change the store', async () => {
        await store.putRule(ghcrRule);
        const [listed] = await store.listRules();
        listed!.upstream = 'https://evil.example';
        expect(await store.listRules()).toEqual([ghcrRule]);
      });
    });

    describe('repository marks', () => {
      it('getMirrored -> null for a repository never marked', async () => {
        expect(await store.getMirrored('library/busybox')).toBeNull();
      });

      it('markMirrored then getMirrored returns the mark (root prefix too); other repositories stay unmarked', async () => {
        await store.markMirrored({ repository: 'library/busybox', prefix: '', since: T0 });
        await store.markMirrored({ repository: 'ghcr/org/app', prefix: 'ghcr/', since: T0 + 5 });
        expect(await store.getMirrored('library/busybox')).toEqual({ repository: 'library/busybox', prefix: '', since: T0 });
        expect(await store.getMirrored('ghcr/org/app')).toEqual({ repository: 'ghcr/org/app', prefix: 'ghcr/', since: T0 + 5 });
        expect(await store.getMirrored('library/busybox2')).toBeNull();
        expect(await store.getMirrored('library')).toBeNull();
      });

      it('markMirrored on a marked repository keeps the first mark', async () => {
        await store.markMirrored({ repository: 'library/busybox', prefix: '', since: T0 });
        await store.markMirrored({ repository: 'library/busybox', prefix: 'other/', since: T0 + 100 });
        expect(await store.getMirrored('library/busybox')).toEqual({ repository: 'library/busybox', prefix: '', since: T0 });
      });
    });

    describe('tag checks', () => {
      it('getTagCheck -> null for a tag never checked', async () => {
        expect(await store.getTagCheck('library/busybox', 'latest')).toBeNull();
      });

      it('putTagCheck then getTagCheck returns it; a later check replaces it; tags and repositories are separate', async () => {
        await store.putTagCheck({ repository: 'library/busybox', tag: 'latest', digest: DIGEST_A, checkedAt: T0 });
        await store.putTagCheck({ repository: 'library/busybox', tag: 'latest', digest: DIGEST_B, checkedAt: T0 + 300_000 });
        await store.putTagCheck({ repository: 'library/busybox', tag: '1.36', digest: DIGEST_A, checkedAt: T0 + 1 });
        expect(await store.getTagCheck('library/busybox', 'latest')).toEqual({ repository: 'library/busybox', tag: 'latest', digest: DIGEST_B, checkedAt: T0 + 300_000 });
        expect(await store.getTagCheck('library/busybox', '1.36')).toEqual({ repository: 'library/busybox', tag: '1.36', digest: DIGEST_A, checkedAt: T0 + 1 });
        expect(await store.getTagCheck('library/alpine', 'latest')).toBeNull();
      });

      it('a tag check and the repository mark live side by side', async () => {
        await store.markMirrored({ repository: 'library/busybox', prefix: '', since: T0 });
        await store.putTagCheck({ repository: 'library/busybox', tag: 'latest', digest: DIGEST_A, checkedAt: T0 });
        expect(await store.getMirrored('library/busybox')).toEqual({ repository: 'library/busybox', prefix: '', since: T0 });
        expect((await store.getTagCheck('library/busybox', 'latest'))?.digest).toBe(DIGEST_A);
      });
    });

    describe('leases', () => {
      const key = `blob#${DIGEST_A}`;

      it('acquireLease -> true for the first holder, false for another while it is unexpired', async () => {
        expect(await store.acquireLease(key, 'host-a', T0, 30_000)).toBe(true);
        expect(await store.acquireLease(key, 'host-b', T0 + 1_000, 30_000)).toBe(false);
        expect(await store.acquireLease(key, 'host-b', T0 + 30_000, 30_000)).toBe(false); // expires after T0 + 30 s, not at it
      });

      it('the holder renews its lease, which pushes its expiry forward', async () => {
        expect(await store.acquireLease(key, 'host-a', T0, 30_000)).toBe(true);
        expect(await store.acquireLease(key, 'host-a', T0 + 20_000, 30_000)).toBe(true);
        expect(await store.acquireLease(key, 'host-b', T0 + 40_000, 30_000)).toBe(false);
        expect(await store.acquireLease(key, 'host-b', T0 + 50_001, 30_000)).toBe(true);
      });

      it('another holder takes an expired lease; the old holder then cannot renew it', async () => {
        expect(await store.acquireLease(key, 'host-a', T0, 30_000)).toBe(true);
        expect(await store.acquireLease(key, 'host-b', T0 + 30_001, 30_000)).toBe(true);
        expect(await store.acquireLease(key, 'host-a', T0 + 30_002, 30_000)).toBe(false);
      });

      it('releaseLease frees the lease only for its holder', async () => {
        expect(await store.acquireLease(key, 'host-a', T0, 30_000)).toBe(true);
        await store.releaseLease(key, 'host-b');
        expect(await store.acquireLease(key, 'host-b', T0 + 1, 30_000)).toBe(false);
        await store.releaseLease(key, 'host-a');
        expect(await store.acquireLease(key, 'host-b', T0 + 2, 30_000)).toBe(true);
      });

      it('releaseLease of a lease nobody holds, or one taken over by another holder, is harmless', async () => {
        await store.releaseLease(key, 'host-a');
        expect(await store.acquireLease(key, 'host-a', T0, 1_000)).toBe(true);
        expect(await store.acquireLease(key, 'host-b', T0 + 2_000, 30_000)).toBe(true);
        await store.releaseLease(key, 'host-a'); // late: its lease expired and host-b has it now
        expect(await store.acquireLease(key, 'host-c', T0 + 3_000, 30_000)).toBe(false);
      });

      it('leases on different keys are independent', async () => {
        expect(await store.acquireLease(key, 'host-a', T0, 30_000)).toBe(true);
        expect(await store.acquireLease(`blob#${DIGEST_B}`, 'host-b', T0, 30_000)).toBe(true);
      });

      it('20 concurrent acquireLease calls by different holders -> exactly one true', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.acquireLease(key, `host-${i}`, T0, 30_000)),
        );
        expect(results.filter((won) => won)).toHaveLength(1);
        const winner = `host-${results.indexOf(true)}`;
        expect(await store.acquireLease(key, winner, T0 + 1, 30_000)).toBe(true);
        expect(await store.acquireLease(key, 'host-late', T0 + 1, 30_000)).toBe(false);
      });
    });
  });
}
