/**
 * A wrong password for an existing user and any password for an unknown user take the same time, so
 * the time of a 401 does not tell which user names exist. The user is made with the real bcrypt cost.
 */
import { hashPassword } from '../../../lambda/auth/passwords';
import { startTestRegistry, TestRegistry } from '../harness';
import { fromAddress } from './from-address';

let registry: TestRegistry;

beforeAll(async () => {
  registry = await startTestRegistry({ auth: {} });
  // The real cost (what `npx stratus user add` uses), not the suite's cheap cost 4.
  await registry.auth!.store.putUser({ name: 'tess', passwordHash: await hashPassword('tess-right-password'), grants: [], catalog: false, admin: false });
});
afterAll(async () => registry?.stop());

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

it('GET /token: a wrong password of an existing user and an unknown user take the same time (medians within 25 %)', async () => {
  const existing: number[] = [];
  const unknown: number[] = [];
  const tryExisting = (i: number) => fromAddress(`127.0.1.${i + 1}`, registry.url, '/token?service=stratus', { headers: basic('tess', `wrong-${i}`) });
  const tryUnknown = (i: number) => fromAddress(`127.0.2.${i + 1}`, registry.url, '/token?service=stratus', { headers: basic(`nobody-${i}`, `wrong-${i}`) });
  // Interleaved, in alternating order, each from an address of its own (so no lockout answers early);
  // the first pair warms up. Before the dummy hash had the real cost: 290 ms against 85 ms.
  for (let i = 0; i < 8; i++) {
    const b = i % 2 === 1 ? await tryUnknown(i) : undefined;
    const a = await tryExisting(i);
    const c = b ?? (await tryUnknown(i));
    expect([a.status, c.status]).toEqual([401, 401]);
    if (i > 0) {
      existing.push(a.ms);
      unknown.push(c.ms);
    }
  }
  const [e, u] = [median(existing), median(unknown)];
  expect(Math.abs(e - u)).toBeLessThan(0.25 * Math.max(e, u));
});
