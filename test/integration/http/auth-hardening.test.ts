/** Login input bcrypt or DynamoDB cannot take: passwords over 72 bytes, user names over the key size. */
import bcrypt from 'bcryptjs';
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser } from './auth-helpers';
import { LOGIN_FORMS } from './from-address';

let registry: TestRegistry;
const FROM = '127.0.0.1';
const long72 = 'p'.repeat(72);

beforeAll(async () => {
  registry = await startTestRegistry({ auth: { loginRate: { burst: 1000, perSecond: 1000 } } });
  const store = registry.auth!.store;
  // Stored as an older release (or another tool) could have: bcrypt of an 80-byte password, which bcrypt
  // truncates to its first 72 bytes.
  await store.putUser({ name: 'lena', passwordHash: await bcrypt.hash(`${long72}-tail-one`, 4), grants: [], catalog: false, admin: false });
  await addUser(store, 'max', long72, []);
});
afterAll(async () => registry?.stop());

describe.each(Object.entries(LOGIN_FORMS))('%s', (form, login) => {
  it('a password over 72 bytes never logs in, neither itself nor another sharing its first 72 bytes -> 401', async () => {
    expect((await login(FROM, registry.url, 'lena', `${long72}-tail-one`)).status).toBe(401);
    expect((await login(FROM, registry.url, 'lena', `${long72}-tail-two`)).status).toBe(401);
  });

  it('a password of exactly 72 bytes logs in', async () => {
    expect((await login(FROM, registry.url, 'max', long72)).status).toBe(200);
  });

  it.each([1024, 1100, 3000])('a user name of %i bytes -> 401 UNAUTHORIZED like any unknown user', async (n) => {
    const res = await login(FROM, registry.url, `${form.length}${'n'.repeat(n - String(form.length).length)}`, 'whatever-password');
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).errors[0].code).toBe('UNAUTHORIZED');
  });
});
