import { LoginCache } from '../../../lambda/auth/login-cache';

describe('LoginCache', () => {
  it('remembers verified credentials until the TTL passes', () => {
    const cache = new LoginCache<string>(1000);
    cache.set('alice', 'pw', 'principal', 0);
    expect(cache.get('alice', 'pw', 999)).toBe('principal');
    expect(cache.get('alice', 'pw', 1001)).toBeUndefined();
  });

  it('never answers for another password or user, including ones that collide when concatenated', () => {
    const cache = new LoginCache<string>(1000);
    cache.set('alice', 'pw', 'principal', 0);
    expect(cache.get('alice', 'pw2', 1)).toBeUndefined();
    expect(cache.get('alic', 'epw', 1)).toBeUndefined();
    expect(cache.get('bob', 'pw', 1)).toBeUndefined();
  });

  it('keeps at most `capacity` entries, dropping the oldest', () => {
    const cache = new LoginCache<number>(1000, 2);
    cache.set('a', 'x', 1, 0);
    cache.set('b', 'x', 2, 0);
    cache.set('c', 'x', 3, 0);
    expect([cache.get('a', 'x', 1), cache.get('b', 'x', 1), cache.get('c', 'x', 1)]).toEqual([undefined, 2, 3]);
  });
});
