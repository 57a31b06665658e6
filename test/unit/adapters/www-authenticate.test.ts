/** Reading an upstream's WWW-Authenticate challenge and Retry-After header. */
import { parseRetryAfter } from '../../../lambda/adapters/upstream/http-exchange';
import { parseChallenge } from '../../../lambda/adapters/upstream/www-authenticate';

describe('parseChallenge', () => {
  it("Docker Hub's Bearer challenge -> realm, service and scope", () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'))
      .toEqual({ scheme: 'bearer', realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' });
  });

  it('scheme in any case, unquoted values, spaces after commas, escaped quotes, extra parameters', () => {
    expect(parseChallenge('bearer realm=https://r.example/token, service="a \\"b\\"", error="insufficient_scope"'))
      .toEqual({ scheme: 'bearer', realm: 'https://r.example/token', service: 'a "b"', scope: undefined });
  });

  it('Basic (with or without a realm) -> basic', () => {
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic' });
    expect(parseChallenge('Basic')).toEqual({ scheme: 'basic' });
  });

  it('the first answerable of several headers; a Bearer without realm, an unknown scheme or nothing -> null', () => {
    expect(parseChallenge(['Negotiate', 'Bearer realm="https://r/t"'])).toEqual({ scheme: 'bearer', realm: 'https://r/t', service: undefined, scope: undefined });
    expect(parseChallenge('Bearer service="x"')).toBeNull();
    expect(parseChallenge('Digest realm="x"')).toBeNull();
    expect(parseChallenge(undefined)).toBeNull();
    expect(parseChallenge('')).toBeNull();
  });
});

describe('parseRetryAfter', () => {
  it('delta seconds, an HTTP date (seconds until then, never negative), or undefined', () => {
    const now = Date.parse('2026-12-03T12:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter('Thu, 03 Dec 2026 12:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Thu, 03 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
