/**
 * fast-check generators of bad input: names, tags and digests that break the spec's grammar, each
 * sendable as a raw path segment (no space or control character, so node:http sends it as given).
 */
import fc from 'fast-check';

const NAME_GRAMMAR = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_GRAMMAR = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** True when a name is valid by the spec (and our 255-character limit). */
export function isValidName(s: string): boolean {
  return s.length > 0 && s.length <= 255 && NAME_GRAMMAR.test(s);
}

/** A valid name component. */
export const component = fc.stringMatching(/^[a-z0-9]{1,8}$/);

/** Characters that are legal in a request path but mostly illegal in names and tags. */
const PATH_CHARS = [...'abcXYZ019._-/%:@~+!$&\'()*,;=', '%2F', '%2f', '%2e', '%00', '%0d%0a', '%20', '%c3%a9'];

/** A repository name the spec refuses: uppercase, `..`, encoded slashes, empty components, too long, ... */
export const invalidName: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(component, fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,5}$/)).map(([c, u]) => `${c}/${u}`),
  fc.tuple(component, component).map(([a, b]) => `${a}..${b}`),
  fc.tuple(component, component).map(([a, b]) => `${a}/../${b}`),
  fc.tuple(component, component, fc.constantFrom('%2F', '%2f', '%2e%2e%2f')).map(([a, b, s]) => `${a}${s}${b}`),
  fc.tuple(component, component).map(([a, b]) => `${a}//${b}`),
  component.map((c) => `${c}/`),
  component.map((c) => `/${c}`),
  fc.tuple(component, fc.constantFrom('-', '_', '.', '___', '.-')).map(([c, s]) => `${s}${c}`),
  fc.tuple(component, fc.constantFrom('-', '_', '.', '__')).map(([c, s]) => `${c}${s}`),
  fc.integer({ min: 256, max: 600 }).map((n) => 'a'.repeat(n)),
  fc.integer({ min: 128, max: 200 }).map((n) => `${'a'.repeat(n)}/${'b'.repeat(n)}`),
  fc.array(fc.constantFrom(...PATH_CHARS), { minLength: 1, maxLength: 30 }).map((a) => a.join('')),
).filter((s) => !isValidName(s));

/** A manifest reference that is neither a tag nor a digest. */
export const invalidTag: fc.Arbitrary<string> = fc.oneof(
  component.map((c) => `.${c}`),
  component.map((c) => `-${c}`),
  fc.integer({ min: 129, max: 400 }).map((n) => 'v'.repeat(n)),
  fc.tuple(component, fc.constantFrom('%2F', '%20', '+', '@', '!', '~', '%0d%0a', ',', '*', '$', '%00', '%c3%a9'), component)
    .map(([a, bad, b]) => `${a}${bad}${b}`),
  fc.array(fc.constantFrom(...PATH_CHARS.filter((c) => c !== '/')), { minLength: 1, maxLength: 40 }).map((a) => a.join('')),
).filter((s) => !TAG_GRAMMAR.test(s) && !s.includes(':') && !s.includes('/') && s !== '.' && s !== '..');

const hex = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${min},${max}}$`));

/** A string with a ':' that is no digest the registry accepts: bad hex, bad length, unknown algorithm, bad grammar. */
export const invalidDigest: fc.Arbitrary<string> = fc.oneof(
  fc.oneof(hex(0, 63), hex(65, 80)).map((h) => `sha256:${h}`),
  fc.oneof(hex(1, 127), hex(129, 140)).map((h) => `sha512:${h}`),
  hex(64, 64).map((h) => `sha256:${h.toUpperCase()}`).filter((s) => /[A-F]/.test(s)),
  hex(64, 64).map((h) => `SHA256:${h}`),
  fc.tuple(fc.constantFrom('md5', 'sha1', 'sha384', 'blake3', 'sha3-256', 'sha256+b64u', 'x'), hex(32, 64)).map(([a, h]) => `${a}:${h}`),
  hex(64, 64).map((h) => `:${h}`),
  hex(64, 64).map((h) => `sha256::${h}`),
  fc.tuple(hex(60, 60), fc.constantFrom('%0d%0a', 'zz', '..', '%2F', '+', '$')).map(([h, s]) => `sha256:${h}${s}`),
  fc.constantFrom('sha256:', ':', 'sha256:%00', 'sha256:' + '0'.repeat(64) + ':'),
);

/** A digest with a well-formed sha256 hex value, not the digest of any pushed content. */
export const unknownSha256 = hex(64, 64).map((h) => `sha256:${h}`);
