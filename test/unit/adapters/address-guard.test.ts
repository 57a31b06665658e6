/** Which addresses the upstream client refuses to contact: link-local ones, where clouds serve credentials. */
import { guardedLookup, isLinkLocal } from '../../../lambda/adapters/upstream/address-guard';

describe('isLinkLocal', () => {
  it.each(['169.254.169.254', '169.254.170.2', '::ffff:169.254.169.254', 'fe80::1', '[fe80::1]', 'FEBF::abcd'])('%s -> true', (a) => {
    expect(isLinkLocal(a)).toBe(true);
  });
  it.each(['127.0.0.1', '10.0.0.1', '192.168.1.1', '::1', 'fec0::1', 'registry-1.docker.io', '169.254.example.com'])('%s -> false', (a) => {
    expect(isLinkLocal(a)).toBe(false);
  });
});

describe('guardedLookup', () => {
  it('resolves a name to non-link-local addresses as dns.lookup does (single and all)', async () => {
    const one = await new Promise<unknown[]>((resolve) => guardedLookup('localhost', {}, (...args) => resolve(args)));
    expect(one[0]).toBeNull();
    expect(typeof one[1]).toBe('string');
    const all = await new Promise<unknown[]>((resolve) => guardedLookup('localhost', { all: true }, (...args) => resolve(args)));
    expect(all[0]).toBeNull();
    expect(Array.isArray(all[1])).toBe(true);
  });

  it('fails with ELINKLOCAL when the name resolves to a link-local address', async () => {
    const [err] = await new Promise<unknown[]>((resolve) => guardedLookup('169.254.169.254', {}, (...args) => resolve(args)));
    expect((err as NodeJS.ErrnoException).code).toBe('ELINKLOCAL');
  });
});
