/**
 * What failed logins write to the log: a name that is no account (perhaps a password typed into the
 * name field) only shortened, and refusals of a locked account aggregated instead of one line each.
 */
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser } from './auth-helpers';
import { LOGIN_FORMS } from './from-address';

let registry: TestRegistry;
const lines: Array<Record<string, unknown>> = [];
const capture = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push({ level, message, ...fields });
const login = LOGIN_FORMS['GET /token (Basic)'];

beforeAll(async () => {
  registry = await startTestRegistry({
    auth: { loginRate: { burst: 1000, perSecond: 1000 } },
    logger: { info: capture('info'), warn: capture('warn'), error: capture('error') },
  });
  await addUser(registry.auth!.store, 'erin', 'erin-right-pw', []);
});
afterAll(async () => registry?.stop());

it('a failed login with an unknown name never logs (nor stores) that name, only a shortened form; a known account is named', async () => {
  const typedPassword = 'Tr0ub4dor&3-correct-horse';
  expect((await login('127.0.5.1', registry.url, typedPassword, 'erin-right-pw')).status).toBe(401);
  expect((await login('127.0.5.1', registry.url, 'erin', 'not-erins-password')).status).toBe(401);
  const failed = lines.filter((l) => l.message === 'login failed');
  expect(JSON.stringify(lines)).not.toContain(typedPassword);
  expect(JSON.stringify(lines)).not.toContain(typedPassword.slice(0, 6));
  expect(failed).toContainEqual(expect.objectContaining({ account: 'Tr…(25 characters, no such account)', remote: '127.0.5.1' }));
  expect(failed).toContainEqual(expect.objectContaining({ account: 'erin', remote: '127.0.5.1', failures: 1 }));
  // Its failures are counted under a keyed hash, not under the name itself.
  expect(await registry.auth!.store.getLoginFailures(typedPassword, '127.0.5.1')).toBeNull();
  expect(await registry.auth!.store.getLoginFailures('erin', '127.0.5.1')).toEqual({ count: 1 });
});

it('refused attempts on a locked account are logged once per account and address per minute, with a count', async () => {
  for (let i = 0; i < 5; i++) await login('127.0.5.2', registry.url, 'erin', `guess-${i}`);
  const before = lines.length;
  for (let i = 0; i < 30; i++) expect((await login('127.0.5.2', registry.url, 'erin', `more-${i}`)).status).toBe(429);
  const refusals = lines.slice(before).filter((l) => String(l.message).startsWith('login refused'));
  expect(refusals).toEqual([expect.objectContaining({ level: 'warn', account: 'erin', remote: '127.0.5.2', refused: 1 })]);
});
