/**
 * The AuthStore contract: users, robots, anonymous grants and the login-attempt booking the lockout
 * policy relies on. Call it from a test file with a factory of fresh, empty stores.
 */
import { FAILURES_TTL_SECONDS, LOCK_THRESHOLD, lockDurationMs } from '../../lambda/auth/lockout-policy';
import type { AuthStore, RobotToken, User } from '../../lambda/ports/auth-store';

/** Fresh, empty auth stores whose clock is `now` (milliseconds since the epoch); the same `now` may be reused. */
export type AuthStoreFactory = (now: () => number) => Promise<AuthStore>;

const alice: User = {
  name: 'alice', passwordHash: '$2b$12$abcdefghijklmnopqrstuv', catalog: true, admin: false,
  grants: [{ pattern: 'team/*', actions: ['pull', 'push'] }],
};

const robot: RobotToken = {
  id: 'abc123', name: 'github-actions', secretHash: '$2b$10$xyz', createdAt: 1_700_000_000_000,
  grants: [{ pattern: 'ci/*', actions: ['push'] }], expiresAt: 1_700_000_100,
};

/** Declares the AuthStore contract tests for the stores `make` returns. */
export function authStoreContract(name: string, make: AuthStoreFactory): void {
  describe(`AuthStore contract: ${name}`, () => {
    // Near real time: a backend may apply TTL to items whose expiresAt lies in the real past.
    const realNow = Date.now();
    let clock = realNow;
    let store: AuthStore;
    beforeAll(async () => { store = await make(() => clock); });
    beforeEach(() => { clock = realNow; });

    describe('users', () => {
      it('getUser -> null for an unknown user', async () => {
        expect(await store.getUser('nobody')).toBeNull();
      });

      it('putUser then getUser returns the same user; putUser replaces', async () => {
        await store.putUser(alice);
        expect(await store.getUser('alice')).toEqual(alice);
        const changed: User = { ...alice, admin: true, disabled: true, grants: [], generation: 'g2' };
        await store.putUser(changed);
        expect(await store.getUser('alice')).toEqual(changed);
        await store.putUser(alice);
      });

      it('listUsers returns every user, sorted by name, and no robots', async () => {
        await store.putUser({ ...alice, name: 'bob' });
        await store.putRobot({ ...robot, id: 'r1', name: 'ci' });
        expect((await store.listUsers()).map((u) => u.name)).toEqual(['alice', 'bob']);
        expect((await store.listUsers())[0]).toEqual(alice);
      });

      it('deleteUser -> true once, then false', async () => {
        await store.putUser({ ...alice, name: 'carol' });
        expect(await store.deleteUser('carol')).toBe(true);
        expect(await store.deleteUser('carol')).toBe(false);
        expect(await store.getUser('carol')).toBeNull();
      });
    });

    describe('robots', () => {
      it('putRobot then getRobot returns it, expiry included; unknown -> null', async () => {
        await store.putRobot(robot);
        expect(await store.getRobot('abc123')).toEqual(robot);
        expect(await store.getRobot('missing')).toBeNull();
      });

      it('revoking is a putRobot with revoked: true; listRobots lists every robot and no users', async () => {
        await store.putRobot({ ...robot, revoked: true });
        expect((await store.getRobot('abc123'))!.revoked).toBe(true);
        expect((await store.listRobots()).map((r) => r.id).sort()).toEqual(['abc123', 'r1']);
      });
    });

    describe('anonymous grants', () => {
      it('are empty until set, then what was set; setting [] clears them', async () => {
        expect(await store.getAnonymousGrants()).toEqual([]);
        await store.setAnonymousGrants([{ pattern: 'public/*', actions: ['pull'] }]);
        expect(await store.getAnonymousGrants()).toEqual([{ pattern: 'public/*', actions: ['pull'] }]);
        await store.setAnonymousGrants([]);
        expect(await store.getAnonymousGrants()).toEqual([]);
      });
    });

    describe('login attempts (per account and client address)', () => {
      const A = '192.0.2.1';
      const B = '192.0.2.2';

      it(`attempts count up before they are checked; the ${LOCK_THRESHOLD}th locks; refused while locked; then longer locks`, async () => {
        const now = realNow;
        for (let i = 1; i < LOCK_THRESHOLD; i++) {
          expect(await store.beginLoginAttempt('dave', A, now)).toEqual({ allowed: true, failures: { count: i } });
        }
        const first = now + lockDurationMs(LOCK_THRESHOLD);
        expect(await store.beginLoginAttempt('dave', A, now)).toEqual({ allowed: true, failures: { count: LOCK_THRESHOLD, lockedUntil: first } });
        expect(await store.beginLoginAttempt('dave', A, first - 1000)).toEqual({ allowed: false, lockedUntil: first });
        const second = first + lockDurationMs(LOCK_THRESHOLD + 1);
        expect(await store.beginLoginAttempt('dave', A, first)).toEqual({ allowed: true, failures: { count: LOCK_THRESHOLD + 1, lockedUntil: second } });
        expect(await store.getLoginFailures('dave', A)).toEqual({ count: LOCK_THRESHOLD + 1, lockedUntil: second });
        expect(await store.beginLoginAttempt('dave', B, now)).toEqual({ allowed: true, failures: { count: 1 } });
      });

      it('lock lengths the store writes follow the policy: 30 s at the threshold, doubling, capped at 15 minutes', async () => {
        const at = realNow + 7_200_000; // well past the locks above
        for (let i = 1; i <= 10; i++) await store.beginLoginAttempt('hank', A, at);
        expect(await store.getLoginFailures('hank', A)).toEqual({ count: LOCK_THRESHOLD, lockedUntil: at + 30_000 });
        expect(lockDurationMs(LOCK_THRESHOLD + 4)).toBe(8 * 60_000);
        expect(lockDurationMs(LOCK_THRESHOLD + 5)).toBe(15 * 60_000);
        expect(lockDurationMs(40)).toBe(15 * 60_000);
      });

      it(`20 concurrent attempts: exactly ${LOCK_THRESHOLD} are allowed, the rest refused`, async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () => store.beginLoginAttempt('erin', A, realNow)));
        expect(results.filter((r) => r.allowed)).toHaveLength(LOCK_THRESHOLD);
        expect((await store.getLoginFailures('erin', A))!.count).toBe(LOCK_THRESHOLD);
      });

      it('clearLoginFailures forgets them (for that address only)', async () => {
        await store.beginLoginAttempt('frank', A, realNow);
        await store.beginLoginAttempt('frank', B, realNow);
        await store.clearLoginFailures('frank', A);
        expect(await store.getLoginFailures('frank', A)).toBeNull();
        expect(await store.getLoginFailures('frank', B)).toEqual({ count: 1 });
      });

      it('after FAILURES_TTL_SECONDS they are gone on read (though still stored), and counting starts again', async () => {
        for (let i = 0; i < LOCK_THRESHOLD; i++) await store.beginLoginAttempt('gina', A, realNow);
        clock = realNow + FAILURES_TTL_SECONDS * 1000 + 1000;
        expect(await store.getLoginFailures('gina', A)).toBeNull();
        expect(await store.beginLoginAttempt('gina', A, clock)).toEqual({ allowed: true, failures: { count: 1 } });
      });
    });
  });
}
