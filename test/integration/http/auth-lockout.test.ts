/**
 * Lockout after failed logins, on the real DynamoDB Local: counted per account and client address, so an
 * attacker throttles only itself; reserved before the password is checked, so parallel guesses cannot
 * slip past the threshold; and honest clients (containerd repeating a wrong password, a user who mistypes
 * now and then) are never locked.
 */
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser } from './auth-helpers';
import { fromAddress, LOGIN_FORMS } from './from-address';

let registry: TestRegistry;
const HONEST = '127.0.0.1';
const ATTACKER = '127.0.0.2';
const robotSecret = 'r0bot-secret-for-the-lockout-test';

beforeAll(async () => {
  // The per-address rate limit is tested elsewhere (auth-rate-limit): here it must not be what answers 429.
  registry = await startTestRegistry({ auth: { loginRate: { burst: 1000, perSecond: 1000 } } });
  const store = registry.auth!.store;
  for (const name of ['dave1', 'dave2', 'dave3', 'race', 'ctr', 'typo']) await addUser(store, name, `${name}-right-pw`, []);
  const { hashPassword } = await import('../../../lambda/auth/passwords');
  await store.putRobot({ id: 'cirobot', name: 'ci', secretHash: await hashPassword(robotSecret, 4), grants: [], createdAt: Date.now() });
});
afterAll(async () => registry?.stop());

const statuses = (rs: Array<{ status: number }>) => rs.map((r) => r.status);

describe('lockout is per account and client address', () => {
  it.each(Object.entries(LOGIN_FORMS).map(([form, login], i) => [form, login, `dave${i + 1}`] as const))(
    '%s: five wrong passwords from one address -> 429 there, while the right password from another address -> 200',
    async (_form, login, user) => {
      const wrong = [];
      for (let i = 0; i < 5; i++) wrong.push(await login(ATTACKER, registry.url, user, `guess-${i}`));
      expect(statuses(wrong)).toEqual([401, 401, 401, 401, 401]);
      const throttled = await login(ATTACKER, registry.url, user, 'guess-5');
      expect(throttled.status).toBe(429);
      expect(JSON.parse(throttled.body).errors[0].code).toBe('TOOMANYREQUESTS');
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect((await login(HONEST, registry.url, user, `${user}-right-pw`)).status).toBe(200);
    },
  );

  it('a robot whose id is public (token sub) cannot be locked from another address', async () => {
    const login = LOGIN_FORMS['GET /token (Basic)'];
    for (let i = 0; i < 6; i++) await login(ATTACKER, registry.url, 'x', `cirobot.wrong-${i}`);
    expect((await login(ATTACKER, registry.url, 'x', `cirobot.wrong-7`)).status).toBe(429);
    expect((await login(HONEST, registry.url, 'ci', `cirobot.${robotSecret}`)).status).toBe(200);
  });

  it('20 parallel wrong passwords from one address: at most 5 are checked (401), the rest 429', async () => {
    const login = LOGIN_FORMS['POST /token (password grant)'];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => login(ATTACKER, registry.url, 'race', `parallel-${i}`)));
    const checked = statuses(results).filter((s) => s === 401).length;
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(5);
    expect(statuses(results).filter((s) => s === 429)).toHaveLength(20 - checked);
    // The attacking address stays throttled, even with the right password.
    expect((await login(ATTACKER, registry.url, 'race', 'race-right-pw')).status).toBe(429);
  });
});

describe('honest clients are not locked out', () => {
  it('one wrong password sent again from the same address (ctr tries GET then POST /token) counts once', async () => {
    const get = LOGIN_FORMS['GET /token (Basic)'];
    const post = LOGIN_FORMS['POST /token (password grant)'];
    const seen = [];
    for (let i = 0; i < 4; i++) {
      seen.push(await get(HONEST, registry.url, 'ctr', `old-password-${i}`));
      seen.push(await post(HONEST, registry.url, 'ctr', `old-password-${i}`));
      seen.push(await get(HONEST, registry.url, 'ctr', `old-password-${i}`));
    }
    expect(statuses(seen)).toEqual(Array(12).fill(401));
    expect((await post(HONEST, registry.url, 'ctr', 'ctr-right-pw')).status).toBe(200);
  });

  it('a user who mistypes now and then, logging in successfully in between, is never locked', async () => {
    const login = LOGIN_FORMS['GET /token (Basic)'];
    const seen = [];
    for (let i = 0; i < 8; i++) {
      seen.push(await login(HONEST, registry.url, 'typo', `typo-${i}`));
      // From the second round on this success is answered from the one-minute login cache.
      seen.push(await login(HONEST, registry.url, 'typo', 'typo-right-pw'));
    }
    expect(statuses(seen)).toEqual(Array(8).fill([401, 200]).flat());
  });
});

describe('the attacker stays throttled', () => {
  it('after the lock the address gets one more guess, then a longer lock', async () => {
    // Checked on the store directly: the waits (30 s, then 60 s) are too long for the suite.
    const store = registry.auth!.store;
    const now = Date.now();
    for (let i = 0; i < 5; i++) expect((await store.beginLoginAttempt('probe', ATTACKER, now)).allowed).toBe(true);
    expect(await store.beginLoginAttempt('probe', ATTACKER, now + 1_000)).toEqual({ allowed: false, lockedUntil: now + 30_000 });
    expect(await store.beginLoginAttempt('probe', HONEST, now + 1_000)).toMatchObject({ allowed: true, failures: { count: 1 } });
    const after = now + 30_001;
    expect(await store.beginLoginAttempt('probe', ATTACKER, after)).toEqual({ allowed: true, failures: { count: 6, lockedUntil: after + 60_000 } });
    expect(await store.beginLoginAttempt('probe', ATTACKER, after + 1)).toEqual({ allowed: false, lockedUntil: after + 60_000 });
    await store.clearLoginFailures('probe', ATTACKER);
    expect(await store.beginLoginAttempt('probe', ATTACKER, after + 2)).toMatchObject({ allowed: true, failures: { count: 1 } });
  });
});
