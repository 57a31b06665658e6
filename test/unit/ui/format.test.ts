import { humanBytes, platformName, relativeTime, shortDigest, shortMediaType, shownCount } from '../../../ui/src/format';

describe('how the web UI writes sizes, times and digests', () => {
  it.each([
    [0, '0 B'], [999, '999 B'], [1000, '1.0 KB'], [4_180, '4.2 KB'], [28_000_000, '28 MB'], [1_500_000_000, '1.5 GB'], [null, '—'],
  ])('humanBytes(%p) -> %s', (bytes, text) => {
    expect(humanBytes(bytes)).toBe(text);
  });

  it('relativeTime: seconds to years, past and future, "never" when absent', () => {
    const now = Date.UTC(2026, 0, 10, 12);

    expect(relativeTime(now - 30_000, now)).toBe('30 seconds ago');
    expect(relativeTime(now - 3 * 3600_000, now)).toBe('3 hours ago');
    expect(relativeTime(now - 24 * 3600_000, now)).toBe('yesterday');
    expect(relativeTime(now + 90 * 24 * 3600_000, now)).toBe('in 3 months');
    expect(relativeTime('2024-01-10T12:00:00Z', now)).toBe('2 years ago');
    expect(relativeTime(null, now)).toBe('never');
    expect(relativeTime('not a date', now)).toBe('never');
  });

  it('shortDigest keeps the algorithm and 12 hex digits; shortMediaType drops the vendor prefix', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('sha256:abababababab');
    expect(shortMediaType('application/vnd.oci.image.index.v1+json')).toBe('image.index.v1+json');
    expect(shortMediaType('application/vnd.docker.distribution.manifest.v2+json')).toBe('manifest.v2+json');
    expect(shortMediaType('application/spdx+json')).toBe('application/spdx+json');
  });

  it('platformName: os/arch and the variant when there is one', () => {
    expect(platformName({ os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe('linux/arm64/v8');
    expect(platformName({ os: 'linux', architecture: 'amd64' })).toBe('linux/amd64');
  });

  it('shownCount: how many tags the page shows, the filter, and whether more follow', () => {
    expect(shownCount(100, true, '')).toBe('100 tags shown, more below');
    expect(shownCount(1, false, '1.1999')).toBe('1 tag shown matching “1.1999”');
    expect(shownCount(0, false, '')).toBe('0 tags shown');
  });
});
