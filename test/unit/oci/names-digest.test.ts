import { parseDigest } from '../../../lambda/oci/digest';
import { OciError } from '../../../lambda/oci/errors';
import { parseName, parseReference } from '../../../lambda/oci/names';

const codeOf = (fn: () => unknown) => {
  try { fn(); } catch (e) { return (e as OciError).code; }
  return 'none';
};

describe('parseName', () => {
  it.each(['a', 'team/app/api', 'a.b_c__d-e---f/g0', 'x'.repeat(255)])('accepts %s', (name) => {
    expect(parseName(name)).toBe(name);
  });
  it.each(['', 'A', 'a/', '/a', 'a//b', 'a/../b', '..', 'a%2Fb', 'a-', 'a___b', 'x'.repeat(256), 'a b'])('rejects %j with NAME_INVALID', (name) => {
    expect(codeOf(() => parseName(name))).toBe('NAME_INVALID');
  });
});

describe('parseReference', () => {
  it('reads a tag', () => {
    expect(parseReference('v1.0_rc-1')).toEqual({ kind: 'tag', tag: 'v1.0_rc-1' });
  });
  it('reads a sha256 digest', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(parseReference(d)).toEqual({ kind: 'digest', digest: { algorithm: 'sha256', hex: 'a'.repeat(64), value: d } });
  });
  it.each(['.hidden', '-x', 't'.repeat(129), 'a/b'])('rejects tag %j with TAG_INVALID', (ref) => {
    expect(codeOf(() => parseReference(ref))).toBe('TAG_INVALID');
  });
});

describe('parseDigest', () => {
  it('accepts sha512', () => {
    expect(parseDigest(`sha512:${'0'.repeat(128)}`).algorithm).toBe('sha512');
  });
  it.each([
    `sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, `md5:${'a'.repeat(32)}`, 'sha256:', ':abc', 'nocolon', '',
  ])('rejects %j with DIGEST_INVALID', (d) => {
    expect(codeOf(() => parseDigest(d))).toBe('DIGEST_INVALID');
  });
  it('rejects a missing digest', () => {
    expect(codeOf(() => parseDigest(null))).toBe('DIGEST_INVALID');
  });
});
