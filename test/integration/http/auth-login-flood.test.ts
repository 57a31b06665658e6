/**
 * A flood of logins must not slow down everyone else: password checks run off the request-handling
 * thread, and each client address gets a bounded number of them (429 before any hash is computed).
 */
import { randomUUID } from 'node:crypto';
import { startTestRegistry, TestRegistry } from '../harness';
import { fromAddress } from './from-address';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('password checks do not block request handling', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry({ auth: { loginRate: { burst: 1000, perSecond: 1000 } } });
  });
  afterAll(async () => registry?.stop());

  it('GET /v2/ answers in a few ms while 4 clients send logins with made-up names', async () => {
    let flooding = true;
    const flood = async (from: string) => {
      while (flooding) await fromAddress(from, registry.url, '/token?service=stratus', { headers: basic(randomUUID(), 'guess') });
    };
    const clients = ['127.0.3.1', '127.0.3.2', '127.0.3.3', '127.0.3.4'].map(flood);
    await new Promise((r) => setTimeout(r, 500)); // the flood is under way (and the hashing threads started)
    const latencies: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await fromAddress('127.0.0.1', registry.url, '/v2/');
      expect(res.status).toBe(401);
      latencies.push(res.ms);
      await new Promise((r) => setTimeout(r, 20));
    }
    flooding = false;
    await Promise.all(clients);
    expect(median(latencies)).toBeLessThan(25);
  });
});

describe('per-address login rate limit', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry({ auth: { loginRate: { burst: 3, perSecond: 0.5 } } });
  });
  afterAll(async () => registry?.stop());

  it('-> 429 TOOMANYREQUESTS with Retry-After once an address used its checks, answered before any hash; other addresses unaffected', async () => {
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push(await fromAddress('127.0.4.1', registry.url, '/token?service=stratus', { headers: basic(`who-${i}`, 'guess') }));
    expect(seen.map((r) => r.status)).toEqual([401, 401, 401, 429, 429]);
    const limited = seen[4]!;
    expect(JSON.parse(limited.body).errors[0].code).toBe('TOOMANYREQUESTS');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // A check of an unknown name costs a full bcrypt (cost 12, 100+ ms here); the refusal costs none.
    expect(Math.min(...seen.slice(0, 3).map((r) => r.ms))).toBeGreaterThan(60);
    expect(limited.ms).toBeLessThan(50);
    expect((await fromAddress('127.0.4.2', registry.url, '/token?service=stratus', { headers: basic('who', 'guess') })).status).toBe(401);
  });

  it('anonymous requests and requests with a Bearer token are never limited', async () => {
    for (let i = 0; i < 6; i++) expect((await fromAddress('127.0.4.1', registry.url, '/token?service=stratus')).status).toBe(200);
  });
});
