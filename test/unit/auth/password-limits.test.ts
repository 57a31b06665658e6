import { readPassword } from '../../../cli/password';
import { BCRYPT_COST, DUMMY_HASH_COST, hashPassword, MAX_PASSWORD_BYTES, passwordFits, verifyPassword } from '../../../lambda/auth/passwords';

describe('npx stratus user add/passwd: the password', () => {
  const read = (password: string) => readPassword({ stdin: false, env: { STRATUS_PASSWORD: password } });

  it('of 72 bytes is taken', async () => {
    await expect(read('x'.repeat(72))).resolves.toBe('x'.repeat(72));
  });

  it.each([
    ['73 ASCII characters', 'x'.repeat(73)],
    ['37 two-byte characters (74 bytes)', 'é'.repeat(37)],
  ])('of %s is refused with a message saying why', async (_what, password) => {
    await expect(read(password)).rejects.toThrow(/at most 72 bytes.*bcrypt/);
  });
});

describe('passwords', () => {
  it('hashPassword refuses a password bcrypt would truncate', () => {
    expect(() => hashPassword('y'.repeat(MAX_PASSWORD_BYTES + 1), 4)).toThrow(/72 bytes/);
    expect(passwordFits('é'.repeat(36))).toBe(true);
    expect(passwordFits('é'.repeat(37))).toBe(false);
  });

  it('verifyPassword is false for a password over 72 bytes, even against a hash of its first 72 bytes', async () => {
    const bcrypt = (await import('bcryptjs')).default;
    const hash = await bcrypt.hash('z'.repeat(72), 4);
    expect(await verifyPassword('z'.repeat(72), hash)).toBe(true);
    expect(await verifyPassword(`${'z'.repeat(72)}-more`, hash)).toBe(false);
  });

  it('the hash compared against for unknown accounts has the cost of real ones (else a miss is faster)', () => {
    expect(DUMMY_HASH_COST).toBe(BCRYPT_COST);
  });
});
