import { clientAddress } from '../../../lambda/auth/client-address';
import { LoginRateLimit } from '../../../lambda/auth/login-rate-limit';
import type { PasswordChecker } from '../../../lambda/auth/passwords';
import { RefusalLog } from '../../../lambda/auth/refusal-log';
import { defaultConfig } from '../../../lambda/core/config';
import { silentLogger } from '../../../lambda/shared/logger';
import { createRegistry } from '../../../lambda/core/registry';
import { generateSigningKey } from '../../../lambda/auth/signing-keys/generate';
import { MemoryAuthStore } from '../fakes/memory-auth-store';
import { MemoryBlobStore } from '../fakes/memory-blob-store';
import { MemoryMetadataStore } from '../fakes/memory-metadata-store';
import { sender } from '../fakes/registry-under-test';
import { addUser, basic } from './auth-fixture';

describe('clientAddress', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    [undefined, 'unknown'],
    ['not an address', 'unknown'],
  ])('%s -> %s (an IPv6 host is counted by its /64)', (remote, expected) => {
    expect(clientAddress(remote)).toBe(expected);
  });
});

describe('LoginRateLimit', () => {
  it('allows a burst, then one per 1/perSecond seconds; a refund gives a check back; addresses are separate', () => {
    const limit = new LoginRateLimit({ burst: 2, perSecond: 0.5 });
    expect([limit.take('a', 0), limit.take('a', 0), limit.take('a', 0)]).toEqual([0, 0, 2]);
    expect(limit.take('b', 0)).toBe(0);
    expect(limit.take('a', 2_000)).toBe(0);
    limit.refund('a', 2_000);
    expect(limit.take('a', 2_000)).toBe(0);
    expect(limit.take('a', 2_000)).toBe(2);
  });
});

describe('RefusalLog', () => {
  it('logs the first refusal of a key at once, then at most one line a minute with the count since', () => {
    const lines: number[] = [];
    const log = new RefusalLog(60_000);
    for (let t = 0; t < 30; t++) log.note('k', t * 1000, (n) => lines.push(n));
    log.note('other', 0, (n) => lines.push(-n));
    log.note('k', 61_000, (n) => lines.push(n));
    expect(lines).toEqual([1, -1, 30]);
  });
});

describe('Authenticator on fakes: the rate limit comes before any password check', () => {
  it('-> 429 TOOMANYREQUESTS with Retry-After, and the checker is not called for refused attempts', async () => {
    const store = new MemoryAuthStore();
    await addUser(store, 'amy', 'amy-pw', []);
    let checks = 0;
    const counting: PasswordChecker = { compare: async () => { checks++; return false; } };
    const now = Date.UTC(2030, 0, 1);
    const keys = { current: await generateSigningKey(now), previous: [] };
    const send = sender(createRegistry({
      blobs: new MemoryBlobStore(defaultConfig.minPartSize), meta: new MemoryMetadataStore(), logger: silentLogger, config: defaultConfig,
      now: () => now,
      auth: {
        store, keys: async () => keys, service: 'stratus', tokenTtlSeconds: 300, refreshTtlSeconds: 86400,
        passwords: counting, loginRate: { burst: 3, perSecond: 1 },
      },
    }));
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await send('GET', '/token', { headers: basic(`guess-${i}`, 'pw') })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    expect(checks).toBe(3);
    const limited = await send('GET', '/token', { headers: basic('amy', 'amy-pw') });
    expect(limited.status).toBe(429);
    expect(limited.json().errors[0].code).toBe('TOOMANYREQUESTS');
    expect(limited.headers['retry-after']).toBe('1');
  });
});
